/*
 * Error tracking: failures reported to a Sentry-compatible endpoint
 * through Sentry's envelope API, by the "sentry" role (workers/sentry.c).
 *
 * Every reporter (the master, every role, nginx's module) hands its
 * reports to that role as one JSON datagram each, on the loopback UDP
 * address of "sentry_listen": sendto() on a non-blocking socket, dropped
 * when the socket buffer is full, so that reporting never delays the
 * work reported on, nor fails when the role or Sentry is down.  The role
 * trusts no datagram (anyone on the machine may send one): each is
 * checked against the fields below, rate-limited, made an event and
 * queued for sending.
 *
 * A report, a JSON object of at most JS_SENTRY_DATAGRAM_MAX bytes with
 * only these members ("source" and "message" required):
 *
 *   source         "nginx" | "jobscoutd"
 *   message        what failed, 1..1024 bytes
 *   level          "fatal" | "error" | "warning" (default "error")
 *   status, code, method, url, route, request_id, user_id     from nginx
 *   role, queue, task_kind, task_id, attempt, scrape_source, exit
 *                                                             from jobscoutd
 */

#ifndef JS_SENTRY_H
#define JS_SENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

#define JS_SENTRY_DATAGRAM_MAX   4096
#define JS_SENTRY_MESSAGE_MAX    1024
#define JS_SENTRY_RATE_KEYS      64

typedef struct {
    char   endpoint[1024];   /* {scheme}://{host}{path}/api/{id}/envelope/ */
    char   key[128];         /* the public key */
} js_sentry_dsn_t;

/* What every event of this process carries. */
typedef struct {
    const char  *release;
    const char  *environment;
    const char  *server_name;
} js_sentry_meta_t;

/*
 * Token buckets: one for all events (a burst, then a steady rate), one
 * per key (the same route, the same failing task kind, the same scrape
 * source), so that one loud failure does not hide the others.
 */
typedef struct {
    char     key[160];
    double   tokens;
    int64_t  at;             /* ms of the last refill; 0: slot free */
} js_sentry_bucket_t;

typedef struct {
    js_sentry_bucket_t  all;
    js_sentry_bucket_t  keys[JS_SENTRY_RATE_KEYS];
} js_sentry_rate_t;


/*
 * {scheme}://{public_key}[:{secret}]@{host}[:{port}][/{path}]/{project_id}
 * with http or https.  0, or -1 with why in err.
 */
int js_sentry_dsn_parse(js_sentry_dsn_t *dsn, const char *s, char *err,
    size_t errlen);

/* "127.x.y.z:port", the only addresses "sentry_listen" takes: 0 or -1. */
int js_sentry_listen_parse(const char *s, uint32_t *addr, uint16_t *port);

/*
 * A datagram (len bytes, hostile) as a report: the parsed object, or
 * NULL with why in err.
 */
json_t *js_sentry_report_parse(const char *buf, size_t len, char *err,
    size_t errlen);

/* The key of a report's own bucket, into buf. */
const char *js_sentry_rate_key(const json_t *report, char *buf, size_t len);

/* Takes a token from both buckets: 1 when the event may go, else 0. */
int js_sentry_rate_allow(js_sentry_rate_t *rl, const char *key, int64_t now);

/* 32 lowercase hex digits and a NUL, random. */
void js_sentry_event_id(char id[33]);

/*
 * The event of a checked report: a new reference, NULL when out of
 * memory.  timestamp is RFC 3339 (js_iso_time()).
 */
json_t *js_sentry_event(const json_t *report, const js_sentry_meta_t *meta,
    const char *event_id, const char *timestamp);

/*
 * The envelope of one event: its header line (event_id, dsn, sent_at),
 * the item header (type "event", length) and the event.  malloc()ed,
 * its size in *len; NULL when out of memory.
 */
char *js_sentry_envelope(const char *dsn, const json_t *event,
    const char *sent_at, size_t *len);

/* "Sentry sentry_version=7, sentry_key=..., sentry_client=jobscout/..." */
int js_sentry_auth_header(const js_sentry_dsn_t *dsn, char *buf,
    size_t len);


/*
 * The reporting side, in jobscoutd's processes.  js_sentry_client()
 * opens the socket to cf->sentry_listen (none without it), in the master
 * at start and on reload; the workers inherit it.
 */
void js_sentry_client(const js_conf_t *cf);

/*
 * Sends a report (a reference is stolen; NULL is ignored) with "source"
 * "jobscoutd" added; never blocks, never fails the caller.
 */
void js_sentry_report(json_t *report);

/* A message for a report: src cut to fit dst on a UTF-8 boundary. */
const char *js_sentry_text(char *dst, size_t size, const char *prefix,
    const char *src);

#endif
