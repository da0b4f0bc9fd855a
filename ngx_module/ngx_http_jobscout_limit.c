
/*
 * Job Scout: rate limits shared by every nginx instance, kept in Redis.
 *
 *     jobscout_limit key=<value> rate=<N>r/s|r/m [burst=N] [zone=name]
 *                    [fail=open|closed];
 *     jobscout_limit_error [status] [retry_after=time];
 *
 * A "jobscout_limit" rule is GCRA (the generic cell rate algorithm, the
 * leaky bucket of limit_req ... nodelay) evaluated by one Lua script in
 * Redis: the check and the update are atomic, so any number of nginx
 * instances behind a load balancer share one budget per key.  All rules of
 * a location go to Redis in one script call: one round trip, and a request
 * refused by one rule is not counted by the others.  burst=N lets N
 * requests beyond the rate through at once (N + 1 in a row), never
 * delayed: what limit_req does with "burst=N nodelay".
 *
 * The check runs in the preaccess phase, after limit_conn and limit_req,
 * which refuse the cheap way first.  While Redis answers, the request waits
 * without blocking the worker; the reply re-enters the phase handler.
 *
 * When Redis cannot answer (down, timed out, an error), fail=open (the
 * default) lets the request through with a warning in the error log, and
 * fail=closed refuses it with a JSON 503.  Open is the default because a
 * limiter is a guard against abuse, not a security boundary: a Redis
 * outage must not take down every limited route, and the per-instance
 * limit_req still bounds each nginx.  Routes where a brute force is the
 * threat (login, password reset) should say fail=closed.
 *
 * "jobscout_limit_error" is a content handler answering the JSON error of a
 * rate limit, with Retry-After, for nginx's own limit_req and limit_conn:
 *
 *     limit_req_status 429;
 *     error_page 429 @jobscout_429;
 *     location @jobscout_429 { jobscout_limit_error; }
 *
 * limit_req does not tell when a request would be allowed again, so the
 * Retry-After of this answer is fixed: 1 s unless retry_after= says more.
 */


#include "ngx_http_jobscout.h"

#include <ngx_sha1.h>


#define NGX_HTTP_JOBSCOUT_LIMIT_PREFIX     "jobscout:limit:"
#define NGX_HTTP_JOBSCOUT_LIMIT_MAX_KEY    4096
#define NGX_HTTP_JOBSCOUT_LIMIT_MAX_BURST  100000
#define NGX_HTTP_JOBSCOUT_LIMIT_MAX_ZONE   64

#define NGX_HTTP_JOBSCOUT_LIMIT_WAITING    1
#define NGX_HTTP_JOBSCOUT_LIMIT_REPLIED    2
#define NGX_HTTP_JOBSCOUT_LIMIT_DONE       3


typedef struct {
    ngx_str_t                          name;
    ngx_uint_t                         period;     /* us per request */
    ngx_uint_t                         tolerance;  /* burst * period, us */
} ngx_http_jobscout_limit_zone_t;


typedef struct {
    ngx_http_complex_value_t           key;
    ngx_http_jobscout_limit_zone_t    *zone;
    ngx_str_t                          prefix;     /* "jobscout:limit:z:" */
    ngx_str_t                          period;     /* script arguments */
    ngx_str_t                          tolerance;
    ngx_uint_t                         fail_closed;
} ngx_http_jobscout_limit_rule_t;


typedef struct {
    ngx_array_t                        zones;
} ngx_http_jobscout_limit_main_conf_t;


typedef struct {
    ngx_array_t                        rules;
    ngx_uint_t                         error_status;   /* 0: no handler */
    time_t                             error_retry;
} ngx_http_jobscout_limit_loc_conf_t;


typedef struct {
    ngx_uint_t                         state;
    ngx_uint_t                         nkeys;
    ngx_uint_t                         evalsha;
    ngx_uint_t                         fail_closed;
    ngx_uint_t                         allowed;
    ngx_uint_t                         retry;      /* ms */
    ngx_uint_t                         rule;       /* 1-based, refusing */
    const char                        *error;      /* Redis failed */

    int                                argc;
    const char                       **argv;
    size_t                            *argvlen;
    ngx_http_jobscout_limit_rule_t   **rules;      /* those sent */
} ngx_http_jobscout_limit_ctx_t;


static ngx_int_t ngx_http_jobscout_limit_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_limit_start(ngx_http_request_t *r,
    ngx_http_jobscout_limit_loc_conf_t *llcf);
static ngx_int_t ngx_http_jobscout_limit_send(ngx_http_request_t *r,
    ngx_http_jobscout_limit_ctx_t *ctx);
static void ngx_http_jobscout_limit_reply(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply);
static ngx_int_t ngx_http_jobscout_limit_result(ngx_http_request_t *r,
    ngx_http_jobscout_limit_ctx_t *ctx);
static ngx_http_jobscout_limit_ctx_t *ngx_http_jobscout_limit_get_ctx(
    ngx_http_request_t *r);
static void ngx_http_jobscout_limit_cleanup(void *data);
static ngx_int_t ngx_http_jobscout_limit_error_handler(ngx_http_request_t *r);

static void *ngx_http_jobscout_limit_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_jobscout_limit_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_jobscout_limit_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_jobscout_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_jobscout_limit_rate(ngx_str_t *value,
    ngx_uint_t *period);
static char *ngx_http_jobscout_limit_zone(ngx_conf_t *cf,
    ngx_http_jobscout_limit_loc_conf_t *llcf,
    ngx_http_jobscout_limit_rule_t *rule, ngx_str_t *name, ngx_uint_t period,
    ngx_uint_t tolerance);
static char *ngx_http_jobscout_limit_error(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_jobscout_limit_init(ngx_conf_t *cf);


static ngx_command_t  ngx_http_jobscout_limit_commands[] = {

    { ngx_string("jobscout_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_jobscout_limit,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("jobscout_limit_error"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE12,
      ngx_http_jobscout_limit_error,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_jobscout_limit_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_jobscout_limit_init,          /* postconfiguration */

    ngx_http_jobscout_limit_create_main_conf,
                                           /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_jobscout_limit_create_loc_conf,
                                           /* create location configuration */
    ngx_http_jobscout_limit_merge_loc_conf /* merge location configuration */
};


ngx_module_t  ngx_http_jobscout_limit_module = {
    NGX_MODULE_V1,
    &ngx_http_jobscout_limit_module_ctx,   /* module context */
    ngx_http_jobscout_limit_commands,      /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/*
 * KEYS: one key per rule; ARGV: the period and the tolerance of each rule,
 * in microseconds.  The key holds the rule's theoretical arrival time
 * (TAT).  A request is allowed when TAT - now <= tolerance, and then moves
 * TAT one period on.  Time is Redis's own: the clocks of the nginx hosts
 * may disagree.  A refused request changes nothing; the answer is
 * { allowed, ms until a retry can pass, the refusing rule }.  A key expires
 * when its TAT is past, where it would count as absent anyway.
 */

static ngx_str_t  ngx_http_jobscout_limit_script = ngx_string(
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000000 + t[2]\n"
    "local tat = {}\n"
    "local wait, rule = 0, 0\n"
    "for i = 1, #KEYS do\n"
    "    local period = tonumber(ARGV[2 * i - 1])\n"
    "    local tolerance = tonumber(ARGV[2 * i])\n"
    "    local v = tonumber(redis.call('GET', KEYS[i])) or now\n"
    "    if v < now then v = now end\n"
    "    if v - now > tolerance then\n"
    "        if v - tolerance - now > wait then\n"
    "            wait, rule = v - tolerance - now, i\n"
    "        end\n"
    "    end\n"
    "    tat[i] = v + period\n"
    "end\n"
    "if rule > 0 then\n"
    "    return { 0, math.ceil(wait / 1000), rule }\n"
    "end\n"
    "for i = 1, #KEYS do\n"
    "    redis.call('SET', KEYS[i], string.format('%d', tat[i]),\n"
    "               'PX', math.ceil((tat[i] - now) / 1000))\n"
    "end\n"
    "return { 1, 0, 0 }\n");


/* the script's SHA1 in hex, for EVALSHA */
static u_char      ngx_http_jobscout_limit_sha[2 * 20];

/*
 * Whether this worker has run the script by EVAL already, so that Redis
 * caches it and EVALSHA can be used.  A Redis restart forgets it: EVALSHA
 * then fails with NOSCRIPT, and the request retries with EVAL.
 */
static ngx_uint_t  ngx_http_jobscout_limit_loaded;


static ngx_int_t
ngx_http_jobscout_limit_handler(ngx_http_request_t *r)
{
    ngx_http_jobscout_limit_ctx_t       *ctx;
    ngx_http_jobscout_limit_loc_conf_t  *llcf;

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_jobscout_limit_module);

    if (llcf->rules.nelts == 0 || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_jobscout_limit_get_ctx(r);

    if (ctx == NULL) {
        return ngx_http_jobscout_limit_start(r, llcf);
    }

    switch (ctx->state) {

    case NGX_HTTP_JOBSCOUT_LIMIT_WAITING:

        /*
         * A write event while Redis answers, or an HTTP/2 stream reset:
         * the reply handler re-enters the phase.
         */

        if (r->connection->error) {
            return NGX_HTTP_CLIENT_CLOSED_REQUEST;
        }

        return NGX_AGAIN;

    case NGX_HTTP_JOBSCOUT_LIMIT_REPLIED:
        return ngx_http_jobscout_limit_result(r, ctx);

    default: /* NGX_HTTP_JOBSCOUT_LIMIT_DONE */

        /* counted once per request, as limit_req does, after a redirect */
        return NGX_DECLINED;
    }
}


static ngx_int_t
ngx_http_jobscout_limit_start(ngx_http_request_t *r,
    ngx_http_jobscout_limit_loc_conf_t *llcf)
{
    u_char                          *p;
    ngx_str_t                        value;
    ngx_uint_t                       i, n, nrules;
    ngx_pool_cleanup_t              *cln;
    ngx_http_jobscout_limit_ctx_t   *ctx;
    ngx_http_jobscout_limit_rule_t  *rule;

    rule = llcf->rules.elts;
    nrules = llcf->rules.nelts;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_limit_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* EVALSHA sha numkeys key... (period tolerance)... */

    ctx->argv = ngx_palloc(r->pool, (3 + 3 * nrules) * sizeof(char *));
    ctx->argvlen = ngx_palloc(r->pool, (3 + 3 * nrules) * sizeof(size_t));
    ctx->rules = ngx_palloc(r->pool,
                            nrules * sizeof(ngx_http_jobscout_limit_rule_t *));
    if (ctx->argv == NULL || ctx->argvlen == NULL || ctx->rules == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = 0;

    for (i = 0; i < nrules; i++) {

        if (ngx_http_complex_value(r, &rule[i].key, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* an empty key, as $jobscout_user_id without a token: no limit */

        if (value.len == 0) {
            continue;
        }

        if (value.len > NGX_HTTP_JOBSCOUT_LIMIT_MAX_KEY) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "jobscout_limit: the value of the \"%V\" key "
                          "is more than %d bytes, not limited",
                          &rule[i].key.value, NGX_HTTP_JOBSCOUT_LIMIT_MAX_KEY);
            continue;
        }

        p = ngx_pnalloc(r->pool, rule[i].prefix.len + value.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->argv[3 + n] = (const char *) p;
        ctx->argvlen[3 + n] = rule[i].prefix.len + value.len;

        p = ngx_cpymem(p, rule[i].prefix.data, rule[i].prefix.len);
        ngx_memcpy(p, value.data, value.len);

        ctx->rules[n] = &rule[i];

        if (rule[i].fail_closed) {
            ctx->fail_closed = 1;
        }

        n++;
    }

    if (n == 0) {
        return NGX_DECLINED;
    }

    for (i = 0; i < n; i++) {
        ctx->argv[3 + n + 2 * i] = (const char *) ctx->rules[i]->period.data;
        ctx->argvlen[3 + n + 2 * i] = ctx->rules[i]->period.len;
        ctx->argv[3 + n + 2 * i + 1] =
                                (const char *) ctx->rules[i]->tolerance.data;
        ctx->argvlen[3 + n + 2 * i + 1] = ctx->rules[i]->tolerance.len;
    }

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->argv[2] = (const char *) p;
    ctx->argvlen[2] = ngx_sprintf(p, "%ui", n) - p;
    ctx->argc = 3 + 3 * n;
    ctx->nkeys = n;

    /*
     * The state outlives internal redirects in a pool cleanup, as in the
     * realip module: the request is counted once.
     */

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_jobscout_limit_cleanup;
    cln->data = ctx;

    ngx_http_set_ctx(r, ctx, ngx_http_jobscout_limit_module);

    ctx->evalsha = ngx_http_jobscout_limit_loaded;

    switch (ngx_http_jobscout_limit_send(r, ctx)) {

    case NGX_OK:
        break;

    case NGX_HTTP_SERVICE_UNAVAILABLE:
        ctx->error = "redis unavailable";
        ctx->state = NGX_HTTP_JOBSCOUT_LIMIT_REPLIED;
        return ngx_http_jobscout_limit_result(r, ctx);

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a client closing meanwhile frees the request, its command drops */

    if (ngx_handle_read_event(r->connection->read, 0) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->read_event_handler = ngx_http_test_reading;

    ctx->state = NGX_HTTP_JOBSCOUT_LIMIT_WAITING;

    return NGX_AGAIN;
}


static ngx_int_t
ngx_http_jobscout_limit_send(ngx_http_request_t *r,
    ngx_http_jobscout_limit_ctx_t *ctx)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->redis_client == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (ctx->evalsha) {
        ctx->argv[0] = "EVALSHA";
        ctx->argvlen[0] = sizeof("EVALSHA") - 1;
        ctx->argv[1] = (const char *) ngx_http_jobscout_limit_sha;
        ctx->argvlen[1] = sizeof(ngx_http_jobscout_limit_sha);

    } else {
        ctx->argv[0] = "EVAL";
        ctx->argvlen[0] = sizeof("EVAL") - 1;
        ctx->argv[1] = (const char *) ngx_http_jobscout_limit_script.data;
        ctx->argvlen[1] = ngx_http_jobscout_limit_script.len;
    }

    return ngx_http_jobscout_redis_command(r, ngx_http_jobscout_limit_reply,
                                           ctx, ctx->argc, ctx->argv,
                                           ctx->argvlen);
}


static void
ngx_http_jobscout_limit_reply(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_int_t                       rc;
    redisReply                    **e;
    ngx_connection_t               *c;
    ngx_http_request_t             *r;
    ngx_http_jobscout_limit_ctx_t  *ctx;

    r = cmd->request;
    ctx = cmd->data;
    c = r->connection;

    if (reply == NULL) {

        /*
         * The client reports every error reply as a 500 and keeps its text
         * to the log: after EVALSHA it is most likely NOSCRIPT (Redis
         * restarted or flushed its scripts).  EVAL once more loads the
         * script; any other error fails again and is taken as Redis
         * failing.
         */

        if (cmd->status == NGX_HTTP_INTERNAL_SERVER_ERROR && ctx->evalsha) {
            ngx_http_jobscout_limit_loaded = 0;
            ctx->evalsha = 0;

            rc = ngx_http_jobscout_limit_send(r, ctx);

            if (rc == NGX_OK) {
                return;
            }
        }

        ctx->error = cmd->error;

    } else if (reply->type == REDIS_REPLY_ARRAY
               && reply->elements == 3
               && reply->element[0]->type == REDIS_REPLY_INTEGER
               && reply->element[1]->type == REDIS_REPLY_INTEGER
               && reply->element[2]->type == REDIS_REPLY_INTEGER
               && (reply->element[0]->integer == 1
                   || (reply->element[0]->integer == 0
                       && reply->element[1]->integer >= 0
                       && reply->element[2]->integer >= 1
                       && reply->element[2]->integer
                          <= (long long) ctx->nkeys)))
    {
        e = reply->element;

        ctx->allowed = (e[0]->integer == 1);

        if (!ctx->allowed) {
            ctx->retry = (ngx_uint_t) e[1]->integer;
            ctx->rule = (ngx_uint_t) e[2]->integer;
        }

        if (!ctx->evalsha) {
            ngx_http_jobscout_limit_loaded = 1;
        }

    } else {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "jobscout_limit: unexpected reply from Redis, type %d",
                      reply->type);
        ctx->error = "unexpected reply from redis";
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "jobscout_limit: allowed:%ui retry:%uims error:%s",
                   ctx->allowed, ctx->retry, ctx->error ? ctx->error : "-");

    ctx->state = NGX_HTTP_JOBSCOUT_LIMIT_REPLIED;

    r->read_event_handler = ngx_http_block_reading;
    r->write_event_handler = ngx_http_core_run_phases;

    ngx_http_core_run_phases(r);
    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_http_jobscout_limit_result(ngx_http_request_t *r,
    ngx_http_jobscout_limit_ctx_t *ctx)
{
    u_char                          *p;
    time_t                           retry;
    ngx_int_t                        rc;
    ngx_http_jobscout_limit_rule_t  *rule;

    u_char                           message[sizeof("too many requests, "
                                                    "retry in  s")
                                             + NGX_TIME_T_LEN];

    ctx->state = NGX_HTTP_JOBSCOUT_LIMIT_DONE;

    if (ctx->error) {

        if (!ctx->fail_closed) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "jobscout_limit: %s, request let through "
                          "(fail=open)", ctx->error);
            return NGX_DECLINED;
        }

        rc = ngx_http_jobscout_limit_answer(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                            "unavailable",
                                            "rate limiter unavailable", 0);

    } else if (ctx->allowed) {
        return NGX_DECLINED;

    } else {
        retry = (ctx->retry + 999) / 1000;

        if (retry == 0) {
            retry = 1;
        }

        /* the reply was checked: 1 <= ctx->rule <= ctx->nkeys */

        rule = ctx->rules[ctx->rule - 1];

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "jobscout_limit: limiting requests by zone \"%V\", "
                      "retry in %T s", &rule->zone->name, retry);

        p = ngx_sprintf(message, "too many requests, retry in %T s", retry);
        *p = '\0';
        ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_LIMITED);

        rc = ngx_http_jobscout_limit_answer(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                            "rate_limited",
                                            (const char *) message, retry);
    }

    /* the phase engine would take NGX_OK as "go on": finalize here */

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


static ngx_http_jobscout_limit_ctx_t *
ngx_http_jobscout_limit_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t             *cln;
    ngx_http_jobscout_limit_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_limit_module);

    if (ctx == NULL) {

        /*
         * An internal redirect or a named location cleared the contexts
         * (the latter without setting r->internal): look in the pool.
         */

        for (cln = r->pool->cleanup; cln; cln = cln->next) {
            if (cln->handler == ngx_http_jobscout_limit_cleanup) {
                ctx = cln->data;
                break;
            }
        }
    }

    return ctx;
}


static void
ngx_http_jobscout_limit_cleanup(void *data)
{
    /* a marker only: the context lives in r->pool */
    return;
}


static ngx_int_t
ngx_http_jobscout_limit_error_handler(ngx_http_request_t *r)
{
    u_char                              *p;
    ngx_http_jobscout_limit_loc_conf_t  *llcf;

    u_char  message[sizeof("too many requests, retry in  s")
                    + NGX_TIME_T_LEN];

    llcf = ngx_http_get_module_loc_conf(r, ngx_http_jobscout_limit_module);

    p = ngx_sprintf(message, "too many requests, retry in %T s",
                    llcf->error_retry);
    *p = '\0';
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_LIMITED_NGINX);

    return ngx_http_jobscout_limit_answer(r, llcf->error_status,
                                          "rate_limited",
                                          (const char *) message,
                                          llcf->error_retry);
}


/*
 * The JSON error of the API, with its X-Request-Id: the API's context may
 * not exist this early in the request, or was cleared by error_page.
 */

ngx_int_t
ngx_http_jobscout_limit_answer(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message, time_t retry)
{
    ngx_table_elt_t  *h;

    if (ngx_http_get_module_ctx(r, ngx_http_jobscout_module) == NULL
        && ngx_http_jobscout_init_ctx(r) == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the body was not read yet: left unread, it would be the next request */

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    if (retry) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (h->value.data == NULL) {
            h->hash = 0;
            return NGX_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Retry-After");
        h->value.len = ngx_sprintf(h->value.data, "%T", retry)
                       - h->value.data;
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif
    }

    return ngx_http_jobscout_send_error(r, status, code, message);
}


static void *
ngx_http_jobscout_limit_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_jobscout_limit_main_conf_t  *lmcf;

    lmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jobscout_limit_main_conf_t));
    if (lmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&lmcf->zones, cf->pool, 4,
                       sizeof(ngx_http_jobscout_limit_zone_t))
        != NGX_OK)
    {
        return NULL;
    }

    return lmcf;
}


static void *
ngx_http_jobscout_limit_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_jobscout_limit_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jobscout_limit_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->rules = { NULL };
     *     conf->error_status = 0;
     *     conf->error_retry = 0;
     */

    return conf;
}


static char *
ngx_http_jobscout_limit_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_jobscout_limit_loc_conf_t *prev = parent;
    ngx_http_jobscout_limit_loc_conf_t *conf = child;

    /* as limit_req: rules of an outer level apply when there are none here */

    if (conf->rules.elts == NULL) {
        conf->rules = prev->rules;
    }

    /* the location answering a limit's error is not limited itself */

    if (conf->error_status) {
        conf->rules.nelts = 0;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_jobscout_limit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jobscout_limit_loc_conf_t *llcf = conf;

    char                              *rv;
    u_char                            *p;
    ngx_int_t                          burst;
    ngx_str_t                         *value, s, key, rate, zone;
    ngx_uint_t                         i, period, fail_closed;
    ngx_http_jobscout_limit_rule_t    *rule;
    ngx_http_compile_complex_value_t   ccv;

    value = cf->args->elts;

    ngx_str_null(&key);
    ngx_str_null(&rate);
    ngx_str_null(&zone);
    burst = -1;
    fail_closed = NGX_CONF_UNSET_UINT;
    period = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "key=", 4) == 0 && key.data == NULL) {
            key.data = value[i].data + 4;
            key.len = value[i].len - 4;

            if (key.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "rate=", 5) == 0 && rate.data == NULL) {
            rate.data = value[i].data + 5;
            rate.len = value[i].len - 5;

            if (ngx_http_jobscout_limit_rate(&rate, &period) != NGX_OK) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "burst=", 6) == 0 && burst == -1) {
            burst = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (burst < 0 || burst > NGX_HTTP_JOBSCOUT_LIMIT_MAX_BURST) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0 && zone.data == NULL) {
            zone.data = value[i].data + 5;
            zone.len = value[i].len - 5;

            if (zone.len == 0 || zone.len > NGX_HTTP_JOBSCOUT_LIMIT_MAX_ZONE) {
                goto invalid;
            }

            /* a part of Redis keys: no separators, no spaces */

            for (p = zone.data; p < zone.data + zone.len; p++) {
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                      || (*p >= '0' && *p <= '9')
                      || *p == '_' || *p == '-' || *p == '.'))
                {
                    goto invalid;
                }
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "fail=", 5) == 0
            && fail_closed == NGX_CONF_UNSET_UINT)
        {
            s.data = value[i].data + 5;
            s.len = value[i].len - 5;

            if (s.len == 4 && ngx_strncmp(s.data, "open", 4) == 0) {
                fail_closed = 0;

            } else if (s.len == 6 && ngx_strncmp(s.data, "closed", 6) == 0) {
                fail_closed = 1;

            } else {
                goto invalid;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\" in \"%V\" directive, "
                           "expected key=, rate=, burst=, zone= or fail=, "
                           "each once", &value[i], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (key.data == NULL || rate.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must have \"key=\" and \"rate=\" "
                           "parameters", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (burst == -1) {
        burst = 0;
    }

    if (llcf->rules.elts == NULL) {
        if (ngx_array_init(&llcf->rules, cf->pool, 2,
                           sizeof(ngx_http_jobscout_limit_rule_t))
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    rule = ngx_array_push(&llcf->rules);
    if (rule == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(rule, sizeof(ngx_http_jobscout_limit_rule_t));

    rule->fail_closed = (fail_closed == 1);

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &key;
    ccv.complex_value = &rule->key;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /*
     * Without zone=, a rule is named after its key, rate and burst as
     * written: rules written alike share a budget, as they would share a
     * limit_req zone, and every instance with the same configuration
     * finds the same keys.
     */

    if (zone.data == NULL) {
        zone.len = key.len + rate.len + NGX_INT_T_LEN + 2;
        zone.data = ngx_pnalloc(cf->pool, zone.len);
        if (zone.data == NULL) {
            return NGX_CONF_ERROR;
        }

        zone.len = ngx_sprintf(zone.data, "%V:%V:%i", &key, &rate, burst)
                   - zone.data;
    }

    rv = ngx_http_jobscout_limit_zone(cf, llcf, rule, &zone, period,
                                      (ngx_uint_t) burst * period);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rule->prefix.len = sizeof(NGX_HTTP_JOBSCOUT_LIMIT_PREFIX) - 1
                       + zone.len + 1;
    rule->prefix.data = ngx_pnalloc(cf->pool, rule->prefix.len);
    if (rule->prefix.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(rule->prefix.data, NGX_HTTP_JOBSCOUT_LIMIT_PREFIX "%V:", &zone);

    rule->period.data = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);
    rule->tolerance.data = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);
    if (rule->period.data == NULL || rule->tolerance.data == NULL) {
        return NGX_CONF_ERROR;
    }

    rule->period.len = ngx_sprintf(rule->period.data, "%ui", period)
                       - rule->period.data;
    rule->tolerance.len = ngx_sprintf(rule->tolerance.data, "%ui",
                                      rule->zone->tolerance)
                          - rule->tolerance.data;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive",
                       &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


/* "5r/s" or "30r/m", as in limit_req_zone: microseconds per request */

static ngx_int_t
ngx_http_jobscout_limit_rate(ngx_str_t *value, ngx_uint_t *period)
{
    ngx_int_t   rate;
    ngx_uint_t  scale;

    if (value->len <= 3) {
        return NGX_ERROR;
    }

    if (ngx_strncmp(value->data + value->len - 3, "r/s", 3) == 0) {
        scale = 1;

    } else if (ngx_strncmp(value->data + value->len - 3, "r/m", 3) == 0) {
        scale = 60;

    } else {
        return NGX_ERROR;
    }

    rate = ngx_atoi(value->data, value->len - 3);

    if (rate <= 0 || (ngx_uint_t) rate > scale * 1000000) {
        return NGX_ERROR;
    }

    *period = scale * 1000000 / rate;

    return NGX_OK;
}


/*
 * A zone is one budget: every rule naming it must count alike, or the
 * TATs written by one rule would mean something else to another.
 */

static char *
ngx_http_jobscout_limit_zone(ngx_conf_t *cf,
    ngx_http_jobscout_limit_loc_conf_t *llcf,
    ngx_http_jobscout_limit_rule_t *rule, ngx_str_t *name, ngx_uint_t period,
    ngx_uint_t tolerance)
{
    ngx_uint_t                            i;
    ngx_http_jobscout_limit_zone_t       *zone;
    ngx_http_jobscout_limit_rule_t       *rules;
    ngx_http_jobscout_limit_main_conf_t  *lmcf;

    lmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_jobscout_limit_module);

    zone = lmcf->zones.elts;

    for (i = 0; i < lmcf->zones.nelts; i++) {
        if (zone[i].name.len == name->len
            && ngx_strncmp(zone[i].name.data, name->data, name->len) == 0)
        {
            break;
        }
    }

    if (i < lmcf->zones.nelts) {
        zone = &zone[i];

        if (zone->period != period || zone->tolerance != tolerance) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "jobscout_limit zone \"%V\" is already used "
                               "with another rate or burst", name);
            return NGX_CONF_ERROR;
        }

    } else {
        zone = ngx_array_push(&lmcf->zones);
        if (zone == NULL) {
            return NGX_CONF_ERROR;
        }

        zone->name = *name;
        zone->period = period;
        zone->tolerance = tolerance;
    }

    /* as limit_req: one zone twice in a location would count twice */

    rules = llcf->rules.elts;

    for (i = 0; i < llcf->rules.nelts; i++) {
        if (rules[i].zone == zone) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "jobscout_limit zone \"%V\" is used twice "
                               "in this location", name);
            return NGX_CONF_ERROR;
        }
    }

    rule->zone = zone;

    return NGX_CONF_OK;
}


static char *
ngx_http_jobscout_limit_error(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jobscout_limit_loc_conf_t *llcf = conf;

    time_t                     retry;
    ngx_int_t                  status;
    ngx_str_t                 *value, s;
    ngx_uint_t                 i;
    ngx_http_core_loc_conf_t  *clcf;

    if (llcf->error_status) {
        return "is duplicate";
    }

    value = cf->args->elts;
    status = NGX_HTTP_TOO_MANY_REQUESTS;
    retry = 1;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "retry_after=", 12) == 0) {
            s.data = value[i].data + 12;
            s.len = value[i].len - 12;

            retry = ngx_parse_time(&s, 1);

            if (retry == (time_t) NGX_ERROR || retry == 0) {
                goto invalid;
            }

            continue;
        }

        if (i == 1) {
            status = ngx_atoi(value[i].data, value[i].len);

            if (status < 400 || status > 599) {
                goto invalid;
            }

            continue;
        }

        goto invalid;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler != NULL) {
        return "conflicts with another content handler in this location";
    }

    clcf->handler = ngx_http_jobscout_limit_error_handler;

    llcf->error_status = status;
    llcf->error_retry = retry;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, "
                       "expected a status 400-599 and retry_after=time",
                       &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_http_jobscout_limit_init(ngx_conf_t *cf)
{
    u_char                               hash[20];
    ngx_sha1_t                           sha1;
    ngx_http_handler_pt                 *h;
    ngx_http_core_main_conf_t           *cmcf;
    ngx_http_jobscout_main_conf_t       *jmcf;
    ngx_http_jobscout_limit_main_conf_t *lmcf;

    lmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_jobscout_limit_module);

    if (lmcf->zones.nelts == 0) {
        return NGX_OK;
    }

    jmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_jobscout_module);

    if (jmcf->redis.name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"jobscout_limit\" requires \"jobscout_redis\" "
                           "in the http block");
        return NGX_ERROR;
    }

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, ngx_http_jobscout_limit_script.data,
                    ngx_http_jobscout_limit_script.len);
    ngx_sha1_final(hash, &sha1);

    ngx_hex_dump(ngx_http_jobscout_limit_sha, hash, sizeof(hash));

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    /*
     * nginx runs the handlers of a phase last-added first, and this module
     * comes after limit_conn and limit_req: added first, it runs after them.
     */

    h = cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers.elts;

    ngx_memmove(&h[1], &h[0],
                (cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers.nelts - 1)
                * sizeof(ngx_http_handler_pt));

    h[0] = ngx_http_jobscout_limit_handler;

    return NGX_OK;
}
