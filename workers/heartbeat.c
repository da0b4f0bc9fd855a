/*
 * The heartbeat role: proves this host's jobscoutd is alive.
 *
 * Every 5 s it writes
 *
 *   SET jobscoutd:heartbeat:<hostname>:<pid> {"pid",...} EX 15
 *
 * so a key that expires means a dead (or wedged) worker: the scheduler
 * and the queue reaper of later roles rely on the same convention.  It
 * also checks that PostgreSQL answers "SELECT 1", and logs when Redis or
 * PostgreSQL change state (not on every tick, to keep logs readable).
 *
 * Housekeeping rides on the same connection: on its first beat and every
 * hour after, it purges the accounts deleted more than 30 days ago (GDPR,
 * sql/migrations/0003).  Every heartbeat of every host may run it: the
 * purge is one idempotent statement.
 *
 * Nothing here may crash or block for long when a dependency is down:
 * Redis and PostgreSQL calls have 2 s timeouts and Redis reconnects with
 * a doubling backoff.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "log.h"
#include "roles.h"
#include "util.h"

#define JS_HB_INTERVAL      5000
#define JS_HB_TTL           15
#define JS_HB_TIMEOUT       2000
#define JS_HB_BACKOFF_MIN   1000
#define JS_HB_BACKOFF_MAX   30000
#define JS_HB_PURGE_EVERY   3600000
#define JS_HB_PURGE_TIMEOUT 30000

enum {
    JS_DEP_UNKNOWN = 0,
    JS_DEP_OK,
    JS_DEP_DOWN
};

typedef struct {
    js_worker_t   *w;

    char           key[320];
    char           started_at[32];
    char           redis_addr[300];

    redisContext  *redis;
    int            redis_state;
    int            redis_backoff;
    int64_t        redis_retry_at;

    PGconn        *pg;
    int            pg_state;
    char           pg_addr[300];
    int64_t        purge_at;
} js_hb_t;

/* Logs only transitions: unknown->ok, ok->down, down->ok, ... */
static void
js_hb_state(const char *dep, int *state, int ok, const char *addr,
    const char *err)
{
    int  next = ok ? JS_DEP_OK : JS_DEP_DOWN;

    if (*state == next) {
        return;
    }

    if (ok) {
        js_log(*state == JS_DEP_DOWN ? JS_LOG_NOTICE : JS_LOG_INFO,
               *state == JS_DEP_DOWN ? "dependency recovered"
                                     : "dependency ok",
               JS_KS("dep", dep), JS_KS("addr", addr));
    } else {
        js_log(JS_LOG_ERR, "dependency down", JS_KS("dep", dep),
               JS_KS("addr", addr), JS_KS("err", err));
    }

    *state = next;
}

static void
js_hb_redis_close(js_hb_t *hb)
{
    if (hb->redis != NULL) {
        redisFree(hb->redis);
        hb->redis = NULL;
    }
}

static void
js_hb_redis_failed(js_hb_t *hb, const char *err, int64_t now)
{
    js_hb_state("redis", &hb->redis_state, 0, hb->redis_addr, err);
    js_hb_redis_close(hb);

    hb->redis_retry_at = now + hb->redis_backoff;
    hb->redis_backoff = hb->redis_backoff * 2 > JS_HB_BACKOFF_MAX
                        ? JS_HB_BACKOFF_MAX : hb->redis_backoff * 2;
}

static int
js_hb_redis_connect(js_hb_t *hb, int64_t now)
{
    char                 err[256];
    struct timeval       tv;
    const js_conf_t     *cf = hb->w->conf;

    tv.tv_sec = JS_HB_TIMEOUT / 1000;
    tv.tv_usec = (JS_HB_TIMEOUT % 1000) * 1000;

    if (cf->redis_path != NULL) {
        hb->redis = redisConnectUnixWithTimeout(cf->redis_path, tv);
    } else {
        hb->redis = redisConnectWithTimeout(cf->redis_host, cf->redis_port,
                                            tv);
    }

    if (hb->redis == NULL || hb->redis->err) {
        snprintf(err, sizeof(err), "%s",
                 hb->redis ? hb->redis->errstr : "out of memory");
        js_hb_redis_failed(hb, err, now);
        return -1;
    }

    /* Commands get the same bound as the connect. */
    if (redisSetTimeout(hb->redis, tv) != REDIS_OK) {
        js_hb_redis_failed(hb, "cannot set socket timeout", now);
        return -1;
    }

    (void) redisEnableKeepAlive(hb->redis);
    return 0;
}

static char *
js_hb_payload(js_hb_t *hb)
{
    char     ts[32];
    char    *s;
    json_t  *o;

    o = json_pack("{s:I, s:s, s:s, s:s}",
                  "pid", (json_int_t) getpid(),
                  "role", hb->w->role,
                  "started_at", hb->started_at,
                  "ts", js_iso_time(ts, sizeof(ts)));
    if (o == NULL) {
        return NULL;
    }

    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static void
js_hb_redis_beat(js_hb_t *hb, int64_t now)
{
    char        *payload, err[256];
    redisReply  *r;

    if (hb->redis == NULL) {
        if (now < hb->redis_retry_at || js_hb_redis_connect(hb, now) != 0) {
            return;
        }
    }

    payload = js_hb_payload(hb);
    if (payload == NULL) {
        js_log(JS_LOG_ALERT, "cannot build heartbeat payload");
        return;
    }

    r = redisCommand(hb->redis, "SET %s %s EX %d", hb->key, payload,
                     JS_HB_TTL);
    free(payload);

    if (r == NULL) {
        snprintf(err, sizeof(err), "%s", hb->redis->errstr);
        js_hb_redis_failed(hb, err, now);
        return;
    }

    if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "OK") != 0) {
        snprintf(err, sizeof(err), "unexpected reply to SET: %s",
                 r->type == REDIS_REPLY_ERROR ? r->str : "(not OK)");
        freeReplyObject(r);
        js_hb_redis_failed(hb, err, now);
        return;
    }

    freeReplyObject(r);

    hb->redis_backoff = JS_HB_BACKOFF_MIN;
    js_hb_state("redis", &hb->redis_state, 1, hb->redis_addr, NULL);
    js_log(JS_LOG_DEBUG, "heartbeat", JS_KS("key", hb->key));
}

static void
js_hb_redis_forget(js_hb_t *hb)
{
    redisReply  *r;

    /* A clean exit should not look like a live worker for 15 s. */
    if (hb->redis != NULL) {
        r = redisCommand(hb->redis, "DEL %s", hb->key);
        if (r != NULL) {
            freeReplyObject(r);
        }
    }
    js_hb_redis_close(hb);
}

/* libpq messages span lines; logs are one line each. */
static void
js_hb_oneline(char *err)
{
    char        *d;
    const char  *s;

    for (s = d = err; *s; s++) {
        if (*s == '\n' || *s == '\t') {
            if (d > err && d[-1] != ' ') {
                *d++ = ' ';
            }
            continue;
        }
        *d++ = *s;
    }
    while (d > err && d[-1] == ' ') {
        d--;
    }
    *d = '\0';
}

static void
js_hb_pg_error(char *err, size_t len, const char *what, PGconn *pg)
{
    snprintf(err, len, "%s: %s", what, pg ? PQerrorMessage(pg)
                                          : "out of memory");
    js_hb_oneline(err);
}

/* sql: a constant; the first value of its answer goes to value */
static int
js_hb_pg_query(js_hb_t *hb, const char *sql, int timeout, char *value,
    size_t vlen, char *err, size_t len)
{
    int             rc = -1, n;
    int64_t         deadline, left;
    PGresult       *res;
    struct pollfd   pfd;

    if (!PQsendQuery(hb->pg, sql)) {
        js_hb_pg_error(err, len, "PQsendQuery()", hb->pg);
        return -1;
    }

    /*
     * PQexec() could wait forever on a silent network; poll() with a
     * deadline bounds the check like the connect_timeout bounds connect.
     */
    deadline = js_msec() + timeout;

    while (PQisBusy(hb->pg)) {
        left = deadline - js_msec();
        if (left <= 0 || js_worker_terminating()) {
            snprintf(err, len, "%s timed out", sql);
            return -1;
        }

        pfd.fd = PQsocket(hb->pg);
        pfd.events = POLLIN;
        n = poll(&pfd, 1, (int) left);

        if (n == -1 && errno != EINTR) {
            snprintf(err, len, "poll() failed: %s", strerror(errno));
            return -1;
        }

        if (n > 0 && !PQconsumeInput(hb->pg)) {
            js_hb_pg_error(err, len, "PQconsumeInput()", hb->pg);
            return -1;
        }
    }

    while ((res = PQgetResult(hb->pg)) != NULL) {
        if (PQresultStatus(res) == PGRES_TUPLES_OK) {
            rc = 0;
            if (value != NULL && PQntuples(res) > 0) {
                snprintf(value, vlen, "%s", PQgetvalue(res, 0, 0));
            }
        } else if (rc != 0) {
            snprintf(err, len, "%s failed: %s", sql,
                     PQresultErrorMessage(res));
            js_hb_oneline(err);
        }
        PQclear(res);
    }

    return rc;
}

/* host:port/dbname as libpq resolved them: the conninfo may hold secrets. */
static void
js_hb_pg_addr(js_hb_t *hb)
{
    const char  *host, *port, *db;

    if (hb->pg == NULL) {
        return;
    }

    host = PQhost(hb->pg);
    port = PQport(hb->pg);
    db = PQdb(hb->pg);

    snprintf(hb->pg_addr, sizeof(hb->pg_addr), "%s:%s/%s",
             host ? host : "", port ? port : "", db ? db : "");
}

static void
js_hb_pg_check(js_hb_t *hb)
{
    int                 reused;
    char                err[512];
    static const char  *keys[] = {
        "connect_timeout", "application_name", "dbname", NULL
    };
    const char         *values[] = {
        "2", "jobscoutd", hb->w->conf->postgres, NULL
    };

    if (hb->pg != NULL && PQstatus(hb->pg) != CONNECTION_OK) {
        PQfinish(hb->pg);
        hb->pg = NULL;
    }

again:

    reused = hb->pg != NULL;

    if (hb->pg == NULL) {
        /*
         * expand_dbname: the configured conninfo is parsed after our
         * defaults, so its own connect_timeout or application_name wins.
         */
        hb->pg = PQconnectdbParams(keys, values, 1);

        if (hb->pg == NULL || PQstatus(hb->pg) != CONNECTION_OK) {
            js_hb_pg_error(err, sizeof(err), "connect", hb->pg);
            goto failed;
        }
    }

    if (js_hb_pg_query(hb, "SELECT 1", JS_HB_TIMEOUT, NULL, 0, err,
                       sizeof(err))
        != 0)
    {
        /*
         * A kept connection may just be stale (PostgreSQL restarted
         * since the last beat): that is not an outage, try a fresh one.
         */
        if (reused && !js_worker_terminating()) {
            PQfinish(hb->pg);
            hb->pg = NULL;
            goto again;
        }
        goto failed;
    }

    js_hb_pg_addr(hb);
    js_hb_state("postgres", &hb->pg_state, 1, hb->pg_addr, NULL);
    return;

failed:

    js_hb_pg_addr(hb);
    js_hb_state("postgres", &hb->pg_state, 0, hb->pg_addr, err);

    if (hb->pg != NULL) {
        PQfinish(hb->pg);
        hb->pg = NULL;
    }
}

/* accounts deleted 30 days ago go for good, with all their data */
static void
js_hb_purge(js_hb_t *hb, int64_t now)
{
    char  purged[32], err[512];

    if (hb->pg == NULL || now < hb->purge_at) {
        return;
    }

    hb->purge_at = now + JS_HB_PURGE_EVERY;
    purged[0] = '\0';

    if (js_hb_pg_query(hb, "SELECT purge_deleted_accounts()",
                       JS_HB_PURGE_TIMEOUT, purged, sizeof(purged), err,
                       sizeof(err))
        != 0)
    {
        js_log(JS_LOG_ERR, "account purge failed", JS_KS("err", err));
        return;
    }

    if (strcmp(purged, "0") != 0) {
        js_log(JS_LOG_NOTICE, "deleted accounts purged",
               JS_KS("accounts", purged));
    }
}

int
js_heartbeat_run(js_worker_t *w)
{
    char              host[256];
    int64_t           now, next_beat, wake;
    js_hb_t           hb;
    const js_conf_t  *cf = w->conf;

    memset(&hb, 0, sizeof(hb));
    hb.w = w;
    snprintf(hb.pg_addr, sizeof(hb.pg_addr), "postgres");
    hb.redis_backoff = JS_HB_BACKOFF_MIN;

    if (gethostname(host, sizeof(host)) != 0) {
        snprintf(host, sizeof(host), "unknown");
    }
    host[sizeof(host) - 1] = '\0';

    snprintf(hb.key, sizeof(hb.key), "jobscoutd:heartbeat:%s:%ld", host,
             (long) getpid());
    js_iso_time(hb.started_at, sizeof(hb.started_at));

    if (cf->redis_path != NULL) {
        snprintf(hb.redis_addr, sizeof(hb.redis_addr), "unix:%s",
                 cf->redis_path);
    } else {
        snprintf(hb.redis_addr, sizeof(hb.redis_addr), "%s:%d",
                 cf->redis_host, cf->redis_port);
    }

    js_log(JS_LOG_INFO, "heartbeat started", JS_KS("key", hb.key),
           JS_KI("interval_ms", JS_HB_INTERVAL), JS_KI("ttl", JS_HB_TTL));

    next_beat = js_msec();

    /* One beat is the unit of work: QUIT lets the current one finish. */
    while (!js_worker_exiting()) {
        js_worker_service();
        now = js_msec();

        if (now >= next_beat) {
            next_beat = now + JS_HB_INTERVAL;
            js_hb_redis_beat(&hb, now);
            js_hb_pg_check(&hb);
            js_hb_purge(&hb, now);

        } else if (hb.redis == NULL && now >= hb.redis_retry_at) {
            /* Redis came back between beats: say so without waiting. */
            js_hb_redis_beat(&hb, now);
        }

        wake = next_beat;
        if (hb.redis == NULL && hb.redis_retry_at < wake) {
            wake = hb.redis_retry_at;
        }

        now = js_msec();
        if (wake > now && js_worker_sleep((int) (wake - now)) != 0) {
            break;
        }
    }

    js_hb_redis_forget(&hb);

    if (hb.pg != NULL) {
        PQfinish(hb.pg);
    }

    js_log(JS_LOG_INFO, "heartbeat stopped",
           JS_KS("reason", js_worker_terminating() ? "terminate" : "quit"));

    return 0;
}
