
/*
 * Job Scout: a per-worker pool of non-blocking libpq connections driven by
 * nginx events.
 *
 * Statements are prepared on a connection the first time it runs them.
 * A query takes an idle connection, or waits in a bounded queue while every
 * connection is busy or still connecting; when the queue is full, or every
 * connection is down, it fails at once with 503.  Connect and query
 * timeouts are nginx timers; the server also enforces the query timeout
 * (statement_timeout), so a timed-out query stops there too.  A lost
 * connection reconnects with backoff on a cancelable timer, so neither
 * idle nor reconnecting connections delay a graceful shutdown.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_PG_DOWN          0
#define NGX_HTTP_JOBSCOUT_PG_CONNECTING    1
#define NGX_HTTP_JOBSCOUT_PG_IDLE          2
#define NGX_HTTP_JOBSCOUT_PG_BUSY          3

#define NGX_HTTP_JOBSCOUT_QUERY_NEW        0
#define NGX_HTTP_JOBSCOUT_QUERY_WAITING    1
#define NGX_HTTP_JOBSCOUT_QUERY_RUNNING    2
#define NGX_HTTP_JOBSCOUT_QUERY_DONE       3

/* reads per wake-up before yielding to other connections */
#define NGX_HTTP_JOBSCOUT_PG_READS         16


struct ngx_http_jobscout_pg_conn_s {
    ngx_http_jobscout_pg_pool_t    *pool;
    PGconn                         *pgconn;
    ngx_connection_t               *connection;
    ino_t                           socket_id;
    ngx_uint_t                      state;
    ngx_http_jobscout_pg_query_t   *query;      /* NULL: detached */
    PGresult                       *result;
    ngx_http_jobscout_pg_stmt_t    *preparing;  /* PREPARE in flight */
    uint8_t                         prepared[NGX_HTTP_JOBSCOUT_PG_MAX_STMTS
                                             / 8];
    ngx_event_t                     timer;
    ngx_msec_t                      backoff;    /* 0: was up */
    ngx_queue_t                     queue;      /* in pool->idle */
    unsigned                        listen_sent:1;
    unsigned                        listening:1;
};


struct ngx_http_jobscout_pg_pool_s {
    ngx_http_jobscout_pg_conf_t    *conf;
    ngx_log_t                      *log;
    ngx_http_jobscout_pg_conn_t    *conns;
    ngx_queue_t                     idle;
    ngx_queue_t                     waiting;
    ngx_uint_t                      nwaiting;
    ngx_uint_t                      nready;         /* idle or busy */
    ngx_uint_t                      nconnecting;
    ngx_uint_t                      closing;
    const char                     *keys[4];
    const char                     *values[4];
};


static void ngx_http_jobscout_pg_connect(ngx_http_jobscout_pg_conn_t *pgc);
static ngx_int_t ngx_http_jobscout_pg_attach(ngx_http_jobscout_pg_conn_t *pgc);
static void ngx_http_jobscout_pg_connect_poll(
    ngx_http_jobscout_pg_conn_t *pgc);
static void ngx_http_jobscout_pg_close(ngx_http_jobscout_pg_conn_t *pgc,
    ngx_uint_t status, const char *error);
static ngx_int_t ngx_http_jobscout_pg_listen(ngx_http_jobscout_pg_conn_t *pgc);
static void ngx_http_jobscout_pg_timer_handler(ngx_event_t *ev);
static void ngx_http_jobscout_pg_read_handler(ngx_event_t *rev);
static void ngx_http_jobscout_pg_write_handler(ngx_event_t *wev);
static void ngx_http_jobscout_pg_collect(ngx_http_jobscout_pg_conn_t *pgc);
static ngx_int_t ngx_http_jobscout_pg_send(ngx_http_jobscout_pg_conn_t *pgc,
    ngx_http_jobscout_pg_query_t *q);
static void ngx_http_jobscout_pg_done(ngx_http_jobscout_pg_conn_t *pgc);
static void ngx_http_jobscout_pg_dispatch(ngx_http_jobscout_pg_pool_t *pool);
static void ngx_http_jobscout_pg_fail(ngx_http_jobscout_pg_query_t *q,
    ngx_uint_t status, const char *error);
static void ngx_http_jobscout_pg_fail_waiting(
    ngx_http_jobscout_pg_pool_t *pool, const char *error);
static void ngx_http_jobscout_pg_wait_handler(ngx_event_t *ev);
static void ngx_http_jobscout_pg_query_cleanup(void *data);
static void ngx_http_jobscout_pg_log(ngx_uint_t level, ngx_log_t *log,
    const char *what, PGconn *pgconn);
static void ngx_http_jobscout_pg_notice(void *arg, const PGresult *res);


/* statement ids are per worker process, like the connections */
static ngx_uint_t  ngx_http_jobscout_pg_nstmts;

#define ngx_http_jobscout_pg_is_prepared(pgc, stmt)                          \
    ((pgc)->prepared[(stmt)->id / 8] & (1 << ((stmt)->id % 8)))

#define ngx_http_jobscout_pg_set_prepared(pgc, stmt)                         \
    (pgc)->prepared[(stmt)->id / 8] |= (1 << ((stmt)->id % 8))


ngx_http_jobscout_pg_pool_t *
ngx_http_jobscout_pg_pool_create(ngx_cycle_t *cycle,
    ngx_http_jobscout_pg_conf_t *conf)
{
    u_char                       *options;
    ngx_uint_t                    i;
    ngx_http_jobscout_pg_conn_t  *pgc;
    ngx_http_jobscout_pg_pool_t  *pool;

    pool = ngx_pcalloc(cycle->pool, sizeof(ngx_http_jobscout_pg_pool_t));
    if (pool == NULL) {
        return NULL;
    }

    pool->conns = ngx_pcalloc(cycle->pool,
                              conf->pool_size
                              * sizeof(ngx_http_jobscout_pg_conn_t));
    if (pool->conns == NULL) {
        return NULL;
    }

    options = ngx_pnalloc(cycle->pool,
                          sizeof("-c statement_timeout=") + NGX_INT_T_LEN);
    if (options == NULL) {
        return NULL;
    }

    ngx_sprintf(options, "-c statement_timeout=%M%Z", conf->query_timeout);

    pool->conf = conf;
    pool->log = cycle->log;
    ngx_queue_init(&pool->idle);
    ngx_queue_init(&pool->waiting);

    /*
     * Keywords before "dbname" are defaults that the configured conninfo,
     * expanded from "dbname", may override.
     */

    pool->keys[0] = "options";
    pool->values[0] = (const char *) options;
    pool->keys[1] = "fallback_application_name";
    pool->values[1] = "jobscout-nginx";
    pool->keys[2] = "dbname";
    pool->values[2] = (const char *) conf->conninfo.data;
    pool->keys[3] = NULL;
    pool->values[3] = NULL;

    for (i = 0; i < conf->pool_size; i++) {
        pgc = &pool->conns[i];

        pgc->pool = pool;
        pgc->backoff = NGX_HTTP_JOBSCOUT_BACKOFF_MIN;
        pgc->timer.handler = ngx_http_jobscout_pg_timer_handler;
        pgc->timer.data = pgc;
        pgc->timer.log = pool->log;

        ngx_http_jobscout_pg_connect(pgc);
    }

    return pool;
}


void
ngx_http_jobscout_pg_pool_close(ngx_http_jobscout_pg_pool_t *pool)
{
    ngx_uint_t                    i;
    ngx_http_jobscout_pg_conn_t  *pgc;

    pool->closing = 1;

    for (i = 0; i < pool->conf->pool_size; i++) {
        pgc = &pool->conns[i];

        if (pgc->state != NGX_HTTP_JOBSCOUT_PG_DOWN) {
            ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "server is shutting down");
        }

        if (pgc->timer.timer_set) {
            ngx_del_timer(&pgc->timer);
        }
    }
}


static void
ngx_http_jobscout_pg_connect(ngx_http_jobscout_pg_conn_t *pgc)
{
    ngx_http_jobscout_pg_pool_t  *pool;

    pool = pgc->pool;

    /* a new session knows no prepared statement */
    ngx_memzero(pgc->prepared, sizeof(pgc->prepared));

    pgc->pgconn = PQconnectStartParams(pool->keys, pool->values, 1);

    if (pgc->pgconn == NULL) {
        ngx_log_error(NGX_LOG_ALERT, pool->log, 0,
                      "jobscout: PQconnectStartParams() failed: no memory");
        goto failed;
    }

    if (PQstatus(pgc->pgconn) == CONNECTION_BAD
        || PQsetnonblocking(pgc->pgconn, 1) != 0)
    {
        ngx_http_jobscout_pg_log(NGX_LOG_ERR, pool->log,
                                 "connecting to PostgreSQL failed",
                                 pgc->pgconn);
        goto failed;
    }

    PQsetNoticeReceiver(pgc->pgconn, ngx_http_jobscout_pg_notice, pool);

    if (ngx_http_jobscout_pg_attach(pgc) != NGX_OK) {
        goto failed;
    }

    pgc->state = NGX_HTTP_JOBSCOUT_PG_CONNECTING;
    pool->nconnecting++;

    pgc->timer.cancelable = 1;
    ngx_add_timer(&pgc->timer, pool->conf->connect_timeout);

    /* libpq: behave as if PQconnectPoll() had returned "writing" */

    if (ngx_http_jobscout_event_set(pgc->connection->write, 1) != NGX_OK) {
        ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "database unavailable");
    }

    return;

failed:

    /* an unattached connection: close() schedules the retry */

    pgc->state = NGX_HTTP_JOBSCOUT_PG_DOWN;
    ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                               "database unavailable");
}


static ngx_int_t
ngx_http_jobscout_pg_attach(ngx_http_jobscout_pg_conn_t *pgc)
{
    struct stat        st;
    ngx_socket_t       fd;
    ngx_connection_t  *c;

    fd = PQsocket(pgc->pgconn);

    if (fd == (ngx_socket_t) -1 || fstat(fd, &st) == -1) {
        ngx_log_error(NGX_LOG_ERR, pgc->pool->log, ngx_errno,
                      "jobscout: no PostgreSQL socket");
        return NGX_ERROR;
    }

    c = ngx_http_jobscout_event_attach(fd, pgc,
                                       ngx_http_jobscout_pg_read_handler,
                                       ngx_http_jobscout_pg_write_handler,
                                       pgc->pool->log);
    if (c == NULL) {
        return NGX_ERROR;
    }

    pgc->connection = c;
    pgc->socket_id = st.st_ino;

    if (ngx_http_jobscout_event_set(c->read, 1) != NGX_OK) {
        ngx_http_jobscout_event_release(c);
        pgc->connection = NULL;
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_jobscout_pg_connect_poll(ngx_http_jobscout_pg_conn_t *pgc)
{
    struct stat                   st;
    ngx_socket_t                  fd;
    PostgresPollingStatusType     rc;
    ngx_http_jobscout_pg_pool_t  *pool;

    pool = pgc->pool;

    rc = PQconnectPoll(pgc->pgconn);

    if (rc == PGRES_POLLING_FAILED) {
        ngx_http_jobscout_pg_log(NGX_LOG_ERR, pool->log,
                                 "connecting to PostgreSQL failed",
                                 pgc->pgconn);
        ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "database unavailable");
        return;
    }

    /*
     * libpq may close the socket and open another (the next address of a
     * host, a retry without SSL); the new one may reuse the descriptor
     * number, so compare socket inodes, not numbers.
     */

    fd = PQsocket(pgc->pgconn);

    if (fd != pgc->connection->fd
        || fstat(fd, &st) == -1
        || st.st_ino != pgc->socket_id)
    {
        ngx_http_jobscout_event_release(pgc->connection);
        pgc->connection = NULL;

        if (ngx_http_jobscout_pg_attach(pgc) != NGX_OK) {
            ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "database unavailable");
            return;
        }
    }

    switch (rc) {

    case PGRES_POLLING_READING:
        if (ngx_http_jobscout_event_set(pgc->connection->write, 0) != NGX_OK)
        {
            break;
        }

        return;

    case PGRES_POLLING_WRITING:
        if (ngx_http_jobscout_event_set(pgc->connection->write, 1) != NGX_OK)
        {
            break;
        }

        return;

    default: /* PGRES_POLLING_OK */

        if (ngx_http_jobscout_event_set(pgc->connection->write, 0) != NGX_OK)
        {
            break;
        }

        ngx_del_timer(&pgc->timer);

        pool->nconnecting--;
        pool->nready++;
        pgc->state = NGX_HTTP_JOBSCOUT_PG_IDLE;
        pgc->backoff = 0;

        ngx_log_error(NGX_LOG_INFO, pool->log, 0,
                      "jobscout: connected to PostgreSQL, %ui of %ui ready",
                      pool->nready, pool->conf->pool_size);

        /* the first connection listens before it takes queries */

        if (pool->conf->listen && pgc == &pool->conns[0]) {
            if (ngx_http_jobscout_pg_listen(pgc) != NGX_OK) {
                break;
            }

            return;
        }

        ngx_queue_insert_head(&pool->idle, &pgc->queue);
        ngx_http_jobscout_pg_dispatch(pool);
        return;
    }

    ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                               "database unavailable");
}


static void
ngx_http_jobscout_pg_close(ngx_http_jobscout_pg_conn_t *pgc,
    ngx_uint_t status, const char *error)
{
    ngx_http_jobscout_pg_pool_t   *pool;
    ngx_http_jobscout_pg_query_t  *q;

    pool = pgc->pool;
    q = pgc->query;

    switch (pgc->state) {

    case NGX_HTTP_JOBSCOUT_PG_CONNECTING:
        pool->nconnecting--;
        break;

    case NGX_HTTP_JOBSCOUT_PG_IDLE:
        ngx_queue_remove(&pgc->queue);
        /* fall through */

    case NGX_HTTP_JOBSCOUT_PG_BUSY:
        pool->nready--;
        break;
    }

    pgc->state = NGX_HTTP_JOBSCOUT_PG_DOWN;
    pgc->query = NULL;
    pgc->preparing = NULL;
    pgc->listen_sent = 0;

    if (pgc->listening) {
        pgc->listening = 0;
        ngx_http_jobscout_cache_listen(0);
    }

    if (pgc->timer.timer_set) {
        ngx_del_timer(&pgc->timer);
    }

    if (pgc->result) {
        PQclear(pgc->result);
        pgc->result = NULL;
    }

    if (pgc->connection) {
        ngx_http_jobscout_event_release(pgc->connection);
        pgc->connection = NULL;
    }

    if (pgc->pgconn) {
        PQfinish(pgc->pgconn);
        pgc->pgconn = NULL;
    }

    if (!pool->closing) {
        ngx_http_jobscout_event_retry(&pgc->timer, &pgc->backoff);
    }

    if (q) {
        ngx_http_jobscout_pg_fail(q, status, error);
    }

    if (pool->nready == 0 && pool->nconnecting == 0) {
        ngx_http_jobscout_pg_fail_waiting(pool, "database unavailable");
    }
}


/*
 * LISTEN for the response cache, sent as a query of no request: its
 * result makes the connection idle, as any.  Until it is done, and again
 * once the connection is lost, the cache is not used in this worker.
 */

static ngx_int_t
ngx_http_jobscout_pg_listen(ngx_http_jobscout_pg_conn_t *pgc)
{
    int  rc;

    pgc->state = NGX_HTTP_JOBSCOUT_PG_BUSY;
    pgc->listen_sent = 1;

    rc = PQsendQuery(pgc->pgconn, pgc->pool->conf->listen)
         ? PQflush(pgc->pgconn) : -1;

    if (rc == -1
        || ngx_http_jobscout_event_set(pgc->connection->write, rc == 1)
           != NGX_OK)
    {
        ngx_http_jobscout_pg_log(NGX_LOG_ERR, pgc->pool->log,
                                 "sending LISTEN failed", pgc->pgconn);
        return NGX_ERROR;
    }

    pgc->timer.cancelable = 0;
    ngx_add_timer(&pgc->timer, pgc->pool->conf->query_timeout);

    return NGX_OK;
}


ngx_uint_t
ngx_http_jobscout_pg_ready(ngx_http_jobscout_pg_pool_t *pool)
{
    return pool->nready > 0;
}


static void
ngx_http_jobscout_pg_timer_handler(ngx_event_t *ev)
{
    ngx_http_jobscout_pg_conn_t  *pgc;

    pgc = ev->data;

    switch (pgc->state) {

    case NGX_HTTP_JOBSCOUT_PG_DOWN:
        if (!pgc->pool->closing && !ngx_exiting && !ngx_terminate) {
            ngx_http_jobscout_metrics_count(
                NGX_HTTP_JOBSCOUT_METRIC_PG_RECONNECTS);
            ngx_http_jobscout_pg_connect(pgc);
        }

        return;

    case NGX_HTTP_JOBSCOUT_PG_CONNECTING:
        ngx_log_error(NGX_LOG_ERR, pgc->pool->log, NGX_ETIMEDOUT,
                      "jobscout: connecting to PostgreSQL timed out");
        ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "database unavailable");
        return;

    default: /* NGX_HTTP_JOBSCOUT_PG_BUSY */
        ngx_log_error(NGX_LOG_ERR, pgc->pool->log, NGX_ETIMEDOUT,
                      "jobscout: PostgreSQL query timed out");
        ngx_http_jobscout_pg_close(pgc, NGX_HTTP_GATEWAY_TIME_OUT,
                                   "database query timed out");
        return;
    }
}


static void
ngx_http_jobscout_pg_read_handler(ngx_event_t *rev)
{
    ngx_uint_t                    n;
    PGnotify                     *notify;
    ngx_connection_t             *c;
    ngx_http_jobscout_pg_conn_t  *pgc;

    c = rev->data;
    pgc = c->data;

    if (pgc->state == NGX_HTTP_JOBSCOUT_PG_CONNECTING) {
        ngx_http_jobscout_pg_connect_poll(pgc);
        return;
    }

    n = 0;

    do {
        if (!PQconsumeInput(pgc->pgconn)) {
            ngx_http_jobscout_pg_log(NGX_LOG_ERR, pgc->pool->log,
                                     "PostgreSQL connection lost",
                                     pgc->pgconn);
            ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "database connection lost");
            return;
        }

    } while (++n < NGX_HTTP_JOBSCOUT_PG_READS
             && ngx_http_jobscout_socket_readable(c->fd) == NGX_OK);

    while ((notify = PQnotifies(pgc->pgconn)) != NULL) {
        if (pgc->listening) {
            ngx_http_jobscout_cache_notified(notify->extra);
        }

        PQfreemem(notify);
    }

    if (pgc->state == NGX_HTTP_JOBSCOUT_PG_BUSY) {
        ngx_http_jobscout_pg_collect(pgc);
    }
}


static void
ngx_http_jobscout_pg_write_handler(ngx_event_t *wev)
{
    int                           rc;
    ngx_connection_t             *c;
    ngx_http_jobscout_pg_conn_t  *pgc;

    c = wev->data;
    pgc = c->data;

    if (pgc->state == NGX_HTTP_JOBSCOUT_PG_CONNECTING) {
        ngx_http_jobscout_pg_connect_poll(pgc);
        return;
    }

    rc = (pgc->state == NGX_HTTP_JOBSCOUT_PG_BUSY) ? PQflush(pgc->pgconn) : 0;

    if (rc == -1
        || ngx_http_jobscout_event_set(wev, rc == 1) != NGX_OK)
    {
        ngx_http_jobscout_pg_log(NGX_LOG_ERR, pgc->pool->log,
                                 "sending to PostgreSQL failed", pgc->pgconn);
        ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "database connection lost");
        return;
    }

    /* PQflush() reads input while the socket is full: results may be in */

    if (pgc->state == NGX_HTTP_JOBSCOUT_PG_BUSY) {
        ngx_http_jobscout_pg_collect(pgc);
    }
}


static void
ngx_http_jobscout_pg_collect(ngx_http_jobscout_pg_conn_t *pgc)
{
    PGresult  *res;

    while (!PQisBusy(pgc->pgconn)) {

        res = PQgetResult(pgc->pgconn);

        if (res == NULL) {
            ngx_http_jobscout_pg_done(pgc);
            return;
        }

        /* one statement per query: keep the first result */

        if (pgc->result == NULL) {
            pgc->result = res;

        } else {
            PQclear(res);
        }
    }

    if (PQstatus(pgc->pgconn) == CONNECTION_BAD) {
        ngx_http_jobscout_pg_close(pgc, NGX_HTTP_SERVICE_UNAVAILABLE,
                                   "database connection lost");
    }
}


static ngx_int_t
ngx_http_jobscout_pg_send(ngx_http_jobscout_pg_conn_t *pgc,
    ngx_http_jobscout_pg_query_t *q)
{
    int                           rc, sent;
    ngx_http_jobscout_pg_stmt_t  *stmt;

    stmt = q->stmt;

    /*
     * Every caller has already taken pgc off the idle queue: closing it
     * as idle on a failed send would remove it from that queue twice.
     */
    pgc->state = NGX_HTTP_JOBSCOUT_PG_BUSY;

    if (stmt->name == NULL) {
        sent = PQsendQueryParams(pgc->pgconn, stmt->sql, stmt->nparams, NULL,
                                 q->values, NULL, NULL, 0);

    } else if (ngx_http_jobscout_pg_is_prepared(pgc, stmt)) {
        sent = PQsendQueryPrepared(pgc->pgconn, stmt->name, stmt->nparams,
                                   q->values, NULL, NULL, 0);

    } else {
        sent = PQsendPrepare(pgc->pgconn, stmt->name, stmt->sql,
                             stmt->nparams, NULL);
        pgc->preparing = stmt;
    }

    rc = sent ? PQflush(pgc->pgconn) : -1;

    if (rc == -1
        || ngx_http_jobscout_event_set(pgc->connection->write, rc == 1)
           != NGX_OK)
    {
        ngx_http_jobscout_pg_log(NGX_LOG_ERR, pgc->pool->log,
                                 "sending to PostgreSQL failed", pgc->pgconn);
        ngx_http_jobscout_pg_close(pgc, 0, NULL);
        return NGX_ERROR;
    }

    pgc->query = q;
    q->conn = pgc;
    q->state = NGX_HTTP_JOBSCOUT_QUERY_RUNNING;

    /* one timeout covers PREPARE and EXECUTE */

    if (!pgc->timer.timer_set) {
        pgc->timer.cancelable = 0;
        ngx_add_timer(&pgc->timer, pgc->pool->conf->query_timeout);
    }

    return NGX_OK;
}


static void
ngx_http_jobscout_pg_done(ngx_http_jobscout_pg_conn_t *pgc)
{
    PGresult                      *res;
    ngx_http_jobscout_pg_pool_t   *pool;
    ngx_http_jobscout_pg_query_t  *q;

    pool = pgc->pool;
    q = pgc->query;
    res = pgc->result;

    pgc->query = NULL;
    pgc->result = NULL;

    if (pgc->listen_sent && !pgc->listening) {
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
            ngx_http_jobscout_pg_log(NGX_LOG_ERR, pool->log,
                                     "LISTEN failed", pgc->pgconn);

        } else {
            pgc->listening = 1;
            ngx_http_jobscout_cache_listen(1);
        }
    }

    if (pgc->preparing) {

        if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
            ngx_http_jobscout_pg_set_prepared(pgc, pgc->preparing);
            pgc->preparing = NULL;
            PQclear(res);
            res = NULL;

            if (q) {
                /* still busy: now the statement itself */
                if (ngx_http_jobscout_pg_send(pgc, q) != NGX_OK) {
                    ngx_http_jobscout_pg_fail(q, NGX_HTTP_SERVICE_UNAVAILABLE,
                                              "database connection lost");
                }

                return;
            }
        }

        /* a failed PREPARE is the query's result: its error */
        pgc->preparing = NULL;
    }

    pgc->state = NGX_HTTP_JOBSCOUT_PG_IDLE;
    ngx_queue_insert_head(&pool->idle, &pgc->queue);

    if (pgc->timer.timer_set) {
        ngx_del_timer(&pgc->timer);
    }

    if (q) {
        q->state = NGX_HTTP_JOBSCOUT_QUERY_DONE;
        q->cleanup->handler = NULL;

        if (res == NULL) {
            q->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
            q->error = "database returned no result";
        }

        q->handler(q, res);
    }

    if (res) {
        PQclear(res);
    }

    ngx_http_jobscout_pg_dispatch(pool);
}


static void
ngx_http_jobscout_pg_dispatch(ngx_http_jobscout_pg_pool_t *pool)
{
    ngx_queue_t                   *qq;
    ngx_http_jobscout_pg_conn_t   *pgc;
    ngx_http_jobscout_pg_query_t  *q;

    while (!ngx_queue_empty(&pool->waiting) && !ngx_queue_empty(&pool->idle))
    {
        qq = ngx_queue_head(&pool->waiting);
        q = ngx_queue_data(qq, ngx_http_jobscout_pg_query_t, queue);

        qq = ngx_queue_head(&pool->idle);
        pgc = ngx_queue_data(qq, ngx_http_jobscout_pg_conn_t, queue);

        ngx_queue_remove(&q->queue);
        ngx_queue_remove(&pgc->queue);
        pool->nwaiting--;

        if (q->wait.timer_set) {
            ngx_del_timer(&q->wait);
        }

        if (ngx_http_jobscout_pg_send(pgc, q) != NGX_OK) {
            ngx_http_jobscout_pg_fail(q, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "database connection lost");
        }
    }
}


ngx_int_t
ngx_http_jobscout_pg_query(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q)
{
    ngx_queue_t                    *qq;
    ngx_http_cleanup_t             *cln;
    ngx_http_jobscout_pg_conn_t    *pgc;
    ngx_http_jobscout_pg_pool_t    *pool;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    pool = jmcf->pg_pool;

    q->request = r;
    q->state = NGX_HTTP_JOBSCOUT_QUERY_NEW;
    q->status = NGX_HTTP_SERVICE_UNAVAILABLE;

    if (q->stmt->name && q->stmt->id == 0) {
        /* ids start at 1: 0 means not seen yet */

        if (ngx_http_jobscout_pg_nstmts == NGX_HTTP_JOBSCOUT_PG_MAX_STMTS - 1)
        {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "jobscout: more than %d statements",
                          NGX_HTTP_JOBSCOUT_PG_MAX_STMTS);
            q->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
            q->error = "internal error";
            return NGX_ERROR;
        }

        q->stmt->id = ++ngx_http_jobscout_pg_nstmts;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        q->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        q->error = "out of memory";
        return NGX_ERROR;
    }

    cln->handler = ngx_http_jobscout_pg_query_cleanup;
    cln->data = q;
    q->cleanup = cln;

    while (!ngx_queue_empty(&pool->idle)) {
        qq = ngx_queue_head(&pool->idle);
        pgc = ngx_queue_data(qq, ngx_http_jobscout_pg_conn_t, queue);

#ifdef __clang_analyzer__
        /*
         * A head's prev is the sentinel: unknown to the analyzer, which
         * then finds the removed (debug-nulled) head at the head again.
         */
        if (qq->prev != &pool->idle) {
            __builtin_unreachable();
        }
#endif

        ngx_queue_remove(qq);

        if (ngx_http_jobscout_pg_send(pgc, q) == NGX_OK) {
            return NGX_OK;
        }
    }

    if (pool->nready + pool->nconnecting == 0) {
        cln->handler = NULL;
        q->error = "database unavailable";
        ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_PG_ERRORS);
        return NGX_ERROR;
    }

    if (pool->nwaiting >= pool->conf->queue_size) {
        cln->handler = NULL;
        q->error = "database busy, try again later";
        ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_PG_ERRORS);
        return NGX_ERROR;
    }

    q->state = NGX_HTTP_JOBSCOUT_QUERY_WAITING;
    ngx_queue_insert_tail(&pool->waiting, &q->queue);
    pool->nwaiting++;

    q->wait.handler = ngx_http_jobscout_pg_wait_handler;
    q->wait.data = q;
    q->wait.log = r->connection->log;
    ngx_add_timer(&q->wait, pool->conf->query_timeout);

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_pg_send_error(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    const char  *sqlstate;

    if (res == NULL) {
        return ngx_http_jobscout_send_error(r, q->status,
                   q->status == NGX_HTTP_GATEWAY_TIME_OUT ? "timeout"
                   : q->status == NGX_HTTP_SERVICE_UNAVAILABLE ? "unavailable"
                   : "internal_error",
                   q->error);
    }

    sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "jobscout: query failed: SQLSTATE %s: %s",
                  sqlstate ? sqlstate : "-", PQresultErrorMessage(res));

    /* query_canceled: statement_timeout, the server side of query_timeout */

    if (sqlstate && ngx_strcmp(sqlstate, "57014") == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_GATEWAY_TIME_OUT,
                                            "timeout",
                                            "database query timed out");
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                        "internal_error", "database error");
}


/*
 * A handler's result that must hold a row: NGX_OK when it does; otherwise
 * the request is answered (a failure as ngx_http_jobscout_pg_send_error()
 * answers it, no row by none(), or as a failure when none is NULL and the
 * statement returns exactly one row) and finalized.
 */

ngx_int_t
ngx_http_jobscout_pg_row(ngx_http_jobscout_pg_query_t *q, PGresult *res,
    ngx_int_t (*none)(ngx_http_request_t *r))
{
    int                  rows;
    ngx_http_request_t  *r;

    r = q->request;

    rows = (res && PQresultStatus(res) == PGRES_TUPLES_OK) ? PQntuples(res)
                                                          : -1;

    if (rows == 0 && none != NULL) {
        ngx_http_jobscout_finalize(r, none(r));
        return NGX_DECLINED;
    }

    if (rows < 1 || (none == NULL && rows != 1)) {
        ngx_http_jobscout_finalize(r,
                                ngx_http_jobscout_pg_send_error(r, q, res));
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static void
ngx_http_jobscout_pg_fail(ngx_http_jobscout_pg_query_t *q, ngx_uint_t status,
    const char *error)
{
    if (q->wait.timer_set) {
        ngx_del_timer(&q->wait);
    }

    q->state = NGX_HTTP_JOBSCOUT_QUERY_DONE;
    q->status = status;
    q->error = error;
    q->cleanup->handler = NULL;
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_PG_ERRORS);

    q->handler(q, NULL);
}


static void
ngx_http_jobscout_pg_fail_waiting(ngx_http_jobscout_pg_pool_t *pool,
    const char *error)
{
    ngx_queue_t                   *qq;
    ngx_http_jobscout_pg_query_t  *q;

    while (!ngx_queue_empty(&pool->waiting)) {
        qq = ngx_queue_head(&pool->waiting);
        q = ngx_queue_data(qq, ngx_http_jobscout_pg_query_t, queue);

        ngx_queue_remove(qq);
        pool->nwaiting--;

        ngx_http_jobscout_pg_fail(q, NGX_HTTP_SERVICE_UNAVAILABLE, error);
    }
}


static void
ngx_http_jobscout_pg_wait_handler(ngx_event_t *ev)
{
    ngx_http_jobscout_pg_query_t   *q;
    ngx_http_jobscout_main_conf_t  *jmcf;

    q = ev->data;

    jmcf = ngx_http_get_module_main_conf(q->request, ngx_http_jobscout_module);

    ngx_queue_remove(&q->queue);
    jmcf->pg_pool->nwaiting--;

    ngx_http_jobscout_pg_fail(q, NGX_HTTP_SERVICE_UNAVAILABLE,
                              "database busy, try again later");
}


static void
ngx_http_jobscout_pg_query_cleanup(void *data)
{
    ngx_http_jobscout_pg_query_t  *q = data;

    ngx_http_jobscout_main_conf_t  *jmcf;

    /* the request goes away before its query finished */

    switch (q->state) {

    case NGX_HTTP_JOBSCOUT_QUERY_WAITING:
        jmcf = ngx_http_get_module_main_conf(q->request,
                                             ngx_http_jobscout_module);
        ngx_queue_remove(&q->queue);
        jmcf->pg_pool->nwaiting--;
        break;

    case NGX_HTTP_JOBSCOUT_QUERY_RUNNING:
        /* the connection returns to the pool when its result arrives */
        q->conn->query = NULL;
        break;
    }

    if (q->wait.timer_set) {
        ngx_del_timer(&q->wait);
    }

    q->state = NGX_HTTP_JOBSCOUT_QUERY_DONE;
}


static void
ngx_http_jobscout_pg_log(ngx_uint_t level, ngx_log_t *log, const char *what,
    PGconn *pgconn)
{
    size_t       len;
    const char  *msg;

    msg = pgconn ? PQerrorMessage(pgconn) : "";
    len = ngx_strlen(msg);

    /* libpq ends its messages with a newline */

    while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r')) {
        len--;
    }

    ngx_log_error(level, log, 0, "jobscout: %s: %*s", what, len, msg);
}


/*
 * Warnings and notices of the server (a full-text query of stop words
 * only, ...) go to the error log, not to the worker's stderr as libpq's
 * default receiver would have it.
 */

static void
ngx_http_jobscout_pg_notice(void *arg, const PGresult *res)
{
    ngx_http_jobscout_pg_pool_t *pool = arg;

    size_t       len;
    ngx_uint_t   level;
    const char  *severity, *msg;

    severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

    if (severity == NULL || msg == NULL) {
        return;
    }

    len = ngx_strlen(msg);
    level = ngx_strcmp(severity, "WARNING") == 0 ? NGX_LOG_WARN
                                                 : NGX_LOG_INFO;

    ngx_log_error(level, pool->log, 0, "jobscout: PostgreSQL %s: %*s",
                  severity, len, msg);
}


char *
ngx_http_jobscout_pg_directive(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    char               *errmsg;
    size_t              len;
    ngx_int_t           n;
    ngx_str_t          *value, s;
    ngx_uint_t          i;
    PQconninfoOption   *opts, *o;

    if (jmcf->pg.conninfo.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* libpq wants a NUL-terminated string; nginx arguments are terminated */

    opts = PQconninfoParse((char *) value[1].data, &errmsg);

    if (opts == NULL) {
        if (errmsg == NULL) {
            return "failed: no memory";
        }

        len = ngx_strlen(errmsg);
        while (len && errmsg[len - 1] == '\n') {
            len--;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid conninfo \"%V\" in \"%V\" directive: %*s",
                           &value[1], &cmd->name, len, errmsg);
        PQfreemem(errmsg);
        return NGX_CONF_ERROR;
    }

    for (o = opts; o->keyword; o++) {
        if (ngx_strcmp(o->keyword, "host") == 0
            && o->val && o->val[0] != '/'
            && ngx_strchr(o->val, ':') == NULL
            && ngx_inet_addr((u_char *) o->val, ngx_strlen(o->val))
               == INADDR_NONE)
        {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "\"%V\": host \"%s\" is not an IP address: "
                               "libpq resolves it with blocking DNS on every "
                               "connect, set \"hostaddr\" too",
                               &cmd->name, o->val);
        }
    }

    PQconninfoFree(opts);

    jmcf->pg.conninfo = value[1];

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_http_jobscout_conf_param(&value[i], "pool", &s) == NGX_OK) {
            n = ngx_atoi(s.data, s.len);
            if (n < 1 || n > 1024) {
                goto invalid;
            }

            jmcf->pg.pool_size = n;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "queue", &s) == NGX_OK) {
            n = ngx_atoi(s.data, s.len);
            if (n < 0 || n > 65536) {
                goto invalid;
            }

            jmcf->pg.queue_size = n;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "connect_timeout", &s)
            == NGX_OK)
        {
            n = ngx_http_jobscout_conf_msec(&s);
            if (n == NGX_ERROR) {
                goto invalid;
            }

            jmcf->pg.connect_timeout = n;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "query_timeout", &s)
            == NGX_OK)
        {
            n = ngx_http_jobscout_conf_msec(&s);
            if (n == NGX_ERROR) {
                goto invalid;
            }

            jmcf->pg.query_timeout = n;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown parameter \"%V\" in \"%V\" directive, "
                           "expected pool=, queue=, connect_timeout= or "
                           "query_timeout=", &value[i], &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive: pool is "
                       "1..1024, queue is 0..65536, timeouts are positive "
                       "times such as 500ms or 5s", &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


void
ngx_http_jobscout_pg_pool_stats(ngx_http_jobscout_pg_pool_t *pool,
    ngx_uint_t *busy, ngx_uint_t *idle, ngx_uint_t *waiting)
{
    ngx_uint_t    n;
    ngx_queue_t  *qq;

    n = 0;

    for (qq = ngx_queue_head(&pool->idle);
         qq != ngx_queue_sentinel(&pool->idle);
         qq = ngx_queue_next(qq))
    {
        n++;
    }

    *idle = n;
    *busy = pool->nready - n;
    *waiting = pool->nwaiting;
}
