
/* TEMPORARY scaffold: replaced by the real handlers */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_admin_sources_test(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_test");
}

ngx_int_t
ngx_http_jobscout_admin_sources_test_saved(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_test_saved");
}

ngx_int_t
ngx_http_jobscout_admin_sources_scrape(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_sources_scrape");
}

ngx_int_t
ngx_http_jobscout_admin_dead_list(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_list");
}

ngx_int_t
ngx_http_jobscout_admin_dead_get(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_get");
}

ngx_int_t
ngx_http_jobscout_admin_dead_requeue(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_requeue");
}

ngx_int_t
ngx_http_jobscout_admin_dead_delete(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_send_error(r, 501, "not_implemented", "admin_dead_delete");
}


/* TEMPORARY until helper C's file lands: the same contract */

#include "jobscout_task.h"

ngx_int_t
ngx_http_jobscout_queue_scrape(ngx_http_request_t *r, ngx_str_t *source_id,
    const char *trigger, ngx_uint_t interval,
    ngx_http_jobscout_redis_handler_pt handler, void *data)
{
    u_char       id[32], *task, *rate, *pending, *secs;
    const char  *argv[9];
    size_t       argvlen[9];
    ngx_uint_t   i;
    ngx_time_t  *tp;

    static const char  lua[] =
        "local ttl = redis.call('TTL', KEYS[1])"
        " if ttl > 0 then return {0, ttl} end"
        " if not redis.call('SET', KEYS[2], KEYS[3], 'NX', 'EX', 3600)"
        " then return {2, 0} end"
        " redis.call('SET', KEYS[1], 1, 'EX', ARGV[2])"
        " redis.call('LPUSH', KEYS[3], ARGV[1])"
        " return {1, ARGV[3]}";

    if (ngx_http_jobscout_random_hex(id, 16) != NGX_OK) {
        return NGX_ERROR;
    }

    tp = ngx_timeofday();
    task = ngx_pnalloc(r->pool, 256);
    rate = ngx_pnalloc(r->pool, 128);
    pending = ngx_pnalloc(r->pool, 128);
    secs = ngx_pnalloc(r->pool, NGX_INT_T_LEN + 1);
    if (task == NULL || rate == NULL || pending == NULL || secs == NULL) {
        return NGX_ERROR;
    }

    *ngx_sprintf(task, "{\"id\":\"%*s\",\"kind\":\"" JOBSCOUT_TASK_SCRAPE_SOURCE
                 "\",\"args\":{\"source_id\":\"%V\",\"trigger\":\"%s\"},"
                 "\"attempt\":0,\"enqueued_at\":%T}", (size_t) 32, id,
                 source_id, trigger, (time_t) (tp->sec * 1000 + tp->msec)) = '\0';
    *ngx_sprintf(rate, "jobscout:scrape:%s:%V", trigger, source_id) = '\0';
    *ngx_sprintf(pending, JOBSCOUT_SCRAPE_PENDING_PREFIX "%V", source_id)
        = '\0';
    *ngx_sprintf(secs, "%ui", interval) = '\0';

    argv[0] = "EVAL";
    argv[1] = lua;
    argv[2] = "3";
    argv[3] = (char *) rate;
    argv[4] = (char *) pending;
    argv[5] = JOBSCOUT_QUEUE_SCRAPE_HIGH;
    argv[6] = (char *) task;
    argv[7] = (char *) secs;
    argv[8] = (char *) id;

    for (i = 0; i < 9; i++) {
        argvlen[i] = (i == 8) ? 32 : ngx_strlen(argv[i]);
    }

    return ngx_http_jobscout_redis_command(r, handler, data, 9, argv,
                                           argvlen);
}
