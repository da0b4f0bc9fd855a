#include <stdlib.h>
#include <string.h>

#include "polite.h"

/*
 * The scripts: KEYS the host's key, ARGV the delay (ms); on Redis's
 * clock, so that every process agrees.
 *
 * slot: reserves the host's next slot (jobscout:host:next:), returns the
 * wait for it; the key expires a second after the slot's end.
 */
static const char  js_polite_slot_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))\n"
    "local nxt = at + tonumber(ARGV[1])\n"
    "redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX',\n"
    "  string.format('%.0f', nxt - now + 1000))\n"
    "return at - now\n";

/* start: 0, now recorded (jobscout:host:last:), when the last request is
 * at least delay ago, else the wait still needed. */
static const char  js_polite_start_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local last = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
    "local gap = tonumber(ARGV[1])\n"
    "if now < last + gap then return last + gap - now end\n"
    "redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX',\n"
    "  string.format('%.0f', gap + 1000))\n"
    "return 0\n";

/* done: the last request is now; returns 0. */
static const char  js_polite_done_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "redis.call('SET', KEYS[1], string.format('%.0f', now), 'PX',\n"
    "  string.format('%.0f', tonumber(ARGV[1]) + 1000))\n"
    "return 0\n";

/* Runs a script on prefix + host: 0 with *wait its answer, -1. */
static int
js_polite_eval(redisContext *c, const char *script, const char *prefix,
    const char *host, int delay, int64_t *wait)
{
    redisReply  *r;

    *wait = 0;
    if (delay <= 0) {
        return 0;
    }

    r = redisCommand(c, "EVAL %s 1 %s%s %d", script, prefix, host, delay);
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        if (r != NULL) {
            freeReplyObject(r);
        }
        return -1;
    }

    *wait = r->integer;
    freeReplyObject(r);
    return 0;
}

int
js_polite_slot(redisContext *c, const char *host, int delay, int64_t *wait)
{
    return js_polite_eval(c, js_polite_slot_lua, JS_POLITE_HOST_PREFIX,
                          host, delay, wait);
}

int
js_polite_start(redisContext *c, const char *host, int delay, int64_t *wait)
{
    return js_polite_eval(c, js_polite_start_lua, JS_POLITE_LAST_PREFIX,
                          host, delay, wait);
}

void
js_polite_done(redisContext *c, const char *host, int delay)
{
    int64_t  unused;

    (void) js_polite_eval(c, js_polite_done_lua, JS_POLITE_LAST_PREFIX, host,
                          delay, &unused);
}

int
js_polite_robots_get(redisContext *c, const char *origin, char **rules)
{
    int          rc;
    redisReply  *r;

    *rules = NULL;

    r = redisCommand(c, "GET %s%s", JS_POLITE_ROBOTS_PREFIX, origin);
    if (r == NULL) {
        return -1;
    }

    if (r->type == REDIS_REPLY_NIL) {
        rc = 0;
    } else if (r->type == REDIS_REPLY_STRING) {
        *rules = strndup(r->str, r->len);
        rc = *rules ? 1 : -1;
    } else {
        rc = -1;
    }

    freeReplyObject(r);
    return rc;
}

int
js_polite_robots_lock(redisContext *c, const char *origin, int ttl)
{
    int          rc;
    redisReply  *r;

    r = redisCommand(c, "SET %s%s 1 NX PX %d", JS_POLITE_LOCK_PREFIX, origin,
                     ttl);
    if (r == NULL) {
        return -1;
    }
    rc = r->type == REDIS_REPLY_STATUS ? 1 : r->type == REDIS_REPLY_NIL ? 0
                                                                         : -1;
    freeReplyObject(r);
    return rc;
}

int
js_polite_robots_put(redisContext *c, const char *origin, const char *rules,
    int ttl)
{
    int          rc;
    redisReply  *r;

    r = redisCommand(c, "SET %s%s %s PX %d", JS_POLITE_ROBOTS_PREFIX, origin,
                     rules, ttl);
    rc = r != NULL && r->type == REDIS_REPLY_STATUS ? 0 : -1;
    if (r != NULL) {
        freeReplyObject(r);
    }
    if (rc == 0) {
        js_polite_robots_unlock(c, origin);
    }
    return rc;
}

void
js_polite_robots_unlock(redisContext *c, const char *origin)
{
    redisReply  *r;

    r = redisCommand(c, "DEL %s%s", JS_POLITE_LOCK_PREFIX, origin);
    if (r != NULL) {
        freeReplyObject(r);
    }
}
