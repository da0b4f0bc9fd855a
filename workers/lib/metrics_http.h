/*
 * The master's /metrics (lib/metrics.h's counters, served).
 */

#ifndef JS_METRICS_HTTP_H
#define JS_METRICS_HTTP_H

#include <stddef.h>

#include "config.h"

/*
 * In the master, before the first fork, when cf->metrics_host is set:
 * the shared segment (roles: js_role_names()) and the server.  0, or -1
 * with err set.
 */
int js_metrics_start(const js_conf_t *cf, const char *const *roles,
    char *err, size_t errlen);

/* In a worker right after fork(): let go of the listening socket. */
void js_metrics_child(void);

/* In the master, when it exits. */
void js_metrics_stop(void);

#endif
