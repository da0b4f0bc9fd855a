/*
 * The scraper role: runs the sources queued on scrape:high (first) and
 * scrape:normal ({"source_id": "<uuid>"}, see jobscout_task.h), and,
 * before them, the dry runs of scrape:test (scrape_test.c).
 *
 * Up to scrape_concurrency runs are in flight per process, their
 * fetches multiplexed on one libcurl multi handle (lib/http.c).  A run
 * fetches the adapter's pages one after the other (the next URL comes
 * from the page just parsed), sends the stored ETag / Last-Modified with
 * the first one (304: nothing changed), then the detail calls the
 * adapter asked for (adapter.h: each GET like a page, a failed one
 * failing nothing), then stores everything in one
 * transaction (lib/jobstore.c), queues the new jobs' ids on the match
 * queue, and only then acks its task.  A provider error is a failed run
 * (recorded in scrape_logs and the source's health, then acked: the
 * scheduler comes back at the next interval); a database or Redis error
 * leaves the task to be retried.
 *
 * QUIT lets the runs in flight finish; TERM drops them, and their tasks
 * go back on the queue.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "catalogue.h"
#include "http.h"
#include "polite.h"
#include "robots.h"
#include "jobscout_task.h"
#include "jobskills.h"
#include "jobstore.h"
#include "log.h"
#include "metrics.h"
#include "queue.h"
#include "roles.h"
#include "scraper.h"
#include "sentry.h"
#include "util.h"

#define JS_SCRAPER_MATCH_CHUNK  500      /* job ids per match task */
#define JS_SCRAPER_POLL         200      /* ms */
#define JS_SCRAPER_RULES_RETRY  250      /* ms, rereading the cache */
#define JS_SCRAPER_IDLE_BLOCK   200      /* ms, idle, on scrape:test */
#define JS_SCRAPER_BACKFILL     500      /* jobs re-tagged per batch */
#define JS_SCRAPER_BACKFILL_RETRY 30000  /* ms after a failed batch */

#define JS_SCRAPE_SKIPPED       1        /* a detail call not made */

static void js_scrape_fetched(js_http_req_t *req);
static void js_scrape_detail_fetched(js_http_req_t *req);
static void js_scrape_robots_fetched(js_http_req_t *req);
static int js_scrape_next(js_scrape_run_t *r);
static void js_scrape_go(js_scrape_run_t *r);

static PGconn *
js_scraper_pg(js_scraper_t *s, char *err, size_t errlen)
{
    if (s->pg != NULL && PQstatus(s->pg) != CONNECTION_OK) {
        PQfinish(s->pg);
        s->pg = NULL;
    }
    if (s->pg == NULL) {
        s->pg = js_jobstore_connect(s->w->conf->postgres, err, errlen);
    }
    return s->pg;
}

/* The skills taxonomy, loaded once per process (a reload starts new
 * ones). */
static js_skills_t *
js_scraper_skills(js_scraper_t *s, char *err, size_t errlen)
{
    if (s->skills == NULL && js_scraper_pg(s, err, errlen) != NULL) {
        s->skills = js_skills_load(s->pg, err, errlen);
        if (s->skills != NULL) {
            js_log(JS_LOG_INFO, "skills taxonomy loaded",
                   JS_KI("skills", (long) js_skills_count(s->skills)),
                   JS_KI("aliases", (long) js_skills_alias_count(s->skills)),
                   JS_KS("version", js_skills_version(s->skills)));
        }
    }
    return s->skills;
}

/*
 * One batch of the re-tagging of stored jobs (lib/jobskills.h), while
 * there is no scrape to run; once finished, not again in this process.
 */
static void
js_scraper_backfill(js_scraper_t *s)
{
    int    rc;
    long   tagged;
    char   err[1024];

    if (s->backfill_done || js_msec() < s->backfill_at) {
        return;
    }
    rc = js_scraper_skills(s, err, sizeof(err)) == NULL ? -1
         : js_jobskills_backfill(s->pg, s->skills, JS_SCRAPER_BACKFILL,
                                 &tagged, err, sizeof(err));
    if (rc < 0) {
        js_log(JS_LOG_ERR, "skills backfill failed, will retry",
               JS_KS("err", err), JS_KI("in_ms", JS_SCRAPER_BACKFILL_RETRY));
        s->backfill_at = js_msec() + JS_SCRAPER_BACKFILL_RETRY;
        return;
    }
    if (rc == 0) {
        s->backfill_done = 1;
        js_log(JS_LOG_INFO, "skills backfill done here",
               JS_KS("version", js_skills_version(s->skills)));
        return;
    }
    js_log(JS_LOG_DEBUG, "skills backfill batch", JS_KI("jobs", tagged));
}

void
js_scrape_run_free(js_scrape_run_t *r)
{
    js_scraper_t  *s = r->s;

    js_http_cancel(s->http, &r->req);
    js_http_req_reset(&r->req);
    js_task_free(&r->task);
    js_source_row_free(&r->row);
    js_page_free(&r->page);
    free(r->url);
    free(r->body);
    free(r->etag);
    free(r->last_modified);
    free(r->rules);
    js_scrape_test_free(r->test);

    memset(r, 0, sizeof(*r));
    r->s = s;
    s->active--;
}

/* Done with the source: the scheduler may queue it again. */
static void
js_scrape_unpend(js_scraper_t *s, const char *source_id)
{
    redisReply  *reply;

    if (s->q.redis == NULL) {
        return;                  /* the key's TTL will do it */
    }
    reply = redisCommand(s->q.redis, "DEL %s%s",
                         JOBSCOUT_SCRAPE_PENDING_PREFIX, source_id);
    if (reply != NULL) {
        freeReplyObject(reply);
    }
}

/* The run is over (error NULL: a success): store it, queue, ack. */
static void
js_scrape_finish(js_scrape_run_t *r, const char *error)
{
    long              matches = 0;
    char              err[1024], msg[JS_SENTRY_MESSAGE_MAX + 1];
    js_store_run_t    run;
    js_store_stats_t  st;
    js_scraper_t     *s = r->s;
    const js_conf_t  *cf = s->w->conf;

    if (r->test != NULL) {
        js_scrape_test_answer(r, error);
        return;
    }

    memset(&run, 0, sizeof(run));
    run.source_id = r->row.src.id;
    run.company_name = r->row.src.company_name;
    run.error = error;
    run.not_modified = r->not_modified;
    run.page = &r->page;
    run.etag = r->etag;
    run.last_modified = r->last_modified;
    run.started_at = r->started_at;
    run.duration_ms = js_msec() - r->started;
    run.expire_after = cf->scrape_expire_after;
    run.pages = r->pages;
    run.http_status = r->http_status;
    run.trigger = r->trigger;
    run.bytes = r->bytes;
    run.fetch_host = r->fetch_host[0] ? r->fetch_host : NULL;
    run.host_gap = r->host_gap;
    run.limits.floor = r->row.high ? cf->scrape_poll_high_min
                                   : cf->scrape_poll_normal_min;
    run.limits.ceiling = r->row.high ? cf->scrape_poll_high_max
                                     : cf->scrape_poll_normal_max;
    run.limits.pinned = r->row.pinned;
    run.poll = r->row.poll;
    run.since_success = r->row.since_success;
    run.failures = error != NULL ? r->row.failures + 1 : 0;

    run.skills = js_scraper_skills(s, err, sizeof(err));
    if (run.skills == NULL
        || js_jobstore_save(s->pg, &run, &st, err, sizeof(err)) != 0
        || js_jobstore_queue_matches(s->pg, run.source_id,
                                     JS_SCRAPER_MATCH_CHUNK, &matches, err,
                                     sizeof(err)) != 0)
    {
        js_log(JS_LOG_ERR, "scrape not stored, will retry",
               JS_KS("source", run.source_id), JS_KS("err", err));
        (void) js_queue_fail(&s->q, &r->task, err, 0);
        js_scrape_run_free(r);
        return;
    }

    js_metrics_scrape(r->row.src.scraper_class, error, run.duration_ms,
                      st.new_jobs, st.updated, st.expired, st.duplicates,
                      st.discovery_p50);

    if (error != NULL) {
        js_log(JS_LOG_WARN, "scrape failed", JS_KS("source", run.source_id),
               JS_KS("class", r->row.src.scraper_class),
               JS_KS("err", error),
               JS_KI("next_check_s", st.next_check / 1000),
               JS_KS("why", st.reason));
        js_sentry_report(json_pack("{s:s, s:s, s:s, s:s}",
            "level", "warning",
            "message", js_sentry_text(msg, sizeof(msg), "scrape failed: ",
                                      error),
            "role", "scraper", "scrape_source", run.source_id));
    } else {
        js_log(JS_LOG_INFO, "scrape done", JS_KS("source", run.source_id),
               JS_KS("class", r->row.src.scraper_class),
               JS_KS("outcome", js_poll_outcome_name(st.outcome)),
               JS_KI("pages", r->page.npages),
               JS_KI("details", r->details_read),
               JS_KI("found", st.jobs_found),
               JS_KI("new", st.new_jobs), JS_KI("updated", st.updated),
               JS_KI("expired", st.expired),
               JS_KI("duplicates", st.duplicates), JS_KI("matches", matches),
               JS_KI("bytes", run.bytes), JS_KI("ms", run.duration_ms),
               JS_KI("discovery_p50_s", st.discovery_p50),
               JS_KI("discovery_max_s", st.discovery_max),
               JS_KI("next_check_s", st.next_check / 1000),
               JS_KS("why", st.reason));
        if (r->page.unread[0] != '\0') {
            js_log(JS_LOG_WARN, "scrape partial: no job counted missed",
                   JS_KS("source", run.source_id),
                   JS_KS("class", r->row.src.scraper_class),
                   JS_KS("err", r->page.unread));
        }
    }

    (void) js_queue_ack(&s->q, &r->task);
    js_scrape_unpend(s, run.source_id);
    js_scrape_run_free(r);
}

void
js_scrape_abort(js_scrape_run_t *r, const char *err)
{
    js_log(JS_LOG_ERR, "scrape abandoned, will retry",
           JS_KS("source", r->row.src.id), JS_KS("err", err));
    (void) js_queue_fail(&r->s->q, &r->task, err, 0);
    js_scrape_run_free(r);
}

/*
 * The least gap (ms) between two requests to the run's host: its budget
 * (scrape_host_budget) or scrape_host_delay, and never shorter than the
 * robots.txt Crawl-delay, once known.
 */
static int
js_scrape_host_gap(js_scrape_run_t *r)
{
    int                           gap, crawl;
    const js_conf_t              *cf = r->s->w->conf;
    const js_conf_host_budget_t  *budget;

    budget = js_conf_host_budget(cf, r->host);
    gap = budget != NULL ? budget->gap_ms : cf->scrape_host_delay;

    crawl = r->rules != NULL ? js_robots_crawl_delay(r->rules) : 0;
    return crawl > gap ? crawl : gap;
}

/* Reserves the host's next slot; the main loop starts what when due. */
static void
js_scrape_wait(js_scrape_run_t *r, int what)
{
    int64_t  wait;

    if (r->s->q.redis == NULL
        || js_polite_slot(r->s->q.redis, r->host, js_scrape_host_gap(r),
                          &wait) != 0)
    {
        js_scrape_abort(r, "redis: cannot reserve a host slot");
        return;
    }

    r->waiting = what;
    r->not_before = js_msec() + wait;
}

/* The host's gap runs from this answer on (lib/polite.h). */
static void
js_scrape_answered(js_scrape_run_t *r)
{
    if (r->s->q.redis != NULL) {
        js_polite_done(r->s->q.redis, r->host, js_scrape_host_gap(r));
    }
}

static void
js_scrape_fetch(js_scrape_run_t *r)
{
    int      first = r->page.npages == 0 && r->detail == 0, robots;
    int64_t  wait;

    /* the gap to the host's last request, as sent, not as reserved */
    if (r->s->q.redis == NULL
        || js_polite_start(r->s->q.redis, r->host, js_scrape_host_gap(r),
                           &wait) != 0)
    {
        js_scrape_abort(r, "redis: cannot start a host's request");
        return;
    }
    if (wait > 0) {
        r->not_before = js_msec() + wait;
        return;                          /* still waiting, as before */
    }

    robots = r->waiting == JS_SCRAPE_WAIT_ROBOTS;
    r->waiting = JS_SCRAPE_WAIT_NONE;

    memset(&r->req, 0, sizeof(r->req));
    r->req.data = r;

    if (robots) {
        r->req.url = r->robots_url;
        r->req.done = js_scrape_robots_fetched;
    } else {
        r->fetch_started = js_msec();
        if (first && r->fetch_host[0] == '\0') {
            memcpy(r->fetch_host, r->host, sizeof(r->fetch_host));
            r->host_gap = js_scrape_host_gap(r);
        }
        r->req.url = r->url;
        r->req.post = r->body;
        r->req.etag = first ? r->row.etag : NULL;
        r->req.last_modified = first ? r->row.last_modified : NULL;
        r->req.done = r->detail > 0 ? js_scrape_detail_fetched
                                    : js_scrape_fetched;
    }

    if (js_http_start(r->s->http, &r->req) != 0) {
        js_scrape_finish(r, r->req.error);
    }
}

/* origin ("http://host:port"), host and path with query of r->url. */
static int
js_scrape_url_parts(js_scrape_run_t *r, char *path, size_t len)
{
    int    rc = -1;
    char  *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *q = NULL;
    char  *lc;
    CURLU *u;

    u = curl_url();
    if (u == NULL
        || curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)
           != CURLUE_OK
        || curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
    {
        goto done;
    }
    (void) curl_url_get(u, CURLUPART_QUERY, &q, 0);

    if (js_snprintf(r->origin, sizeof(r->origin), "%s://%s:%s", scheme,
                    host, port) < 0
        || js_snprintf(r->host, sizeof(r->host), "%s", host) < 0
        || js_snprintf(r->robots_url, sizeof(r->robots_url), "%s/robots.txt",
                       r->origin) < 0
        || js_snprintf(path, len, "%s%s%s", p, q ? "?" : "", q ? q : "") < 0)
    {
        goto done;
    }
    /* host names are case-insensitive: one politeness key per host */
    for (lc = r->host; *lc != '\0'; lc++) {
        *lc = (char) tolower((unsigned char) *lc);
    }
    rc = 0;

done:

    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(p);
    curl_free(q);
    curl_url_cleanup(u);
    return rc;
}

/*
 * The next fetch of the run: robots.txt first if needed, then r->url.
 * JS_SCRAPE_SKIPPED when r->url is a detail call it may not make (its
 * URL unusable, or robots.txt forbids it: the run goes on,
 * js_scrape_details), else 0 (the run may be over).
 */
static int
js_scrape_next(js_scrape_run_t *r)
{
    int   rc;
    char  origin[sizeof(r->origin)], path[4096], err[600];

    memcpy(origin, r->origin, sizeof(origin));

    if (js_scrape_url_parts(r, path, sizeof(path)) != 0) {
        if (r->detail > 0) {
            js_log(JS_LOG_NOTICE, "detail URL unusable, job kept as listed",
                   JS_KS("source", r->row.src.id), JS_KS("url", r->url));
            return JS_SCRAPE_SKIPPED;
        }
        snprintf(err, sizeof(err), "bad URL %.300s", r->url);
        js_scrape_finish(r, err);
        return 0;
    }

    if (r->rules == NULL || strcmp(origin, r->origin) != 0) {
        free(r->rules);
        r->rules = NULL;

        rc = r->s->q.redis == NULL ? -1
             : js_polite_robots_get(r->s->q.redis, r->origin, &r->rules);
        if (rc == -1) {
            js_scrape_abort(r, "redis: cannot read the robots.txt cache");
            return 0;
        }
        if (rc == 0) {
            /* Held for long enough for a slot, a fetch and its redirects. */
            rc = js_polite_robots_lock(r->s->q.redis, r->origin,
                                       r->s->w->conf->scrape_timeout
                                       + 60000);
            if (rc == 1) {
                /* the previous holder may have cached them meanwhile */
                rc = js_polite_robots_get(r->s->q.redis, r->origin,
                                          &r->rules);
                if (rc == 1) {
                    js_polite_robots_unlock(r->s->q.redis, r->origin);
                } else if (rc == 0) {
                    js_scrape_wait(r, JS_SCRAPE_WAIT_ROBOTS);
                    return 0;
                }
            } else if (rc == 0) {
                r->waiting = JS_SCRAPE_WAIT_RULES;
                r->not_before = js_msec() + JS_SCRAPER_RULES_RETRY;
                return 0;
            }
            if (rc == -1) {
                js_scrape_abort(r, "redis: cannot lock robots.txt");
                return 0;
            }
        }
    }

    if (!js_robots_allowed(r->rules, path)) {
        js_metrics_add(JS_METRICS_ROBOTS_BLOCKED, 1);
        if (r->test != NULL) {
            js_scrape_test_warn(r, "robots.txt forbids %.300s", r->url);
        }
        if (r->detail > 0) {
            js_log(JS_LOG_NOTICE, "detail forbidden by robots.txt, job kept "
                   "as listed", JS_KS("source", r->row.src.id),
                   JS_KS("url", r->url));
            return JS_SCRAPE_SKIPPED;
        }
        snprintf(err, sizeof(err), "blocked by robots.txt: %.300s", r->url);
        js_scrape_finish(r, err);
        return 0;
    }

    js_scrape_wait(r, JS_SCRAPE_WAIT_PAGE);
    return 0;
}

/*
 * The next detail call, past those robots.txt forbids, or the end of the
 * run when none is left (js_page_take_detail has bounded them).
 */
static void
js_scrape_details(js_scrape_run_t *r)
{
    while (r->detail < r->page.ndetails) {
        free(r->url);
        free(r->body);
        r->body = NULL;
        r->url = strdup(r->page.details[r->detail++].url);
        if (r->url == NULL) {
            js_scrape_finish(r, "out of memory");
            return;
        }
        if (js_scrape_next(r) != JS_SCRAPE_SKIPPED) {
            return;
        }
    }
    js_scrape_finish(r, NULL);
}

/* js_scrape_next from a wait or robots.txt: a skipped detail moves on. */
static void
js_scrape_go(js_scrape_run_t *r)
{
    if (js_scrape_next(r) == JS_SCRAPE_SKIPPED) {
        js_scrape_details(r);
    }
}

/*
 * RFC 9309 2.3.1: 2xx is parsed, 4xx allows everything, anything else
 * (5xx, unreachable, too many redirects) disallows everything, cached
 * for a tenth of the TTL so the site gets another chance soon.
 */
static void
js_scrape_robots_fetched(js_http_req_t *req)
{
    int               ttl;
    char             *rules;
    js_scrape_run_t  *r = req->data;
    const js_conf_t  *cf = r->s->w->conf;

    js_scrape_answered(r);
    ttl = cf->scrape_robots_ttl;

    if (req->status >= 200 && req->status < 300) {
        rules = js_robots_rules(req->body ? req->body : "", req->len,
                                "JobScout");
    } else if (req->status >= 400 && req->status < 500) {
        rules = strdup("");
    } else {
        rules = strdup(JS_ROBOTS_DENY_ALL);
        ttl = ttl / 10 > 0 ? ttl / 10 : ttl;
    }

    js_log(JS_LOG_INFO, "robots.txt fetched", JS_KS("origin", r->origin),
           JS_KI("status", req->status), JS_KS("err", req->error));
    js_http_req_reset(req);

    if (rules == NULL) {
        js_scrape_finish(r, "out of memory");
        return;
    }

    if (r->s->q.redis == NULL
        || js_polite_robots_put(r->s->q.redis, r->origin, rules, ttl) != 0)
    {
        free(rules);
        js_scrape_abort(r, "redis: cannot cache robots.txt");
        return;
    }

    free(r->rules);
    r->rules = rules;
    js_scrape_go(r);
}

static void
js_scrape_fetched(js_http_req_t *req)
{
    char              err[1024], why[CURL_ERROR_SIZE + 64];
    const char       *error = NULL, *page_error = NULL;
    js_scrape_run_t  *r = req->data;

    js_queue_keepalive(&r->s->q);
    js_scrape_answered(r);

    if (req->status > 0) {
        r->pages++;
        r->http_status = req->status;
    }

    if (req->status == 304 && r->page.npages == 0) {
        r->not_modified = 1;

    } else if (req->status != 200) {
        if (req->status == 0) {
            snprintf(why, sizeof(why), "%s", req->error);
        } else {
            snprintf(why, sizeof(why), "HTTP %ld", req->status);
        }
        snprintf(err, sizeof(err), "fetch %.300s: %s", r->url, why);
        error = err;
        page_error = why;

    } else {
        r->bytes += (int64_t) req->len;
        if (r->page.npages == 0) {
            r->etag = req->resp_etag;
            r->last_modified = req->resp_last_modified;
            req->resp_etag = NULL;
            req->resp_last_modified = NULL;
        }
        if (r->adapter->parse(&r->row.src, r->url,
                              req->body ? req->body : "", req->len, &r->page,
                              err, sizeof(err)) != 0)
        {
            error = err;
            page_error = err;
        }
    }

    if (r->test != NULL) {
        js_scrape_test_page(r, req, page_error);
    }
    js_http_req_reset(req);

    if (error != NULL || r->not_modified) {
        js_scrape_finish(r, error);
        return;
    }
    if (r->page.next_url == NULL
        || (r->test != NULL && js_scrape_test_enough(r)))
    {
        js_scrape_details(r);
        return;
    }

    free(r->url);
    free(r->body);
    r->url = strdup(r->page.next_url);
    r->body = r->page.next_body ? strdup(r->page.next_body) : NULL;
    if (r->url == NULL || (r->page.next_body != NULL && r->body == NULL)) {
        js_scrape_finish(r, "out of memory");
        return;
    }
    (void) js_scrape_next(r);
}

/*
 * A detail call answered.  It fails nothing: on an error, or a body the
 * adapter refuses, its job is stored as the list gave it (noted in the
 * log and in a dry run's pages).
 */
static void
js_scrape_detail_fetched(js_http_req_t *req)
{
    char              err[1024];
    const char       *error = NULL;
    js_job_t         *job;
    js_scrape_run_t  *r = req->data;

    js_queue_keepalive(&r->s->q);
    js_scrape_answered(r);

    job = &r->page.jobs[r->page.details[r->detail - 1].job];
    if (req->status != 200) {
        if (req->status == 0) {
            snprintf(err, sizeof(err), "%s", req->error);
        } else {
            snprintf(err, sizeof(err), "HTTP %ld", req->status);
        }
        error = err;
    } else {
        r->bytes += (int64_t) req->len;
        if (r->adapter->parse_detail(&r->row.src, r->url,
                                     req->body ? req->body : "", req->len,
                                     job, err, sizeof(err)) != 0)
        {
            error = err;
        } else {
            r->details_read++;
        }
    }

    if (error != NULL) {
        js_log(JS_LOG_NOTICE, "detail not read, job kept as listed",
               JS_KS("source", r->row.src.id), JS_KS("url", r->url),
               JS_KS("err", error));
    }
    if (r->test != NULL) {
        js_scrape_test_page(r, req, error);
    }
    js_http_req_reset(req);
    js_scrape_details(r);
}

/* The source of a scrape task, from PostgreSQL: 1 when it may run; 0
 * when the task is over (freed); -1 with err when the run fails. */
static int
js_scrape_load(js_scrape_run_t *r, char *err, size_t errlen)
{
    int            rc;
    const char    *id, *trigger;
    js_scraper_t  *s = r->s;

    id = json_string_value(json_object_get(r->task.args, "source_id"));
    if (id == NULL || !js_uuid_valid(id)) {
        (void) js_queue_fail(&s->q, &r->task, "args lack a \"source_id\" "
                             "uuid", 1);
        js_scrape_run_free(r);
        return 0;
    }

    /* the module queues manual and webhook runs; the scheduler, none */
    trigger = json_string_value(json_object_get(r->task.args, "trigger"));
    r->trigger = trigger != NULL && strcmp(trigger, "manual") == 0 ? "manual"
                 : trigger != NULL && strcmp(trigger, "webhook") == 0
                 ? "webhook" : "schedule";

    rc = js_scraper_pg(s, err, errlen) == NULL ? -1
         : js_jobstore_source(s->pg, id, &r->row, err, errlen);

    if (rc == -1) {
        js_log(JS_LOG_ERR, "cannot load source", JS_KS("source", id),
               JS_KS("err", err));
        (void) js_queue_fail(&s->q, &r->task, err, 0);
        js_scrape_run_free(r);
        return 0;
    }

    if (rc == 0 || !r->row.is_active) {
        js_log(JS_LOG_NOTICE, "source gone or inactive, skipped",
               JS_KS("source", id));
        (void) js_queue_ack(&s->q, &r->task);
        js_scrape_unpend(s, id);
        js_scrape_run_free(r);
        return 0;
    }
    return 1;
}

static void
js_scrape_start(js_scraper_t *s, js_task_t *t)
{
    int                       i, rc;
    char                      err[1024], field[128], reason[512];
    js_scrape_run_t          *r;
    const js_conf_t          *cf = s->w->conf;
    const js_adapter_info_t  *info;

    /* The caller takes a task only when a slot is free. */
    for (i = 0; s->runs[i].in_use; i++) {
        /* void */
    }

    r = &s->runs[i];
    r->in_use = 1;
    r->task = *t;
    r->started = js_msec();
    r->started_at = js_wall_msec();
    s->active++;

    /* by kind, not queue: a reaped dry run comes back on scrape:normal */
    rc = strcmp(t->kind, JOBSCOUT_TASK_SCRAPE_TEST) == 0
         ? js_scrape_test_load(r, err, sizeof(err))
         : js_scrape_load(r, err, sizeof(err));
    if (rc == 0) {
        return;
    }
    if (rc == -1) {
        js_scrape_finish(r, err);
        return;
    }

    r->row.src.adzuna_app_id = cf->adzuna_app_id;
    r->row.src.adzuna_app_key = cf->adzuna_app_key;
    r->row.src.adzuna_base_url = cf->adzuna_base_url;
    r->row.src.max_details = cf->scrape_max_details;

    r->adapter = js_adapter_find(r->row.src.scraper_class);
    info = js_catalogue_find(r->row.src.scraper_class);
    if (r->adapter == NULL || info == NULL) {
        snprintf(err, sizeof(err), "unknown scraper_class \"%.64s\"",
                 r->row.src.scraper_class);
        js_scrape_finish(r, err);
        return;
    }

    if (js_catalogue_check(info, r->row.src.config, field, sizeof(field),
                           reason, sizeof(reason)) != 0)
    {
        snprintf(err, sizeof(err), "%s: %s", field, reason);
        if (r->test != NULL) {
            js_scrape_test_warn(r, "%s", err);
        }
        js_scrape_finish(r, err);
        return;
    }

    if (r->adapter->first_url(&r->row.src, &r->url, err, sizeof(err)) != 0
        || (r->adapter->first_body != NULL
            && r->adapter->first_body(&r->row.src, &r->body, err,
                                      sizeof(err)) != 0))
    {
        js_scrape_finish(r, err);
        return;
    }

    js_log(JS_LOG_DEBUG, "scrape started", JS_KS("source", r->row.src.id),
           JS_KS("url", r->url), JS_KI("test", r->test != NULL));
    (void) js_scrape_next(r);
}

/* Starts the fetches whose slot has come; returns the ms to the next. */
static int
js_scraper_due(js_scraper_t *s)
{
    int               i, next = JS_SCRAPER_POLL;
    int64_t           now = js_msec();
    js_scrape_run_t  *r;

    for (i = 0; i < s->nruns; i++) {
        r = &s->runs[i];
        if (!r->in_use || r->waiting == JS_SCRAPE_WAIT_NONE) {
            continue;
        }

        if (r->not_before <= now) {
            if (r->waiting == JS_SCRAPE_WAIT_RULES) {
                r->waiting = JS_SCRAPE_WAIT_NONE;
                js_scrape_go(r);
            } else {
                js_scrape_fetch(r);
            }
        }

        /* what it waits for now: maybe a slot it just reserved */
        if (r->in_use && r->waiting != JS_SCRAPE_WAIT_NONE
            && r->not_before - now < next)
        {
            next = r->not_before > now ? (int) (r->not_before - now) : 0;
        }
    }
    return next;
}

/*
 * 1 with a task: scrape:test (someone waits for the answer), then
 * scrape:high, then scrape:normal.  When idle it blocks on scrape:test,
 * so that a dry run starts at once, briefly, so that a scheduled run
 * waits no longer than that: a poll's lag counts in every discovery.
 */
static int
js_scraper_take(js_scraper_t *s, js_task_t *t)
{
    int                rc;
    size_t             i;
    static const char  *queues[] = {
        JOBSCOUT_QUEUE_SCRAPE_TEST, JOBSCOUT_QUEUE_SCRAPE_HIGH,
        JOBSCOUT_QUEUE_SCRAPE_NORMAL
    };

    for (i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
        rc = js_queue_take_from(&s->q, queues[i], 0, t);
        if (rc != 0) {
            return rc;
        }
    }
    if (s->active > 0) {
        return 0;
    }
    return js_queue_take_from(&s->q, JOBSCOUT_QUEUE_SCRAPE_TEST,
                              JS_SCRAPER_IDLE_BLOCK, t);
}

int
js_scraper_run(js_worker_t *w)
{
    int                i, rc = 0;
    int64_t            wait;
    js_task_t          t;
    js_scraper_t       s;
    js_http_opts_t     opts;
    js_queue_policy_t  policy;
    const js_conf_t   *cf = w->conf;

    memset(&s, 0, sizeof(s));
    s.w = w;

    snprintf(s.user_agent, sizeof(s.user_agent), "JobScout/1.0 (+%s)",
             cf->scrape_contact_url);

    opts.user_agent = s.user_agent;
    opts.connect_timeout = cf->scrape_connect_timeout;
    opts.timeout = cf->scrape_timeout;
    opts.max_redirects = cf->scrape_max_redirects;
    opts.max_body = cf->scrape_max_body;

    /* Only store failures are retried: a provider failure is recorded. */
    policy.max_attempts = 5;
    policy.backoff_min = 5000;
    policy.backoff_max = 5 * 60 * 1000;

    s.nruns = cf->scrape_concurrency;
    s.runs = calloc(s.nruns, sizeof(js_scrape_run_t));

    if (s.runs == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK
        || (s.http = js_http_create(&opts)) == NULL)
    {
        js_log(JS_LOG_ALERT, "cannot initialize the scraper");
        rc = 1;
        goto done;
    }

    for (i = 0; i < s.nruns; i++) {
        s.runs[i].s = &s;
    }

    /* Reaped tasks go back to scrape:normal: late, never lost. */
    js_queue_init(&s.q, cf, JOBSCOUT_QUEUE_SCRAPE_NORMAL, w->role, &policy);

    js_log(JS_LOG_INFO, "scraper started", JS_KS("consumer", s.q.consumer),
           JS_KS("user_agent", s.user_agent),
           JS_KI("concurrency", s.nruns));

    for ( ;; ) {
        js_worker_service();

        if (js_worker_terminating()
            || (js_worker_exiting() && s.active == 0))
        {
            break;
        }

        if (js_queue_tick(&s.q) != 0) {
            if (s.active > 0) {
                js_http_poll(s.http, js_scraper_due(&s));
                continue;
            }
            wait = s.q.retry_at - js_msec();
            (void) js_worker_sleep(wait > 10 ? (int) wait : 10);
            continue;
        }

        while (!js_worker_exiting() && s.active < s.nruns
               && js_scraper_take(&s, &t) == 1)
        {
            js_scrape_start(&s, &t);
        }

        if (s.active > 0) {
            js_http_poll(s.http, js_scraper_due(&s));
        } else if (!js_worker_exiting()) {
            js_scraper_backfill(&s);
        }
    }

    /* TERM: abandoned runs stay in the processing list, requeued here. */
    for (i = 0; i < s.nruns; i++) {
        if (s.runs[i].in_use) {
            js_scrape_run_free(&s.runs[i]);
        }
    }

    js_queue_close(&s.q);

    js_log(JS_LOG_INFO, "scraper stopped",
           JS_KS("reason", js_worker_terminating() ? "terminate" : "quit"));

done:

    js_http_destroy(s.http);
    free(s.runs);
    if (s.pg != NULL) {
        PQfinish(s.pg);
    }
    js_skills_free(s.skills);
    curl_global_cleanup();

    return rc;
}
