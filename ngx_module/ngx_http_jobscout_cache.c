
/*
 * Job Scout: the response cache (jobscout_cache).  One shared-memory zone
 * holds whole 200 answers of the GET routes flagged for it, keyed by the
 * route's kind, the user for a user's own data, the path and the query
 * string as sent; an answer is found by any worker, copied out and sent
 * with a weak ETag (nginx's not_modified filter answers If-None-Match with
 * 304).  The token is verified and checked for revocation before the cache
 * is asked, as before any handler.
 *
 * An answer is fresh while three things hold:
 *
 *   - its TTL has not run out, counted from before its query was sent
 *     (ttl=, 1 s by default: a lost notification costs at most that);
 *   - no listing changed since its query was sent: a commit on jobs,
 *     companies or job_skills NOTIFYs jobscout_cache with '' (migration
 *     0020), heard by every worker on its first pooled connection, which
 *     bumps the zone's public generation;
 *   - for a user's own data, no change of that user's rows: the NOTIFY
 *     names the user, whose generation (a node of its own) is bumped; a
 *     write through the API bumps it too before it answers, so a client
 *     reads its own writes without waiting for the notification.
 *
 * Generations come from one counter and are never reused: an answer
 * stored by a query sent before a change is stale at once.  A worker
 * whose listening connection is not up (not yet, or lost: notifications
 * may have been missed) neither reads nor fills the cache, and when it
 * listens again it bumps the public generation, which every answer
 * depends on.  The readiness probe's answer is kept ready= (250 ms) and
 * used only while this worker holds a connection to PostgreSQL and Redis.
 *
 * An answer whose TTL alone ran out is refilled by one request at a time:
 * while that refill is young, the others get the answer it replaces
 * ($jobscout_cache UPDATING), so a page's expiry costs one query, not one
 * per connection.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_CACHE_ROUTES                                       \
    (NGX_HTTP_JOBSCOUT_ROUTE_SHARED|NGX_HTTP_JOBSCOUT_ROUTE_OWN              \
     |NGX_HTTP_JOBSCOUT_ROUTE_PROBE)

#define NGX_HTTP_JOBSCOUT_CACHE_UUID_LEN  36
#define NGX_HTTP_JOBSCOUT_CACHE_EVICT     8     /* per failed allocation */

/* a refill older than this is taken as lost: the next request refills */
#define NGX_HTTP_JOBSCOUT_CACHE_FILL_WAIT 500   /* ms */


typedef struct {
    ngx_rbtree_t                    rbtree;
    ngx_rbtree_node_t               sentinel;
    ngx_queue_t                     lru;        /* most recent first */
    uint64_t                        counter;    /* the last generation */
    uint64_t                        public_gen;
} ngx_http_jobscout_cache_sh_t;


/*
 * An answer, or a user's generation (key "U <user id>", body_len 0).
 * node.key is the key's hash; the key, then the body, follow in data.
 */

typedef struct {
    ngx_rbtree_node_t               node;
    ngx_queue_t                     queue;
    uint64_t                        gen;        /* public, or the user's */
    uint64_t                        user_gen;   /* own data: the user's */
    uint64_t                        etag;
    ngx_msec_t                      expires;
    ngx_msec_t                      fill_start; /* a refill in flight */
    ngx_uint_t                      filling;
    ngx_uint_t                      flags;      /* the route's cache kind */
    size_t                          key_len;
    size_t                          body_len;
    u_char                          data[1];
} ngx_http_jobscout_cache_node_t;


/* a request's: what a fill stores, or the ETag of what it was sent */

typedef struct {
    ngx_str_t                       key;
    ngx_str_t                       user_key;   /* own data */
    uint32_t                        hash;
    uint32_t                        user_hash;
    uint64_t                        gen;
    uint64_t                        user_gen;
    ngx_msec_t                      start;
    uint64_t                        etag;
    ngx_uint_t                      flags;
    ngx_uint_t                      status;     /* ..._CACHE_MISS, ... */
} ngx_http_jobscout_cache_req_t;


#define NGX_HTTP_JOBSCOUT_CACHE_MISS      0     /* filled by the handler */
#define NGX_HTTP_JOBSCOUT_CACHE_HIT       1
#define NGX_HTTP_JOBSCOUT_CACHE_BYPASS    2     /* not usable now */
#define NGX_HTTP_JOBSCOUT_CACHE_UPDATING  3     /* kept while refilled */

static ngx_str_t  ngx_http_jobscout_cache_statuses[] = {
    ngx_string("MISS"),
    ngx_string("HIT"),
    ngx_string("BYPASS"),
    ngx_string("UPDATING")
};


static ngx_int_t ngx_http_jobscout_cache_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_jobscout_cache_usable(
    ngx_http_jobscout_main_conf_t *jmcf, ngx_uint_t flags);
static ngx_int_t ngx_http_jobscout_cache_key(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_cache_req_t *st);
static ngx_int_t ngx_http_jobscout_cache_hit(ngx_http_request_t *r,
    ngx_http_jobscout_cache_req_t *st, ngx_str_t *body);
static ngx_int_t ngx_http_jobscout_cache_current(
    ngx_http_jobscout_cache_node_t *cn);
static void ngx_http_jobscout_cache_store(ngx_http_request_t *r,
    ngx_http_jobscout_cache_req_t *st, u_char *body, size_t len);
static ngx_int_t ngx_http_jobscout_cache_etag(ngx_http_request_t *r,
    uint64_t etag);
static ngx_http_jobscout_cache_node_t *ngx_http_jobscout_cache_lookup(
    ngx_str_t *key, uint32_t hash);
static ngx_http_jobscout_cache_node_t *ngx_http_jobscout_cache_alloc(
    size_t size);
static void ngx_http_jobscout_cache_delete(
    ngx_http_jobscout_cache_node_t *cn);
static void ngx_http_jobscout_cache_public_bump(void);
static void ngx_http_jobscout_cache_user_bump(ngx_str_t *user);
static void ngx_http_jobscout_cache_rbtree_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);


/* this cycle's zone: the workers' only (one jobscout_cache per http) */
static ngx_http_jobscout_cache_sh_t  *ngx_http_jobscout_cache_sh;
static ngx_slab_pool_t               *ngx_http_jobscout_cache_shpool;

/* this worker hears the commits: its listening connection is up */
static ngx_uint_t                     ngx_http_jobscout_cache_listening;

static ngx_str_t  ngx_http_jobscout_cache_zone_name =
    ngx_string("jobscout_cache");


/*
 * jobscout_cache off | [size=8m] [ttl=1s] [ready=250ms]: the zone's size,
 * how long an answer may be kept, and the readiness probe's.
 */

char *
ngx_http_jobscout_cache_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    ssize_t     size;
    ngx_int_t   ms;
    ngx_str_t  *value, v;
    ngx_uint_t  i;

    if (jmcf->cache.size != NGX_CONF_UNSET_SIZE) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2
        && ngx_strcmp(value[1].data, "off") == 0)
    {
        jmcf->cache.size = 0;
        return NGX_CONF_OK;
    }

    jmcf->cache.size = 8 * 1024 * 1024;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_http_jobscout_conf_param(&value[i], "size", &v) == NGX_OK) {
            size = ngx_parse_size(&v);

            if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
                return "has an invalid size (at least 8 pages)";
            }

            jmcf->cache.size = size;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "ttl", &v) == NGX_OK) {
            ms = ngx_http_jobscout_conf_msec(&v);
            if (ms == NGX_ERROR) {
                return "has an invalid ttl";
            }

            jmcf->cache.ttl = ms;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "ready", &v) == NGX_OK) {
            ms = ngx_http_jobscout_conf_msec(&v);
            if (ms == NGX_ERROR) {
                return "has an invalid ready time";
            }

            jmcf->cache.ready_ttl = ms;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* defaults, and the zone when the API is served and the cache is on */

ngx_int_t
ngx_http_jobscout_cache_init_conf(ngx_conf_t *cf,
    ngx_http_jobscout_main_conf_t *jmcf)
{
    ngx_conf_init_size_value(jmcf->cache.size, 8 * 1024 * 1024);
    ngx_conf_init_msec_value(jmcf->cache.ttl, 1000);
    ngx_conf_init_msec_value(jmcf->cache.ready_ttl, 250);

    /* a zone of an earlier cycle, unmapped if this one has none */
    ngx_http_jobscout_cache_sh = NULL;
    ngx_http_jobscout_cache_shpool = NULL;

    if (!jmcf->api || jmcf->cache.size == 0) {
        return NGX_OK;
    }

    jmcf->cache.zone = ngx_shared_memory_add(cf,
                                         &ngx_http_jobscout_cache_zone_name,
                                         jmcf->cache.size,
                                         &ngx_http_jobscout_module);
    if (jmcf->cache.zone == NULL) {
        return NGX_ERROR;
    }

    jmcf->cache.zone->init = ngx_http_jobscout_cache_init_zone;
    jmcf->cache.zone->data = jmcf;

    /* the pool's first connection hears the commits */
    jmcf->pg.listen = "LISTEN jobscout_cache";

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_cache_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t               *shpool;
    ngx_http_jobscout_cache_sh_t  *sh;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    /* a reload keeps the zone and its answers: they stay valid */

    if (data || shm_zone->shm.exists) {
        sh = shpool->data;

    } else {
        sh = ngx_slab_alloc(shpool, sizeof(ngx_http_jobscout_cache_sh_t));
        if (sh == NULL) {
            return NGX_ERROR;
        }

        ngx_rbtree_init(&sh->rbtree, &sh->sentinel,
                        ngx_http_jobscout_cache_rbtree_insert);
        ngx_queue_init(&sh->lru);
        sh->counter = 1;
        sh->public_gen = 1;

        shpool->data = sh;
        shpool->log_nomem = 0;
    }

    ngx_http_jobscout_cache_sh = sh;
    ngx_http_jobscout_cache_shpool = shpool;

    return NGX_OK;
}


/*
 * The route's handler, or its answer from the cache.  Called once the
 * token, if any, is verified and not revoked.
 */

ngx_int_t
ngx_http_jobscout_cache_run(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_str_t                       body;
    ngx_uint_t                      flags;
    ngx_http_jobscout_cache_req_t  *st;
    ngx_http_jobscout_main_conf_t  *jmcf;

    flags = ctx->route->flags & NGX_HTTP_JOBSCOUT_CACHE_ROUTES;
    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (flags == 0 || r->method != NGX_HTTP_GET || jmcf->cache.zone == NULL)
    {
        return ctx->route->handler(r, ctx);
    }

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_cache_req_t));
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->cache = st;

    if (ngx_http_jobscout_cache_usable(jmcf, flags) != NGX_OK) {
        st->status = NGX_HTTP_JOBSCOUT_CACHE_BYPASS;
        return ctx->route->handler(r, ctx);
    }

    if (ngx_http_jobscout_cache_key(r, ctx, st) != NGX_OK) {
        return NGX_ERROR;
    }

    st->flags = flags;

    switch (ngx_http_jobscout_cache_hit(r, st, &body)) {

    case NGX_OK:
        return ngx_http_jobscout_send_json(r, NGX_HTTP_OK, body.data,
                                           body.len);

    case NGX_ERROR:
        return NGX_ERROR;

    default: /* NGX_DECLINED: the handler answers, the answer is kept */
        return ctx->route->handler(r, ctx);
    }
}


static ngx_int_t
ngx_http_jobscout_cache_usable(ngx_http_jobscout_main_conf_t *jmcf,
    ngx_uint_t flags)
{
    if (ngx_http_jobscout_cache_sh == NULL) {
        return NGX_DECLINED;
    }

    if (flags & NGX_HTTP_JOBSCOUT_ROUTE_PROBE) {
        return (jmcf->pg_pool
                && ngx_http_jobscout_pg_ready(jmcf->pg_pool)
                && jmcf->redis_client
                && ngx_http_jobscout_redis_up(jmcf->redis_client))
               ? NGX_OK : NGX_DECLINED;
    }

    return ngx_http_jobscout_cache_listening ? NGX_OK : NGX_DECLINED;
}


/* "<kind> <user id> <path>?<query>", the user id of own data only */

static ngx_int_t
ngx_http_jobscout_cache_key(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_cache_req_t *st)
{
    u_char      *p;
    ngx_uint_t   own;

    own = ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_OWN;

    if (own && (ctx->token_state != NGX_HTTP_JOBSCOUT_TOKEN_VALID
                || ctx->token.sub.len == 0))
    {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, sizeof("K  ?") + ctx->token.sub.len
                             + r->uri.len + r->args.len
                             + sizeof("U ") + ctx->token.sub.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    st->key.data = p;

    if (own) {
        p = ngx_sprintf(p, "O %V %V?%V", &ctx->token.sub, &r->uri, &r->args);

    } else {
        /* the same for everyone: no user in the key */
        p = ngx_sprintf(p, "%c  %V?%V",
                        (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_PROBE)
                        ? 'P' : 'S',
                        &r->uri, &r->args);
    }

    st->key.len = p - st->key.data;
    st->hash = ngx_crc32_short(st->key.data, st->key.len);

    if (own) {
        st->user_key.data = p;
        p = ngx_sprintf(p, "U %V", &ctx->token.sub);
        st->user_key.len = p - st->user_key.data;
        st->user_hash = ngx_crc32_short(st->user_key.data,
                                        st->user_key.len);
    }

    return NGX_OK;
}


/*
 * NGX_OK: a fresh answer, copied into body; NGX_DECLINED: none, and st
 * holds the generations a fill depends on.
 */

static ngx_int_t
ngx_http_jobscout_cache_hit(ngx_http_request_t *r,
    ngx_http_jobscout_cache_req_t *st, ngx_str_t *body)
{
    ngx_slab_pool_t                 *shpool;
    ngx_http_jobscout_cache_sh_t    *sh;
    ngx_http_jobscout_cache_node_t  *cn, *user;

    sh = ngx_http_jobscout_cache_sh;
    shpool = ngx_http_jobscout_cache_shpool;

    ngx_shmtx_lock(&shpool->mutex);

    cn = ngx_http_jobscout_cache_lookup(&st->key, st->hash);

    if (cn && ngx_http_jobscout_cache_current(cn) != NGX_OK) {
        ngx_http_jobscout_cache_delete(cn);
        cn = NULL;
    }

    if (cn) {
        if ((ngx_msec_int_t) (cn->expires - ngx_current_msec) > 0) {
            st->status = NGX_HTTP_JOBSCOUT_CACHE_HIT;
            goto found;
        }

        /*
         * Only its TTL ran out: nothing was committed since its query.
         * One request refills it; while that fill is young, the others
         * get this answer instead of each sending the same query.
         */

        if (cn->flags & NGX_HTTP_JOBSCOUT_ROUTE_PROBE) {
            ngx_http_jobscout_cache_delete(cn);

        } else if (cn->filling
                   && ngx_current_msec - cn->fill_start
                      < NGX_HTTP_JOBSCOUT_CACHE_FILL_WAIT)
        {
            st->status = NGX_HTTP_JOBSCOUT_CACHE_UPDATING;
            goto found;

        } else {
            cn->filling = 1;
            cn->fill_start = ngx_current_msec;
        }
    }

    st->start = ngx_current_msec;
    st->gen = sh->public_gen;

    if (st->flags & NGX_HTTP_JOBSCOUT_ROUTE_OWN) {
        user = ngx_http_jobscout_cache_lookup(&st->user_key, st->user_hash);

        if (user == NULL) {
            user = ngx_http_jobscout_cache_alloc(
                       offsetof(ngx_http_jobscout_cache_node_t, data)
                       + st->user_key.len);

            if (user) {
                user->node.key = st->user_hash;
                user->gen = ++sh->counter;
                user->expires = 0;
                user->filling = 0;
                user->flags = 0;
                user->key_len = st->user_key.len;
                user->body_len = 0;
                ngx_memcpy(user->data, st->user_key.data, st->user_key.len);

                ngx_rbtree_insert(&sh->rbtree, &user->node);
                ngx_queue_insert_head(&sh->lru, &user->queue);
            }
        }

        /* 0: no generation to keep an answer by, none is kept */
        st->user_gen = user ? user->gen : 0;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return NGX_DECLINED;

found:

    body->len = cn->body_len;
    body->data = ngx_pnalloc(r->pool, cn->body_len);

    if (body->data == NULL) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NGX_ERROR;
    }

    ngx_memcpy(body->data, cn->data + cn->key_len, cn->body_len);
    st->etag = cn->etag;

    ngx_queue_remove(&cn->queue);
    ngx_queue_insert_head(&sh->lru, &cn->queue);

    ngx_shmtx_unlock(&shpool->mutex);

    return NGX_OK;
}


/* under the lock: nothing it depends on changed since its query */

static ngx_int_t
ngx_http_jobscout_cache_current(ngx_http_jobscout_cache_node_t *cn)
{
    u_char                          *p;
    u_char                           buf[2 + NGX_HTTP_JOBSCOUT_CACHE_UUID_LEN];
    uint32_t                         hash;
    ngx_str_t                        user_key;
    ngx_http_jobscout_cache_node_t  *user;

    if (cn->flags & NGX_HTTP_JOBSCOUT_ROUTE_PROBE) {
        return NGX_OK;
    }

    if (cn->gen != ngx_http_jobscout_cache_sh->public_gen) {
        return NGX_DECLINED;
    }

    if (!(cn->flags & NGX_HTTP_JOBSCOUT_ROUTE_OWN)) {
        return NGX_OK;
    }

    /* "O <user id> ...": the user's node is "U <user id>" */

    p = ngx_strlchr(cn->data + 2, cn->data + cn->key_len, ' ');
    if (p == NULL || (size_t) (p - cn->data) != sizeof(buf)) {
        return NGX_DECLINED;
    }

    ngx_memcpy(buf, cn->data, sizeof(buf));
    buf[0] = 'U';
    user_key.data = buf;
    user_key.len = sizeof(buf);

    hash = ngx_crc32_short(user_key.data, user_key.len);
    user = ngx_http_jobscout_cache_lookup(&user_key, hash);

    if (user == NULL || user->gen != cn->user_gen) {
        return NGX_DECLINED;
    }

    /* the user's node is as recently used as their answers */

    ngx_queue_remove(&user->queue);
    ngx_queue_insert_head(&ngx_http_jobscout_cache_sh->lru, &user->queue);

    return NGX_OK;
}


/*
 * Every answer of the API passes here before its header is sent: a 200
 * of a fill is kept, a cached route's answer gets its ETag, and a change
 * made through the API makes its user's (an administrator's: every)
 * cached answer stale before the client hears of it.
 */

ngx_int_t
ngx_http_jobscout_cache_answer(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t status, u_char *body,
    size_t len)
{
    ngx_http_jobscout_cache_req_t  *st;

    if (ngx_http_jobscout_cache_sh == NULL || ctx->route == NULL) {
        return NGX_OK;
    }

    if (r->method != NGX_HTTP_GET && r->method != NGX_HTTP_HEAD) {

        if (status >= NGX_HTTP_BAD_REQUEST
            || ctx->token_state != NGX_HTTP_JOBSCOUT_TOKEN_VALID)
        {
            return NGX_OK;
        }

        ngx_shmtx_lock(&ngx_http_jobscout_cache_shpool->mutex);

        if (ctx->route->flags & NGX_HTTP_JOBSCOUT_ROUTE_ADMIN) {
            ngx_http_jobscout_cache_public_bump();
        }

        ngx_http_jobscout_cache_user_bump(&ctx->token.sub);

        ngx_shmtx_unlock(&ngx_http_jobscout_cache_shpool->mutex);

        return NGX_OK;
    }

    st = ctx->cache;

    if (st == NULL || status != NGX_HTTP_OK
        || st->status == NGX_HTTP_JOBSCOUT_CACHE_BYPASS)
    {
        return NGX_OK;
    }

    if (st->status == NGX_HTTP_JOBSCOUT_CACHE_MISS) {
        st->etag = ((uint64_t) ngx_murmur_hash2(body, len) << 32)
                   | ngx_crc32_long(body, len);

        ngx_http_jobscout_cache_store(r, st, body, len);
    }

    return ngx_http_jobscout_cache_etag(r, st->etag);
}


static void
ngx_http_jobscout_cache_store(ngx_http_request_t *r,
    ngx_http_jobscout_cache_req_t *st, u_char *body, size_t len)
{
    ngx_msec_t                       ttl;
    ngx_slab_pool_t                 *shpool;
    ngx_http_jobscout_cache_sh_t    *sh;
    ngx_http_jobscout_cache_node_t  *cn;
    ngx_http_jobscout_main_conf_t   *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    sh = ngx_http_jobscout_cache_sh;
    shpool = ngx_http_jobscout_cache_shpool;

    if ((st->flags & NGX_HTTP_JOBSCOUT_ROUTE_OWN) && st->user_gen == 0) {
        return;
    }

    /* an answer of an eighth of the zone would push out too many others */

    if (len > jmcf->cache.size / 8) {
        return;
    }

    ttl = (st->flags & NGX_HTTP_JOBSCOUT_ROUTE_PROBE) ? jmcf->cache.ready_ttl
                                                      : jmcf->cache.ttl;

    ngx_shmtx_lock(&shpool->mutex);

    /* another worker's fill, newer or not: this one is as good */

    cn = ngx_http_jobscout_cache_lookup(&st->key, st->hash);
    if (cn) {
        ngx_http_jobscout_cache_delete(cn);
    }

    cn = ngx_http_jobscout_cache_alloc(
             offsetof(ngx_http_jobscout_cache_node_t, data)
             + st->key.len + len);

    if (cn == NULL) {
        ngx_shmtx_unlock(&shpool->mutex);
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "jobscout: the cache zone is too small for an answer "
                      "of %uz bytes", len);
        return;
    }

    cn->node.key = st->hash;
    cn->gen = st->gen;
    cn->user_gen = st->user_gen;
    cn->etag = st->etag;
    cn->expires = st->start + ttl;
    cn->filling = 0;
    cn->flags = st->flags;
    cn->key_len = st->key.len;
    cn->body_len = len;
    ngx_memcpy(ngx_cpymem(cn->data, st->key.data, st->key.len), body, len);

    ngx_rbtree_insert(&sh->rbtree, &cn->node);
    ngx_queue_insert_head(&sh->lru, &cn->queue);

    ngx_shmtx_unlock(&shpool->mutex);
}


static ngx_int_t
ngx_http_jobscout_cache_etag(ngx_http_request_t *r, uint64_t etag)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    p = ngx_pnalloc(r->pool, sizeof("W/\"\"") - 1 + 16);
    h = ngx_list_push(&r->headers_out.headers);
    if (p == NULL || h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "ETag");
    h->value.data = p;
    h->value.len = ngx_sprintf(p, "W/\"%016uxL\"", etag) - p;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    r->headers_out.etag = h;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_cache_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_jobscout_ctx_t        *ctx;
    ngx_http_jobscout_cache_req_t  *st;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
    st = ctx ? ctx->cache : NULL;

    if (st == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = ngx_http_jobscout_cache_statuses[st->status].data;
    v->len = ngx_http_jobscout_cache_statuses[st->status].len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


/*
 * A notification of jobscout_cache: '' a listing changed, else the id of
 * the user whose rows changed.
 */

void
ngx_http_jobscout_cache_notified(const char *payload)
{
    size_t     len;
    ngx_str_t  user;

    if (ngx_http_jobscout_cache_sh == NULL) {
        return;
    }

    len = ngx_strlen(payload);

    ngx_shmtx_lock(&ngx_http_jobscout_cache_shpool->mutex);

    if (len == NGX_HTTP_JOBSCOUT_CACHE_UUID_LEN) {
        user.data = (u_char *) payload;
        user.len = len;
        ngx_http_jobscout_cache_user_bump(&user);

    } else {
        /* '', or what no trigger of ours sends: everything may change */
        ngx_http_jobscout_cache_public_bump();
    }

    ngx_shmtx_unlock(&ngx_http_jobscout_cache_shpool->mutex);
}


/*
 * This worker's listening connection is up (LISTEN done) or down.  Up
 * again, it may have missed notifications: every answer goes stale.
 */

void
ngx_http_jobscout_cache_listen(ngx_uint_t up)
{
    ngx_http_jobscout_cache_listening = up;

    if (up && ngx_http_jobscout_cache_sh) {
        ngx_shmtx_lock(&ngx_http_jobscout_cache_shpool->mutex);
        ngx_http_jobscout_cache_public_bump();
        ngx_shmtx_unlock(&ngx_http_jobscout_cache_shpool->mutex);
    }
}


/* under the lock: every answer depends on the public generation */

static void
ngx_http_jobscout_cache_public_bump(void)
{
    ngx_http_jobscout_cache_sh->public_gen =
                                      ++ngx_http_jobscout_cache_sh->counter;
}


/* under the lock */

static void
ngx_http_jobscout_cache_user_bump(ngx_str_t *user)
{
    u_char                           buf[2 + NGX_HTTP_JOBSCOUT_CACHE_UUID_LEN];
    ngx_str_t                        key;
    ngx_http_jobscout_cache_node_t  *cn;

    if (user->len != NGX_HTTP_JOBSCOUT_CACHE_UUID_LEN) {
        return;
    }

    key.data = buf;
    key.len = ngx_sprintf(buf, "U %V", user) - buf;

    cn = ngx_http_jobscout_cache_lookup(&key,
                                        ngx_crc32_short(key.data, key.len));

    /* no node: no answer of the user's can be fresh */

    if (cn) {
        cn->gen = ++ngx_http_jobscout_cache_sh->counter;
    }
}


/* under the lock */

static ngx_http_jobscout_cache_node_t *
ngx_http_jobscout_cache_lookup(ngx_str_t *key, uint32_t hash)
{
    ngx_int_t                        rc;
    ngx_rbtree_node_t               *node, *sentinel;
    ngx_http_jobscout_cache_node_t  *cn;

    node = ngx_http_jobscout_cache_sh->rbtree.root;
    sentinel = ngx_http_jobscout_cache_sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash < node->key) {
            node = node->left;
            continue;
        }

        if (hash > node->key) {
            node = node->right;
            continue;
        }

        cn = (ngx_http_jobscout_cache_node_t *) node;

        rc = ngx_memn2cmp(key->data, cn->data, key->len, cn->key_len);

        if (rc == 0) {
            return cn;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/* under the lock: the least recently used go first when the zone is full */

static ngx_http_jobscout_cache_node_t *
ngx_http_jobscout_cache_alloc(size_t size)
{
    ngx_uint_t                       i;
    ngx_queue_t                     *q;
    ngx_http_jobscout_cache_node_t  *cn;

    for ( ;; ) {
        cn = ngx_slab_alloc_locked(ngx_http_jobscout_cache_shpool, size);
        if (cn) {
            return cn;
        }

        if (ngx_queue_empty(&ngx_http_jobscout_cache_sh->lru)) {
            return NULL;
        }

        for (i = 0; i < NGX_HTTP_JOBSCOUT_CACHE_EVICT; i++) {
            if (ngx_queue_empty(&ngx_http_jobscout_cache_sh->lru)) {
                break;
            }

            q = ngx_queue_last(&ngx_http_jobscout_cache_sh->lru);
            ngx_http_jobscout_cache_delete(
                ngx_queue_data(q, ngx_http_jobscout_cache_node_t, queue));
        }
    }
}


static void
ngx_http_jobscout_cache_delete(ngx_http_jobscout_cache_node_t *cn)
{
    ngx_queue_remove(&cn->queue);
    ngx_rbtree_delete(&ngx_http_jobscout_cache_sh->rbtree, &cn->node);
    ngx_slab_free_locked(ngx_http_jobscout_cache_shpool, cn);
}


static void
ngx_http_jobscout_cache_rbtree_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t               **p;
    ngx_http_jobscout_cache_node_t   *cn, *cnt;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else {
            cn = (ngx_http_jobscout_cache_node_t *) node;
            cnt = (ngx_http_jobscout_cache_node_t *) temp;

            p = (ngx_memn2cmp(cn->data, cnt->data, cn->key_len,
                              cnt->key_len) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}
