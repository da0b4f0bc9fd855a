/*
 * jobscoutd: the Job Scout worker daemon.
 *
 *   jobscoutd [-p prefix] [-c conf] [-t] [-s signal] [-f]
 *
 * A master process and worker processes per role, run and signalled the
 * way nginx is, so that ops need to learn nothing new.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "pidfile.h"
#include "process.h"
#include "version.h"
#include "worker.h"

#define JS_DEFAULT_CONF  "conf/jobscoutd.conf"

static void
js_usage(FILE *f)
{
    fprintf(f,
        "jobscoutd " JS_VERSION "\n"
        "Usage: jobscoutd [-?hvtf] [-s signal] [-p prefix] [-c filename]\n"
        "\n"
        "Options:\n"
        "  -?,-h         : this help\n"
        "  -v            : show version and exit\n"
        "  -t            : test configuration and exit\n"
        "  -f            : stay in the foreground (do not daemonize)\n"
        "  -s signal     : send signal to a master process: "
        "stop, quit, reload, reopen\n"
        "  -p prefix     : set prefix path (default: current directory)\n"
        "  -c filename   : set configuration file (default: "
        JS_DEFAULT_CONF ")\n");
}

static int
js_send_signal(const js_conf_t *cf, const char *name)
{
    int    signo;
    char   err[512];
    pid_t  pid;

    signo = js_signal_number(name);

    pid = js_pidfile_owner(cf->pid, err, sizeof(err));
    if (pid == -1) {
        fprintf(stderr, "jobscoutd: [error] %s\n", err);
        return 1;
    }

    if (kill(pid, signo) == -1) {
        fprintf(stderr, "jobscoutd: [alert] kill(%ld, %d) failed (%d: %s)\n",
                (long) pid, signo, errno, strerror(errno));
        return 1;
    }

    return 0;
}

int
main(int argc, char **argv)
{
    int               c, test = 0;
    char              err[1024];
    const char       *prefix = NULL, *file = JS_DEFAULT_CONF, *sig = NULL;
    js_conf_t        *cf;
    js_master_opts_t  opts;

    memset(&opts, 0, sizeof(opts));

    while ((c = getopt(argc, argv, "?hvtfs:p:c:")) != -1) {
        switch (c) {
        case '?':
            /* "-?" itself (optopt 0), not an unknown option */
            if (optopt != 0) {
                js_usage(stderr);
                return 1;
            }
            /* fall through */
        case 'h':
            js_usage(stdout);
            return 0;
        case 'v':
            printf("jobscoutd version: " JS_VERSION "\n");
            return 0;
        case 't':
            test = 1;
            break;
        case 'f':
            opts.foreground = 1;
            break;
        case 's':
            sig = optarg;
            if (js_signal_number(sig) == -1) {
                fprintf(stderr, "jobscoutd: invalid option: \"-s %s\"\n",
                        sig);
                return 1;
            }
            break;
        case 'p':
            prefix = optarg;
            break;
        case 'c':
            file = optarg;
            break;
        default:
            js_usage(stderr);
            return 1;
        }
    }

    if (optind < argc) {
        fprintf(stderr, "jobscoutd: invalid argument: \"%s\"\n", argv[optind]);
        return 1;
    }

    cf = malloc(sizeof(js_conf_t));
    if (cf == NULL) {
        fprintf(stderr, "jobscoutd: [emerg] out of memory\n");
        return 1;
    }

    if (js_conf_load(cf, file, prefix, js_role_names(), err, sizeof(err))
        != 0)
    {
        fprintf(stderr, "jobscoutd: [emerg] %s\n", err);
        if (test) {
            fprintf(stderr, "jobscoutd: configuration file %s test failed\n",
                    file);
        }
        free(cf);
        return 1;
    }

    if (test) {
        fprintf(stderr, "jobscoutd: the configuration file %s syntax is ok\n"
                "jobscoutd: configuration file %s test is successful\n",
                cf->file, cf->file);
        js_conf_free(cf);
        free(cf);
        return 0;
    }

    if (sig != NULL) {
        c = js_send_signal(cf, sig);
        js_conf_free(cf);
        free(cf);
        return c;
    }

    if (js_log_open(cf->error_log, cf->log_level, cf->log_format, err,
                    sizeof(err))
        != 0)
    {
        fprintf(stderr, "jobscoutd: [emerg] %s\n", err);
        js_conf_free(cf);
        free(cf);
        return 1;
    }

    /* js_master_run() owns cf from here, in every outcome. */
    return js_master_run(cf, &opts);
}
