#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"
#include "util.h"

#define JS_PG_CONNECT_TIMEOUT  "3"     /* s */
#define JS_PG_BACKOFF_MIN      500     /* ms */
#define JS_PG_BACKOFF_MAX      10000

/* libpq messages span lines; logs are one line each. */
static void
js_pg_message(char *buf, size_t len, const char *what, const char *msg)
{
    char        *d, *last;
    const char  *s;

    snprintf(buf, len, "%s: ", what);
    d = buf + strlen(buf);
    last = buf + len - 1;

    for (s = msg; *s && d < last; s++) {
        if (*s == '\n' || *s == '\t') {
            if (d > buf && d[-1] != ' ') {
                *d++ = ' ';
            }
            continue;
        }
        *d++ = *s;
    }
    while (d > buf && d[-1] == ' ') {
        d--;
    }
    *d = '\0';
}

void
js_pg_init(js_pg_t *pg, const char *conninfo)
{
    memset(pg, 0, sizeof(*pg));
    pg->conninfo = conninfo;
    pg->backoff = JS_PG_BACKOFF_MIN;
    snprintf(pg->addr, sizeof(pg->addr), "postgres");
}

static void
js_pg_addr(js_pg_t *pg)
{
    const char  *host, *port, *db;

    host = PQhost(pg->conn);
    port = PQport(pg->conn);
    db = PQdb(pg->conn);

    snprintf(pg->addr, sizeof(pg->addr), "%s:%s/%s", host ? host : "",
             port ? port : "", db ? db : "");
}

/* Drops the connection; the next js_pg_ready() reconnects after a wait. */
static void
js_pg_down(js_pg_t *pg, const char *err)
{
    if (pg->up != -1) {
        js_log(JS_LOG_ERR, "dependency down", JS_KS("dep", "postgres"),
               JS_KS("addr", pg->addr), JS_KS("err", err));
        pg->up = -1;
    }

    if (pg->conn != NULL) {
        PQfinish(pg->conn);
        pg->conn = NULL;
    }

    pg->busy = 0;
    pg->flushing = 0;
    pg->retry_at = js_msec() + pg->backoff;
    pg->backoff = pg->backoff * 2 > JS_PG_BACKOFF_MAX ? JS_PG_BACKOFF_MAX
                                                      : pg->backoff * 2;
}

static int
js_pg_connect(js_pg_t *pg)
{
    char                err[512];
    static const char  *keys[] = {
        "connect_timeout", "application_name", "dbname", NULL
    };
    const char         *values[] = {
        JS_PG_CONNECT_TIMEOUT, "jobscoutd", pg->conninfo, NULL
    };

    /* expand_dbname: the conninfo's own settings win over ours. */
    pg->conn = PQconnectdbParams(keys, values, 1);

    if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
        js_pg_message(err, sizeof(err), "connect",
                      pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
        if (pg->conn != NULL) {
            js_pg_addr(pg);
        }
        js_pg_down(pg, err);
        return -1;
    }

    if (PQsetnonblocking(pg->conn, 1) != 0) {
        js_pg_down(pg, "PQsetnonblocking() failed");
        return -1;
    }

    js_pg_addr(pg);

    if (pg->up != 1) {
        js_log(pg->up == -1 ? JS_LOG_NOTICE : JS_LOG_INFO,
               pg->up == -1 ? "dependency recovered" : "dependency ok",
               JS_KS("dep", "postgres"), JS_KS("addr", pg->addr));
        pg->up = 1;
    }
    pg->backoff = JS_PG_BACKOFF_MIN;
    pg->connects++;
    return 0;
}

int
js_pg_ready(js_pg_t *pg)
{
    if (pg->busy) {
        return 0;
    }

    if (pg->conn != NULL && PQstatus(pg->conn) != CONNECTION_OK) {
        js_pg_down(pg, "connection lost");
    }

    if (pg->conn == NULL) {
        if (js_msec() < pg->retry_at || js_pg_connect(pg) != 0) {
            return 0;
        }
    }

    return 1;
}

int
js_pg_send(js_pg_t *pg, const char *what, const char *sql, int n,
    const char *const *values, int timeout, js_pg_done_pt done, void *ctx)
{
    int   rc;
    char  err[512];

    if (pg->conn == NULL || pg->busy) {
        return -1;
    }

    if (!PQsendQueryParams(pg->conn, sql, n, NULL, values, NULL, NULL, 0)) {
        js_pg_message(err, sizeof(err), what, PQerrorMessage(pg->conn));
        js_pg_down(pg, err);
        return -1;
    }

    rc = PQflush(pg->conn);
    if (rc == -1) {
        js_pg_message(err, sizeof(err), what, PQerrorMessage(pg->conn));
        js_pg_down(pg, err);
        return -1;
    }

    pg->busy = 1;
    pg->flushing = rc == 1;
    pg->deadline = js_msec() + timeout;
    pg->what = what;
    pg->done = done;
    pg->ctx = ctx;
    pg->res = NULL;
    pg->err[0] = '\0';
    return 0;
}

int
js_pg_fd(js_pg_t *pg, short *events)
{
    if (!pg->busy) {
        return -1;
    }

    *events = POLLIN | (pg->flushing ? POLLOUT : 0);
    return PQsocket(pg->conn);
}

static void
js_pg_finish(js_pg_t *pg, PGresult *res, const char *err)
{
    js_pg_done_pt   done = pg->done;
    void           *ctx = pg->ctx;

    pg->busy = 0;
    pg->done = NULL;
    pg->res = NULL;

    if (done != NULL) {
        done(ctx, res, err);
    } else if (res != NULL) {
        PQclear(res);
    }
}

/* The connection broke or timed out: the query failed with it. */
static void
js_pg_fail(js_pg_t *pg, const char *err)
{
    char        why[512], cancel[256];
    PGcancel   *c;

    snprintf(why, sizeof(why), "%s", err);

    if (pg->res != NULL) {
        PQclear(pg->res);
        pg->res = NULL;
    }

    /* Do not leave the server running a query nobody waits for. */
    if (pg->conn != NULL && PQstatus(pg->conn) == CONNECTION_OK) {
        c = PQgetCancel(pg->conn);
        if (c != NULL) {
            (void) PQcancel(c, cancel, sizeof(cancel));
            PQfreeCancel(c);
        }
    }

    js_pg_down(pg, why);
    js_pg_finish(pg, NULL, why);
}

void
js_pg_process(js_pg_t *pg)
{
    int        rc;
    char       err[512];
    PGresult  *res;

    if (!pg->busy) {
        return;
    }

    if (pg->flushing) {
        rc = PQflush(pg->conn);
        if (rc == -1) {
            js_pg_message(err, sizeof(err), pg->what,
                          PQerrorMessage(pg->conn));
            js_pg_fail(pg, err);
            return;
        }
        pg->flushing = rc == 1;
    }

    if (!PQconsumeInput(pg->conn)) {
        js_pg_message(err, sizeof(err), pg->what, PQerrorMessage(pg->conn));
        js_pg_fail(pg, err);
        return;
    }

    while (!PQisBusy(pg->conn)) {
        res = PQgetResult(pg->conn);

        if (res == NULL) {
            if (pg->err[0] != '\0') {
                js_pg_finish(pg, NULL, pg->err);
            } else if (pg->res == NULL) {
                snprintf(err, sizeof(err), "%s: no result", pg->what);
                js_pg_finish(pg, NULL, err);
            } else {
                js_pg_finish(pg, pg->res, NULL);
            }
            return;
        }

        if (PQresultStatus(res) == PGRES_TUPLES_OK
            || PQresultStatus(res) == PGRES_COMMAND_OK)
        {
            if (pg->res == NULL && pg->err[0] == '\0') {
                pg->res = res;
                continue;
            }
        } else if (pg->err[0] == '\0') {
            js_pg_message(pg->err, sizeof(pg->err), pg->what,
                          PQresultErrorMessage(res));
            if (pg->res != NULL) {
                PQclear(pg->res);
                pg->res = NULL;
            }
        }

        PQclear(res);
    }

    if (js_msec() >= pg->deadline) {
        snprintf(err, sizeof(err), "%s: timed out", pg->what);
        js_pg_fail(pg, err);
    }
}

typedef struct {
    PGresult  *res;
    char      *err;
    size_t     errlen;
    int        finished;
} js_pg_sync_t;

static void
js_pg_sync_done(void *ctx, PGresult *res, const char *err)
{
    js_pg_sync_t  *s = ctx;

    s->res = res;
    s->finished = 1;
    if (err != NULL) {
        snprintf(s->err, s->errlen, "%s", err);
    }
}

PGresult *
js_pg_exec(js_pg_t *pg, const char *what, const char *sql, int n,
    const char *const *values, int timeout, char *err, size_t errlen)
{
    int            fd;
    int64_t        left;
    js_pg_sync_t   s;
    struct pollfd  pfd;

    memset(&s, 0, sizeof(s));
    s.err = err;
    s.errlen = errlen;
    snprintf(err, errlen, "%s: not connected", what);

    if (js_pg_send(pg, what, sql, n, values, timeout, js_pg_sync_done, &s)
        != 0)
    {
        return NULL;
    }

    while (!s.finished) {
        fd = js_pg_fd(pg, &pfd.events);
        left = pg->deadline - js_msec();

        if (fd >= 0 && left > 0) {
            pfd.fd = fd;
            if (poll(&pfd, 1, (int) left) == -1 && errno != EINTR) {
                snprintf(err, errlen, "%s: poll() failed: %s", what,
                         strerror(errno));
                js_pg_fail(pg, err);
                return NULL;
            }
        }

        js_pg_process(pg);
    }

    return s.res;
}

void
js_pg_close(js_pg_t *pg)
{
    if (pg->res != NULL) {
        PQclear(pg->res);
        pg->res = NULL;
    }

    if (pg->conn != NULL) {
        PQfinish(pg->conn);
        pg->conn = NULL;
    }

    pg->busy = 0;
}

void
js_pg_array_add(js_pg_array_t *a, const char *value)
{
    const char  *p, *run;

    js_buf_add(a, a->len == 0 ? "{" : ",", 1);

    if (value == NULL) {
        js_buf_add(a, "NULL", 4);
        return;
    }

    js_buf_add(a, "\"", 1);

    for (run = p = value; *p; p++) {
        if (*p == '"' || *p == '\\') {
            js_buf_add(a, run, p - run);
            js_buf_add(a, "\\", 1);
            run = p;
        }
    }
    js_buf_add(a, run, p - run);

    js_buf_add(a, "\"", 1);
}

int
js_pg_array_end(js_pg_array_t *a)
{
    js_buf_add(a, a->len == 0 ? "{}" : "}", a->len == 0 ? 2 : 1);
    return a->oom ? -1 : 0;
}

void
js_pg_array_free(js_pg_array_t *a)
{
    free(a->p);
    memset(a, 0, sizeof(*a));
}
