/*
 * Dry runs of the scraper role: a source tried before it is saved
 * (JOBSCOUT_TASK_SCRAPE_TEST, the format in jobscout_task.h).  The run
 * itself is scraper.c's, fetching as every run does; here the source
 * comes from the task instead of PostgreSQL, each page is noted, and the
 * end is an answer on the task's reply key instead of a stored run.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobscout_task.h"
#include "log.h"
#include "scraper.h"
#include "util.h"

struct js_scrape_test_s {
    char        reply[160];
    unsigned    max_pages;
    json_t     *pages;          /* [{"url", "status", ...}] */
    json_t     *warnings;       /* ["..."] */
};

/* A JSON string of s, which "%.300s" may have cut inside a UTF-8
 * character: then its non-ASCII bytes become '?'.  null for NULL. */
static json_t *
js_scrape_test_string(const char *s)
{
    char    *copy, *p;
    json_t  *v;

    if (s == NULL) {
        return json_null();
    }
    v = json_string(s);
    if (v != NULL || (copy = strdup(s)) == NULL) {
        return v;
    }
    for (p = copy; *p != '\0'; p++) {
        if ((unsigned char) *p >= 0x80) {
            *p = '?';
        }
    }
    v = json_string(copy);
    free(copy);
    return v;
}

/* An optional string of the task's source: 0, or -1 with err. */
static int
js_scrape_test_field(json_t *src, const char *key, int required,
    char **out, char *err, size_t errlen)
{
    json_t  *v = json_object_get(src, key);

    *out = NULL;
    if (!required && (v == NULL || json_is_null(v))) {
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        snprintf(err, errlen, "args.source.%s: must be a string%s", key,
                 required ? "" : " or null");
        return -1;
    }
    *out = strdup(json_string_value(v));
    if (*out == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* r->row from the task's "source". */
static int
js_scrape_test_source(js_scrape_run_t *r, json_t *src, char *err,
    size_t errlen)
{
    json_t           *config;
    js_source_row_t  *row = &r->row;

    if (!json_is_object(src)) {
        snprintf(err, errlen, "args.source: must be an object");
        return -1;
    }
    if (js_scrape_test_field(src, "id", 0, &row->strings[0], err, errlen)
        != 0
        || (row->strings[0] != NULL && !js_uuid_valid(row->strings[0])))
    {
        snprintf(err, errlen, "args.source.id: must be a uuid or null");
        return -1;
    }
    if (js_scrape_test_field(src, "company_name", 0, &row->strings[2], err,
                             errlen) != 0
        || js_scrape_test_field(src, "company_slug", 0, &row->strings[3],
                                err, errlen) != 0
        || js_scrape_test_field(src, "scraper_class", 1, &row->strings[4],
                                err, errlen) != 0
        || js_scrape_test_field(src, "source_url", 1, &row->strings[5], err,
                                errlen) != 0)
    {
        return -1;
    }

    /* the catalogue's check refuses a config that is not an object */
    config = json_object_get(src, "config");
    row->src.config = config != NULL ? json_incref(config) : json_object();
    row->src.id = row->strings[0];
    row->src.company_name = row->strings[2];
    row->src.company_slug = row->strings[3];
    row->src.scraper_class = row->strings[4];
    row->src.source_url = row->strings[5];
    return 0;
}

int
js_scrape_test_load(js_scrape_run_t *r, char *err, size_t errlen)
{
    json_t            *args = r->task.args, *deadline, *pages;
    const char        *reply;
    js_scraper_t      *s = r->s;
    js_scrape_test_t  *t;

    /* only our own reply keys: the task names a key we write to */
    reply = json_string_value(json_object_get(args, "reply"));
    deadline = json_object_get(args, "deadline");
    if (reply == NULL
        || strncmp(reply, JOBSCOUT_SCRAPE_TEST_REPLY_PREFIX,
                   sizeof(JOBSCOUT_SCRAPE_TEST_REPLY_PREFIX) - 1) != 0
        || strlen(reply) >= sizeof(t->reply) || !json_is_integer(deadline))
    {
        (void) js_queue_fail(&s->q, &r->task, "args lack a \"reply\" key "
                             "or a \"deadline\"", 1);
        js_scrape_run_free(r);
        return 0;
    }

    if (json_integer_value(deadline) <= js_wall_msec()) {
        js_log(JS_LOG_NOTICE, "dry run past its deadline, dropped",
               JS_KS("task", r->task.id));
        (void) js_queue_ack(&s->q, &r->task);
        js_scrape_run_free(r);
        return 0;
    }

    t = calloc(1, sizeof(js_scrape_test_t));
    if (t == NULL || (t->pages = json_array()) == NULL
        || (t->warnings = json_array()) == NULL)
    {
        js_scrape_test_free(t);
        js_scrape_abort(r, "out of memory");
        return 0;
    }
    r->test = t;
    strcpy(t->reply, reply);

    pages = json_object_get(args, "max_pages");
    t->max_pages = 1;
    if (json_is_integer(pages) && json_integer_value(pages) > 1) {
        t->max_pages = json_integer_value(pages)
                       < JOBSCOUT_SCRAPE_TEST_MAX_PAGES
                       ? (unsigned) json_integer_value(pages)
                       : JOBSCOUT_SCRAPE_TEST_MAX_PAGES;
    }

    return js_scrape_test_source(r, json_object_get(args, "source"), err,
                                 errlen) == 0 ? 1 : -1;
}

void
js_scrape_test_warn(js_scrape_run_t *r, const char *fmt, ...)
{
    char     buf[1024];
    va_list  ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    (void) json_array_append_new(r->test->warnings,
                                 js_scrape_test_string(buf));
}

void
js_scrape_test_page(js_scrape_run_t *r, const js_http_req_t *req,
    const char *error)
{
    json_t  *page;

    page = json_pack("{s:o, s:o, s:I, s:I, s:o}",
                     "url", js_scrape_test_string(r->url),
                     "status", req->status > 0 ? json_integer(req->status)
                                               : json_null(),
                     "bytes", (json_int_t) req->len,
                     "duration_ms", (json_int_t) (js_msec()
                                                  - r->fetch_started),
                     "error", js_scrape_test_string(error));
    (void) json_array_append_new(r->test->pages, page);
}

int
js_scrape_test_enough(js_scrape_run_t *r)
{
    if (r->page.next_url == NULL || r->page.npages < r->test->max_pages) {
        return 0;
    }
    js_scrape_test_warn(r, "stopped after %u page%s (max_pages); more follow",
                        r->page.npages, r->page.npages == 1 ? "" : "s");
    return 1;
}

/* "3 jobs have no location" when some have none. */
static void
js_scrape_test_missing(js_scrape_run_t *r, size_t n, const char *what)
{
    if (n > 0) {
        js_scrape_test_warn(r, "%zu job%s no %s", n,
                            n == 1 ? " has" : "s have", what);
    }
}

void
js_scrape_test_answer(js_scrape_run_t *r, const char *error)
{
    int               rc = -1;
    char             *text;
    size_t            i, n = r->page.njobs, location = 0, description = 0;
    size_t            posted = 0;
    json_t           *jobs, *answer;
    redisReply       *reply;
    const js_job_t   *j;
    js_scrape_test_t *t = r->test;
    redisContext     *redis = r->s->q.redis;

    jobs = json_array();
    for (i = 0; i < n; i++) {
        j = &r->page.jobs[i];
        location += j->location == NULL;
        description += j->description == NULL || j->description[0] == '\0';
        posted += j->posted_at == 0;
        if (i < JOBSCOUT_SCRAPE_TEST_JOBS_MAX) {
            (void) json_array_append_new(jobs, js_job_json(j));
        }
    }
    if (error == NULL && r->page.unread[0] != '\0') {
        js_scrape_test_warn(r, "%s", r->page.unread);
    }
    if (error == NULL && n == 0) {
        js_scrape_test_warn(r, "no jobs parsed");
    }
    if (n > JOBSCOUT_SCRAPE_TEST_JOBS_MAX) {
        js_scrape_test_warn(r, "%zu jobs parsed; the first %d are listed", n,
                            JOBSCOUT_SCRAPE_TEST_JOBS_MAX);
    }
    js_scrape_test_missing(r, location, "location");
    js_scrape_test_missing(r, description, "description");
    js_scrape_test_missing(r, posted, "posting date");

    answer = json_pack("{s:b, s:o, s:I, s:O, s:o, s:O}",
                       "ok", error == NULL,
                       "error", js_scrape_test_string(error),
                       "duration_ms", (json_int_t) (js_msec() - r->started),
                       "pages", t->pages, "jobs", jobs,
                       "warnings", t->warnings);
    text = answer != NULL ? json_dumps(answer, JSON_COMPACT) : NULL;
    json_decref(answer);
    if (text == NULL) {
        js_scrape_abort(r, "out of memory");
        return;
    }

    reply = redis ? redisCommand(redis, "LPUSH %s %b", t->reply, text,
                                 strlen(text))
                  : NULL;
    if (reply != NULL && reply->type == REDIS_REPLY_INTEGER) {
        freeReplyObject(reply);
        reply = redisCommand(redis, "EXPIRE %s %d", t->reply,
                             JOBSCOUT_SCRAPE_TEST_REPLY_TTL);
        rc = reply != NULL && reply->type == REDIS_REPLY_INTEGER ? 0 : -1;
    }
    if (reply != NULL) {
        freeReplyObject(reply);
    }
    free(text);
    if (rc != 0) {
        js_scrape_abort(r, "redis: cannot answer the dry run");
        return;
    }

    js_log(JS_LOG_INFO, "dry run done", JS_KS("task", r->task.id),
           JS_KS("class", r->row.src.scraper_class),
           JS_KI("pages", r->pages), JS_KI("jobs", n),
           JS_KI("ms", js_msec() - r->started), JS_KS("err", error));
    (void) js_queue_ack(&r->s->q, &r->task);
    js_scrape_run_free(r);
}

void
js_scrape_test_free(js_scrape_test_t *t)
{
    if (t != NULL) {
        json_decref(t->pages);
        json_decref(t->warnings);
        free(t);
    }
}
