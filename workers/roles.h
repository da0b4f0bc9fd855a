/*
 * Every role jobscoutd can run.  A role is one file with one entry
 * point; add it here and to js_roles[] in roles.c, and "workers <name>
 * <count>;" becomes valid in the configuration.
 */

#ifndef JS_ROLES_H
#define JS_ROLES_H

#include "worker.h"

int js_cv_run(js_worker_t *w);
int js_heartbeat_run(js_worker_t *w);
int js_mailer_run(js_worker_t *w);
int js_notifier_run(js_worker_t *w);
int js_relay_run(js_worker_t *w);
int js_scheduler_run(js_worker_t *w);
int js_scraper_run(js_worker_t *w);
int js_sentry_run(js_worker_t *w);

#endif
