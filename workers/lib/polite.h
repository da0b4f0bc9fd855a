/*
 * Politeness shared by every scraper process, through Redis: the
 * robots.txt rules of each origin (lib/robots.h, cached with a TTL) and
 * the minimum delay between two requests to one host.
 *
 * The delay is a reservation: js_polite_slot() atomically moves the
 * host's "next allowed" time (a key holding Unix ms, Redis's clock) by
 * delay and says how long to wait for the slot it reserved, so that
 * requests to a host are spread delay apart whichever process sends
 * them.  A reservation is kept only if the request starts on time: a
 * process that starts late (busy, or a longer Crawl-delay learnt since)
 * would shorten the gap to the next one.  So js_polite_start(), at the
 * moment of sending, checks the start of the host's last request
 * itself and records this one's, or says how much longer to wait.
 */

#ifndef JS_POLITE_H
#define JS_POLITE_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#define JS_POLITE_ROBOTS_PREFIX  "jobscout:robots:"     /* + origin */
#define JS_POLITE_HOST_PREFIX    "jobscout:host:next:"  /* + host */
#define JS_POLITE_LOCK_PREFIX    "jobscout:robots:lock:"  /* + origin */
#define JS_POLITE_LAST_PREFIX    "jobscout:host:last:"  /* + host */

/* 0 with *wait (ms) set, -1 when Redis failed. */
int js_polite_slot(redisContext *c, const char *host, int delay,
    int64_t *wait);

/* 0 with *wait 0: send now (recorded); *wait > 0: wait that long and
 * ask again; -1 when Redis failed. */
int js_polite_start(redisContext *c, const char *host, int delay,
    int64_t *wait);

/* 1 with *rules (malloc'ed), 0 when not cached, -1 when Redis failed. */
int js_polite_robots_get(redisContext *c, const char *origin, char **rules);

/*
 * One fetch of an origin's robots.txt at a time across processes: 1 when
 * this caller may fetch it (a lock for ttl ms, released by the put), 0
 * when another is at it (wait and read the cache again), -1 on error.
 */
int js_polite_robots_lock(redisContext *c, const char *origin, int ttl);

/* Releases the lock without caching (another cached the rules first). */
void js_polite_robots_unlock(redisContext *c, const char *origin);

/* Caches rules and releases the lock: 0, or -1 when Redis failed. */
int js_polite_robots_put(redisContext *c, const char *origin,
    const char *rules, int ttl);

#endif
