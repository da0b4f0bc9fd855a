
/*
 * Job Scout: Prometheus metrics of the API, in a shared-memory zone so that
 * every worker's counts add up.
 *
 *     location = /metrics {
 *         allow 127.0.0.1;
 *         deny all;
 *         jobscout_metrics;
 *     }
 *
 * The zone ("jobscout_metrics", sized for the route table) exists when a
 * location says "jobscout_metrics"; without one every count is a no-op.
 * Counting is a few atomic adds: no lock, no allocation.  Requests are
 * counted in the log phase by the route table's pattern (never the raw
 * URI, so the series are bounded), and unmatched ones as "unmatched".
 * The PostgreSQL pool's gauges are per worker (a slot each, written by the
 * worker once a second) and summed when scraped.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_METRICS_BUCKETS   11      /* +Inf aside */
#define NGX_HTTP_JOBSCOUT_METRICS_CLASSES   5       /* 1xx .. 5xx */
/* per route: the status classes, the buckets and +Inf, the sum in ms */
#define NGX_HTTP_JOBSCOUT_METRICS_SLOTS                                      \
    (NGX_HTTP_JOBSCOUT_METRICS_CLASSES + NGX_HTTP_JOBSCOUT_METRICS_BUCKETS + 2)
#define NGX_HTTP_JOBSCOUT_METRICS_SUM                                        \
    (NGX_HTTP_JOBSCOUT_METRICS_SLOTS - 1)
#define NGX_HTTP_JOBSCOUT_METRICS_WORKERS   64
#define NGX_HTTP_JOBSCOUT_METRICS_TICK      1000    /* ms, the pool gauges */
/* the longest line but its route pattern */
#define NGX_HTTP_JOBSCOUT_METRICS_LINE      160


typedef struct {
    ngx_atomic_t                    busy;
    ngx_atomic_t                    idle;
    ngx_atomic_t                    waiting;
} ngx_http_jobscout_metrics_pg_t;


typedef struct {
    ngx_uint_t                      nroutes;    /* the table's + unmatched */
    ngx_atomic_t                    counters[NGX_HTTP_JOBSCOUT_METRIC_N];
    ngx_http_jobscout_metrics_pg_t  pg[NGX_HTTP_JOBSCOUT_METRICS_WORKERS];
    ngx_atomic_t                    routes[1];  /* nroutes * SLOTS */
} ngx_http_jobscout_metrics_shm_t;


typedef struct {
    ngx_flag_t                      enabled;
    ngx_shm_zone_t                 *zone;
} ngx_http_jobscout_metrics_main_conf_t;


static void *ngx_http_jobscout_metrics_create_main_conf(ngx_conf_t *cf);
static ngx_int_t ngx_http_jobscout_metrics_init(ngx_conf_t *cf);
static char *ngx_http_jobscout_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_jobscout_metrics_init_zone(ngx_shm_zone_t *zone,
    void *data);
static ngx_int_t ngx_http_jobscout_metrics_init_process(ngx_cycle_t *cycle);
static void ngx_http_jobscout_metrics_tick(ngx_event_t *ev);
static void ngx_http_jobscout_metrics_pg_update(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_jobscout_metrics_log(ngx_http_request_t *r);
static ngx_int_t ngx_http_jobscout_metrics_handler(ngx_http_request_t *r);
static u_char *ngx_http_jobscout_metrics_requests(u_char *p,
    ngx_http_jobscout_metrics_shm_t *m);
static u_char *ngx_http_jobscout_metrics_durations(u_char *p,
    ngx_http_jobscout_metrics_shm_t *m);
static u_char *ngx_http_jobscout_metrics_others(u_char *p,
    ngx_http_jobscout_metrics_shm_t *m);
static void ngx_http_jobscout_metrics_route(ngx_uint_t i, ngx_str_t *route,
    ngx_str_t *method);


static ngx_http_jobscout_metrics_shm_t  *ngx_http_jobscout_metrics_shm;
static ngx_uint_t                        ngx_http_jobscout_metrics_nroutes;
static ngx_event_t                       ngx_http_jobscout_metrics_timer;


/* upper bounds of the latency buckets, ms, and as Prometheus reads them */

static ngx_msec_t  ngx_http_jobscout_metrics_bounds[] = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000
};

static char  *ngx_http_jobscout_metrics_le[] = {
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
    "10", "+Inf"
};


/* the counters, in NGX_HTTP_JOBSCOUT_METRIC_* order, a family's together */

static struct {
    char  *name;
    char  *help;
    char  *labels;
} ngx_http_jobscout_metrics_counters[] = {
    { "jobscout_pg_errors_total",
      "PostgreSQL queries refused, lost or timed out in the pool", "" },
    { "jobscout_pg_reconnects_total",
      "PostgreSQL connections made again after one was lost", "" },
    { "jobscout_redis_commands_total", "Redis commands sent", "" },
    { "jobscout_redis_errors_total",
      "Redis commands unsent, failed or timed out", "" },
    { "jobscout_redis_reconnects_total",
      "Redis connections made again after one was lost", "" },
    { "jobscout_rate_limited_total", "Requests refused by a rate limit",
      "{limiter=\"jobscout_limit\"}" },
    { "jobscout_rate_limited_total", NULL, "{limiter=\"nginx\"}" },
    { "jobscout_rate_limited_total", NULL, "{limiter=\"login\"}" },
    { "jobscout_auth_failures_total", "Requests refused authentication",
      "{reason=\"missing\"}" },
    { "jobscout_auth_failures_total", NULL, "{reason=\"invalid\"}" },
    { "jobscout_auth_failures_total", NULL, "{reason=\"forbidden\"}" },
    { "jobscout_auth_failures_total", NULL, "{reason=\"credentials\"}" },
    { "jobscout_auth_failures_total", NULL, "{reason=\"signature\"}" }
};


static ngx_str_t  ngx_http_jobscout_metrics_zone_name =
    ngx_string("jobscout_metrics");
static ngx_str_t  ngx_http_jobscout_metrics_type =
    ngx_string("text/plain; version=0.0.4; charset=utf-8");


static ngx_command_t  ngx_http_jobscout_metrics_commands[] = {

    { ngx_string("jobscout_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_jobscout_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_jobscout_metrics_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_jobscout_metrics_init,        /* postconfiguration */

    ngx_http_jobscout_metrics_create_main_conf,
                                           /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_jobscout_metrics_module = {
    NGX_MODULE_V1,
    &ngx_http_jobscout_metrics_module_ctx, /* module context */
    ngx_http_jobscout_metrics_commands,    /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_jobscout_metrics_init_process,
                                           /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


void
ngx_http_jobscout_metrics_count(ngx_uint_t metric)
{
    if (ngx_http_jobscout_metrics_shm) {
        (void) ngx_atomic_fetch_add(
                   &ngx_http_jobscout_metrics_shm->counters[metric], 1);
    }
}


/* a 401 of the API: no token sent, or one refused (bad, expired, revoked) */

void
ngx_http_jobscout_metrics_unauthorized(ngx_uint_t token_state)
{
    ngx_http_jobscout_metrics_count(
        token_state == NGX_HTTP_JOBSCOUT_TOKEN_NONE
        ? NGX_HTTP_JOBSCOUT_METRIC_AUTH_MISSING
        : NGX_HTTP_JOBSCOUT_METRIC_AUTH_INVALID);
}


static void *
ngx_http_jobscout_metrics_create_main_conf(ngx_conf_t *cf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     mmcf->enabled = 0;
     *     mmcf->zone = NULL;
     */

    return ngx_pcalloc(cf->pool,
                       sizeof(ngx_http_jobscout_metrics_main_conf_t));
}


static char *
ngx_http_jobscout_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t               *clcf;
    ngx_http_jobscout_metrics_main_conf_t  *mmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler == ngx_http_jobscout_metrics_handler) {
        return "is duplicate";
    }

    if (clcf->handler != NULL) {
        return "conflicts with another content handler in this location";
    }

    clcf->handler = ngx_http_jobscout_metrics_handler;

    mmcf = ngx_http_conf_get_module_main_conf(cf,
                                          ngx_http_jobscout_metrics_module);
    mmcf->enabled = 1;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_jobscout_metrics_init(ngx_conf_t *cf)
{
    size_t                                  size;
    ngx_http_handler_pt                    *h;
    ngx_http_jobscout_route_t              *route;
    ngx_http_core_main_conf_t              *cmcf;
    ngx_http_jobscout_metrics_main_conf_t  *mmcf;

    mmcf = ngx_http_conf_get_module_main_conf(cf,
                                          ngx_http_jobscout_metrics_module);

    if (!mmcf->enabled) {
        return NGX_OK;
    }

    ngx_http_jobscout_metrics_nroutes = 1;

    for (route = ngx_http_jobscout_routes; route->handler; route++) {
        ngx_http_jobscout_metrics_nroutes++;
    }

    /* the counters, and room for the slab allocator's own pages */

    size = sizeof(ngx_http_jobscout_metrics_shm_t)
           + ngx_http_jobscout_metrics_nroutes
             * NGX_HTTP_JOBSCOUT_METRICS_SLOTS * sizeof(ngx_atomic_t);
    size = ngx_align(size, ngx_pagesize) + 8 * ngx_pagesize;

    mmcf->zone = ngx_shared_memory_add(cf,
                                       &ngx_http_jobscout_metrics_zone_name,
                                       size,
                                       &ngx_http_jobscout_metrics_module);
    if (mmcf->zone == NULL) {
        return NGX_ERROR;
    }

    mmcf->zone->init = ngx_http_jobscout_metrics_init_zone;
    mmcf->zone->data = mmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_jobscout_metrics_log;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_metrics_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_jobscout_metrics_shm_t  *old = data;

    size_t                            size;
    ngx_slab_pool_t                  *shpool;
    ngx_http_jobscout_metrics_shm_t  *m;

    /* a reload keeps the counts: Prometheus sees no reset */

    if (old && old->nroutes == ngx_http_jobscout_metrics_nroutes) {
        zone->data = old;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        zone->data = shpool->data;
        return NGX_OK;
    }

    size = sizeof(ngx_http_jobscout_metrics_shm_t)
           + ngx_http_jobscout_metrics_nroutes
             * NGX_HTTP_JOBSCOUT_METRICS_SLOTS * sizeof(ngx_atomic_t);

    m = ngx_slab_calloc(shpool, size);
    if (m == NULL) {
        return NGX_ERROR;
    }

    m->nroutes = ngx_http_jobscout_metrics_nroutes;

    shpool->data = m;
    zone->data = m;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_metrics_init_process(ngx_cycle_t *cycle)
{
    ngx_http_jobscout_metrics_main_conf_t  *mmcf;

    ngx_http_jobscout_metrics_shm = NULL;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    mmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                          ngx_http_jobscout_metrics_module);
    if (mmcf == NULL || mmcf->zone == NULL) {
        return NGX_OK;
    }

    ngx_http_jobscout_metrics_shm = mmcf->zone->data;

    /* cancelable: the gauges' timer does not hold up a graceful exit */

    ngx_http_jobscout_metrics_timer.handler = ngx_http_jobscout_metrics_tick;
    ngx_http_jobscout_metrics_timer.data = cycle;
    ngx_http_jobscout_metrics_timer.log = cycle->log;
    ngx_http_jobscout_metrics_timer.cancelable = 1;

    ngx_add_timer(&ngx_http_jobscout_metrics_timer,
                  NGX_HTTP_JOBSCOUT_METRICS_TICK);

    return NGX_OK;
}


static void
ngx_http_jobscout_metrics_tick(ngx_event_t *ev)
{
    ngx_http_jobscout_metrics_pg_update(ev->data);

    if (!ngx_exiting && !ngx_terminate) {
        ngx_add_timer(ev, NGX_HTTP_JOBSCOUT_METRICS_TICK);
    }
}


/* this worker's pool, into its slot */

static void
ngx_http_jobscout_metrics_pg_update(ngx_cycle_t *cycle)
{
    ngx_uint_t                       busy, idle, waiting;
    ngx_http_jobscout_main_conf_t   *jmcf;
    ngx_http_jobscout_metrics_pg_t  *slot;

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_jobscout_module);

    if (jmcf == NULL || jmcf->pg_pool == NULL) {
        return;
    }

    ngx_http_jobscout_pg_pool_stats(jmcf->pg_pool, &busy, &idle, &waiting);

    slot = &ngx_http_jobscout_metrics_shm->pg[ngx_worker
                                       % NGX_HTTP_JOBSCOUT_METRICS_WORKERS];
    slot->busy = busy;
    slot->idle = idle;
    slot->waiting = waiting;
}


static ngx_int_t
ngx_http_jobscout_metrics_log(ngx_http_request_t *r)
{
    ngx_uint_t                        i, b, status;
    ngx_msec_int_t                    ms;
    ngx_time_t                       *tp;
    ngx_atomic_t                     *slots;
    ngx_http_jobscout_ctx_t          *ctx;
    ngx_http_jobscout_metrics_shm_t  *m;

    m = ngx_http_jobscout_metrics_shm;
    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    /* the API's requests only: those with its context */

    if (m == NULL || ctx == NULL || r != r->main) {
        return NGX_OK;
    }

    status = r->headers_out.status;

    if (status < 100 || status > 599) {
        return NGX_OK;
    }

    i = ctx->route ? (ngx_uint_t) (ctx->route - ngx_http_jobscout_routes)
                   : m->nroutes - 1;
    slots = &m->routes[i * NGX_HTTP_JOBSCOUT_METRICS_SLOTS];

    tp = ngx_timeofday();
    ms = (ngx_msec_int_t) ((tp->sec - r->start_sec) * 1000
                           + (tp->msec - r->start_msec));
    ms = ngx_max(ms, 0);

    for (b = 0; b < NGX_HTTP_JOBSCOUT_METRICS_BUCKETS; b++) {
        if ((ngx_msec_t) ms <= ngx_http_jobscout_metrics_bounds[b]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&slots[status / 100 - 1], 1);
    (void) ngx_atomic_fetch_add(
               &slots[NGX_HTTP_JOBSCOUT_METRICS_CLASSES + b], 1);
    (void) ngx_atomic_fetch_add(&slots[NGX_HTTP_JOBSCOUT_METRICS_SUM], ms);

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_metrics_handler(ngx_http_request_t *r)
{
    size_t                            size;
    ngx_int_t                         rc;
    ngx_buf_t                        *b;
    ngx_uint_t                        i;
    ngx_chain_t                       out;
    ngx_http_jobscout_metrics_shm_t  *m;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    m = ngx_http_jobscout_metrics_shm;
    if (m == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_jobscout_metrics_pg_update((ngx_cycle_t *) ngx_cycle);

    /* every route's lines at most, each with its pattern */

    size = 64 * NGX_HTTP_JOBSCOUT_METRICS_LINE;

    for (i = 0; i + 1 < m->nroutes; i++) {
        size += NGX_HTTP_JOBSCOUT_METRICS_SLOTS
                * (NGX_HTTP_JOBSCOUT_METRICS_LINE
                   + ngx_http_jobscout_routes[i].pattern.len);
    }

    size += NGX_HTTP_JOBSCOUT_METRICS_SLOTS * NGX_HTTP_JOBSCOUT_METRICS_LINE;

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_http_jobscout_metrics_requests(b->last, m);
    b->last = ngx_http_jobscout_metrics_durations(b->last, m);
    b->last = ngx_http_jobscout_metrics_others(b->last, m);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;
    r->headers_out.content_type = ngx_http_jobscout_metrics_type;
    r->headers_out.content_type_len = ngx_http_jobscout_metrics_type.len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static u_char *
ngx_http_jobscout_metrics_requests(u_char *p,
    ngx_http_jobscout_metrics_shm_t *m)
{
    ngx_str_t      route, method;
    ngx_uint_t     i, c;
    ngx_atomic_t  *slots;

    p = ngx_sprintf(p, "# HELP jobscout_http_requests_total "
                    "API requests by route and status class\n"
                    "# TYPE jobscout_http_requests_total counter\n");

    for (i = 0; i < m->nroutes; i++) {
        slots = &m->routes[i * NGX_HTTP_JOBSCOUT_METRICS_SLOTS];
        ngx_http_jobscout_metrics_route(i, &route, &method);

        for (c = 0; c < NGX_HTTP_JOBSCOUT_METRICS_CLASSES; c++) {
            if (slots[c]) {
                p = ngx_sprintf(p, "jobscout_http_requests_total{route=\"%V\","
                                "method=\"%V\",status=\"%uixx\"} %uA\n",
                                &route, &method, c + 1, slots[c]);
            }
        }
    }

    return p;
}


static u_char *
ngx_http_jobscout_metrics_durations(u_char *p,
    ngx_http_jobscout_metrics_shm_t *m)
{
    ngx_str_t      route, method;
    ngx_uint_t     i, b;
    ngx_atomic_t  *slots;
    ngx_atomic_uint_t  count, sum;

    p = ngx_sprintf(p, "# HELP jobscout_http_request_duration_seconds "
                    "API request latency by route\n"
                    "# TYPE jobscout_http_request_duration_seconds "
                    "histogram\n");

    for (i = 0; i < m->nroutes; i++) {
        slots = &m->routes[i * NGX_HTTP_JOBSCOUT_METRICS_SLOTS
                           + NGX_HTTP_JOBSCOUT_METRICS_CLASSES];
        count = 0;

        for (b = 0; b <= NGX_HTTP_JOBSCOUT_METRICS_BUCKETS; b++) {
            count += slots[b];
        }

        if (count == 0) {
            continue;
        }

        ngx_http_jobscout_metrics_route(i, &route, &method);
        count = 0;

        for (b = 0; b <= NGX_HTTP_JOBSCOUT_METRICS_BUCKETS; b++) {
            count += slots[b];
            p = ngx_sprintf(p, "jobscout_http_request_duration_seconds_bucket"
                            "{route=\"%V\",method=\"%V\",le=\"%s\"} %uA\n",
                            &route, &method, ngx_http_jobscout_metrics_le[b],
                            count);
        }

        sum = slots[NGX_HTTP_JOBSCOUT_METRICS_BUCKETS + 1];

        p = ngx_sprintf(p, "jobscout_http_request_duration_seconds_sum"
                        "{route=\"%V\",method=\"%V\"} %uA.%03uA\n"
                        "jobscout_http_request_duration_seconds_count"
                        "{route=\"%V\",method=\"%V\"} %uA\n",
                        &route, &method, sum / 1000, sum % 1000,
                        &route, &method, count);
    }

    return p;
}


static u_char *
ngx_http_jobscout_metrics_others(u_char *p,
    ngx_http_jobscout_metrics_shm_t *m)
{
    ngx_uint_t         i;
    ngx_atomic_uint_t  busy, idle, waiting;

    busy = 0;
    idle = 0;
    waiting = 0;

    for (i = 0; i < NGX_HTTP_JOBSCOUT_METRICS_WORKERS; i++) {
        busy += m->pg[i].busy;
        idle += m->pg[i].idle;
        waiting += m->pg[i].waiting;
    }

    p = ngx_sprintf(p, "# HELP jobscout_pg_connections "
                    "PostgreSQL pool connections by state, all workers\n"
                    "# TYPE jobscout_pg_connections gauge\n"
                    "jobscout_pg_connections{state=\"busy\"} %uA\n"
                    "jobscout_pg_connections{state=\"idle\"} %uA\n"
                    "# HELP jobscout_pg_waiting_queries "
                    "Queries waiting for a pooled connection\n"
                    "# TYPE jobscout_pg_waiting_queries gauge\n"
                    "jobscout_pg_waiting_queries %uA\n",
                    busy, idle, waiting);

    for (i = 0; i < NGX_HTTP_JOBSCOUT_METRIC_N; i++) {

        if (ngx_http_jobscout_metrics_counters[i].help) {
            p = ngx_sprintf(p, "# HELP %s %s\n# TYPE %s counter\n",
                            ngx_http_jobscout_metrics_counters[i].name,
                            ngx_http_jobscout_metrics_counters[i].help,
                            ngx_http_jobscout_metrics_counters[i].name);
        }

        p = ngx_sprintf(p, "%s%s %uA\n",
                        ngx_http_jobscout_metrics_counters[i].name,
                        ngx_http_jobscout_metrics_counters[i].labels,
                        m->counters[i]);
    }

    return p;
}


/* route i's labels: the table's pattern and method, or "unmatched" */

static void
ngx_http_jobscout_metrics_route(ngx_uint_t i, ngx_str_t *route,
    ngx_str_t *method)
{
    ngx_http_jobscout_route_t  *rt;

    if (i + 1 == ngx_http_jobscout_metrics_shm->nroutes) {
        ngx_str_set(route, "unmatched");
        ngx_str_set(method, "any");
        return;
    }

    rt = &ngx_http_jobscout_routes[i];
    *route = rt->pattern;

    switch (rt->method) {

    case NGX_HTTP_GET:
        ngx_str_set(method, "GET");
        break;

    case NGX_HTTP_POST:
        ngx_str_set(method, "POST");
        break;

    case NGX_HTTP_PUT:
        ngx_str_set(method, "PUT");
        break;

    case NGX_HTTP_PATCH:
        ngx_str_set(method, "PATCH");
        break;

    default: /* NGX_HTTP_DELETE */
        ngx_str_set(method, "DELETE");
    }
}
