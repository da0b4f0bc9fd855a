/*
 * One PostgreSQL connection for a role's event loop (libpq, text
 * parameters, one query at a time), usable two ways:
 *
 *   asynchronously, next to other sockets (libcurl's):
 *
 *       if (js_pg_ready(&pg)) {
 *           js_pg_send(&pg, "claim", sql, 2, values, 5000, done, ctx);
 *       }
 *       ... poll js_pg_fd() with the others, then js_pg_process(&pg),
 *       which calls done(ctx, res, NULL) or done(ctx, NULL, why) once
 *
 *   or synchronously: js_pg_exec(&pg, ...), which waits for the answer.
 *
 * Every query has a deadline: libpq would wait forever on a silent
 * network.  A query that misses it, or a lost connection, drops the
 * connection; js_pg_ready() connects again after a doubling backoff.
 * Up/down transitions are logged once, as the heartbeat role does.
 */

#ifndef JS_PG_H
#define JS_PG_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"

typedef void (*js_pg_done_pt)(void *ctx, PGresult *res, const char *err);

typedef struct {
    const char      *conninfo;
    char             addr[300];       /* host:port/db, no secrets */

    PGconn          *conn;
    int              busy;
    int              flushing;        /* the query is not all sent yet */
    int              up;              /* 1 up, -1 down, 0 not yet known */
    unsigned         connects;        /* connections made: a new session
                                       * (its LISTENs gone) when it moves */
    int              backoff;         /* ms */
    int64_t          retry_at;        /* next connect, monotonic ms */
    int64_t          deadline;

    const char      *what;            /* names the query in errors */
    js_pg_done_pt    done;
    void            *ctx;
    PGresult        *res;
    char             err[512];
} js_pg_t;

void js_pg_init(js_pg_t *pg, const char *conninfo);

/*
 * Connected (connecting first when due) and no query running: a query
 * may be sent.  Connecting blocks for at most a few seconds.
 */
int js_pg_ready(js_pg_t *pg);

/*
 * Sends sql with n text parameters (NULL values are SQL NULLs).  done
 * gets the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK, to PQclear())
 * or the reason of the failure.  Returns 0, or -1 when it could not be
 * sent (done is then not called).
 */
int js_pg_send(js_pg_t *pg, const char *what, const char *sql, int n,
    const char *const *values, int timeout, js_pg_done_pt done, void *ctx);

/* The socket to poll and for what (POLLIN, POLLOUT), or -1: idle. */
int js_pg_fd(js_pg_t *pg, short *events);

/* Reads what arrived, checks the deadline, calls done when finished. */
void js_pg_process(js_pg_t *pg);

/*
 * The synchronous form: the result (to PQclear()), or NULL with err
 * set.  Requires js_pg_ready().
 */
PGresult *js_pg_exec(js_pg_t *pg, const char *what, const char *sql, int n,
    const char *const *values, int timeout, char *err, size_t errlen);

void js_pg_close(js_pg_t *pg);

/* A row's n first columns as text, NULL for SQL NULL, into values. */
static inline void
js_pg_values(const PGresult *res, int row, int n, const char **values)
{
    int  c;

    for (c = 0; c < n; c++) {
        values[c] = PQgetisnull(res, row, c) ? NULL
                                             : PQgetvalue(res, row, c);
    }
}


/*
 * A PostgreSQL array literal built element by element, for array
 * parameters: every element quoted, so any text goes.
 *
 *   js_pg_array_t a = { 0 };
 *   js_pg_array_add(&a, "x"); js_pg_array_add(&a, NULL);
 *   ... a.p is "{\"x\",NULL}" once js_pg_array_end(&a) returned 0
 */
typedef js_buf_t  js_pg_array_t;

void js_pg_array_add(js_pg_array_t *a, const char *value);
int js_pg_array_end(js_pg_array_t *a);
void js_pg_array_free(js_pg_array_t *a);

#endif
