/*
 * What a role sees of the process it runs in.
 *
 * A role's run() loops doing units of work and calls js_worker_sleep()
 * (or js_worker_exiting()) between them.  QUIT asks it to finish the
 * current unit and return; TERM asks it to return as soon as it can.
 * Both only set flags: the role decides where it is safe to stop.
 */

#ifndef JS_WORKER_H
#define JS_WORKER_H

#include <signal.h>
#include <sys/types.h>

#include "config.h"

typedef struct {
    const js_conf_t  *conf;
    const char       *role;
    pid_t             master;
    unsigned          generation;   /* bumped by every reload */
} js_worker_t;

typedef struct {
    const char  *name;
    int        (*run)(js_worker_t *w);   /* returns the exit status */
} js_role_t;

/* Defined in roles.c; the last entry has name == NULL. */
extern const js_role_t  js_roles[];

const js_role_t *js_role_find(const char *name);

/* NULL-terminated names of js_roles[], for js_conf_load(). */
const char *const *js_role_names(void);

/* Called in the child right after fork(). */
void js_worker_init(js_worker_t *w);

/* Non-zero once the worker was asked to stop (QUIT, TERM, master gone). */
int js_worker_exiting(void);

/* Non-zero after TERM: drop what you are doing. */
int js_worker_terminating(void);

/*
 * Sleeps up to ms, waking at once on QUIT/TERM.  Also serves pending
 * USR1 (log reopen).  Returns 0 after a full sleep, -1 when exiting.
 */
int js_worker_sleep(int ms);

/* Reopens logs if USR1 arrived; cheap, call it once per unit of work. */
void js_worker_service(void);

#endif
