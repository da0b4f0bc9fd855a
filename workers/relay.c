/*
 * The relay role: copies the task outbox (PostgreSQL's task_outbox,
 * sql/migrations/0014) onto the Redis queues, so that a task whose
 * producer committed it survives any loss of Redis.
 *
 * A batch is one transaction: the due rows are locked (SKIP LOCKED: two
 * relays share the work), LPUSHed, then marked relayed and committed.
 * Killed after an LPUSH and before the commit, the relay relays the row
 * again: consumers drop repeats by task id (the mailer by Message-ID).
 *
 * Due: a row never relayed, or relayed relay_lease ago (doubling with
 * each relay) and not yet deleted by its consumer, whose copy Redis may
 * have lost (a crash losing the last second of the append-only file).
 * When Redis lost everything (a restart without persistence, a
 * FLUSHALL, a switch to an empty server), JOBSCOUT_OUTBOX_MARKER is gone
 * with it: every row is due at once, and the marker is set again.
 *
 * It waits on LISTEN task_outbox (a trigger NOTIFYs on each insert) for
 * at most JS_RELAY_WAIT ms, so a new task is relayed within milliseconds
 * of its commit.  Hourly it forgets the mails sent more than
 * JS_RELAY_KEEP_SENT ago.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "jobscout_task.h"
#include "log.h"
#include "pg.h"
#include "queue.h"
#include "roles.h"
#include "util.h"

#define JS_RELAY_BATCH       100
#define JS_RELAY_WAIT        1000        /* ms between looks at Redis */
#define JS_RELAY_PG_TIMEOUT  10000       /* ms per statement */
#define JS_RELAY_PRUNE_EVERY 3600000     /* ms */
#define JS_RELAY_KEEP_SENT   "30 days"

typedef struct {
    js_worker_t      *w;
    js_queue_t        q;
    js_pg_t           pg;
    PGconn           *listening;     /* the connection LISTENing */
    char              lease[32];     /* relay_lease, as an interval */
    int64_t           prune_at;
} js_relay_t;

static const char  js_relay_due_sql[] =
    "SELECT id, queue, task FROM task_outbox"
    " WHERE relayed_at IS NULL"
    "    OR relayed_at < now() - $1::interval"
    "                            * 2 ^ least(greatest(relays - 1, 0), 10)"
    " ORDER BY created_at, id LIMIT $2::integer"
    " FOR UPDATE SKIP LOCKED";

static const char  js_relay_mark_sql[] =
    "UPDATE task_outbox SET relayed_at = now(), relays = relays + 1"
    " WHERE id = ANY ($1::text[])";

/* One statement, no result wanted: 0, or -1 (logged). */
static int
js_relay_exec(js_relay_t *r, const char *what, const char *sql, int n,
    const char *const *values)
{
    char       err[512];
    PGresult  *res;

    res = js_pg_exec(&r->pg, what, sql, n, values, JS_RELAY_PG_TIMEOUT,
                     err, sizeof(err));
    if (res == NULL) {
        js_log(JS_LOG_ERR, "outbox statement failed", JS_KS("err", err));
        return -1;
    }

    PQclear(res);
    return 0;
}

/* LISTEN on each new connection: notifications are per session. */
static int
js_relay_listen(js_relay_t *r)
{
    if (r->pg.conn == r->listening) {
        return 0;
    }

    if (js_relay_exec(r, "listen", "LISTEN task_outbox", 0, NULL) != 0) {
        return -1;
    }

    r->listening = r->pg.conn;
    return 0;
}

/*
 * Redis lost its data when the marker is gone: every task relayed before
 * is due again.  The rows first, then the marker, so that a failure in
 * between only repeats this.
 */
static int
js_relay_check_marker(js_relay_t *r)
{
    char         err[512], *n;
    PGresult    *res;
    redisReply  *reply;
    long long    exists;

    reply = js_queue_command(&r->q, "EXISTS marker", "EXISTS %s",
                             JOBSCOUT_OUTBOX_MARKER);
    if (reply == NULL) {
        return -1;
    }
    exists = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
    freeReplyObject(reply);

    if (exists) {
        return 0;
    }

    if (!js_pg_ready(&r->pg)) {
        return -1;
    }

    res = js_pg_exec(&r->pg, "outbox_reset",
                     "WITH r AS (UPDATE task_outbox SET relayed_at = NULL"
                     "           WHERE relayed_at IS NOT NULL RETURNING 1)"
                     " SELECT count(*) FROM r",
                     0, NULL, JS_RELAY_PG_TIMEOUT, err, sizeof(err));
    if (res == NULL) {
        js_log(JS_LOG_ERR, "outbox statement failed", JS_KS("err", err));
        return -1;
    }
    n = PQgetvalue(res, 0, 0);
    if (strcmp(n, "0") != 0) {
        js_log(JS_LOG_WARN, "redis lost its data: relaying the open tasks "
               "again", JS_KS("tasks", n));
    }
    PQclear(res);

    reply = js_queue_command(&r->q, "SET marker", "SET %s %s",
                             JOBSCOUT_OUTBOX_MARKER, r->q.consumer);
    if (reply == NULL) {
        return -1;
    }
    freeReplyObject(reply);
    return 0;
}

/*
 * One batch: the number of tasks relayed, -1 on a failure (the
 * transaction is rolled back, its rows stay due).
 */
static int
js_relay_batch(js_relay_t *r)
{
    int             i, n, pushed = 0;
    char            err[512];
    PGresult       *res;
    char            batch[16];
    const char     *values[2];
    js_pg_array_t   ids;

    if (js_relay_exec(r, "begin", "BEGIN", 0, NULL) != 0) {
        return -1;
    }

    snprintf(batch, sizeof(batch), "%d", JS_RELAY_BATCH);
    values[0] = r->lease;
    values[1] = batch;
    res = js_pg_exec(&r->pg, "outbox_due", js_relay_due_sql, 2, values,
                     JS_RELAY_PG_TIMEOUT, err, sizeof(err));
    if (res == NULL) {
        js_log(JS_LOG_ERR, "outbox statement failed", JS_KS("err", err));
        goto rollback;
    }

    n = PQntuples(res);
    memset(&ids, 0, sizeof(ids));

    for (i = 0; i < n; i++) {
        if (js_queue_push(&r->q, PQgetvalue(res, i, 1),
                          PQgetvalue(res, i, 2)) != 0)
        {
            break;
        }
        js_pg_array_add(&ids, PQgetvalue(res, i, 0));
        pushed++;
    }
    PQclear(res);

    /* What was pushed is marked even when the rest failed. */
    if (pushed > 0) {
        values[0] = js_pg_array_end(&ids) == 0 ? ids.p : NULL;
        if (values[0] == NULL
            || js_relay_exec(r, "outbox_relayed", js_relay_mark_sql, 1,
                             values) != 0)
        {
            js_pg_array_free(&ids);
            goto rollback;
        }
    }
    js_pg_array_free(&ids);

    if (js_relay_exec(r, "commit", "COMMIT", 0, NULL) != 0) {
        return -1;
    }

    if (pushed > 0) {
        js_log(JS_LOG_INFO, "tasks relayed", JS_KI("tasks", pushed));
    }
    return pushed < n ? -1 : pushed;

rollback:

    if (js_pg_ready(&r->pg)) {
        (void) js_relay_exec(r, "rollback", "ROLLBACK", 0, NULL);
    }
    return -1;
}

/* Forgets the Message-IDs of old mails: no repeat comes that late. */
static void
js_relay_prune(js_relay_t *r)
{
    if (js_msec() < r->prune_at) {
        return;
    }
    r->prune_at = js_msec() + JS_RELAY_PRUNE_EVERY;

    (void) js_relay_exec(r, "mail_deliveries_prune",
                         "DELETE FROM mail_deliveries"
                         " WHERE sent_at < now() - interval '"
                         JS_RELAY_KEEP_SENT "'", 0, NULL);
}

/* Drains the notifications libpq holds: 1 when there was one. */
static int
js_relay_notified(js_relay_t *r)
{
    int        got = 0;
    PGnotify  *nf;

    while ((nf = PQnotifies(r->pg.conn)) != NULL) {
        PQfreemem(nf);
        got = 1;
    }
    return got;
}

/*
 * Until a NOTIFY (a new task; one read with an earlier answer counts) or
 * ms: 1 when one came, -1 when exiting.
 */
static int
js_relay_wait(js_relay_t *r, int ms)
{
    struct pollfd  pfd;

    if (js_relay_notified(r)) {
        return 1;
    }

    pfd.fd = PQsocket(r->pg.conn);
    pfd.events = POLLIN;

    if (pfd.fd < 0 || (poll(&pfd, 1, ms) == -1 && errno != EINTR)) {
        return js_worker_sleep(ms) == 0 ? 0 : -1;
    }

    if (!PQconsumeInput(r->pg.conn)) {
        return 0;                   /* js_pg_ready() sees it lost */
    }

    return js_relay_notified(r);
}

int
js_relay_run(js_worker_t *w)
{
    int                n;
    int64_t            wait;
    js_relay_t         r;
    js_queue_policy_t  policy = { 1, 1000, 1000 };    /* consumes none */
    const js_conf_t   *cf = w->conf;

    memset(&r, 0, sizeof(r));
    r.w = w;
    snprintf(r.lease, sizeof(r.lease), "%d milliseconds", cf->relay_lease);

    js_queue_init(&r.q, cf, JOBSCOUT_OUTBOX, w->role, &policy);
    js_pg_init(&r.pg, cf->postgres);

    js_log(JS_LOG_INFO, "relay started", JS_KS("consumer", r.q.consumer),
           JS_KI("lease_ms", cf->relay_lease));

    while (!js_worker_exiting()) {
        js_worker_service();

        if (js_queue_tick(&r.q) != 0) {
            wait = r.q.retry_at - js_msec();
            if (js_worker_sleep(wait > 10 ? (int) wait : 10) != 0) {
                break;
            }
            continue;
        }

        if (!js_pg_ready(&r.pg) || js_relay_listen(&r) != 0
            || js_relay_check_marker(&r) != 0)
        {
            if (js_worker_sleep(500) != 0) {
                break;
            }
            continue;
        }

        js_relay_prune(&r);

        n = js_pg_ready(&r.pg) ? js_relay_batch(&r) : -1;
        if (n == JS_RELAY_BATCH) {
            continue;                   /* more may be due */
        }

        if (n < 0) {
            if (js_worker_sleep(500) != 0) {
                break;
            }
            continue;
        }

        if (js_pg_ready(&r.pg) && js_relay_wait(&r, JS_RELAY_WAIT) < 0) {
            break;
        }
    }

    js_pg_close(&r.pg);
    js_queue_close(&r.q);

    js_log(JS_LOG_INFO, "relay stopped");
    return 0;
}
