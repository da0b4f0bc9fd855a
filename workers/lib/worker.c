#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "worker.h"

static volatile sig_atomic_t  js_worker_quit;
static volatile sig_atomic_t  js_worker_terminate;
static volatile sig_atomic_t  js_worker_reopen;

static pid_t  js_worker_master;

static void
js_worker_signal(int signo)
{
    switch (signo) {
    case SIGQUIT:
        js_worker_quit = 1;
        break;
    case SIGTERM:
    case SIGINT:
        js_worker_terminate = 1;
        break;
    case SIGUSR1:
        js_worker_reopen = 1;
        break;
    }
}

const js_role_t *
js_role_find(const char *name)
{
    const js_role_t  *r;

    for (r = js_roles; r->name != NULL; r++) {
        if (strcmp(r->name, name) == 0) {
            return r;
        }
    }
    return NULL;
}

const char *const *
js_role_names(void)
{
    size_t             n = 0;
    const js_role_t   *r;
    static const char *names[JS_CONF_MAX_ROLES + 1];

    for (r = js_roles; r->name != NULL && n < JS_CONF_MAX_ROLES; r++) {
        names[n++] = r->name;
    }
    names[n] = NULL;

    return names;
}

void
js_worker_init(js_worker_t *w)
{
    size_t            i;
    sigset_t          set;
    struct sigaction  sa;
    static const int  sigs[] = { SIGQUIT, SIGTERM, SIGINT, SIGUSR1 };

    js_worker_master = w->master;
    js_log_set_role(w->role);

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);

    /*
     * SA_RESTART keeps blocking library calls (hiredis, libpq) from
     * failing with EINTR; the sleep below is where signals are noticed.
     */
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = js_worker_signal;
    for (i = 0; i < JS_ARRAY_SIZE(sigs); i++) {
        sigaction(sigs[i], &sa, NULL);
    }

    /* The master's reload signal means nothing to a worker. */
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGHUP, &sa, NULL);

    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);

    /* A dropped Redis connection must surface as EPIPE, not kill us. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    /* If the master dies (kill -9), do not linger as an orphan. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != js_worker_master) {
        js_worker_terminate = 1;
    }

    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
}

int
js_worker_exiting(void)
{
    return js_worker_quit || js_worker_terminate;
}

int
js_worker_terminating(void)
{
    return js_worker_terminate;
}

void
js_worker_service(void)
{
    char  err[256];

    if (js_worker_reopen) {
        js_worker_reopen = 0;
        if (js_log_reopen(err, sizeof(err)) != 0) {
            js_log(JS_LOG_ALERT, "log reopen failed", JS_KS("err", err));
        } else {
            js_log(JS_LOG_INFO, "logs reopened");
        }
    }

    if (getppid() != js_worker_master) {
        js_worker_terminate = 1;
    }
}

int
js_worker_sleep(int ms)
{
    int64_t          deadline, left;
    sigset_t         block, old;
    struct timespec  ts;

    deadline = js_msec() + ms;

    sigemptyset(&block);
    sigaddset(&block, SIGQUIT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGUSR1);

    for ( ;; ) {
        js_worker_service();

        if (js_worker_exiting()) {
            return -1;
        }

        left = deadline - js_msec();
        if (left <= 0) {
            return 0;
        }

        /*
         * Block, re-check the flags, then let ppoll() unblock atomically:
         * a signal arriving between the check and the wait is not lost.
         */
        sigprocmask(SIG_BLOCK, &block, &old);

        if (!js_worker_exiting() && !js_worker_reopen) {
            ts.tv_sec = left / 1000;
            ts.tv_nsec = (left % 1000) * 1000000;
            (void) ppoll(NULL, 0, &ts, &old);
        }

        sigprocmask(SIG_SETMASK, &old, NULL);
    }
}
