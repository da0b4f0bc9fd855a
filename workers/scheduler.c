/*
 * The scheduler role: every scheduler_interval, queues the sources that
 * are due on the scrape queue of their priority.
 *
 * Due: the source and its company active, and never scraped or scraped
 * longer ago than its scrape_interval_seconds, else its priority's
 * interval (scrape_intervals: high, normal).  A source is queued only
 * when the scheduler wins SET NX on JOBSCOUT_SCRAPE_PENDING_PREFIX<id>,
 * which the scraper deletes after the run: never twice, never while
 * being scraped.  The TTL of that key bounds how long a lost task (all
 * of Redis restarted empty) can hold a source back.
 *
 * Each task goes through the delayed set with a random delay up to
 * scrape_jitter, so that sources due together (all of them, at first
 * start) do not all start at once; the queue consumers' promoter moves
 * them to their queue when due.
 *
 * One scheduler is enough; two are harmless (SET NX decides).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "jobscout_task.h"
#include "jobstore.h"
#include "log.h"
#include "queue.h"
#include "roles.h"
#include "util.h"

#define JS_SCHEDULER_TIMEOUT      3000     /* ms, per Redis command */

static const char  js_scheduler_due_sql[] =
    "SELECT s.id, s.priority"
    "  FROM job_sources s JOIN companies c ON c.id = s.company_id"
    " WHERE s.is_active AND c.is_active"
    "   AND (s.last_scraped_at IS NULL"
    "        OR s.last_scraped_at + make_interval(secs =>"
    "             coalesce(s.scrape_interval_seconds::double precision,"
    "                      CASE s.priority WHEN 'high' THEN $1::double"
    "                      precision ELSE $2::double precision END))"
    "           <= now())"
    " ORDER BY s.priority = 'high' DESC, s.last_scraped_at NULLS FIRST"
    " LIMIT 1000";                       /* sources per pass, at most */

typedef struct {
    js_worker_t     *w;
    PGconn          *pg;
    redisContext    *redis;
} js_scheduler_t;

static int64_t
js_scheduler_wall_msec(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);
    return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static redisContext *
js_scheduler_redis(js_scheduler_t *sc, char *err, size_t errlen)
{
    struct timeval    tv;
    const js_conf_t  *cf = sc->w->conf;

    if (sc->redis != NULL && sc->redis->err) {
        redisFree(sc->redis);
        sc->redis = NULL;
    }
    if (sc->redis != NULL) {
        return sc->redis;
    }

    tv.tv_sec = JS_SCHEDULER_TIMEOUT / 1000;
    tv.tv_usec = (JS_SCHEDULER_TIMEOUT % 1000) * 1000;

    sc->redis = cf->redis_path
                ? redisConnectUnixWithTimeout(cf->redis_path, tv)
                : redisConnectWithTimeout(cf->redis_host, cf->redis_port, tv);

    if (sc->redis == NULL || sc->redis->err
        || redisSetTimeout(sc->redis, tv) != REDIS_OK)
    {
        snprintf(err, errlen, "redis connect: %s",
                 sc->redis ? sc->redis->errstr : "out of memory");
        if (sc->redis != NULL) {
            redisFree(sc->redis);
            sc->redis = NULL;
        }
        return NULL;
    }
    return sc->redis;
}

/* 1 when queued, 0 when already pending, -1 on a Redis error. */
static int
js_scheduler_queue(js_scheduler_t *sc, const char *id, const char *queue)
{
    int               rc;
    char             *task;
    uint32_t          rnd = 0;
    int64_t           due;
    redisReply       *r;
    const js_conf_t  *cf = sc->w->conf;

    r = redisCommand(sc->redis, "SET %s%s %s NX EX "
                     JOBSCOUT_SCRAPE_PENDING_TTL,
                     JOBSCOUT_SCRAPE_PENDING_PREFIX, id, queue);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        rc = -1;
        goto done;
    }
    if (r->type == REDIS_REPLY_NIL) {
        rc = 0;
        goto done;
    }
    freeReplyObject(r);

    task = js_task_create(JOBSCOUT_TASK_SCRAPE_SOURCE,
                          json_pack("{s:s}", "source_id", id), queue);
    if (task == NULL) {
        r = redisCommand(sc->redis, "DEL %s%s",
                         JOBSCOUT_SCRAPE_PENDING_PREFIX, id);
        rc = -1;
        goto done;
    }

    if (cf->scrape_jitter > 0) {
        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
            rnd = (uint32_t) js_msec();
        }
        due = js_scheduler_wall_msec() + rnd % (uint32_t) cf->scrape_jitter;
        r = redisCommand(sc->redis, "ZADD %s %lld %s", JOBSCOUT_DELAYED,
                         (long long) due, task);
    } else {
        r = redisCommand(sc->redis, "LPUSH %s %s", queue, task);
    }
    free(task);

    rc = r != NULL && r->type == REDIS_REPLY_INTEGER ? 1 : -1;

done:

    if (r != NULL) {
        freeReplyObject(r);
    }
    return rc;
}

static void
js_scheduler_pass(js_scheduler_t *sc)
{
    int               i, n, rc, queued = 0;
    char              err[512], high[32], normal[32];
    PGresult         *res;
    const char       *v[2], *queue;
    const js_conf_t  *cf = sc->w->conf;

    if (sc->pg != NULL && PQstatus(sc->pg) != CONNECTION_OK) {
        PQfinish(sc->pg);
        sc->pg = NULL;
    }
    if (sc->pg == NULL
        && (sc->pg = js_jobstore_connect(cf->postgres, err, sizeof(err)))
           == NULL)
    {
        js_log(JS_LOG_ERR, "scheduler: no database", JS_KS("err", err));
        return;
    }

    if (js_scheduler_redis(sc, err, sizeof(err)) == NULL) {
        js_log(JS_LOG_ERR, "scheduler: no redis", JS_KS("err", err));
        return;
    }

    snprintf(high, sizeof(high), "%.3f", cf->scrape_interval_high / 1000.0);
    snprintf(normal, sizeof(normal), "%.3f",
             cf->scrape_interval_normal / 1000.0);
    v[0] = high;
    v[1] = normal;

    res = PQexecParams(sc->pg, js_scheduler_due_sql, 2, NULL, v, NULL, NULL,
                       0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, sizeof(err), "%s", PQresultErrorMessage(res));
        err[strcspn(err, "\n")] = '\0';
        js_log(JS_LOG_ERR, "scheduler: due sources", JS_KS("err", err));
        PQclear(res);
        return;
    }

    n = PQntuples(res);
    for (i = 0; i < n && !js_worker_exiting(); i++) {
        queue = strcmp(PQgetvalue(res, i, 1), "high") == 0
                ? JOBSCOUT_QUEUE_SCRAPE_HIGH : JOBSCOUT_QUEUE_SCRAPE_NORMAL;

        rc = js_scheduler_queue(sc, PQgetvalue(res, i, 0), queue);
        if (rc == -1) {
            js_log(JS_LOG_ERR, "scheduler: redis failed",
                   JS_KS("err", sc->redis->err ? sc->redis->errstr
                                               : "error reply"));
            break;
        }
        queued += rc;
    }
    PQclear(res);

    if (queued > 0) {
        js_log(JS_LOG_INFO, "sources queued", JS_KI("due", n),
               JS_KI("queued", queued));
    }
}

int
js_scheduler_run(js_worker_t *w)
{
    js_scheduler_t  sc;

    memset(&sc, 0, sizeof(sc));
    sc.w = w;

    js_log(JS_LOG_INFO, "scheduler started",
           JS_KI("interval_ms", w->conf->scheduler_interval),
           JS_KI("jitter_ms", w->conf->scrape_jitter));

    while (!js_worker_exiting()) {
        js_worker_service();
        js_scheduler_pass(&sc);
        if (js_worker_sleep(w->conf->scheduler_interval) != 0) {
            break;
        }
    }

    if (sc.redis != NULL) {
        redisFree(sc.redis);
    }
    if (sc.pg != NULL) {
        PQfinish(sc.pg);
    }

    js_log(JS_LOG_INFO, "scheduler stopped");
    return 0;
}
