/*
 * The master process: nginx's model.  It owns the pid file, forks the
 * workers each role asks for, respawns the ones that die (with backoff)
 * and turns signals into actions:
 *
 *   TERM, INT  fast stop: workers get TERM, are KILLed after the timeout
 *   QUIT       graceful stop: workers get QUIT, finish their unit of work
 *   HUP        reload: new config; new workers start, old ones get QUIT
 *   USR1       reopen logs, here and in every worker
 */

#ifndef JS_PROCESS_H
#define JS_PROCESS_H

#include "config.h"

typedef struct {
    int  foreground;
} js_master_opts_t;

/*
 * Runs the master until it stops; takes ownership of cf.  Returns the
 * process exit status.
 */
int js_master_run(js_conf_t *cf, const js_master_opts_t *opts);

/* "stop", "quit", "reload", "reopen" -> signal number, or -1. */
int js_signal_number(const char *name);

#endif
