#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "pidfile.h"
#include "process.h"
#include "sentry.h"
#include "util.h"
#include "worker.h"

/* Room for a full set of workers plus the old set draining after HUP. */
#define JS_MAX_PROCS         (2 * JS_CONF_MAX_ROLES * JS_CONF_MAX_WORKERS)

#define JS_BACKOFF_MIN       1000
#define JS_BACKOFF_MAX       30000
#define JS_BACKOFF_RESET     60000

enum {
    JS_RUNNING = 0,
    JS_STOPPING_GRACEFUL,
    JS_STOPPING_FAST
};

typedef struct {
    int        in_use;
    pid_t      pid;          /* 0 while waiting to be (re)spawned */
    int        role;         /* index into js_roles[] */
    unsigned   generation;
    int        retired;      /* belongs to an old config: no respawn */
    int        killed;       /* SIGKILL already sent */
    int64_t    started;
    int64_t    respawn_at;   /* 0: none pending */
    int64_t    kill_at;      /* 0: not asked to stop */
    int        backoff;      /* delay before the next respawn, ms */
} js_proc_t;

static volatile sig_atomic_t  js_sig_terminate;
static volatile sig_atomic_t  js_sig_quit;
static volatile sig_atomic_t  js_sig_reload;
static volatile sig_atomic_t  js_sig_reopen;
static volatile sig_atomic_t  js_sig_child;
static volatile sig_atomic_t  js_sig_alarm;

static js_proc_t   js_procs[JS_MAX_PROCS];
static js_conf_t  *js_cf;
static unsigned    js_generation;
static int         js_state = JS_RUNNING;
static int         js_pid_fd = -1;
static char       *js_pid_path;
static sigset_t    js_wait_mask;

static const struct {
    const char  *name;
    int          signo;
} js_signals[] = {
    { "stop",   SIGTERM },
    { "quit",   SIGQUIT },
    { "reload", SIGHUP },
    { "reopen", SIGUSR1 },
};

int
js_signal_number(const char *name)
{
    size_t  i;

    for (i = 0; i < JS_ARRAY_SIZE(js_signals); i++) {
        if (strcmp(js_signals[i].name, name) == 0) {
            return js_signals[i].signo;
        }
    }
    return -1;
}

static void
js_master_signal(int signo)
{
    switch (signo) {
    case SIGTERM:
    case SIGINT:
        js_sig_terminate = 1;
        break;
    case SIGQUIT:
        js_sig_quit = 1;
        break;
    case SIGHUP:
        js_sig_reload = 1;
        break;
    case SIGUSR1:
        js_sig_reopen = 1;
        break;
    case SIGCHLD:
        js_sig_child = 1;
        break;
    case SIGALRM:
        js_sig_alarm = 1;
        break;
    }
}

static void
js_master_signals_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGQUIT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGCHLD);
    sigaddset(set, SIGALRM);

    /*
     * Signals stay blocked except inside sigsuspend(), so the handlers
     * can only run where the loop is ready to look at the flags.
     */
    sigprocmask(SIG_BLOCK, set, &js_wait_mask);
}

static void
js_master_signals_install(const sigset_t *set)
{
    int               i;
    struct sigaction  sa;
    static const int  sigs[] = {
        SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGCHLD, SIGALRM
    };

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = js_master_signal;
    sa.sa_mask = *set;
    sa.sa_flags = SA_NOCLDSTOP;

    for (i = 0; i < (int) JS_ARRAY_SIZE(sigs); i++) {
        sigaction(sigs[i], &sa, NULL);
    }

    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Like nginx, but the parent waits for the child to own the pid file
 * before exiting, so "jobscoutd && cat pidfile" is never racy and a
 * refused start is reported through the exit status.
 */
static int
js_daemonize(int *ready)
{
    int      fds[2], fd;
    char     c = '1';
    pid_t    pid;
    ssize_t  n;

    if (pipe2(fds, O_CLOEXEC) == -1) {
        fprintf(stderr, "jobscoutd: [emerg] pipe() failed (%d: %s)\n",
                errno, strerror(errno));
        return -1;
    }

    pid = fork();

    if (pid == -1) {
        fprintf(stderr, "jobscoutd: [emerg] fork() failed (%d: %s)\n",
                errno, strerror(errno));
        return -1;
    }

    if (pid > 0) {
        close(fds[1]);
        do {
            n = read(fds[0], &c, 1);
        } while (n == -1 && errno == EINTR);
        _exit(n == 1 && c == '0' ? 0 : 1);
    }

    close(fds[0]);
    *ready = fds[1];

    if (setsid() == -1) {
        fprintf(stderr, "jobscoutd: [emerg] setsid() failed (%d: %s)\n",
                errno, strerror(errno));
        return -1;
    }

    fd = open("/dev/null", O_RDWR);
    if (fd != -1) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }

    return 0;
}

static js_proc_t *
js_proc_alloc(int role)
{
    int  i;

    for (i = 0; i < JS_MAX_PROCS; i++) {
        if (!js_procs[i].in_use) {
            memset(&js_procs[i], 0, sizeof(js_proc_t));
            js_procs[i].in_use = 1;
            js_procs[i].role = role;
            js_procs[i].generation = js_generation;
            js_procs[i].backoff = JS_BACKOFF_MIN;
            return &js_procs[i];
        }
    }
    return NULL;
}

static js_proc_t *
js_proc_find(pid_t pid)
{
    int  i;

    for (i = 0; i < JS_MAX_PROCS; i++) {
        if (js_procs[i].in_use && js_procs[i].pid == pid) {
            return &js_procs[i];
        }
    }
    return NULL;
}

static void
js_proc_schedule(js_proc_t *p, int64_t now)
{
    p->respawn_at = now + p->backoff;
    p->backoff = p->backoff * 2 > JS_BACKOFF_MAX
                 ? JS_BACKOFF_MAX : p->backoff * 2;
}

static void __attribute__((noreturn))
js_worker_process(js_proc_t *p)
{
    int               rc;
    const js_role_t  *role = &js_roles[p->role];
    js_worker_t       w;

    /* Closing our copy does not drop the master's lock (not ours). */
    if (js_pid_fd != -1) {
        close(js_pid_fd);
        js_pid_fd = -1;
    }
    js_metrics_child();

    w.conf = js_cf;
    w.role = role->name;
    w.master = getppid();
    w.generation = p->generation;

    js_worker_init(&w);

    rc = role->run(&w);

    js_log(JS_LOG_INFO, "worker exiting", JS_KI("status", rc));

    js_conf_free(js_cf);
    free(js_cf);
    free(js_pid_path);
    js_log_close();

    exit(rc);
}

static void
js_proc_spawn(js_proc_t *p, int64_t now)
{
    pid_t  pid;

    pid = fork();

    if (pid == -1) {
        js_log(JS_LOG_ALERT, "fork() failed", JS_KS("err", strerror(errno)),
               JS_KS("worker", js_roles[p->role].name));
        js_proc_schedule(p, now);
        return;
    }

    if (pid == 0) {
        js_worker_process(p);
    }

    p->pid = pid;
    p->started = now;
    p->respawn_at = 0;

    js_log(JS_LOG_NOTICE, "worker started",
           JS_KS("worker", js_roles[p->role].name), JS_KI("worker_pid", pid),
           JS_KI("generation", p->generation));
}

static void
js_spawn_all(int64_t now)
{
    int               i, n;
    js_proc_t        *p;
    const js_role_t  *role;

    for (i = 0; i < js_cf->nworkers; i++) {
        /* js_conf_load() checked the name against js_role_names(). */
        role = js_role_find(js_cf->workers[i].role);

        for (n = 0; n < js_cf->workers[i].count; n++) {
            p = js_proc_alloc((int) (role - js_roles));
            if (p == NULL) {
                js_log(JS_LOG_ALERT, "too many worker processes",
                       JS_KS("worker", role->name));
                return;
            }
            js_proc_spawn(p, now);
        }
    }
}

static void
js_reap(int64_t now)
{
    int         status, level, expected;
    char        how[64];
    pid_t       pid;
    js_proc_t  *p;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        p = js_proc_find(pid);
        if (p == NULL) {
            continue;
        }

        expected = js_state != JS_RUNNING || p->retired || p->kill_at;

        if (WIFSIGNALED(status)) {
            snprintf(how, sizeof(how), "signal %d%s", WTERMSIG(status),
                     WCOREDUMP(status) ? " (core dumped)" : "");
            level = p->killed ? JS_LOG_WARN : JS_LOG_ALERT;
        } else {
            snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(status));
            level = WEXITSTATUS(status) != 0 ? JS_LOG_ALERT
                    : expected ? JS_LOG_NOTICE : JS_LOG_ERR;
        }

        js_log(level, "worker exited", JS_KS("worker",
               js_roles[p->role].name), JS_KI("worker_pid", pid),
               JS_KS("status", how), JS_KI("ran_ms", now - p->started));

        p->pid = 0;

        if (expected) {
            p->in_use = 0;
            continue;
        }

        js_sentry_report(json_pack("{s:s, s:s, s:s, s:s}",
            "level", level == JS_LOG_ALERT ? "fatal" : "error",
            "message", "worker exited unexpectedly",
            "role", js_roles[p->role].name, "exit", how));

        /* A worker that stayed up a minute is healthy again. */
        if (now - p->started >= JS_BACKOFF_RESET) {
            p->backoff = JS_BACKOFF_MIN;
        }

        js_log(JS_LOG_NOTICE, "respawning worker",
               JS_KS("worker", js_roles[p->role].name),
               JS_KI("delay_ms", p->backoff));
        js_metrics_restart(p->role);

        js_proc_schedule(p, now);
    }
}

/* Asks workers to stop; those waiting for a respawn are just dropped. */
static void
js_signal_procs(int signo, int only_current, int64_t now, int timeout)
{
    int         i;
    js_proc_t  *p;

    for (i = 0; i < JS_MAX_PROCS; i++) {
        p = &js_procs[i];

        if (!p->in_use || (only_current && p->retired)) {
            continue;
        }

        if (p->pid == 0) {
            p->in_use = 0;
            continue;
        }

        if (kill(p->pid, signo) == -1 && errno != ESRCH) {
            js_log(JS_LOG_ALERT, "kill() failed", JS_KI("worker_pid",
                   p->pid), JS_KI("signal", signo),
                   JS_KS("err", strerror(errno)));
        }

        if (p->kill_at == 0 || p->kill_at > now + timeout) {
            p->kill_at = now + timeout;
        }
    }
}

static void
js_reload(int64_t now)
{
    int         i, timeout;
    char        err[1024];
    js_conf_t  *ncf;
    js_proc_t  *p;

    js_log(JS_LOG_NOTICE, "reconfiguring", JS_KS("file", js_cf->file));

    ncf = malloc(sizeof(js_conf_t));
    if (ncf == NULL) {
        js_log(JS_LOG_ALERT, "reload failed, keeping the old configuration",
               JS_KS("err", "out of memory"));
        return;
    }

    if (js_conf_load(ncf, js_cf->file, js_cf->prefix, js_role_names(), err,
                     sizeof(err))
        != 0)
    {
        js_log(JS_LOG_ERR, "reload failed, keeping the old configuration",
               JS_KS("err", err));
        free(ncf);
        return;
    }

    if (strcmp(ncf->pid, js_pid_path) != 0) {
        js_log(JS_LOG_WARN, "a new pid file path takes effect on restart",
               JS_KS("pid", ncf->pid));
    }

    if (js_log_open(ncf->error_log, ncf->log_level, ncf->log_format, err,
                    sizeof(err))
        != 0)
    {
        js_log(JS_LOG_ERR, "reload failed, keeping the old configuration",
               JS_KS("err", err));
        js_conf_free(ncf);
        free(ncf);
        return;
    }

    /* The old workers drain under the timeout they were started with. */
    timeout = js_cf->shutdown_timeout;

    for (i = 0; i < JS_MAX_PROCS; i++) {
        p = &js_procs[i];
        if (p->in_use && !p->retired) {
            p->retired = 1;
        }
    }
    js_signal_procs(SIGQUIT, 0, now, timeout);

    js_conf_free(js_cf);
    free(js_cf);
    js_cf = ncf;
    js_generation++;
    js_sentry_client(js_cf);

    js_spawn_all(now);
}

static void
js_reopen(void)
{
    char  err[512];

    if (js_log_reopen(err, sizeof(err)) != 0) {
        js_log(JS_LOG_ALERT, "log reopen failed", JS_KS("err", err));
    } else {
        js_log(JS_LOG_NOTICE, "logs reopened");
    }

    /* Workers reopen on their own: USR1 only sets a flag there. */
    js_signal_procs(SIGUSR1, 0, 0, 0);
}

/* Fires the deadlines that are due; returns the next one, or 0. */
static int64_t
js_deadlines(int64_t now)
{
    int         i;
    int64_t     next = 0, t;
    js_proc_t  *p;

    for (i = 0; i < JS_MAX_PROCS; i++) {
        p = &js_procs[i];

        if (!p->in_use) {
            continue;
        }

        if (p->pid && p->kill_at && !p->killed) {
            if (now >= p->kill_at) {
                js_log(JS_LOG_WARN, "worker did not exit in time, killing",
                       JS_KS("worker", js_roles[p->role].name),
                       JS_KI("worker_pid", p->pid));
                kill(p->pid, SIGKILL);
                p->killed = 1;
                continue;
            }
            t = p->kill_at;

        } else if (p->pid == 0 && p->respawn_at) {
            if (now >= p->respawn_at) {
                js_proc_spawn(p, now);
                if (p->pid) {
                    continue;
                }
            }
            t = p->respawn_at;

        } else {
            continue;
        }

        if (next == 0 || t < next) {
            next = t;
        }
    }

    return next;
}

static void
js_arm_timer(int64_t next, int64_t now)
{
    int64_t           ms;
    struct itimerval  itv;

    memset(&itv, 0, sizeof(itv));

    if (next) {
        ms = next - now;
        if (ms < 1) {
            ms = 1;
        }
        itv.it_value.tv_sec = ms / 1000;
        itv.it_value.tv_usec = (ms % 1000) * 1000;
    }

    setitimer(ITIMER_REAL, &itv, NULL);
}

static int
js_procs_alive(void)
{
    int  i, n = 0;

    for (i = 0; i < JS_MAX_PROCS; i++) {
        n += js_procs[i].in_use;
    }
    return n;
}

static void
js_master_loop(void)
{
    int64_t  now, next;

    for ( ;; ) {
        now = js_msec();

        if (js_sig_child) {
            js_sig_child = 0;
            js_reap(now);
        }

        if (js_sig_terminate) {
            js_sig_terminate = 0;
            if (js_state != JS_STOPPING_FAST) {
                js_log(JS_LOG_NOTICE, "fast shutdown");
                js_state = JS_STOPPING_FAST;
                js_signal_procs(SIGTERM, 0, now, js_cf->shutdown_timeout);
            }
        }

        if (js_sig_quit) {
            js_sig_quit = 0;
            if (js_state == JS_RUNNING) {
                js_log(JS_LOG_NOTICE, "graceful shutdown");
                js_state = JS_STOPPING_GRACEFUL;
                js_signal_procs(SIGQUIT, 0, now, js_cf->shutdown_timeout);
            }
        }

        if (js_sig_reload) {
            js_sig_reload = 0;
            if (js_state == JS_RUNNING) {
                js_reload(now);
            }
        }

        if (js_sig_reopen) {
            js_sig_reopen = 0;
            js_reopen();
        }

        js_sig_alarm = 0;

        if (js_state != JS_RUNNING && js_procs_alive() == 0) {
            return;
        }

        next = js_deadlines(now);
        js_arm_timer(next, now);

        if (!js_sig_child && !js_sig_terminate && !js_sig_quit
            && !js_sig_reload && !js_sig_reopen)
        {
            sigsuspend(&js_wait_mask);
        }
    }
}

int
js_master_run(js_conf_t *cf, const js_master_opts_t *opts)
{
    int       ready = -1;
    char      err[512];
    sigset_t  set;

    js_cf = cf;
    js_log_set_role("master");

    js_master_signals_block(&set);

    if (!opts->foreground && js_daemonize(&ready) != 0) {
        goto failed;
    }

    js_pid_path = strdup(cf->pid);
    if (js_pid_path == NULL) {
        goto failed;
    }

    js_pid_fd = js_pidfile_create(js_pid_path, err, sizeof(err));
    if (js_pid_fd == -1) {
        fprintf(stderr, "jobscoutd: [emerg] %s\n", err);
        js_log(JS_LOG_EMERG, "cannot start", JS_KS("err", err));
        goto failed;
    }

    /* signals are blocked: the server's thread leaves them to the loop */
    if (js_metrics_start(cf, js_role_names(), err, sizeof(err)) != 0) {
        fprintf(stderr, "jobscoutd: [emerg] %s\n", err);
        js_log(JS_LOG_EMERG, "cannot start", JS_KS("err", err));
        js_pidfile_delete(js_pid_path, js_pid_fd);
        goto failed;
    }

    js_master_signals_install(&set);
    js_sentry_client(cf);

    if (!opts->foreground) {
        /* From now on our stderr is the error log, as in nginx. */
        js_log_redirect_stderr();
        (void) !write(ready, "0", 1);
        close(ready);
        ready = -1;
    }

    js_log(JS_LOG_NOTICE, "jobscoutd started", JS_KS("conf", cf->file),
           JS_KS("pid_file", js_pid_path));

    js_spawn_all(js_msec());
    js_master_loop();

    js_log(JS_LOG_NOTICE, "exit");

    js_metrics_stop();
    js_pidfile_delete(js_pid_path, js_pid_fd);
    free(js_pid_path);
    js_conf_free(js_cf);
    free(js_cf);
    js_log_close();

    return 0;

failed:

    if (ready != -1) {
        close(ready);
    }
    free(js_pid_path);
    js_conf_free(cf);
    free(cf);
    js_log_close();
    return 1;
}
