
/*
 * Job Scout: one asynchronous hiredis connection per worker, driven by nginx
 * events through an adapter of our own.  Commands are pipelined on it.
 *
 * hiredis 0.14 has no timers: each command carries an nginx timer, and a
 * command whose request timed out or went away stays in hiredis's queue
 * (replies come in order) until its reply arrives and is dropped.
 *
 * On each connection the first reply asked for by the client itself is
 * the server's run_id, new at every start of a Redis server: a cache
 * primed in another server's life (a restart, a failover) is not trusted.
 */


#include "ngx_http_jobscout.h"

#include <hiredis/async.h>


#define NGX_HTTP_JOBSCOUT_REDIS_DOWN         0
#define NGX_HTTP_JOBSCOUT_REDIS_CONNECTING   1
#define NGX_HTTP_JOBSCOUT_REDIS_UP           2

#define NGX_HTTP_JOBSCOUT_REDIS_READS        16
#define NGX_HTTP_JOBSCOUT_REDIS_RUN_ID_LEN   40


struct ngx_http_jobscout_redis_s {
    ngx_http_jobscout_redis_conf_t  *conf;
    ngx_log_t                       *log;
    redisAsyncContext               *ac;
    ngx_connection_t                *connection;
    ngx_uint_t                       state;
    ngx_uint_t                       closing;
    ngx_event_t                      timer;      /* connect or reconnect */
    ngx_msec_t                       backoff;    /* 0: was up */
    u_char                           run_id[NGX_HTTP_JOBSCOUT_REDIS_RUN_ID_LEN];
    size_t                           run_id_len; /* 0: not known yet */
};


static void ngx_http_jobscout_redis_connect(ngx_http_jobscout_redis_t *rc);
static void ngx_http_jobscout_redis_down(ngx_http_jobscout_redis_t *rc);
static void ngx_http_jobscout_redis_timer_handler(ngx_event_t *ev);
static void ngx_http_jobscout_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_jobscout_redis_disconnected(const redisAsyncContext *ac,
    int status);
static void ngx_http_jobscout_redis_info(redisAsyncContext *ac, void *r,
    void *data);
static void ngx_http_jobscout_redis_read_handler(ngx_event_t *rev);
static void ngx_http_jobscout_redis_write_handler(ngx_event_t *wev);
static void ngx_http_jobscout_redis_add_read(void *data);
static void ngx_http_jobscout_redis_del_read(void *data);
static void ngx_http_jobscout_redis_add_write(void *data);
static void ngx_http_jobscout_redis_del_write(void *data);
static void ngx_http_jobscout_redis_cleanup(void *data);
static void ngx_http_jobscout_redis_event(ngx_http_jobscout_redis_t *rc,
    ngx_uint_t write, ngx_uint_t active);
static void ngx_http_jobscout_redis_reply(redisAsyncContext *ac, void *r,
    void *data);
static void ngx_http_jobscout_redis_cmd_timeout(ngx_event_t *ev);
static void ngx_http_jobscout_redis_cmd_cleanup(void *data);
static void ngx_http_jobscout_redis_cmd_detach(
    ngx_http_jobscout_redis_cmd_t *cmd);


ngx_http_jobscout_redis_t *
ngx_http_jobscout_redis_create(ngx_cycle_t *cycle,
    ngx_http_jobscout_redis_conf_t *conf)
{
    ngx_http_jobscout_redis_t  *rc;

    rc = ngx_pcalloc(cycle->pool, sizeof(ngx_http_jobscout_redis_t));
    if (rc == NULL) {
        return NULL;
    }

    rc->conf = conf;
    rc->log = cycle->log;
    rc->backoff = NGX_HTTP_JOBSCOUT_BACKOFF_MIN;
    rc->timer.handler = ngx_http_jobscout_redis_timer_handler;
    rc->timer.data = rc;
    rc->timer.log = rc->log;

    ngx_http_jobscout_redis_connect(rc);

    return rc;
}


ngx_uint_t
ngx_http_jobscout_redis_up(ngx_http_jobscout_redis_t *rc)
{
    return rc->state == NGX_HTTP_JOBSCOUT_REDIS_UP;
}


void
ngx_http_jobscout_redis_close(ngx_http_jobscout_redis_t *rc)
{
    rc->closing = 1;

    if (rc->timer.timer_set) {
        ngx_del_timer(&rc->timer);
    }

    if (rc->ac) {
        /* pending commands get a NULL reply, then the cleanup hook runs */
        redisAsyncFree(rc->ac);
        rc->ac = NULL;
    }

    rc->state = NGX_HTTP_JOBSCOUT_REDIS_DOWN;
}


static void
ngx_http_jobscout_redis_connect(ngx_http_jobscout_redis_t *rc)
{
    redisAsyncContext  *ac;

    if (rc->conf->port) {
        ac = redisAsyncConnect((char *) rc->conf->host.data, rc->conf->port);

    } else {
        ac = redisAsyncConnectUnix((char *) rc->conf->host.data);
    }

    if (ac == NULL || ac->err) {
        ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                      "jobscout: connecting to Redis at %V failed: %s",
                      &rc->conf->name, ac ? ac->errstr : "no memory");

        if (ac) {
            redisAsyncFree(ac);
        }

        ngx_http_jobscout_redis_down(rc);
        return;
    }

    rc->connection = ngx_http_jobscout_event_attach(ac->c.fd, rc,
                                      ngx_http_jobscout_redis_read_handler,
                                      ngx_http_jobscout_redis_write_handler,
                                      rc->log);
    if (rc->connection == NULL) {
        redisAsyncFree(ac);
        ngx_http_jobscout_redis_down(rc);
        return;
    }

    rc->ac = ac;
    rc->state = NGX_HTTP_JOBSCOUT_REDIS_CONNECTING;

    /* the adapter must be in place before hiredis asks for events */

    ac->ev.data = rc;
    ac->ev.addRead = ngx_http_jobscout_redis_add_read;
    ac->ev.delRead = ngx_http_jobscout_redis_del_read;
    ac->ev.addWrite = ngx_http_jobscout_redis_add_write;
    ac->ev.delWrite = ngx_http_jobscout_redis_del_write;
    ac->ev.cleanup = ngx_http_jobscout_redis_cleanup;
    ac->data = rc;

    redisAsyncSetConnectCallback(ac, ngx_http_jobscout_redis_connected);
    redisAsyncSetDisconnectCallback(ac, ngx_http_jobscout_redis_disconnected);

    rc->timer.cancelable = 1;
    ngx_add_timer(&rc->timer, rc->conf->timeout);
}


static void
ngx_http_jobscout_redis_down(ngx_http_jobscout_redis_t *rc)
{
    rc->ac = NULL;
    rc->state = NGX_HTTP_JOBSCOUT_REDIS_DOWN;
    rc->run_id_len = 0;

    if (rc->timer.timer_set) {
        ngx_del_timer(&rc->timer);
    }

    if (!rc->closing) {
        ngx_http_jobscout_event_retry(&rc->timer, &rc->backoff);
    }
}


static void
ngx_http_jobscout_redis_timer_handler(ngx_event_t *ev)
{
    redisAsyncContext          *ac;
    ngx_http_jobscout_redis_t  *rc;

    rc = ev->data;

    if (rc->state == NGX_HTTP_JOBSCOUT_REDIS_DOWN) {
        if (!rc->closing && !ngx_exiting && !ngx_terminate) {
            ngx_http_jobscout_metrics_count(
                NGX_HTTP_JOBSCOUT_METRIC_REDIS_RECONNECTS);
            ngx_http_jobscout_redis_connect(rc);
        }

        return;
    }

    /* connecting timed out: commands queued meanwhile fail */

    ngx_log_error(NGX_LOG_ERR, rc->log, NGX_ETIMEDOUT,
                  "jobscout: connecting to Redis at %V timed out",
                  &rc->conf->name);

    ac = rc->ac;
    rc->ac = NULL;
    redisAsyncFree(ac);

    ngx_http_jobscout_redis_down(rc);
}


static void
ngx_http_jobscout_redis_connected(const redisAsyncContext *ac, int status)
{
    ngx_http_jobscout_redis_t  *rc;

    rc = ac->data;

    if (status != REDIS_OK) {
        /* hiredis frees the context after this callback */
        ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                      "jobscout: connecting to Redis at %V failed: %s",
                      &rc->conf->name, ac->errstr);
        ngx_http_jobscout_redis_down(rc);
        return;
    }

    if (rc->timer.timer_set) {
        ngx_del_timer(&rc->timer);
    }

    rc->state = NGX_HTTP_JOBSCOUT_REDIS_UP;
    rc->backoff = 0;

    ngx_log_error(NGX_LOG_INFO, rc->log, 0,
                  "jobscout: connected to Redis at %V", &rc->conf->name);

    /* after the commands queued while connecting: they see no run_id */

    if (redisAsyncCommand(rc->ac, ngx_http_jobscout_redis_info, rc,
                          "INFO server")
        != REDIS_OK)
    {
        ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                      "jobscout: cannot ask Redis at %V for its run_id",
                      &rc->conf->name);
    }
}


static void
ngx_http_jobscout_redis_info(redisAsyncContext *ac, void *r, void *data)
{
    redisReply                 *reply = r;
    ngx_http_jobscout_redis_t  *rc = data;

    u_char  *p, *last;

    if (reply == NULL || reply->type != REDIS_REPLY_STRING
        || rc->ac != ac)
    {
        return;
    }

    p = ngx_strnstr((u_char *) reply->str, "run_id:", reply->len);
    last = (u_char *) reply->str + reply->len;

    if (p == NULL
        || last - p < (ssize_t) sizeof("run_id:") - 1
                                + NGX_HTTP_JOBSCOUT_REDIS_RUN_ID_LEN)
    {
        ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                      "jobscout: Redis at %V gave no run_id",
                      &rc->conf->name);
        return;
    }

    ngx_memcpy(rc->run_id, p + sizeof("run_id:") - 1,
               NGX_HTTP_JOBSCOUT_REDIS_RUN_ID_LEN);
    rc->run_id_len = NGX_HTTP_JOBSCOUT_REDIS_RUN_ID_LEN;
}


/* the run_id of the Redis server this worker talks to; len 0: unknown */

void
ngx_http_jobscout_redis_run_id(ngx_http_request_t *r, ngx_str_t *run_id)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    run_id->data = jmcf->redis_client->run_id;
    run_id->len = jmcf->redis_client->run_id_len;
}


static void
ngx_http_jobscout_redis_disconnected(const redisAsyncContext *ac, int status)
{
    ngx_http_jobscout_redis_t  *rc;

    rc = ac->data;

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_ERR, rc->log, 0,
                      "jobscout: Redis connection to %V lost: %s",
                      &rc->conf->name, ac->errstr);
    }

    if (rc->ac == ac) {
        ngx_http_jobscout_redis_down(rc);
    }
}


static void
ngx_http_jobscout_redis_read_handler(ngx_event_t *rev)
{
    ngx_uint_t                  n;
    ngx_socket_t                fd;
    redisAsyncContext          *ac;
    ngx_connection_t           *c;
    ngx_http_jobscout_redis_t  *rc;

    c = rev->data;
    rc = c->data;
    ac = rc->ac;
    fd = c->fd;

    /* the context is gone once rc->ac changes: hiredis freed it */

    n = 0;

    do {
        redisAsyncHandleRead(ac);

    } while (rc->ac == ac
             && ++n < NGX_HTTP_JOBSCOUT_REDIS_READS
             && ngx_http_jobscout_socket_readable(fd) == NGX_OK);
}


static void
ngx_http_jobscout_redis_write_handler(ngx_event_t *wev)
{
    ngx_connection_t           *c;
    ngx_http_jobscout_redis_t  *rc;

    c = wev->data;
    rc = c->data;

    redisAsyncHandleWrite(rc->ac);
}


static void
ngx_http_jobscout_redis_add_read(void *data)
{
    ngx_http_jobscout_redis_event(data, 0, 1);
}


static void
ngx_http_jobscout_redis_del_read(void *data)
{
    ngx_http_jobscout_redis_event(data, 0, 0);
}


static void
ngx_http_jobscout_redis_add_write(void *data)
{
    ngx_http_jobscout_redis_event(data, 1, 1);
}


static void
ngx_http_jobscout_redis_del_write(void *data)
{
    ngx_http_jobscout_redis_event(data, 1, 0);
}


static void
ngx_http_jobscout_redis_event(ngx_http_jobscout_redis_t *rc, ngx_uint_t write,
    ngx_uint_t active)
{
    ngx_event_t  *ev;

    if (rc->connection == NULL) {
        return;
    }

    ev = write ? rc->connection->write : rc->connection->read;

    if (ngx_http_jobscout_event_set(ev, active) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, rc->log, 0,
                      "jobscout: cannot watch the Redis socket");
    }
}


static void
ngx_http_jobscout_redis_cleanup(void *data)
{
    ngx_http_jobscout_redis_t  *rc = data;

    /* hiredis closes the socket right after this */

    if (rc->connection) {
        ngx_http_jobscout_event_release(rc->connection);
        rc->connection = NULL;
    }
}


ngx_int_t
ngx_http_jobscout_redis_command(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen)
{
    ngx_http_cleanup_t              *cln;
    ngx_http_jobscout_redis_t       *rc;
    ngx_http_jobscout_redis_cmd_t   *cmd;
    ngx_http_jobscout_main_conf_t   *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    rc = jmcf->redis_client;

    if (rc->ac == NULL) {
        ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_REDIS_ERRORS);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    cln = ngx_http_cleanup_add(r, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* outlives the request when the reply comes late: not in r->pool */

    cmd = ngx_calloc(sizeof(ngx_http_jobscout_redis_cmd_t), rc->log);
    if (cmd == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cmd->request = r;
    cmd->handler = handler;
    cmd->data = data;
    cmd->client = rc;
    cmd->cleanup = cln;
    cmd->timer.handler = ngx_http_jobscout_redis_cmd_timeout;
    cmd->timer.data = cmd;
    cmd->timer.log = r->connection->log;

    if (redisAsyncCommandArgv(rc->ac, ngx_http_jobscout_redis_reply, cmd,
                              argc, argv, argvlen)
        != REDIS_OK)
    {
        ngx_free(cmd);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    cln->handler = ngx_http_jobscout_redis_cmd_cleanup;
    cln->data = cmd;
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_REDIS_COMMANDS);

    ngx_add_timer(&cmd->timer, rc->conf->timeout);

    return NGX_OK;
}


static void
ngx_http_jobscout_redis_reply(redisAsyncContext *ac, void *r, void *data)
{
    redisReply                     *reply = r;
    ngx_http_jobscout_redis_cmd_t  *cmd = data;

    if (cmd->request) {
        ngx_http_jobscout_redis_cmd_detach(cmd);

        if (reply == NULL) {
            cmd->status = NGX_HTTP_SERVICE_UNAVAILABLE;
            cmd->error = "redis unavailable";

        } else if (reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, cmd->request->connection->log, 0,
                          "jobscout: Redis error: %*s",
                          (size_t) reply->len, reply->str);
            cmd->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
            cmd->error = "redis command failed";
            reply = NULL;
        }

        if (reply == NULL) {
            ngx_http_jobscout_metrics_count(
                NGX_HTTP_JOBSCOUT_METRIC_REDIS_ERRORS);
        }

        cmd->handler(cmd, reply);
    }

    /* hiredis frees the reply after this callback */

    ngx_free(cmd);
}


static void
ngx_http_jobscout_redis_cmd_timeout(ngx_event_t *ev)
{
    ngx_http_request_t             *r;
    ngx_http_jobscout_redis_cmd_t  *cmd;

    cmd = ev->data;
    r = cmd->request;

    ngx_log_error(NGX_LOG_ERR, r->connection->log, NGX_ETIMEDOUT,
                  "jobscout: Redis command timed out");

    ngx_http_jobscout_redis_cmd_detach(cmd);

    cmd->status = NGX_HTTP_GATEWAY_TIME_OUT;
    cmd->error = "redis timed out";
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_REDIS_ERRORS);
    cmd->handler(cmd, NULL);

    /* the reply, when it comes, is dropped */
    cmd->request = NULL;
}


static void
ngx_http_jobscout_redis_cmd_cleanup(void *data)
{
    ngx_http_jobscout_redis_cmd_t  *cmd = data;

    /* the request goes away before the reply: drop the reply when it comes */

    ngx_http_jobscout_redis_cmd_detach(cmd);
    cmd->request = NULL;
}


static void
ngx_http_jobscout_redis_cmd_detach(ngx_http_jobscout_redis_cmd_t *cmd)
{
    if (cmd->timer.timer_set) {
        ngx_del_timer(&cmd->timer);
    }

    cmd->cleanup->handler = NULL;
}


char *
ngx_http_jobscout_redis_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    u_char     *host;
    ngx_str_t  *value, s;
    ngx_int_t   n;
    ngx_url_t   u;

    if (jmcf->redis.name.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    jmcf->redis.name = value[1];

    if (ngx_strncmp(value[1].data, "unix:", 5) == 0) {
        if (value[1].len == 5) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "no socket path in \"%V\" directive",
                               &cmd->name);
            return NGX_CONF_ERROR;
        }

        jmcf->redis.host.data = value[1].data + 5;
        jmcf->redis.host.len = value[1].len - 5;
        jmcf->redis.port = 0;

    } else {

        /* resolved now: hiredis would resolve names with blocking DNS */

        ngx_memzero(&u, sizeof(ngx_url_t));
        u.url = value[1];
        u.no_resolve = 0;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.no_port
            || u.naddrs == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid address \"%V\" in \"%V\" directive%s%s"
                               ", expected host:port or unix:/path",
                               &value[1], &cmd->name,
                               u.err ? ": " : "", u.err ? u.err : "");
            return NGX_CONF_ERROR;
        }

        host = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
        if (host == NULL) {
            return NGX_CONF_ERROR;
        }

        jmcf->redis.host.data = host;
        jmcf->redis.host.len = ngx_sock_ntop(u.addrs[0].sockaddr,
                                             u.addrs[0].socklen, host,
                                             NGX_SOCKADDR_STRLEN, 0);
        host[jmcf->redis.host.len] = '\0';
        jmcf->redis.port = u.port;
    }

    if (cf->args->nelts == 3) {
        if (ngx_http_jobscout_conf_param(&value[2], "timeout", &s) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown parameter \"%V\" in \"%V\" directive, "
                               "expected timeout=", &value[2], &cmd->name);
            return NGX_CONF_ERROR;
        }

        n = ngx_http_jobscout_conf_msec(&s);
        if (n == NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid value \"%V\" in \"%V\" directive, "
                               "expected a positive time such as 500ms",
                               &value[2], &cmd->name);
            return NGX_CONF_ERROR;
        }

        jmcf->redis.timeout = n;
    }

    return NGX_CONF_OK;
}
