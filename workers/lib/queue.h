/*
 * Reliable queues on Redis lists (hiredis, synchronous): the consumer
 * side of the protocol documented in jobscout_task.h.
 *
 *   js_queue_init(&q, cf, JOBSCOUT_QUEUE_MAIL, "mailer", &policy);
 *
 *   while (!js_worker_exiting()) {
 *       if (js_queue_tick(&q) != 0) {          connect, beat, promote,
 *           js_worker_sleep(...);              reap; -1 while Redis is
 *           continue;                          down
 *       }
 *       if (js_queue_take(&q, &t) != 1) {      blocks 1 s at most, so
 *           continue;                          signals are noticed
 *       }
 *       ... do the work, commit what it writes, then:
 *       js_queue_ack(&q, &t);   or   js_queue_fail(&q, &t, why, 0);
 *       js_task_free(&t);
 *   }
 *   js_queue_close(&q);
 *
 * A task is acked (LREM from the processing list) only after its work
 * is done, so a crash at any point leaves it in the processing list,
 * from where a reaper puts it back once the consumer's heartbeat has
 * expired: delivery is at-least-once and handlers must be idempotent.
 */

#ifndef JS_QUEUE_H
#define JS_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "config.h"

#define JS_QUEUE_BLOCK_SEC      1       /* BLMOVE timeout */
#define JS_QUEUE_HB_INTERVAL    5000    /* ms */
#define JS_QUEUE_HB_TTL         15      /* s */
#define JS_QUEUE_PROMOTE_EVERY  1000    /* ms */
#define JS_QUEUE_REAP_EVERY     5000    /* ms */
#define JS_QUEUE_ERROR_MAX      1024    /* bytes of "error" kept */

typedef struct {
    int  max_attempts;     /* tries before the dead letters, >= 1 */
    int  backoff_min;      /* ms, delay after the first failure */
    int  backoff_max;      /* ms, the cap */
} js_queue_policy_t;

typedef struct {
    char           *raw;        /* as taken: LREM needs the same bytes */
    json_t         *json;       /* the whole task */
    const char     *id;         /* these point into json */
    const char     *kind;
    json_t         *args;
    int             attempt;    /* failed attempts before this one */
} js_task_t;

typedef struct {
    const js_conf_t    *conf;
    const char         *role;
    js_queue_policy_t   policy;

    char                queue[128];
    char                consumer[300];     /* hostname:pid */
    char                processing[340];
    char                heartbeat[340];
    char                redis_addr[300];
    char                started_at[32];

    redisContext       *redis;
    int                 redis_up;          /* for logging transitions */
    int                 backoff;           /* reconnect delay, ms */
    int64_t             retry_at;          /* next connect, monotonic */
    int64_t             beat_at;
    int64_t             promote_at;
    int64_t             reap_at;
} js_queue_t;

void js_queue_init(js_queue_t *q, const js_conf_t *cf, const char *queue,
    const char *role, const js_queue_policy_t *policy);

/*
 * Connects when due, then does what is due of: heartbeat (which also
 * registers the consumer), promotion of delayed tasks, reaping of dead
 * consumers.  Returns 0 when Redis is usable, -1 when not: then
 * q->retry_at says when to try again.
 */
int js_queue_tick(js_queue_t *q);

/*
 * Only the heartbeat, when due: for long units of work (an SMTP
 * transaction), so that the reaper does not take their task away.
 */
void js_queue_keepalive(js_queue_t *q);

/*
 * BLMOVE <queue> <processing> RIGHT LEFT 1.  Returns 1 with a task in
 * t, 0 when none came (or it was malformed, and went to the dead
 * letters), -1 when Redis failed.
 */
int js_queue_take(js_queue_t *q, js_task_t *t);

/*
 * The same, blocking block ms at most (up to JS_QUEUE_BLOCK_SEC), or
 * not at all when block is 0 (LMOVE): for a consumer with other work
 * going on.
 */
int js_queue_take_wait(js_queue_t *q, js_task_t *t, int block);

/*
 * The same from another queue into this consumer's processing list: for a
 * role consuming several queues in priority order (the scraper:
 * scrape:high first).  Reaped or failed tasks go back to q->queue, the
 * one registered.
 */
int js_queue_take_from(js_queue_t *q, const char *queue, int block,
    js_task_t *t);

/* The producer side, on this connection: LPUSH <queue> <task>. */
int js_queue_push(js_queue_t *q, const char *queue, const char *task);

/*
 * Any other command on this connection (redisCommand()'s format): the
 * reply, to freeReplyObject(), or NULL (logged; a lost connection is
 * dropped, to be made again by js_queue_tick()).
 */
redisReply *js_queue_command(js_queue_t *q, const char *what,
    const char *format, ...);

/* LREM <processing> 1 <raw>.  Returns 0, or -1 when Redis failed. */
int js_queue_ack(js_queue_t *q, js_task_t *t);

/*
 * The attempt failed: the task goes, in one script with its LREM, to
 * the delayed set with attempt + 1 and a backoff, or to the dead
 * letters when permanent or out of attempts.  Returns 1 when retried,
 * 2 when dead, 0 when the task was no longer ours (reaped), -1 when
 * Redis failed (the task stays in the processing list).
 */
int js_queue_fail(js_queue_t *q, js_task_t *t, const char *error,
    int permanent);

/*
 * Clean exit: whatever is left in the processing list (a task whose
 * work was abandoned on TERM) goes back on the queue, the consumer is
 * unregistered and its heartbeat deleted.
 */
void js_queue_close(js_queue_t *q);

void js_task_free(js_task_t *t);

/*
 * A new task of kind with args (a reference is stolen), in the format of
 * jobscout_task.h, for producers: malloc()ed, NULL when out of memory.
 * queue, when not NULL, is where the promoter sends it from the delayed
 * set.
 */
char *js_task_create(const char *kind, json_t *args, const char *queue);


/* Pure parts, unit-tested without Redis. */

/*
 * Delay before retry number "attempt" (1 after the first failure):
 * min * 2^(attempt-1), capped at max, then "equal jitter": a value in
 * [d/2, d] picked by rnd, so that failed tasks do not come back in
 * lockstep.
 */
int64_t js_queue_backoff(int attempt, int min, int max, uint32_t rnd);

/* Parses raw (len bytes) into t, which owns a copy.  -1 with err. */
int js_task_parse(js_task_t *t, const char *raw, size_t len, char *err,
    size_t errlen);

/*
 * The payload a failed task is stored with: attempt + 1, "queue",
 * "error" (truncated), and "failed_at" when failed_at is not 0.  For a
 * task that could not be parsed (t->json NULL) {"raw": ...} instead.
 * malloc()ed; NULL when out of memory.
 */
char *js_task_failed_payload(const js_task_t *t, const char *queue,
    const char *error, int64_t failed_at);

#endif
