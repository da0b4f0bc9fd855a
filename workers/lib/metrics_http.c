/*
 * The master's side of lib/metrics.h: the shared segment, made before the
 * first fork, and GET /metrics on metrics_listen, served by libmicrohttpd's
 * own thread (started with the master's signals blocked, so they still
 * reach the master's loop).  The queues' depths are read from Redis at
 * each scrape, on a connection of its own bounded by a timeout.
 */

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <microhttpd.h>

#include "catalogue.h"
#include "jobscout_task.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "util.h"

#define JS_METRICS_REDIS_TIMEOUT  1000    /* ms, to connect and per call */
#define JS_METRICS_SCAN_MAX       "99999" /* delayed and dead tasks read */

static struct MHD_Daemon  *js_metrics_daemon;

/* Redis as it was at start: a reload frees the configuration */
static char  *js_metrics_redis_host;
static char  *js_metrics_redis_path;
static int    js_metrics_redis_port;

static const char  *js_metrics_queues[] = {
    JOBSCOUT_QUEUE_MAIL, JOBSCOUT_QUEUE_SCRAPE_HIGH,
    JOBSCOUT_QUEUE_SCRAPE_NORMAL, JOBSCOUT_QUEUE_SCRAPE_TEST,
    JOBSCOUT_QUEUE_MATCH, JOBSCOUT_QUEUE_CV
};

static const char  *js_metrics_states[] = {
    "ready", "processing", "delayed", "dead"
};

/*
 * Per queue (ARGV[2..]): ready, processing (its consumers' lists),
 * delayed and dead (by the "queue" field jobscoutd adds on failure).
 */
static const char  js_metrics_depth_lua[] =
    "local r, at = {}, {}\n"
    "for i = 2, #ARGV do\n"
    "  local q = i - 1\n"
    "  at[ARGV[i]] = q\n"
    "  r[4*q-3] = redis.call('LLEN', ARGV[i])\n"
    "  r[4*q-2], r[4*q-1], r[4*q] = 0, 0, 0\n"
    "end\n"
    "local c = redis.call('HGETALL', KEYS[1])\n"
    "for i = 1, #c, 2 do\n"
    "  local q = at[c[i+1]]\n"
    "  if q then\n"
    "    r[4*q-2] = r[4*q-2] + redis.call('LLEN', ARGV[1] .. c[i])\n"
    "  end\n"
    "end\n"
    "local function count(tasks, off)\n"
    "  for _, t in ipairs(tasks) do\n"
    "    local q = at[string.match(t, '\"queue\":\"([^\"]*)\"') or '']\n"
    "    if q then r[4*q-off] = r[4*q-off] + 1 end\n"
    "  end\n"
    "end\n"
    "count(redis.call('ZRANGE', KEYS[2], 0, " JS_METRICS_SCAN_MAX "), 1)\n"
    "count(redis.call('LRANGE', KEYS[3], 0, " JS_METRICS_SCAN_MAX "), 0)\n"
    "return r\n";

static uint64_t
js_metrics_load(const uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void
js_metrics_help(FILE *f, const char *name, const char *type,
    const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                      type);
}

/* labels: "" or 'name="value"' */
static void
js_metrics_hist(FILE *f, const char *name, const char *labels,
    const js_metrics_hist_t *h, const int64_t *bounds)
{
    int          i;
    char         le[32];
    uint64_t     count = 0, sum;
    const char  *sep = labels[0] ? "," : "";

    for (i = 0; i <= JS_METRICS_BUCKETS; i++) {
        count += js_metrics_load(&h->buckets[i]);

        if (i < JS_METRICS_BUCKETS) {
            snprintf(le, sizeof(le), "%g", (double) bounds[i] / 1000);
        } else {
            snprintf(le, sizeof(le), "+Inf");
        }

        fprintf(f, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels,
                          sep, le, (unsigned long long) count);
    }

    sum = js_metrics_load(&h->sum_ms);

    fprintf(f, "%s_sum{%s} %llu.%03llu\n%s_count{%s} %llu\n",
                      name, labels, (unsigned long long) (sum / 1000),
                      (unsigned long long) (sum % 1000), name, labels,
                      (unsigned long long) count);
}

/* 1 with the depths read, 0 when Redis did not answer */
static int
js_metrics_depths(long long *depth)
{
    int              i, n, rc = 0;
    size_t           nq = JS_ARRAY_SIZE(js_metrics_queues);
    redisReply      *r;
    const char      *argv[7 + JS_ARRAY_SIZE(js_metrics_queues)];
    redisContext    *c;
    struct timeval   tv;

    tv.tv_sec = JS_METRICS_REDIS_TIMEOUT / 1000;
    tv.tv_usec = (JS_METRICS_REDIS_TIMEOUT % 1000) * 1000;

    c = js_metrics_redis_path != NULL
        ? redisConnectUnixWithTimeout(js_metrics_redis_path, tv)
        : redisConnectWithTimeout(js_metrics_redis_host,
                                  js_metrics_redis_port, tv);

    if (c == NULL || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
        goto done;
    }

    argv[0] = "EVAL";
    argv[1] = js_metrics_depth_lua;
    argv[2] = "3";
    argv[3] = JOBSCOUT_CONSUMERS;
    argv[4] = JOBSCOUT_DELAYED;
    argv[5] = JOBSCOUT_DEAD;
    argv[6] = JOBSCOUT_PROCESSING_PREFIX;
    n = 7;

    for (i = 0; i < (int) nq; i++) {
        argv[n++] = js_metrics_queues[i];
    }

    r = redisCommandArgv(c, n, argv, NULL);

    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4 * nq) {
        for (i = 0; i < (int) (4 * nq); i++) {
            depth[i] = r->element[i]->type == REDIS_REPLY_INTEGER
                       ? r->element[i]->integer : 0;
        }
        rc = 1;
    }

    if (r != NULL) {
        freeReplyObject(r);
    }

done:

    if (c != NULL) {
        redisFree(c);
    }

    return rc;
}

static void
js_metrics_render_queues(FILE *f)
{
    int         i, s, up;
    size_t      nq = JS_ARRAY_SIZE(js_metrics_queues);
    long long   depth[4 * JS_ARRAY_SIZE(js_metrics_queues)];

    up = js_metrics_depths(depth);

    js_metrics_help(f, "jobscoutd_queue_readable", "gauge",
                    "1 when the queues' depths were read from Redis");
    fprintf(f, "jobscoutd_queue_readable %d\n", up);

    if (!up) {
        return;
    }

    js_metrics_help(f, "jobscoutd_queue_tasks", "gauge",
                    "Tasks per queue: ready, processing, delayed, dead");

    for (i = 0; i < (int) nq; i++) {
        for (s = 0; s < 4; s++) {
            fprintf(f, "jobscoutd_queue_tasks{queue=\"%s\","
                              "state=\"%s\"} %lld\n",
                              js_metrics_queues[i]
                              + sizeof(JOBSCOUT_QUEUE_PREFIX) - 1,
                              js_metrics_states[s], depth[4 * i + s]);
        }
    }
}

static void
js_metrics_render(FILE *f)
{
    int                  i;
    char                 labels[64];
    const js_metrics_t  *m = js_metrics;

    static const char  *tasks[] = { "done", "retried", "failed" };
    static const struct {
        int          counter;
        const char  *name;
        const char  *labels;
        const char  *help;
    } counters[] = {
        { JS_METRICS_JOBS_NEW, "jobscoutd_jobs_total", "{change=\"new\"}",
          "Jobs stored by scrapes, by change" },
        { JS_METRICS_JOBS_UPDATED, "jobscoutd_jobs_total",
          "{change=\"updated\"}", NULL },
        { JS_METRICS_JOBS_EXPIRED, "jobscoutd_jobs_total",
          "{change=\"expired\"}", NULL },
        { JS_METRICS_JOBS_DUPLICATE, "jobscoutd_jobs_total",
          "{change=\"duplicate\"}", NULL },
        { JS_METRICS_ROBOTS_BLOCKED, "jobscoutd_robots_blocked_total", "",
          "Fetches robots.txt forbade" },
        { JS_METRICS_ALERTS_CREATED, "jobscoutd_alerts_created_total", "",
          "Alerts the matcher created" },
        { JS_METRICS_PUSHES_ACCEPTED, "jobscoutd_pushes_total",
          "{outcome=\"accepted\"}", "Push attempts by FCM's answer" },
        { JS_METRICS_PUSHES_UNREGISTERED, "jobscoutd_pushes_total",
          "{outcome=\"unregistered\"}", NULL },
        { JS_METRICS_PUSHES_RETRIED, "jobscoutd_pushes_total",
          "{outcome=\"retried\"}", NULL },
        { JS_METRICS_PUSHES_FAILED, "jobscoutd_pushes_total",
          "{outcome=\"failed\"}", NULL },
        { JS_METRICS_MAILS_SENT, "jobscoutd_mails_total",
          "{outcome=\"sent\"}", "SMTP deliveries by outcome" },
        { JS_METRICS_MAILS_FAILED, "jobscoutd_mails_total",
          "{outcome=\"failed\"}", NULL },
    };

    js_metrics_render_queues(f);

    js_metrics_help(f, "jobscoutd_tasks_total", "counter",
                    "Queue tasks by role and outcome");

    for (i = 0; i < m->nroles; i++) {
        fprintf(f, "jobscoutd_tasks_total{role=\"%s\","
                          "outcome=\"%s\"} %llu\n"
                          "jobscoutd_tasks_total{role=\"%s\","
                          "outcome=\"%s\"} %llu\n"
                          "jobscoutd_tasks_total{role=\"%s\","
                          "outcome=\"%s\"} %llu\n",
                          m->roles[i], tasks[0], (unsigned long long)
                          js_metrics_load(&m->tasks[i][0]),
                          m->roles[i], tasks[1], (unsigned long long)
                          js_metrics_load(&m->tasks[i][1]),
                          m->roles[i], tasks[2], (unsigned long long)
                          js_metrics_load(&m->tasks[i][2]));
    }

    js_metrics_help(f, "jobscoutd_worker_restarts_total", "counter",
                    "Workers respawned after an unexpected exit");

    for (i = 0; i < m->nroles; i++) {
        fprintf(f, "jobscoutd_worker_restarts_total{role=\"%s\"} "
                          "%llu\n", m->roles[i], (unsigned long long)
                          js_metrics_load(&m->restarts[i]));
    }

    js_metrics_help(f, "jobscoutd_scrapes_total", "counter",
                    "Scrape runs by adapter and outcome");

    for (i = 0; i <= m->nadapters; i++) {
        fprintf(f, "jobscoutd_scrapes_total{adapter=\"%s\","
                          "outcome=\"success\"} %llu\n"
                          "jobscoutd_scrapes_total{adapter=\"%s\","
                          "outcome=\"failure\"} %llu\n",
                          i < m->nadapters ? m->adapters[i] : "other",
                          (unsigned long long)
                          js_metrics_load(&m->scrapes[i].outcomes[0]),
                          i < m->nadapters ? m->adapters[i] : "other",
                          (unsigned long long)
                          js_metrics_load(&m->scrapes[i].outcomes[1]));
    }

    js_metrics_help(f, "jobscoutd_scrape_duration_seconds", "histogram",
                    "Scrape run duration by adapter");

    for (i = 0; i <= m->nadapters; i++) {
        snprintf(labels, sizeof(labels), "adapter=\"%s\"",
                 i < m->nadapters ? m->adapters[i] : "other");
        js_metrics_hist(f, "jobscoutd_scrape_duration_seconds", labels,
                        &m->scrapes[i].duration, js_metrics_duration_bounds);
    }

    for (i = 0; i < (int) JS_ARRAY_SIZE(counters); i++) {
        /* a family's first sample has its help */
        if (counters[i].help != NULL) {
            js_metrics_help(f, counters[i].name, "counter", counters[i].help);
        }

        fprintf(f, "%s%s %llu\n", counters[i].name, counters[i].labels,
                          (unsigned long long)
                          js_metrics_load(&m->counters[counters[i].counter]));
    }

    js_metrics_help(f, "jobscoutd_discovery_delay_seconds", "histogram",
                    "Posting to discovery, the median of a run's new jobs");
    js_metrics_hist(f, "jobscoutd_discovery_delay_seconds", "",
                    &m->discovery, js_metrics_discovery_bounds);

    js_metrics_help(f, "jobscoutd_push_latency_seconds", "histogram",
                    "A job's commit to FCM accepting its push");
    js_metrics_hist(f, "jobscoutd_push_latency_seconds", "",
                    &m->push_latency, js_metrics_latency_bounds);

    js_metrics_help(f, "jobscoutd_match_duration_seconds", "histogram",
                    "One job matched against every profile in a notifier's"
                    " memory");
    js_metrics_hist(f, "jobscoutd_match_duration_seconds", "",
                    &m->match, js_metrics_match_bounds);
}

static enum MHD_Result
js_metrics_answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
    unsigned int              status;
    enum MHD_Result           rc;
    FILE                     *f;
    char                     *text = NULL;
    size_t                    len = 0;
    struct MHD_Response      *res;
    static const char         not_found[] = "no such resource\n";
    static const char         not_allowed[] = "method not allowed\n";

    (void) cls;
    (void) version;
    (void) upload;
    (void) upload_size;
    (void) state;

    if (strcmp(url, "/metrics") != 0) {
        status = MHD_HTTP_NOT_FOUND;
        res = MHD_create_response_from_buffer(sizeof(not_found) - 1,
                                              (void *) not_found,
                                              MHD_RESPMEM_PERSISTENT);

    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        res = MHD_create_response_from_buffer(sizeof(not_allowed) - 1,
                                              (void *) not_allowed,
                                              MHD_RESPMEM_PERSISTENT);
        if (res != NULL) {
            MHD_add_response_header(res, "Allow", "GET, HEAD");
        }

    } else {
        /* a stream that grows as the text is written */
        f = open_memstream(&text, &len);
        if (f == NULL) {
            return MHD_NO;
        }

        js_metrics_render(f);

        if (ferror(f) | fclose(f)) {
            free(text);
            return MHD_NO;
        }

        status = MHD_HTTP_OK;
        res = MHD_create_response_from_buffer(len, text,
                                              MHD_RESPMEM_MUST_FREE);
        if (res == NULL) {
            free(text);
        }
    }

    if (res == NULL) {
        return MHD_NO;
    }

    MHD_add_response_header(res, "Content-Type",
                            status == MHD_HTTP_OK
                            ? "text/plain; version=0.0.4; charset=utf-8"
                            : "text/plain; charset=utf-8");

    rc = MHD_queue_response(c, status, res);
    MHD_destroy_response(res);

    return rc;
}

/* the adapters' names, from the catalogue, into the segment */
static void
js_metrics_adapters(js_metrics_t *m)
{
    size_t       i;
    json_t      *all, *a;
    const char  *name;

    all = js_catalogue_json();

    json_array_foreach(all, i, a) {
        name = json_string_value(json_object_get(a, "name"));

        if (name != NULL && m->nadapters < JS_METRICS_ADAPTERS) {
            snprintf(m->adapters[m->nadapters++], JS_METRICS_NAME, "%s",
                     name);
        }
    }

    json_decref(all);
}

int
js_metrics_start(const js_conf_t *cf, const char *const *roles, char *err,
    size_t errlen)
{
    int               rc;
    char              port[8];
    js_metrics_t     *m;
    struct addrinfo   hints, *ai;

    if (cf->metrics_host == NULL) {
        return 0;
    }

    m = mmap(NULL, sizeof(js_metrics_t), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "mmap() of the metrics failed");
        return -1;
    }

    for (m->nroles = 0; roles[m->nroles] != NULL
                        && m->nroles < JS_CONF_MAX_ROLES; m->nroles++)
    {
        snprintf(m->roles[m->nroles], JS_METRICS_NAME, "%s",
                 roles[m->nroles]);
    }

    js_metrics_adapters(m);

    js_metrics_redis_host = cf->redis_host ? strdup(cf->redis_host) : NULL;
    js_metrics_redis_path = cf->redis_path ? strdup(cf->redis_path) : NULL;
    js_metrics_redis_port = cf->redis_port;

    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof(port), "%d", cf->metrics_port);

    rc = getaddrinfo(cf->metrics_host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "metrics_listen %s: %s", cf->metrics_host,
                 gai_strerror(rc));
        munmap(m, sizeof(js_metrics_t));
        return -1;
    }

    js_metrics_daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG
        | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
        (uint16_t) cf->metrics_port, NULL, NULL, js_metrics_answer, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 10,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 32,
        MHD_OPTION_END);

    freeaddrinfo(ai);

    if (js_metrics_daemon == NULL) {
        snprintf(err, errlen, "cannot serve metrics on %s:%d",
                 cf->metrics_host, cf->metrics_port);
        munmap(m, sizeof(js_metrics_t));
        return -1;
    }

    js_metrics = m;

    js_log(JS_LOG_NOTICE, "serving metrics", JS_KS("host", cf->metrics_host),
           JS_KI("port", cf->metrics_port));

    return 0;
}

void
js_metrics_child(void)
{
    const union MHD_DaemonInfo  *info;

    if (js_metrics_daemon == NULL) {
        return;
    }

    /* the master's thread is not ours: only let go of its socket */
    info = MHD_get_daemon_info(js_metrics_daemon,
                               MHD_DAEMON_INFO_LISTEN_FD);
    if (info != NULL) {
        close(info->listen_fd);
    }

    js_metrics_daemon = NULL;
}

void
js_metrics_stop(void)
{
    if (js_metrics_daemon != NULL) {
        MHD_stop_daemon(js_metrics_daemon);
        js_metrics_daemon = NULL;
    }

    free(js_metrics_redis_host);
    free(js_metrics_redis_path);
    js_metrics_redis_host = NULL;
    js_metrics_redis_path = NULL;
}
