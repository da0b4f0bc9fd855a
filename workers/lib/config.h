/*
 * conf/jobscoutd.conf: nginx-like, one directive per line.
 *
 *   pid var/run/jobscoutd.pid;
 *   error_log var/log/jobscoutd.log info;
 *   log_format kv;
 *   postgres "host=127.0.0.1 port=55432 dbname=jobscout user=postgres";
 *   redis 127.0.0.1:56379;
 *   workers heartbeat 1;
 *   shutdown_timeout 10s;
 *
 * Relative paths are resolved against the prefix (-p), as nginx does.
 */

#ifndef JS_CONFIG_H
#define JS_CONFIG_H

#include <stddef.h>

#define JS_CONF_MAX_ROLES    16
#define JS_CONF_MAX_WORKERS  64

typedef struct {
    char  *role;
    int    count;
    int    line;
} js_conf_workers_t;

typedef struct {
    char               *file;        /* absolute */
    char               *prefix;      /* absolute, with a trailing '/' */

    char               *pid;         /* absolute */
    char               *error_log;   /* absolute; NULL means stderr */
    int                 log_level;
    int                 log_format;

    char               *postgres;    /* libpq conninfo */

    char               *redis_host;  /* NULL when redis_path is used */
    int                 redis_port;
    char               *redis_path;  /* unix socket */

    int                 shutdown_timeout;  /* ms */

    js_conf_workers_t   workers[JS_CONF_MAX_ROLES];
    int                 nworkers;
} js_conf_t;

/*
 * Parses file into cf (zeroed by the call).  Relative file and paths
 * are taken relative to prefix; prefix NULL means the current directory.
 * roles is the NULL-terminated list of role names the binary knows.
 *
 * Returns 0, or -1 with err set to e.g.
 *   unknown directive "foo" in /etc/jobscoutd.conf:3
 * cf then holds nothing to free, but js_conf_free() is harmless.
 */
int js_conf_load(js_conf_t *cf, const char *file, const char *prefix,
    const char *const *roles, char *err, size_t errlen);

void js_conf_free(js_conf_t *cf);

/* Durations as in nginx: "500ms", "10s", "2m", "1h"; bare = seconds. */
int js_conf_parse_msec(const char *s, int *ms);

#endif
