/*
 * The cv role: the tasks the API queues on JOBSCOUT_QUEUE_CV through the
 * task outbox (sql/migrations/0018).
 *
 *   cv.process  {cv_id, file_path}: the text of the user's CV, in a
 *               child process under limits (lib/cv_text.h), then its
 *               skills (lib/skills.h, the jobs' vocabulary).  The row
 *               becomes "processed" with both, or "failed" with the
 *               reason.  The skills also become the user's 'cv' skills
 *               through cv_skills_store() (the profile's contract,
 *               migration 0019: the user's own edits win); a failed CV
 *               leaves none.
 *   cv.delete   {file_path}: the file of a CV that was replaced or
 *               deleted, removed unless a row took it again.
 *
 * A task of a CV that changed since (replaced, deleted, processed) is
 * dropped.  A document that kills its child is retried (cv_max_attempts
 * in all, with backoff) and then dead-lettered, its CV "failed": no
 * document runs unbounded, none is retried forever.  Each task's outbox
 * row is deleted with its result, in one statement, before the ack.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cv_text.h"
#include "jobscout_task.h"
#include "log.h"
#include "pg.h"
#include "queue.h"
#include "roles.h"
#include "skills.h"
#include "storage.h"
#include "util.h"

#define JS_CV_PG_TIMEOUT   10000       /* ms per statement */
#define JS_CV_BACKOFF_MIN  1000        /* ms, after a killed attempt */
#define JS_CV_BACKOFF_MAX  60000

typedef struct {
    js_worker_t        *w;
    js_queue_t          q;
    js_pg_t             pg;
    js_storage_t        storage;
    js_skills_t        *skills;
    js_cv_limits_t      limits;
} js_cv_t;

static const char  js_cv_find_sql[] =
    "SELECT content_type FROM user_cvs"
    " WHERE id = $1::uuid AND file_path = $2 AND status = 'pending'";

/* $1 cv, $2 file, $3 text, $4 names, $5 task, $6 years */
static const char  js_cv_processed_sql[] =
    "WITH c AS ("
    "  UPDATE user_cvs SET status = 'processed', failure_reason = NULL,"
    "         extracted_text = $3, extracted_skills = $4::text[],"
    "         processed_at = now()"
    "   WHERE id = $1::uuid AND file_path = $2 AND status = 'pending'"
    "  RETURNING user_id"
    "), o AS (DELETE FROM task_outbox WHERE id = $5)"
    " SELECT cv_skills_store(c.user_id, $4::text[], $6::numeric[]) FROM c";

static const char  js_cv_failed_sql[] =
    "WITH c AS ("
    "  UPDATE user_cvs SET status = 'failed', failure_reason = $3,"
    "         processed_at = now()"
    "   WHERE id = $1::uuid AND file_path = $2 AND status = 'pending'"
    "  RETURNING user_id"
    "), o AS (DELETE FROM task_outbox WHERE id = $4)"
    " SELECT cv_skills_store(c.user_id, '{}', '{}') FROM c";

static const char  js_cv_done_sql[] =
    "DELETE FROM task_outbox WHERE id = $1";

static const char  js_cv_used_sql[] =
    "SELECT EXISTS (SELECT FROM user_cvs WHERE file_path = $1)";

static int js_cv_fail_row(js_cv_t *cv, js_task_t *t, const char *cv_id,
    const char *file, const char *reason);

/* A statement whose result is only checked; 0, or -1 (logged). */
static int
js_cv_exec(js_cv_t *cv, js_task_t *t, const char *what, const char *sql,
    int n, const char *const *values, char *first, size_t first_len)
{
    char       err[512];
    PGresult  *res;

    if (!js_pg_ready(&cv->pg)) {
        return -1;
    }

    res = js_pg_exec(&cv->pg, what, sql, n, values, JS_CV_PG_TIMEOUT, err,
                     sizeof(err));
    if (res == NULL) {
        js_log(JS_LOG_ERR, "cv statement failed", JS_KS("id", t->id),
               JS_KS("what", what), JS_KS("err", err));
        return -1;
    }

    if (first != NULL) {
        snprintf(first, first_len, "%s",
                 PQntuples(res) > 0 && PQnfields(res) > 0
                 ? PQgetvalue(res, 0, 0) : "");
    }

    PQclear(res);
    return 0;
}

/* The taxonomy, once PostgreSQL answers; 0 when loaded. */
static int
js_cv_taxonomy(js_cv_t *cv)
{
    char  err[512];

    if (cv->skills != NULL) {
        return 0;
    }

    if (!js_pg_ready(&cv->pg)) {
        return -1;
    }

    cv->skills = js_skills_load(cv->pg.conn, err, sizeof(err));
    if (cv->skills == NULL) {
        js_log(JS_LOG_ERR, "skills taxonomy not loaded", JS_KS("err", err));
        return -1;
    }

    js_log(JS_LOG_INFO, "skills taxonomy loaded",
           JS_KS("version", js_skills_version(cv->skills)),
           JS_KI("skills", (long) js_skills_count(cv->skills)));
    return 0;
}

/*
 * js_queue_fail(); a task given up (the dead letters) closes its outbox
 * row, and its CV, when it names one, fails with reason.
 */
static void
js_cv_fail(js_cv_t *cv, js_task_t *t, const char *error, int permanent,
    const char *cv_id, const char *file, const char *reason)
{
    const char  *values[1];

    if (js_queue_fail(&cv->q, t, error, permanent) != 2) {
        return;
    }

    if (cv_id != NULL && file != NULL) {
        (void) js_cv_fail_row(cv, t, cv_id, file, reason);
        return;
    }

    values[0] = t->id;
    (void) js_cv_exec(cv, t, "cv_done", js_cv_done_sql, 1, values, NULL, 0);
}

/* The keepalive of a long document; TERM kills its child. */
static int
js_cv_tick(void *data)
{
    js_cv_t  *cv = data;

    js_worker_service();
    js_queue_keepalive(&cv->q);
    return js_worker_terminating();
}

/* The row and the outbox: failed with reason; 0 when committed. */
static int
js_cv_fail_row(js_cv_t *cv, js_task_t *t, const char *cv_id,
    const char *file, const char *reason)
{
    const char  *values[4];

    values[0] = cv_id;
    values[1] = file;
    values[2] = reason;
    values[3] = t->id;

    return js_cv_exec(cv, t, "cv_failed", js_cv_failed_sql, 4, values,
                      NULL, 0);
}

/* Text and skills of a document that yielded text; 0 when committed. */
static int
js_cv_store(js_cv_t *cv, js_task_t *t, const char *cv_id, const char *file,
    char *text, size_t len, size_t *nskills)
{
    int               rc = -1;
    char              years[32];
    size_t            i;
    const char       *values[6];
    js_pg_array_t     names, ys;
    js_skill_list_t   list;

    memset(&list, 0, sizeof(list));
    memset(&names, 0, sizeof(names));
    memset(&ys, 0, sizeof(ys));

    if (js_skills_extract(cv->skills, text, len, &list) != 0) {
        goto done;
    }

    for (i = 0; i < list.n; i++) {
        js_pg_array_add(&names, list.hits[i].name);

        if (list.hits[i].years < 0) {
            js_pg_array_add(&ys, NULL);
        } else {
            snprintf(years, sizeof(years), "%.1f", list.hits[i].years);
            js_pg_array_add(&ys, years);
        }
    }

    if (js_pg_array_end(&names) != 0 || js_pg_array_end(&ys) != 0) {
        goto done;
    }

    /* PostgreSQL's text holds no NUL */
    for (i = 0; i < len; i++) {
        if (text[i] == '\0') {
            text[i] = ' ';
        }
    }

    values[0] = cv_id;
    values[1] = file;
    values[2] = text;
    values[3] = names.p;
    values[4] = t->id;
    values[5] = ys.p;

    rc = js_cv_exec(cv, t, "cv_processed", js_cv_processed_sql, 6, values,
                    NULL, 0);
    *nskills = list.n;

done:

    js_pg_array_free(&names);
    js_pg_array_free(&ys);
    js_skill_list_free(&list);
    return rc;
}

static void
js_cv_process(js_cv_t *cv, js_task_t *t)
{
    int              fetched, temp = 0;
    char             type[128], path[4096], err[512], detail[128];
    char            *text = NULL;
    size_t           len = 0, nskills = 0;
    const char      *cv_id, *file, *values[2];
    js_cv_result_t   rc;

    cv_id = json_string_value(json_object_get(t->args, "cv_id"));
    file = json_string_value(json_object_get(t->args, "file_path"));

    if (cv_id == NULL || file == NULL || !js_storage_key_valid(file)) {
        js_cv_fail(cv, t, "args lack a \"cv_id\" or a valid \"file_path\"",
                   1, NULL, NULL, NULL);
        return;
    }

    if (js_cv_taxonomy(cv) != 0) {
        js_cv_fail(cv, t, "postgres: the skills taxonomy cannot be loaded", 0,
                   cv_id, file, js_cv_reason(JS_CV_ERROR));
        return;
    }

    values[0] = cv_id;
    values[1] = file;

    if (js_cv_exec(cv, t, "cv_find", js_cv_find_sql, 2, values, type,
                   sizeof(type)) != 0)
    {
        js_cv_fail(cv, t, "postgres: the CV cannot be read", 0, cv_id, file,
                   js_cv_reason(JS_CV_ERROR));
        return;
    }

    if (type[0] == '\0') {
        /* replaced, deleted or done already: nothing left to do */
        values[0] = t->id;
        if (js_cv_exec(cv, t, "cv_done", js_cv_done_sql, 1, values, NULL, 0)
            == 0)
        {
            js_log(JS_LOG_INFO, "cv task of a changed CV dropped",
                   JS_KS("id", t->id), JS_KS("cv", cv_id));
            (void) js_queue_ack(&cv->q, t);
        }
        return;
    }

    /* the upload moves to the store first: it outlives the text */

    if (js_storage_publish(&cv->storage, file, type, err, sizeof(err)) != 0
        || (fetched = js_storage_fetch(&cv->storage, file, path, sizeof(path),
                                       &temp, err, sizeof(err))) < 0)
    {
        js_cv_fail(cv, t, err, 0, cv_id, file, js_cv_reason(JS_CV_ERROR));
        return;
    }

    js_queue_keepalive(&cv->q);
    rc = fetched == 1 ? JS_CV_MISSING
         : js_cv_text_limited(path, type, &cv->limits, &text, &len, detail,
                              sizeof(detail));

    if (temp) {
        (void) unlink(path);
    }

    if (rc == JS_CV_ERROR && js_worker_terminating()) {
        /* left in the processing list: js_queue_close() requeues it */
        return;
    }

    if (rc == JS_CV_KILLED || rc == JS_CV_ERROR) {
        snprintf(err, sizeof(err), "document %s: %s",
                 rc == JS_CV_KILLED ? "killed" : "not processed", detail);
        js_log(JS_LOG_WARN, "cv not processed", JS_KS("id", t->id),
               JS_KS("cv", cv_id), JS_KS("why", err),
               JS_KI("attempt", t->attempt + 1));

        js_cv_fail(cv, t, err, 0, cv_id, file, js_cv_reason(rc));
        return;
    }

    if (rc != JS_CV_OK) {
        if (js_cv_fail_row(cv, t, cv_id, file, js_cv_reason(rc)) == 0) {
            js_log(JS_LOG_INFO, "cv failed", JS_KS("id", t->id),
                   JS_KS("cv", cv_id), JS_KS("why", js_cv_reason(rc)));
            (void) js_queue_ack(&cv->q, t);
        } else {
            js_cv_fail(cv, t, "postgres: the CV's failure cannot be recorded",
                       0, cv_id, file, js_cv_reason(rc));
        }
        return;
    }

    if (js_cv_store(cv, t, cv_id, file, text, len, &nskills) != 0) {
        free(text);
        js_cv_fail(cv, t, "postgres: the CV's text cannot be stored", 0,
                   cv_id, file, js_cv_reason(JS_CV_ERROR));
        return;
    }

    free(text);
    js_log(JS_LOG_INFO, "cv processed", JS_KS("id", t->id),
           JS_KS("cv", cv_id), JS_KI("bytes", (long) len),
           JS_KI("skills", (long) nskills));
    (void) js_queue_ack(&cv->q, t);
}

static void
js_cv_release(js_cv_t *cv, js_task_t *t)
{
    char         used[8], err[512];
    const char  *file, *values[1];

    file = json_string_value(json_object_get(t->args, "file_path"));

    if (file == NULL || !js_storage_key_valid(file)) {
        js_cv_fail(cv, t, "args lack a valid \"file_path\"", 1, NULL, NULL,
                   NULL);
        return;
    }

    values[0] = file;

    if (js_cv_exec(cv, t, "cv_used", js_cv_used_sql, 1, values, used,
                   sizeof(used)) != 0)
    {
        js_cv_fail(cv, t, "postgres: cannot tell whether the file is used",
                   0, NULL, NULL, NULL);
        return;
    }

    /* uploaded again since: the file is a CV's once more */
    if (used[0] != 't'
        && js_storage_remove(&cv->storage, file, err, sizeof(err)) != 0)
    {
        js_cv_fail(cv, t, err, 0, NULL, NULL, NULL);
        return;
    }

    values[0] = t->id;

    if (js_cv_exec(cv, t, "cv_done", js_cv_done_sql, 1, values, NULL, 0)
        != 0)
    {
        js_cv_fail(cv, t, "postgres: the task cannot be closed", 0, NULL,
                   NULL, NULL);
        return;
    }

    js_log(JS_LOG_INFO, used[0] == 't' ? "cv file kept, in use again"
                                       : "cv file removed",
           JS_KS("id", t->id), JS_KS("file", file));
    (void) js_queue_ack(&cv->q, t);
}

int
js_cv_run(js_worker_t *w)
{
    int64_t            wait;
    js_cv_t            cv;
    js_task_t          t;
    js_queue_policy_t  policy;
    const js_conf_t   *cf = w->conf;

    memset(&cv, 0, sizeof(cv));
    cv.w = w;
    cv.limits.time_limit = cf->cv_time_limit;
    cv.limits.memory_limit = cf->cv_memory_limit;
    cv.limits.tick = js_cv_tick;
    cv.limits.data = &cv;

    policy.max_attempts = cf->cv_max_attempts;
    policy.backoff_min = JS_CV_BACKOFF_MIN;
    policy.backoff_max = JS_CV_BACKOFF_MAX;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK
        || js_storage_init(&cv.storage, cf) != 0)
    {
        js_log(JS_LOG_ALERT, "cannot initialize libcurl");
        curl_global_cleanup();
        return 1;
    }

    js_queue_init(&cv.q, cf, JOBSCOUT_QUEUE_CV, w->role, &policy);
    js_pg_init(&cv.pg, cf->postgres);

    js_log(JS_LOG_INFO, "cv started", JS_KS("queue", cv.q.queue),
           JS_KS("consumer", cv.q.consumer),
           JS_KS("storage", cf->cv_storage),
           JS_KS("s3", cf->cv_s3_endpoint ? cf->cv_s3_endpoint : "none"),
           JS_KI("time_limit_ms", cf->cv_time_limit),
           JS_KI("memory_limit", (long) cf->cv_memory_limit));

    while (!js_worker_exiting()) {
        js_worker_service();

        if (js_queue_tick(&cv.q) != 0) {
            wait = cv.q.retry_at - js_msec();
            if (js_worker_sleep(wait > 10 ? (int) wait : 10) != 0) {
                break;
            }
            continue;
        }

        if (js_queue_take(&cv.q, &t) != 1) {
            continue;
        }

        if (strcmp(t.kind, JOBSCOUT_TASK_CV_PROCESS) == 0) {
            js_cv_process(&cv, &t);

        } else if (strcmp(t.kind, JOBSCOUT_TASK_CV_DELETE) == 0) {
            js_cv_release(&cv, &t);

        } else {
            js_cv_fail(&cv, &t, "unknown kind on the cv queue", 1, NULL, NULL,
                       NULL);
        }

        js_task_free(&t);
    }

    js_queue_close(&cv.q);
    js_pg_close(&cv.pg);
    js_storage_close(&cv.storage);
    curl_global_cleanup();
    if (cv.skills != NULL) {
        js_skills_free(cv.skills);
    }

    js_log(JS_LOG_INFO, "cv stopped",
           JS_KS("reason", js_worker_terminating() ? "terminate" : "quit"));
    return 0;
}
