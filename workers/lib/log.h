/*
 * Leveled one-line logs.
 *
 *   js_log(JS_LOG_INFO, "worker started", JS_KS("role", name),
 *          JS_KI("pid", pid));
 *
 * writes either
 *
 *   2025-06-01T10:00:00.123Z info 4242 master msg="worker started" ...
 *
 * or, with "log_format json", one JSON object per line.  Each line is
 * built in memory and written with a single write(2) on an O_APPEND
 * descriptor, so lines from the master and its workers never interleave.
 */

#ifndef JS_LOG_H
#define JS_LOG_H

#include <stddef.h>

/* Same names and order as nginx, so ops can reuse their habits. */
enum {
    JS_LOG_EMERG = 0,
    JS_LOG_ALERT,
    JS_LOG_CRIT,
    JS_LOG_ERR,
    JS_LOG_WARN,
    JS_LOG_NOTICE,
    JS_LOG_INFO,
    JS_LOG_DEBUG
};

enum {
    JS_LOG_FORMAT_KV = 0,
    JS_LOG_FORMAT_JSON
};

enum {
    JS_KV_END = 0,
    JS_KV_STR,
    JS_KV_INT
};

typedef struct {
    const char  *key;
    int          type;
    const char  *s;
    long long    i;
} js_kv_t;

#define JS_KS(k, v)  { .key = (k), .type = JS_KV_STR, .s = (v) }
#define JS_KI(k, v)  { .key = (k), .type = JS_KV_INT, .i = (long long) (v) }

/* The level test is done inline so that disabled levels cost nothing. */
#define js_log(level, msg, ...)                                              \
    do {                                                                     \
        if ((level) <= js_log_level) {                                       \
            const js_kv_t  js__kv[] = {                                      \
                JS_KS("msg", msg), ##__VA_ARGS__, { .type = JS_KV_END }      \
            };                                                               \
            js_log_write((level), js__kv);                                   \
        }                                                                    \
    } while (0)

extern int  js_log_level;

/*
 * path NULL means stderr.  On failure err holds the reason and the
 * previous destination stays in use.
 */
int js_log_open(const char *path, int level, int format, char *err,
    size_t errlen);

/* Re-open the same path: for log rotation (SIGUSR1). */
int js_log_reopen(char *err, size_t errlen);

/* Point fd 2 at the log, so stray library output lands there too. */
void js_log_redirect_stderr(void);

/* The "role" column: "master", "heartbeat", ... */
void js_log_set_role(const char *role);

int js_log_level_parse(const char *name);
const char *js_log_level_name(int level);

void js_log_write(int level, const js_kv_t *kv);

void js_log_close(void);

#endif
