#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "jobscout_task.h"
#include "log.h"
#include "metrics.h"
#include "queue.h"
#include "sentry.h"
#include "util.h"

#define JS_QUEUE_TIMEOUT        3000    /* ms, > the BLMOVE block */
#define JS_QUEUE_RECONNECT_MIN  1000
#define JS_QUEUE_RECONNECT_MAX  30000
#define JS_QUEUE_PROMOTE_BATCH  100

/*
 * LREM and the move to the delayed set or the dead letters in one
 * script: a crash between them can neither lose the task nor keep two
 * copies.  If LREM finds nothing, a reaper already put the task back
 * on its queue, and that copy is the one to keep.  The due time is the
 * server's clock (TIME), the one the promoter compares with, so the
 * consumers' clocks do not matter.
 *
 * KEYS: processing, delayed, dead.  ARGV: old payload, new payload,
 * delay in ms or -1 for the dead letters.
 */
static const char  js_queue_fail_lua[] =
    "if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then\n"
    "  return 0\n"
    "end\n"
    "local d = tonumber(ARGV[3])\n"
    "if d < 0 then\n"
    "  redis.call('LPUSH', KEYS[3], ARGV[2])\n"
    "  return 2\n"
    "end\n"
    "local t = redis.call('TIME')\n"
    "local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)"
    " + d\n"
    "redis.call('ZADD', KEYS[2], string.format('%.0f', due), ARGV[2])\n"
    "return 1\n";

/*
 * Due tasks back onto the queue named in their "queue" field, in one
 * script so that no task is both in the set and on a queue, or in
 * neither.  A task whose queue is missing or outside the queue prefix
 * cannot be delivered: it goes to the dead letters.
 *
 * KEYS: delayed, dead.  ARGV: batch size, queue prefix.
 */
static const char  js_queue_promote_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf',\n"
    "  string.format('%.0f', now), 'LIMIT', 0, tonumber(ARGV[1]))\n"
    "for _, task in ipairs(due) do\n"
    "  redis.call('ZREM', KEYS[1], task)\n"
    "  local ok, v = pcall(cjson.decode, task)\n"
    "  local q = ok and type(v) == 'table' and v['queue']\n"
    "  if type(q) == 'string' and #q > #ARGV[2]\n"
    "     and string.sub(q, 1, #ARGV[2]) == ARGV[2] then\n"
    "    redis.call('LPUSH', q, task)\n"
    "  else\n"
    "    redis.call('LPUSH', KEYS[2], task)\n"
    "  end\n"
    "end\n"
    "return #due\n";

/*
 * A consumer's processing list back onto its queue, unless its
 * heartbeat is still there: checked in the script, so a consumer that
 * beats meanwhile keeps its task.  Oldest first on the right end, the
 * one consumers take next: taken tasks were older than the queued ones.
 * force = 1 skips the heartbeat check and keeps the registration: for
 * a consumer putting back its own leftovers.
 *
 * KEYS: consumers, processing, heartbeat, queue.  ARGV: consumer id,
 * force.  Returns -1 when the consumer is alive, else the count moved.
 */
static const char  js_queue_reap_lua[] =
    "if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[3]) == 1 then\n"
    "  return -1\n"
    "end\n"
    "local n = 0\n"
    "while redis.call('LMOVE', KEYS[2], KEYS[4], 'LEFT', 'RIGHT') do\n"
    "  n = n + 1\n"
    "end\n"
    "if ARGV[2] ~= '1' then\n"
    "  redis.call('HDEL', KEYS[1], ARGV[1])\n"
    "end\n"
    "return n\n";

static void js_queue_failed(js_queue_t *q, const char *err);

static uint32_t
js_queue_random(void)
{
    uint32_t  r;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
        r = (uint32_t) getpid() * 2654435761u ^ (uint32_t) js_msec();
    }
    return r;
}

int64_t
js_queue_backoff(int attempt, int min, int max, uint32_t rnd)
{
    int      i;
    int64_t  d, half;

    if (min < 1) {
        min = 1;
    }
    if (max < min) {
        max = min;
    }

    d = min;
    for (i = 1; i < attempt && d < max; i++) {
        d *= 2;
    }
    if (d > max) {
        d = max;
    }

    half = d / 2;
    return d - half + (int64_t) (rnd % (uint64_t) (half + 1));
}

int
js_task_parse(js_task_t *t, const char *raw, size_t len, char *err,
    size_t errlen)
{
    json_t        *id, *kind, *attempt;
    json_error_t   je;

    memset(t, 0, sizeof(*t));

    t->raw = strndup(raw, len);
    if (t->raw == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    if (strlen(t->raw) != len) {
        snprintf(err, errlen, "task holds a NUL byte");
        return -1;
    }

    t->json = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &je);
    if (t->json == NULL) {
        snprintf(err, errlen, "task is not JSON: %s", je.text);
        return -1;
    }

    id = json_object_get(t->json, "id");
    kind = json_object_get(t->json, "kind");
    attempt = json_object_get(t->json, "attempt");
    t->args = json_object_get(t->json, "args");

    if (!json_is_object(t->json) || !json_is_string(id)
        || !json_is_string(kind) || !json_is_object(t->args))
    {
        snprintf(err, errlen, "task lacks a string \"id\", a string "
                 "\"kind\" or an object \"args\"");
        goto invalid;
    }

    /* A missing attempt is a first one; a negative one is a lie. */
    if (attempt != NULL && (!json_is_integer(attempt)
                            || json_integer_value(attempt) < 0
                            || json_integer_value(attempt) > 1000000))
    {
        snprintf(err, errlen, "task \"attempt\" is not a small "
                 "non-negative integer");
        goto invalid;
    }

    t->id = json_string_value(id);
    t->kind = json_string_value(kind);
    t->attempt = attempt ? (int) json_integer_value(attempt) : 0;
    return 0;

invalid:

    /* Kept for the dead letter, which then records the whole task. */
    t->args = NULL;
    return -1;
}

char *
js_task_create(const char *kind, json_t *args, const char *queue)
{
    int      i;
    char     id[33], *s;
    json_t  *o;

    for (i = 0; i < 4; i++) {
        snprintf(id + i * 8, 9, "%08x", js_queue_random());
    }

    o = json_pack("{s:s, s:s, s:o, s:i, s:I}", "id", id, "kind", kind,
                  "args", args, "attempt", 0, "enqueued_at",
                  (json_int_t) js_wall_msec());
    if (o == NULL
        || (queue != NULL
            && json_object_set_new(o, "queue", json_string(queue)) != 0))
    {
        json_decref(o);
        return NULL;
    }

    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

void
js_task_free(js_task_t *t)
{
    free(t->raw);
    if (t->json != NULL) {
        json_decref(t->json);
    }
    memset(t, 0, sizeof(*t));
}

/* Dead letters must be JSON even when what failed was not UTF-8. */
static json_t *
js_queue_json_string(const char *s, size_t len)
{
    char    *copy;
    size_t   i;
    json_t  *v;

    v = json_stringn(s, len);
    if (v != NULL) {
        return v;
    }

    copy = malloc(len + 1);
    if (copy == NULL) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        copy[i] = (unsigned char) s[i] < 0x80 ? s[i] : '?';
    }
    v = json_stringn(copy, len);
    free(copy);
    return v;
}

char *
js_task_failed_payload(const js_task_t *t, const char *queue,
    const char *error, int64_t failed_at)
{
    int      ok = 0;
    char     msg[JS_QUEUE_ERROR_MAX + 1], *s = NULL;
    size_t   len;
    json_t  *o;

    /* Cut on a UTF-8 boundary, so jansson accepts what is left. */
    len = strlen(error);
    if (len > JS_QUEUE_ERROR_MAX) {
        len = JS_QUEUE_ERROR_MAX;
        while (len > 0 && ((unsigned char) error[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    memcpy(msg, error, len);
    msg[len] = '\0';

    if (t->json != NULL && json_is_object(t->json)) {
        o = json_deep_copy(t->json);
        if (o == NULL) {
            return NULL;
        }
        ok = json_object_set_new(o, "attempt",
                                 json_integer(t->attempt + 1)) == 0;
    } else {
        o = json_object();
        if (o == NULL) {
            return NULL;
        }
        ok = json_object_set_new(o, "raw",
                                 js_queue_json_string(t->raw ? t->raw : "",
                                     t->raw ? strlen(t->raw) : 0)) == 0;
    }

    ok = ok
         && json_object_set_new(o, "queue", json_string(queue)) == 0
         && json_object_set_new(o, "error",
                                js_queue_json_string(msg, len)) == 0;

    if (ok && failed_at != 0) {
        ok = json_object_set_new(o, "failed_at",
                                 json_integer((json_int_t) failed_at)) == 0;
    }

    if (ok) {
        s = json_dumps(o, JSON_COMPACT);
    }

    json_decref(o);
    return s;
}

void
js_queue_init(js_queue_t *q, const js_conf_t *cf, const char *queue,
    const char *role, const js_queue_policy_t *policy)
{
    char  host[256];

    memset(q, 0, sizeof(*q));
    q->conf = cf;
    q->role = role;
    q->policy = *policy;
    q->backoff = JS_QUEUE_RECONNECT_MIN;

    if (gethostname(host, sizeof(host)) != 0) {
        snprintf(host, sizeof(host), "unknown");
    }
    host[sizeof(host) - 1] = '\0';

    snprintf(q->queue, sizeof(q->queue), "%s", queue);
    snprintf(q->consumer, sizeof(q->consumer), "%s:%ld", host,
             (long) getpid());
    snprintf(q->processing, sizeof(q->processing), "%s%s",
             JOBSCOUT_PROCESSING_PREFIX, q->consumer);
    snprintf(q->heartbeat, sizeof(q->heartbeat), "%s%s",
             JOBSCOUT_HEARTBEAT_PREFIX, q->consumer);
    js_iso_time(q->started_at, sizeof(q->started_at));

    if (cf->redis_path != NULL) {
        snprintf(q->redis_addr, sizeof(q->redis_addr), "unix:%s",
                 cf->redis_path);
    } else {
        snprintf(q->redis_addr, sizeof(q->redis_addr), "%s:%d",
                 cf->redis_host, cf->redis_port);
    }
}

static void
js_queue_up(js_queue_t *q)
{
    if (q->redis_up != 1) {
        js_log(q->redis_up == -1 ? JS_LOG_NOTICE : JS_LOG_INFO,
               q->redis_up == -1 ? "dependency recovered" : "dependency ok",
               JS_KS("dep", "redis"), JS_KS("addr", q->redis_addr),
               JS_KS("queue", q->queue));
        q->redis_up = 1;
    }
    q->backoff = JS_QUEUE_RECONNECT_MIN;
}

/* Drops the connection: the next tick reconnects after a backoff. */
static void
js_queue_failed(js_queue_t *q, const char *err)
{
    if (q->redis_up != -1) {
        js_log(JS_LOG_ERR, "dependency down", JS_KS("dep", "redis"),
               JS_KS("addr", q->redis_addr), JS_KS("err", err));
        q->redis_up = -1;
    }

    if (q->redis != NULL) {
        redisFree(q->redis);
        q->redis = NULL;
    }

    q->retry_at = js_msec() + q->backoff;
    q->backoff = q->backoff * 2 > JS_QUEUE_RECONNECT_MAX
                 ? JS_QUEUE_RECONNECT_MAX : q->backoff * 2;
}

/* A NULL reply means the connection is gone; an error reply does not. */
static redisReply *
js_queue_check(js_queue_t *q, redisReply *r, const char *what)
{
    char  err[300];

    if (r == NULL) {
        snprintf(err, sizeof(err), "%s: %s", what,
                 q->redis ? q->redis->errstr : "not connected");
        js_queue_failed(q, err);
        return NULL;
    }

    if (r->type == REDIS_REPLY_ERROR) {
        js_log(JS_LOG_ERR, "redis command failed", JS_KS("cmd", what),
               JS_KS("err", r->str));
        freeReplyObject(r);
        return NULL;
    }

    return r;
}

static int
js_queue_beat(js_queue_t *q)
{
    int          rc = -1;
    char        *payload, ts[32];
    json_t      *o;
    redisReply  *r;

    o = json_pack("{s:I, s:s, s:s, s:s, s:s}",
                  "pid", (json_int_t) getpid(),
                  "role", q->role,
                  "queue", q->queue,
                  "started_at", q->started_at,
                  "ts", js_iso_time(ts, sizeof(ts)));
    payload = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);

    if (payload == NULL) {
        js_log(JS_LOG_ALERT, "cannot build heartbeat payload");
        return -1;
    }

    /* The heartbeat first: a registered consumer always looks alive. */
    if (redisAppendCommand(q->redis, "SET %s %s EX %d", q->heartbeat,
                           payload, JS_QUEUE_HB_TTL) != REDIS_OK
        || redisAppendCommand(q->redis, "HSET %s %s %s", JOBSCOUT_CONSUMERS,
                              q->consumer, q->queue) != REDIS_OK)
    {
        free(payload);
        js_queue_failed(q, "out of memory");
        return -1;
    }
    free(payload);

    if (redisGetReply(q->redis, (void **) &r) != REDIS_OK) {
        r = NULL;
    }
    r = js_queue_check(q, r, "SET heartbeat");
    if (r == NULL) {
        if (q->redis == NULL) {
            return -1;
        }
    } else {
        freeReplyObject(r);
        rc = 0;
    }

    if (redisGetReply(q->redis, (void **) &r) != REDIS_OK) {
        r = NULL;
    }
    r = js_queue_check(q, r, "HSET consumers");
    if (r == NULL) {
        return -1;
    }
    freeReplyObject(r);

    q->beat_at = js_msec() + JS_QUEUE_HB_INTERVAL;
    return rc;
}

void
js_queue_keepalive(js_queue_t *q)
{
    if (q->redis != NULL && js_msec() >= q->beat_at) {
        (void) js_queue_beat(q);
    }
}

static long long
js_queue_reap_one(js_queue_t *q, const char *consumer, const char *queue,
    int force)
{
    char         processing[340], heartbeat[340];
    long long    n;
    redisReply  *r;

    snprintf(processing, sizeof(processing), "%s%s",
             JOBSCOUT_PROCESSING_PREFIX, consumer);
    snprintf(heartbeat, sizeof(heartbeat), "%s%s",
             JOBSCOUT_HEARTBEAT_PREFIX, consumer);

    r = redisCommand(q->redis, "EVAL %s 4 %s %s %s %s %s %s",
                     js_queue_reap_lua, JOBSCOUT_CONSUMERS, processing,
                     heartbeat, queue, consumer, force ? "1" : "0");
    r = js_queue_check(q, r, "EVAL reap");
    if (r == NULL) {
        return -2;
    }

    n = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);

    if (n > 0) {
        js_log(JS_LOG_WARN, force ? "own unacked tasks requeued"
                                  : "tasks of a dead consumer requeued",
               JS_KS("consumer", consumer), JS_KS("queue", queue),
               JS_KI("tasks", n));
    }
    return n;
}

/* Consumers of every queue, not only ours: any live process may reap. */
static void
js_queue_reap(js_queue_t *q)
{
    size_t       i;
    redisReply  *r, *f, *v;

    r = redisCommand(q->redis, "HGETALL %s", JOBSCOUT_CONSUMERS);
    r = js_queue_check(q, r, "HGETALL consumers");
    if (r == NULL) {
        return;
    }

    for (i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements;
         i += 2)
    {
        f = r->element[i];
        v = r->element[i + 1];

        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING
            || strcmp(f->str, q->consumer) == 0)
        {
            continue;
        }

        if (strncmp(v->str, JOBSCOUT_QUEUE_PREFIX,
                    sizeof(JOBSCOUT_QUEUE_PREFIX) - 1) != 0
            || strlen(f->str) > 256)
        {
            js_log(JS_LOG_WARN, "ignoring a strange consumer entry",
                   JS_KS("consumer", f->str), JS_KS("queue", v->str));
            continue;
        }

        if (js_queue_reap_one(q, f->str, v->str, 0) == -2) {
            break;
        }
    }

    freeReplyObject(r);
}

static void
js_queue_promote(js_queue_t *q)
{
    redisReply  *r;

    r = redisCommand(q->redis, "EVAL %s 2 %s %s %d %s",
                     js_queue_promote_lua, JOBSCOUT_DELAYED, JOBSCOUT_DEAD,
                     JS_QUEUE_PROMOTE_BATCH, JOBSCOUT_QUEUE_PREFIX);
    r = js_queue_check(q, r, "EVAL promote");
    if (r == NULL) {
        return;
    }

    if (r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
        js_log(JS_LOG_INFO, "delayed tasks due", JS_KI("tasks", r->integer));
    }
    freeReplyObject(r);
}

static int
js_queue_connect(js_queue_t *q)
{
    char                 err[300];
    struct timeval       tv;
    const js_conf_t     *cf = q->conf;

    tv.tv_sec = JS_QUEUE_TIMEOUT / 1000;
    tv.tv_usec = (JS_QUEUE_TIMEOUT % 1000) * 1000;

    if (cf->redis_path != NULL) {
        q->redis = redisConnectUnixWithTimeout(cf->redis_path, tv);
    } else {
        q->redis = redisConnectWithTimeout(cf->redis_host, cf->redis_port,
                                           tv);
    }

    if (q->redis == NULL || q->redis->err) {
        snprintf(err, sizeof(err), "connect: %s",
                 q->redis ? q->redis->errstr : "out of memory");
        js_queue_failed(q, err);
        return -1;
    }

    /* Every command, BLMOVE's 1 s block included, gets this bound. */
    if (redisSetTimeout(q->redis, tv) != REDIS_OK) {
        js_queue_failed(q, "cannot set socket timeout");
        return -1;
    }
    (void) redisEnableKeepAlive(q->redis);

    if (js_queue_beat(q) != 0 && q->redis == NULL) {
        return -1;
    }

    /*
     * Nothing is in flight while we connect, so whatever our processing
     * list holds was taken before Redis dropped us and never acked.
     */
    if (js_queue_reap_one(q, q->consumer, q->queue, 1) == -2) {
        return -1;
    }

    js_queue_up(q);
    q->promote_at = 0;
    q->reap_at = js_msec() + JS_QUEUE_REAP_EVERY / 5;
    return 0;
}

int
js_queue_tick(js_queue_t *q)
{
    int64_t  now = js_msec();

    if (q->redis == NULL) {
        if (now < q->retry_at || js_queue_connect(q) != 0) {
            return -1;
        }
        now = js_msec();
    }

    if (now >= q->beat_at) {
        (void) js_queue_beat(q);
    }

    if (q->redis != NULL && now >= q->promote_at) {
        q->promote_at = now + JS_QUEUE_PROMOTE_EVERY;
        js_queue_promote(q);
    }

    /* Jittered, so that consumers started together do not all reap. */
    if (q->redis != NULL && now >= q->reap_at) {
        q->reap_at = now + JS_QUEUE_REAP_EVERY / 2
                     + js_queue_random() % JS_QUEUE_REAP_EVERY;
        js_queue_reap(q);
    }

    return q->redis != NULL ? 0 : -1;
}

static int
js_queue_dead_letter(js_queue_t *q, js_task_t *t, const char *error)
{
    int          rc;
    char        *payload;
    redisReply  *r;

    payload = js_task_failed_payload(t, q->queue, error,
                                     js_wall_msec());
    if (payload == NULL) {
        js_log(JS_LOG_ALERT, "cannot build dead letter, task left in "
               "the processing list", JS_KS("err", "out of memory"));
        return -1;
    }

    r = redisCommand(q->redis, "EVAL %s 3 %s %s %s %b %s -1",
                     js_queue_fail_lua, q->processing, JOBSCOUT_DELAYED,
                     JOBSCOUT_DEAD, t->raw, strlen(t->raw), payload);
    free(payload);

    r = js_queue_check(q, r, "EVAL fail");
    if (r == NULL) {
        return -1;
    }
    rc = r->type == REDIS_REPLY_INTEGER ? (int) r->integer : -1;
    freeReplyObject(r);
    return rc;
}

int
js_queue_take(js_queue_t *q, js_task_t *t)
{
    return js_queue_take_from(q, q->queue, JS_QUEUE_BLOCK_SEC * 1000, t);
}

int
js_queue_take_wait(js_queue_t *q, js_task_t *t, int block)
{
    return js_queue_take_from(q, q->queue, block, t);
}

int
js_queue_take_from(js_queue_t *q, const char *queue, int block,
    js_task_t *t)
{
    char         err[512];
    redisReply  *r;

    memset(t, 0, sizeof(*t));

    if (q->redis == NULL) {
        return -1;
    }

    if (block > 0) {
        r = redisCommand(q->redis, "BLMOVE %s %s RIGHT LEFT %d.%03d",
                         queue, q->processing, block / 1000, block % 1000);
    } else {
        r = redisCommand(q->redis, "LMOVE %s %s RIGHT LEFT", queue,
                         q->processing);
    }
    r = js_queue_check(q, r, block > 0 ? "BLMOVE" : "LMOVE");
    if (r == NULL) {
        return -1;
    }

    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        return 0;
    }

    if (js_task_parse(t, r->str, r->len, err, sizeof(err)) != 0) {
        freeReplyObject(r);

        /* Retrying cannot fix a malformed task: straight to the dead. */
        js_log(JS_LOG_ERR, "malformed task, dead-lettered",
               JS_KS("queue", queue), JS_KS("err", err));
        if (t->raw != NULL) {
            (void) js_queue_dead_letter(q, t, err);
        }
        js_task_free(t);
        return 0;
    }

    freeReplyObject(r);

    js_log(JS_LOG_DEBUG, "task taken", JS_KS("id", t->id),
           JS_KS("kind", t->kind), JS_KI("attempt", t->attempt));
    return 1;
}

int
js_queue_push(js_queue_t *q, const char *queue, const char *task)
{
    redisReply  *r;

    if (q->redis == NULL) {
        return -1;
    }

    r = redisCommand(q->redis, "LPUSH %s %s", queue, task);
    r = js_queue_check(q, r, "LPUSH");
    if (r == NULL) {
        return -1;
    }

    freeReplyObject(r);
    return 0;
}

redisReply *
js_queue_command(js_queue_t *q, const char *what, const char *format, ...)
{
    va_list      ap;
    redisReply  *r;

    if (q->redis == NULL) {
        return NULL;
    }

    va_start(ap, format);
    r = redisvCommand(q->redis, format, ap);
    va_end(ap);

    return js_queue_check(q, r, what);
}

int
js_queue_ack(js_queue_t *q, js_task_t *t)
{
    long long    n;
    redisReply  *r;

    if (q->redis == NULL) {
        return -1;
    }

    r = redisCommand(q->redis, "LREM %s 1 %b", q->processing, t->raw,
                     strlen(t->raw));
    r = js_queue_check(q, r, "LREM");
    if (r == NULL) {
        js_log(JS_LOG_ERR, "ack failed, the task will run again",
               JS_KS("id", t->id));
        return -1;
    }

    n = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    js_metrics_task(q->role, JS_METRICS_TASK_DONE);

    if (n == 0) {
        /* Our heartbeat lapsed and a reaper requeued it meanwhile. */
        js_log(JS_LOG_WARN, "acked task was already requeued, it will "
               "run again", JS_KS("id", t->id));
    }
    return 0;
}

/* Given up: for error tracking, after the dead letter is stored. */
static void
js_queue_report_dead(js_queue_t *q, js_task_t *t, int attempts,
    const char *error)
{
    char  msg[JS_SENTRY_MESSAGE_MAX + 1], kind[JS_SENTRY_KIND_MAX + 1],
          id[JS_SENTRY_ID_MAX + 1];

    /* a task's kind and id are anyone's: cut to what a report takes */
    js_sentry_text(kind, sizeof(kind), "", t->kind ? t->kind : "");
    js_sentry_text(id, sizeof(id), "", t->id ? t->id : "");

    js_sentry_report(json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:i}",
        "message", js_sentry_text(msg, sizeof(msg), "task dead-lettered: ",
                                  error),
        "role", q->role, "queue", q->queue,
        "task_kind", kind[0] ? kind : NULL, "task_id", id[0] ? id : NULL,
        "attempt", attempts > 1000 ? 1000 : attempts));
}

int
js_queue_fail(js_queue_t *q, js_task_t *t, const char *error,
    int permanent)
{
    int          rc, attempts;
    char        *payload;
    int64_t      delay;
    redisReply  *r;

    if (q->redis == NULL) {
        return -1;
    }

    attempts = t->attempt + 1;

    if (permanent || attempts >= q->policy.max_attempts) {
        rc = js_queue_dead_letter(q, t, error);
        if (rc == 2) {
            js_metrics_task(q->role, JS_METRICS_TASK_FAILED);
            js_log(JS_LOG_ERR, "task dead-lettered", JS_KS("id", t->id),
                   JS_KS("kind", t->kind), JS_KI("attempts", attempts),
                   JS_KS("err", error));
            js_queue_report_dead(q, t, attempts, error);
        }
        return rc;
    }

    delay = js_queue_backoff(attempts, q->policy.backoff_min,
                             q->policy.backoff_max, js_queue_random());

    payload = js_task_failed_payload(t, q->queue, error, 0);
    if (payload == NULL) {
        js_log(JS_LOG_ALERT, "cannot build retry, task left in the "
               "processing list", JS_KS("err", "out of memory"));
        return -1;
    }

    r = redisCommand(q->redis, "EVAL %s 3 %s %s %s %b %s %lld",
                     js_queue_fail_lua, q->processing, JOBSCOUT_DELAYED,
                     JOBSCOUT_DEAD, t->raw, strlen(t->raw), payload,
                     (long long) delay);
    free(payload);

    r = js_queue_check(q, r, "EVAL fail");
    if (r == NULL) {
        return -1;
    }
    rc = r->type == REDIS_REPLY_INTEGER ? (int) r->integer : -1;
    freeReplyObject(r);

    if (rc == 1) {
        js_metrics_task(q->role, JS_METRICS_TASK_RETRIED);
        js_log(JS_LOG_WARN, "task failed, will retry", JS_KS("id", t->id),
               JS_KS("kind", t->kind), JS_KI("attempts", attempts),
               JS_KI("delay_ms", delay), JS_KS("err", error));
    }
    return rc;
}

void
js_queue_close(js_queue_t *q)
{
    redisReply  *r;

    if (q->redis == NULL) {
        return;
    }

    if (js_queue_reap_one(q, q->consumer, q->queue, 1) == -2) {
        return;
    }

    /* A clean exit should not look like a live consumer for 15 s. */
    r = redisCommand(q->redis, "HDEL %s %s", JOBSCOUT_CONSUMERS,
                     q->consumer);
    if (r != NULL) {
        freeReplyObject(r);
    }
    r = redisCommand(q->redis, "DEL %s", q->heartbeat);
    if (r != NULL) {
        freeReplyObject(r);
    }

    redisFree(q->redis);
    q->redis = NULL;
}
