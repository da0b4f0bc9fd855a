
/*
 * Job Scout: login attempts per account, from whatever address.
 *
 *     jobscout_login_throttle [failures=N] [window=time] [backoff=time]
 *                             [max=time] [known=time] | off;
 *
 * The per-address budgets (jobscout_limit) cannot stop a password guessed
 * from many addresses.  Here every login attempt for an account is counted
 * in Redis before its password is checked (atomically, so parallel guesses
 * count too), keyed by the SHA-256 of the lower-cased address, whether the
 * account exists or not: the answers tell nothing about which accounts do.
 * The attempt that reaches "failures" within "window" (the window restarts
 * with each attempt) pauses logins for the account for "backoff", and each
 * further attempt after a pause doubles it, up to "max": past the budget,
 * one guess per pause at most.  A paused login answers 429 with
 * Retry-After, without checking the password.
 *
 * The owner is not locked out for long: a pause lasts "max" at most, and
 * the addresses the account logged in from within "known" are not paused
 * at all (the per-address budget still holds them).  A successful login
 * refunds its attempt, so the owner's own logins never add up.  When a
 * failed attempt uses up the budget, the module queues an e-mail to the
 * owner (mail.login_throttled): once per episode, since the count only
 * starts again after a quiet window.
 */


#include "ngx_http_jobscout.h"

#include <openssl/sha.h>


#define NGX_HTTP_JOBSCOUT_LOGIN_ATTEMPTS  "jobscout:login:attempts:"
#define NGX_HTTP_JOBSCOUT_LOGIN_PAUSE     "jobscout:login:pause:"
#define NGX_HTTP_JOBSCOUT_LOGIN_KNOWN     "jobscout:login:known:"

/* the newest addresses an account logged in from, remembered */
#define NGX_HTTP_JOBSCOUT_LOGIN_KNOWN_MAX  "20"


static ngx_int_t ngx_http_jobscout_throttle_key(ngx_http_request_t *r,
    ngx_str_t *key, const char *prefix, size_t len, u_char *digest);
static ngx_int_t ngx_http_jobscout_throttle_number(ngx_http_request_t *r,
    ngx_str_t *value, ngx_uint_t n);
static ngx_int_t ngx_http_jobscout_throttle_eval(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data,
    const char *script, ngx_uint_t nkeys, ngx_str_t *args, ngx_uint_t nargs);


/*
 * KEYS: the attempts, the pause, the known addresses.  ARGV: the client's
 * address, "known" (s), "failures", "window" (s), "backoff" and "max"
 * (ms).  Answers { 0, ms left } while paused, else { 1, the attempt's
 * number }.  Known addresses are a sorted set, scored by the last login.
 */

static const char  ngx_http_jobscout_throttle_check_lua[] =
    "local now = tonumber(redis.call('TIME')[1]) "
    "local left = redis.call('PTTL', KEYS[2]) "
    "if left > 0 then "
    "  local seen = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[1])) "
    "  if not seen or seen < now - tonumber(ARGV[2]) then "
    "    return {0, left} "
    "  end "
    "end "
    "local n = redis.call('INCR', KEYS[1]) "
    "redis.call('EXPIRE', KEYS[1], ARGV[4]) "
    "local over = n - tonumber(ARGV[3]) "
    "if over >= 0 then "
    "  local ms = tonumber(ARGV[6]) "
    "  if over < 40 then "
    "    ms = math.min(tonumber(ARGV[5]) * 2 ^ over, ms) "
    "  end "
    "  if ms > left then "
    "    redis.call('SET', KEYS[2], '1', 'PX', string.format('%d', ms)) "
    "  end "
    "end "
    "return {1, n}";

/*
 * KEYS: the attempts, the known addresses.  ARGV: the client's address,
 * "known" (s).
 */

static const char  ngx_http_jobscout_throttle_passed_lua[] =
    "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then "
    "  redis.call('DECR', KEYS[1]) "
    "end "
    "if tonumber(ARGV[2]) > 0 then "
    "  redis.call('ZADD', KEYS[2], redis.call('TIME')[1], ARGV[1]) "
    "  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, "
    "             -" NGX_HTTP_JOBSCOUT_LOGIN_KNOWN_MAX " - 1) "
    "  redis.call('EXPIRE', KEYS[2], ARGV[2]) "
    "end "
    "return 1";


ngx_int_t
ngx_http_jobscout_throttle_check(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t, ngx_str_t *email,
    ngx_http_jobscout_redis_handler_pt handler, void *data)
{
    u_char                             *low;
    u_char                              digest[SHA256_DIGEST_LENGTH];
    ngx_str_t                           args[9];
    ngx_http_jobscout_main_conf_t      *jmcf;
    ngx_http_jobscout_throttle_conf_t  *conf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    conf = &jmcf->throttle;

    if (conf->failures == 0) {
        return NGX_DECLINED;
    }

    low = ngx_pnalloc(r->pool, email->len);
    if (low == NULL) {
        return NGX_ERROR;
    }

    ngx_strlow(low, email->data, email->len);
    SHA256(low, email->len, digest);

    if (ngx_http_jobscout_throttle_key(r, &t->attempts,
                            NGX_HTTP_JOBSCOUT_LOGIN_ATTEMPTS,
                            sizeof(NGX_HTTP_JOBSCOUT_LOGIN_ATTEMPTS) - 1,
                            digest) != NGX_OK
        || ngx_http_jobscout_throttle_key(r, &t->pause,
                            NGX_HTTP_JOBSCOUT_LOGIN_PAUSE,
                            sizeof(NGX_HTTP_JOBSCOUT_LOGIN_PAUSE) - 1,
                            digest) != NGX_OK
        || ngx_http_jobscout_throttle_key(r, &t->known,
                            NGX_HTTP_JOBSCOUT_LOGIN_KNOWN,
                            sizeof(NGX_HTTP_JOBSCOUT_LOGIN_KNOWN) - 1,
                            digest) != NGX_OK)
    {
        return NGX_ERROR;
    }

    args[0] = t->attempts;
    args[1] = t->pause;
    args[2] = t->known;
    args[3] = r->connection->addr_text;

    if (ngx_http_jobscout_throttle_number(r, &args[4], conf->known) != NGX_OK
        || ngx_http_jobscout_throttle_number(r, &args[5], conf->failures)
           != NGX_OK
        || ngx_http_jobscout_throttle_number(r, &args[6], conf->window)
           != NGX_OK
        || ngx_http_jobscout_throttle_number(r, &args[7], conf->backoff)
           != NGX_OK
        || ngx_http_jobscout_throttle_number(r, &args[8], conf->max)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_throttle_eval(r, handler, data,
                                      ngx_http_jobscout_throttle_check_lua,
                                      3, args, 9);
}


ngx_int_t
ngx_http_jobscout_throttle_checked(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t, redisReply *reply)
{
    redisReply  **e;

    if (reply == NULL) {
        return NGX_ERROR;
    }

    e = reply->element;

    if (reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || e[0]->type != REDIS_REPLY_INTEGER
        || e[1]->type != REDIS_REPLY_INTEGER
        || e[1]->integer < 0)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: unexpected login throttle reply, type %d",
                      reply->type);
        return NGX_ERROR;
    }

    if (e[0]->integer == 0) {
        t->retry = (time_t) ((e[1]->integer + 999) / 1000);
        return NGX_BUSY;
    }

    t->attempt = (ngx_uint_t) e[1]->integer;

    return NGX_OK;
}


ngx_uint_t
ngx_http_jobscout_throttle_spent(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    return jmcf->throttle.failures != 0
           && t->attempt == jmcf->throttle.failures;
}


ngx_int_t
ngx_http_jobscout_throttle_passed(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t,
    ngx_http_jobscout_redis_handler_pt handler, void *data)
{
    ngx_str_t                       args[4];
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->throttle.failures == 0) {
        return NGX_DECLINED;
    }

    args[0] = t->attempts;
    args[1] = t->known;
    args[2] = r->connection->addr_text;

    if (ngx_http_jobscout_throttle_number(r, &args[3], jmcf->throttle.known)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_throttle_eval(r, handler, data,
                                      ngx_http_jobscout_throttle_passed_lua,
                                      2, args, 4);
}


ngx_int_t
ngx_http_jobscout_send_throttled(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t)
{
    u_char  *p;
    u_char   message[sizeof("too many failed logins for this account, "
                            "retry in  s") + NGX_TIME_T_LEN];

    if (t->retry == 0) {
        t->retry = 1;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "jobscout: logins paused for an account, retry in %T s",
                  t->retry);

    p = ngx_sprintf(message, "too many failed logins for this account, "
                    "retry in %T s", t->retry);
    *p = '\0';
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_LIMITED_LOGIN);

    return ngx_http_jobscout_limit_answer(r, NGX_HTTP_TOO_MANY_REQUESTS,
                                          "rate_limited",
                                          (const char *) message, t->retry);
}


static ngx_int_t
ngx_http_jobscout_throttle_key(ngx_http_request_t *r, ngx_str_t *key,
    const char *prefix, size_t len, u_char *digest)
{
    key->data = ngx_pnalloc(r->pool, len + 2 * SHA256_DIGEST_LENGTH);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(key->data, prefix, len);
    key->len = ngx_hex_dump(key->data + len, digest, SHA256_DIGEST_LENGTH)
               - key->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_throttle_number(ngx_http_request_t *r, ngx_str_t *value,
    ngx_uint_t n)
{
    value->data = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    value->len = ngx_sprintf(value->data, "%ui", n) - value->data;

    return NGX_OK;
}


/* EVAL script nkeys keys... args...: Redis runs the script atomically */

static ngx_int_t
ngx_http_jobscout_throttle_eval(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data,
    const char *script, ngx_uint_t nkeys, ngx_str_t *args, ngx_uint_t nargs)
{
    u_char       *n;
    size_t       *argvlen;
    ngx_uint_t    i;
    const char  **argv;

    argv = ngx_palloc(r->pool, (nargs + 3) * sizeof(char *));
    argvlen = ngx_palloc(r->pool, (nargs + 3) * sizeof(size_t));
    n = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (argv == NULL || argvlen == NULL || n == NULL) {
        return NGX_ERROR;
    }

    argv[0] = "EVAL";
    argvlen[0] = 4;
    argv[1] = script;
    argvlen[1] = ngx_strlen(script);
    argv[2] = (const char *) n;
    argvlen[2] = ngx_sprintf(n, "%ui", nkeys) - n;

    for (i = 0; i < nargs; i++) {
        argv[i + 3] = (const char *) args[i].data;
        argvlen[i + 3] = args[i].len;
    }

    return ngx_http_jobscout_redis_command(r, handler, data, (int) nargs + 3,
                                           argv, argvlen);
}


void
ngx_http_jobscout_throttle_init_conf(ngx_http_jobscout_throttle_conf_t *conf)
{
    ngx_conf_init_uint_value(conf->failures, 10);
    ngx_conf_init_value(conf->window, 15 * 60);
    ngx_conf_init_msec_value(conf->backoff, 30000);
    ngx_conf_init_msec_value(conf->max, 5 * 60 * 1000);
    ngx_conf_init_value(conf->known, 30 * 24 * 60 * 60);
}


char *
ngx_http_jobscout_throttle_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    ngx_int_t                           n;
    ngx_str_t                          *value, v;
    ngx_uint_t                          i;
    ngx_http_jobscout_throttle_conf_t  *tc;

    tc = &jmcf->throttle;

    if (tc->failures != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2
        && value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0)
    {
        tc->failures = 0;
        return NGX_CONF_OK;
    }

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_http_jobscout_conf_param(&value[i], "failures", &v)
            == NGX_OK)
        {
            n = ngx_atoi(v.data, v.len);
            if (n < 1 || n > 1000) {
                goto invalid;
            }

            tc->failures = n;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "window", &v) == NGX_OK) {
            tc->window = ngx_parse_time(&v, 1);
            if (tc->window == (time_t) NGX_ERROR || tc->window == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "backoff", &v)
            == NGX_OK)
        {
            n = ngx_http_jobscout_conf_msec(&v);
            if (n == NGX_ERROR) {
                goto invalid;
            }

            tc->backoff = n;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "max", &v) == NGX_OK) {
            n = ngx_http_jobscout_conf_msec(&v);
            if (n == NGX_ERROR) {
                goto invalid;
            }

            tc->max = n;
            continue;
        }

        /* known=0: no address is spared a pause */

        if (ngx_http_jobscout_conf_param(&value[i], "known", &v) == NGX_OK) {
            tc->known = ngx_parse_time(&v, 1);
            if (tc->known == (time_t) NGX_ERROR) {
                goto invalid;
            }

            continue;
        }

        goto invalid;
    }

    ngx_http_jobscout_throttle_init_conf(tc);

    /* a count expiring during a pause would start the budget again */

    if (tc->max < tc->backoff || (ngx_msec_t) tc->window * 1000 < tc->max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" needs backoff <= max <= window",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\", expected "
                       "failures=, window=, backoff=, max=, known= or off",
                       &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}
