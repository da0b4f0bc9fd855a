/*
 * The scheduler role: every scheduler_interval, queues the sources that
 * are due on the scrape queue of their priority.
 *
 * Due: the source and its company active, and next_check_at (set by the
 * scraper after each run, lib/polling.h) passed or never set.  Sources are
 * taken per host (the host their fetches go to), within what the host
 * can serve before the next pass: scheduler_interval over its gap
 * (scrape_host_budget, else scrape_host_delay), the runs already queued
 * for it counted.  Within a host, high priority first, then the sources
 * most likely to hold a change (1 - e^(-rate x time since the last
 * poll)), so a budget too small for all of them goes where a change is;
 * the others stay due and come first at the next pass as their chance
 * grows.  The scrapers keep the gap itself, across processes.
 *
 * A source is queued only when the scheduler wins SET NX on
 * JOBSCOUT_SCRAPE_PENDING_PREFIX<id>, which the scraper deletes after the
 * run: never twice, never while being scraped.  The TTL of that key
 * bounds how long a lost task (all of Redis restarted empty) can hold a
 * source back.  A source never polled goes through the delayed set with
 * a random delay up to scrape_jitter, so that many new sources (all of
 * them, at first start) do not all start at once; the polled ones are
 * spread by their estimate already.
 *
 * One scheduler is enough; two are harmless (SET NX decides).
 */

#include <limits.h>
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
#include "polling.h"
#include "queue.h"
#include "roles.h"
#include "util.h"

#define JS_SCHEDULER_TIMEOUT      3000     /* ms, per Redis command */

/* $1, $2: the estimator's prior (changes, hours), as in lib/polling.c. */
static const char  js_scheduler_due_sql[] =
    "SELECT s.id, s.priority, s.next_check_at IS NULL,"
    "       lower(coalesce(s.fetch_host, substring(s.source_url FROM"
    "             '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)')))"
    "       AS host"
    "  FROM job_sources s JOIN companies c ON c.id = s.company_id"
    " WHERE s.is_active AND c.is_active"
    "   AND (s.next_check_at IS NULL OR s.next_check_at <= now())"
    " ORDER BY host, s.priority = 'high' DESC,"
    "       (s.poll_changes + $1) / (s.poll_hours + $2)"
    "       * extract(epoch FROM now() - coalesce(s.last_scraped_at,"
    "                                             s.created_at)) DESC,"
    "       s.id"
    " LIMIT 5000";                       /* sources per pass, at most */
typedef struct {
    js_worker_t     *w;
    PGconn          *pg;
    redisContext    *redis;
} js_scheduler_t;

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
js_scheduler_queue(js_scheduler_t *sc, const char *id, const char *queue,
    int never_polled)
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

    if (never_polled && cf->scrape_jitter > 0) {
        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
            rnd = (uint32_t) js_msec();
        }
        due = js_wall_msec() + rnd % (uint32_t) cf->scrape_jitter;
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

/* The runs a host can take before the next pass: at least one. */
static int
js_scheduler_host_room(const js_conf_t *cf, const char *host)
{
    int                           gap;
    const js_conf_host_budget_t  *budget;

    if (host[0] == '\0') {
        return INT_MAX;                  /* not known before a first run */
    }

    budget = js_conf_host_budget(cf, host);
    gap = budget != NULL ? budget->gap_ms : cf->scrape_host_delay;
    if (gap <= 0) {
        return INT_MAX;
    }
    return cf->scheduler_interval / gap > 1 ? cf->scheduler_interval / gap
                                            : 1;
}

static void
js_scheduler_pass(js_scheduler_t *sc)
{
    int               i, n, rc, room = 0, taken = 0, queued = 0, held = 0;
    char              err[512], changes[32], hours[32];
    PGresult         *res;
    const char       *v[2], *queue, *host, *prev = NULL;
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

    snprintf(changes, sizeof(changes), "%.6f",
             JS_POLL_PRIOR_RATE * JS_POLL_PRIOR_HOURS);
    snprintf(hours, sizeof(hours), "%.6f", JS_POLL_PRIOR_HOURS);
    v[0] = changes;
    v[1] = hours;

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
        host = PQgetvalue(res, i, 3);
        if (prev == NULL || strcmp(host, prev) != 0) {
            prev = host;
            room = js_scheduler_host_room(cf, host);
            taken = 0;
        }
        if (taken == room) {
            held++;                      /* the host's budget is spent */
            continue;
        }
        taken++;                         /* queued now or before: a run */

        queue = strcmp(PQgetvalue(res, i, 1), "high") == 0
                ? JOBSCOUT_QUEUE_SCRAPE_HIGH : JOBSCOUT_QUEUE_SCRAPE_NORMAL;

        rc = js_scheduler_queue(sc, PQgetvalue(res, i, 0), queue,
                                PQgetvalue(res, i, 2)[0] == 't');
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
               JS_KI("queued", queued), JS_KI("held_by_host_budget", held));
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
           JS_KI("jitter_ms", w->conf->scrape_jitter),
           JS_KI("high_floor_ms", w->conf->scrape_poll_high_min),
           JS_KI("high_ceiling_ms", w->conf->scrape_poll_high_max),
           JS_KI("normal_floor_ms", w->conf->scrape_poll_normal_min),
           JS_KI("normal_ceiling_ms", w->conf->scrape_poll_normal_max));

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
