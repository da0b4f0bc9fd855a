/*
 * The notifier's matching: the users' profiles kept in the matcher
 * (matcher.h) as PostgreSQL notifies their changes, match tasks taken
 * in batches, each job matched in memory, its alerts inserted in chunks
 * and their pushes queued to send.  See notifier.c.
 */

#include <errno.h>

#include "metrics.h"
#include "notifier.h"
#include "pg_text.h"


/* --- profiles -------------------------------------------------------- */

/*
 * The matcher's copy of the profiles is current when the matching
 * connection LISTENs on match_profiles (0023's triggers), every profile
 * was read since, and every change notified since was read again.  A
 * new connection (the old one lost, notifications with it) reads them
 * all again; so does a TRUNCATE ('*') or a flood of changes.
 */
int
js_nt_profiles_due(js_nt_t *nt)
{
    return nt->listening != nt->pgm.connects || nt->pgm.conn == NULL
           || nt->reload || nt->nchanged > 0;
}

/* Every profile to read again, from the first: the changes notified so
 * far with them. */
static void
js_nt_profiles_reload(js_nt_t *nt)
{
    nt->reload = 1;
    nt->reload_epoch++;
    nt->after[0] = '\0';
    js_pg_array_free(&nt->changed);
    nt->nchanged = 0;
}

/* Reads what PostgreSQL notified: users to read again. */
void
js_nt_profiles_notified(js_nt_t *nt)
{
    PGnotify  *n;

    if (nt->pgm.conn == NULL || nt->listening != nt->pgm.connects) {
        return;
    }

    if (!nt->pgm.busy && !PQconsumeInput(nt->pgm.conn)) {
        js_log(JS_LOG_ERR, "matching connection lost",
               JS_KS("err", PQerrorMessage(nt->pgm.conn)));
        js_pg_close(&nt->pgm);
        return;
    }

    while ((n = PQnotifies(nt->pgm.conn)) != NULL) {
        if (strcmp(n->extra, "*") == 0
            || nt->nchanged >= JS_NT_CHANGED_MAX)
        {
            js_nt_profiles_reload(nt);
        } else if (js_uuid_valid(n->extra)) {
            js_pg_array_add(&nt->changed, n->extra);
            nt->nchanged++;
        }
        PQfreemem(n);
    }
}

static void
js_nt_listened(void *ctx, PGresult *res, const char *err)
{
    js_nt_t  *nt = ctx;

    if (res == NULL) {
        js_log(JS_LOG_ERR, "cannot LISTEN for profile changes",
               JS_KS("err", err));
        return;
    }
    PQclear(res);

    nt->listening = nt->pgm.connects;
    js_nt_profiles_reload(nt);
}

/*
 * Profiles read: put in the matcher; their number, or -1 (out of
 * memory: all are read again).  A row the matcher cannot read is logged
 * and left out: its user is not matched, everyone else is.
 */
static int
js_nt_profiles_put(js_nt_t *nt, PGresult *res)
{
    int          i, n = PQntuples(res);
    const char  *cols[JS_MATCH_PROFILE_NCOLS];

    for (i = 0; i < n; i++) {
        js_pg_values(res, i, JS_MATCH_PROFILE_NCOLS, cols);
        if (js_matcher_put(nt->mt, cols) == 0) {
            continue;
        }
        if (errno == ENOMEM) {
            return -1;
        }
        js_log(JS_LOG_ERR, "profile left out of matching",
               JS_KS("user_id", PQgetvalue(res, i, 0)),
               JS_KS("err", "a malformed row"));
    }
    return n;
}

/* A page of every profile, in id order. */
static void
js_nt_profiles_paged(void *ctx, PGresult *res, const char *err)
{
    int       n;
    js_nt_t  *nt = ctx;

    if (res == NULL) {
        js_log(JS_LOG_ERR, "cannot read profiles", JS_KS("err", err));
        js_nt_profiles_reload(nt);
        return;
    }

    /* read again from the first since it was asked for: dropped */
    if (nt->page_epoch != nt->reload_epoch) {
        PQclear(res);
        return;
    }

    n = js_nt_profiles_put(nt, res);
    if (n < 0) {
        js_log(JS_LOG_ERR, "cannot read profiles",
               JS_KS("err", "out of memory"));
        js_nt_profiles_reload(nt);

    } else if (n < JS_MATCH_PROFILE_PAGE) {
        nt->reload = 0;
        js_log(JS_LOG_INFO, "profiles read",
               JS_KI("users", (long) js_matcher_users(nt->mt)),
               JS_KI("kb", (long) (js_matcher_memory(nt->mt) / 1024)),
               JS_KI("ms", js_msec() - nt->reload_started));

    } else {
        snprintf(nt->after, sizeof(nt->after), "%s",
                 PQgetvalue(res, n - 1, 0));
    }
    PQclear(res);
}

/* The profiles of users notified: read again, or gone. */
static void
js_nt_profiles_changed(void *ctx, PGresult *res, const char *err)
{
    int       i, n;
    char    **ids, *buf;
    js_nt_t  *nt = ctx;

    n = js_pg_text_array(nt->asked.p, &ids, &buf);
    js_pg_array_free(&nt->asked);

    if (res == NULL || n < 0) {
        js_log(JS_LOG_ERR, "cannot read profiles",
               JS_KS("err", res == NULL ? err : "out of memory"));
        js_nt_profiles_reload(nt);
        if (res != NULL) {
            PQclear(res);
        }
        return;
    }

    /* those asked for and not found are unreachable now */
    for (i = 0; i < n; i++) {
        js_matcher_remove(nt->mt, ids[i]);
    }
    free(ids);
    free(buf);

    if (js_nt_profiles_put(nt, res) < 0) {
        js_nt_profiles_reload(nt);
    }
    PQclear(res);
}

/* The matching connection's profile work, one statement at a time. */
static int
js_nt_profiles_next(js_nt_t *nt)
{
    char         limit[16];
    const char  *values[2];

    if (nt->listening != nt->pgm.connects) {
        return js_pg_send(&nt->pgm, "listen", "LISTEN match_profiles", 0,
                          NULL, JS_NT_PG_TIMEOUT, js_nt_listened, nt);
    }

    if (nt->reload) {
        if (nt->after[0] == '\0') {
            js_matcher_reset(nt->mt);
            nt->reload_started = js_msec();
        }
        snprintf(limit, sizeof(limit), "%d", JS_MATCH_PROFILE_PAGE);
        values[0] = limit;
        values[1] = nt->after;
        nt->page_epoch = nt->reload_epoch;
        return js_pg_send(&nt->pgm, "profiles",
                          nt->after[0] == '\0' ? JS_MATCH_PROFILE_FIRST_SQL
                                                : JS_MATCH_PROFILE_NEXT_SQL,
                          nt->after[0] == '\0' ? 1 : 2, values,
                          JS_NT_PG_TIMEOUT, js_nt_profiles_paged, nt);
    }

    if (js_pg_array_end(&nt->changed) != 0) {
        js_nt_profiles_reload(nt);
        return 0;
    }
    nt->asked = nt->changed;
    memset(&nt->changed, 0, sizeof(nt->changed));
    nt->nchanged = 0;
    values[0] = nt->asked.p;
    if (js_pg_send(&nt->pgm, "profiles", JS_MATCH_PROFILE_USERS_SQL, 1,
                   values, JS_NT_PG_TIMEOUT, js_nt_profiles_changed, nt)
        != 0)
    {
        js_pg_array_free(&nt->asked);
        js_nt_profiles_reload(nt);
        return -1;
    }
    return 0;
}


/* --- matching -------------------------------------------------------- */

/* The job being inserted is done with. */
static void
js_nt_job_reset(js_nt_match_t *m)
{
    js_match_job_destroy(m->job);
    free(m->hits);
    m->job = NULL;
    m->hits = NULL;
    m->nhits = 0;
    m->next = 0;
}

void
js_nt_match_reset(js_nt_t *nt)
{
    int             i;
    js_nt_match_t  *m = &nt->m;

    for (i = 0; i < m->ntasks; i++) {
        js_task_free(&m->tasks[i]);
    }
    js_pg_array_free(&m->job_ids);
    js_nt_job_reset(m);
    if (m->facts != NULL) {
        PQclear(m->facts);
    }
    for (i = 0; m->rests != NULL && i < PQntuples(m->jobs); i++) {
        free(m->rests[i]);
    }
    free(m->rests);
    free(m->job_rows);
    if (m->jobs != NULL) {
        PQclear(m->jobs);
    }

    memset(m, 0, sizeof(*m));
}

/*
 * The batch failed (PostgreSQL): its tasks are retried later.  A query
 * of it may still be running on the other connection: the batch is
 * reset once none is, and what comes meanwhile is dropped (the pushes
 * of a chunk inserted meanwhile come back with their lease).
 */
static void
js_nt_match_failed(js_nt_t *nt, const char *err)
{
    int  i;

    if (nt->m.failed) {
        return;
    }

    js_log(JS_LOG_ERR, "matching failed", JS_KI("tasks", nt->m.ntasks),
           JS_KS("err", err));

    for (i = 0; i < nt->m.ntasks; i++) {
        (void) js_queue_fail(&nt->q, &nt->m.tasks[i], err, 0);
    }
    nt->m.failed = 1;
}

/*
 * QUIT: the batch stops where it is.  Its tasks stay unacked, for
 * js_queue_close() to hand back (matched again, the alerts inserted
 * already are skipped); a query of the matching connection is dropped
 * with it, read-only; the chunk being inserted is waited for, its
 * pushes released like the rest of the send queue.
 */
void
js_nt_match_abandon(js_nt_t *nt)
{
    js_nt_match_t  *m = &nt->m;

    if (m->state == JS_NT_IDLE || m->failed) {
        return;
    }

    js_log(JS_LOG_INFO, "matching stopped, tasks handed back",
           JS_KI("tasks", m->ntasks), JS_KI("alerts", m->alerts));

    m->failed = 1;
    m->abandoned = 1;

    if (nt->pgm.busy) {
        js_pg_close(&nt->pgm);
    }
}

/* Every job matched, every match inserted. */
static int
js_nt_match_complete(const js_nt_match_t *m)
{
    return m->state == JS_NT_INSERT && m->facts != NULL
           && m->fact >= PQntuples(m->facts) && m->next >= m->nhits
           && m->chunk == 0;
}

static void
js_nt_match_done(js_nt_t *nt)
{
    int             i;
    js_nt_match_t  *m = &nt->m;

    for (i = 0; i < m->ntasks; i++) {
        (void) js_queue_ack(&nt->q, &m->tasks[i]);
        js_pg_array_add(&nt->done, m->tasks[i].id);
        nt->ndone++;
    }

    js_log(JS_LOG_INFO, "jobs matched", JS_KI("tasks", m->ntasks),
           JS_KI("jobs", m->njobs), JS_KI("matches", m->matches),
           JS_KI("alerts", m->alerts), JS_KI("pushes", m->pushes),
           JS_KI("emails", m->emails), JS_KI("match_ms", m->matched_in),
           JS_KI("first_ms", m->first_in),
           JS_KI("total_ms", js_msec() - m->started));

    if (m->emails > 0) {
        nt->email_at = 0;
    }

    js_nt_match_reset(nt);
}

static PGresult  *js_nt_sort_res;

static int
js_nt_cmp_job(const void *a, const void *b)
{
    return strcmp(PQgetvalue(js_nt_sort_res, *(const int *) a, 0),
                  PQgetvalue(js_nt_sort_res, *(const int *) b, 0));
}

/* The push_jobs() row of a job, or -1. */
static int
js_nt_job_row(js_nt_t *nt, const char *job_id)
{
    int  lo = 0, hi = PQntuples(nt->m.jobs) - 1, mid, c;

    while (lo <= hi) {
        mid = (lo + hi) / 2;
        c = strcmp(PQgetvalue(nt->m.jobs, nt->m.job_rows[mid], 0), job_id);
        if (c == 0) {
            return nt->m.job_rows[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}

/* A result of the batch: NULL (the result freed) once the batch failed. */
static PGresult *
js_nt_match_result(js_nt_t *nt, PGresult *res, const char *err)
{
    if (nt->m.failed || res == NULL) {
        if (res != NULL) {
            PQclear(res);
        }
        js_nt_match_failed(nt, err);
        return NULL;
    }
    return res;
}

static void
js_nt_jobs_found(void *ctx, PGresult *res, const char *err)
{
    int             i, n;
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    n = PQntuples(res);
    m->jobs = res;
    m->job_rows = malloc((n ? n : 1) * sizeof(int));
    m->rests = calloc(n ? n : 1, sizeof(char *));
    if (m->job_rows == NULL || m->rests == NULL) {
        js_nt_match_failed(nt, "out of memory");
        return;
    }

    for (i = 0; i < n; i++) {
        m->job_rows[i] = i;
    }
    js_nt_sort_res = res;
    qsort(m->job_rows, n, sizeof(int), js_nt_cmp_job);

    m->state = JS_NT_FACTS;
}

static void
js_nt_facts_found(void *ctx, PGresult *res, const char *err)
{
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    m->facts = res;
    /*
     * A small first chunk, for the first pushes to go out soon, then
     * larger ones, which cost PostgreSQL less per alert (a statement
     * and a transaction each).
     */
    m->chunk_size = JS_NT_CHUNK_FIRST;
    m->state = JS_NT_INSERT;
}

/*
 * The next job with matches, matched: its users, sorted by id, the
 * order of the alerts' unique key, which each chunk then writes in a
 * few pages.  0, or -1 (the batch failed).
 */
static int
js_nt_match_job(js_nt_t *nt)
{
    int             row;
    int64_t         ms;
    const char     *cols[JS_MATCH_FACTS_NCOLS];
    js_nt_match_t  *m = &nt->m;

    while (m->next >= m->nhits && m->fact < PQntuples(m->facts)) {
        js_nt_job_reset(m);
        row = m->fact++;

        js_pg_values(m->facts, row, JS_MATCH_FACTS_NCOLS, cols);

        m->job = js_match_job_create(cols);
        if (m->job == NULL && errno == ENOMEM) {
            js_nt_match_failed(nt, "cannot match a job: out of memory");
            return -1;
        }
        if (m->job == NULL) {
            /* never matched: its task is acked, like an inactive job's */
            js_log(JS_LOG_ERR, "job left out of matching",
                   JS_KS("job_id", cols[0] != NULL ? cols[0] : ""),
                   JS_KS("err", "malformed facts"));
            continue;
        }

        ms = js_msec();
        m->nhits = js_matcher_match(nt->mt, m->job, &m->hits);
        ms = js_msec() - ms;
        m->matched_in += ms;
        js_metrics_match(ms);

        if (m->nhits < 0) {
            m->nhits = 0;
            js_nt_match_failed(nt, "cannot match a job: out of memory");
            return -1;
        }
        m->matches += m->nhits;
        m->job_row = js_nt_job_row(nt, js_match_job_id(m->job));
    }
    return 0;
}

static void
js_nt_inserted(void *ctx, PGresult *res, const char *err)
{
    int             i, n, hit;
    js_nt_t        *nt = ctx;
    js_nt_row_t    *row = NULL;
    js_nt_match_t  *m = &nt->m;
    js_fcm_alert_t  alert;
    const char     *token;

    /* Abandoned on QUIT, the chunk's pushes are still this notifier's. */
    if ((m->failed && !m->abandoned) || res == NULL) {
        if (res != NULL) {
            PQclear(res);
        }
        js_nt_match_failed(nt, err);
        return;
    }

    /* alert_id, k (1 for the chunk's first hit), push, email, queue_id
     * (the same for every push: they were inserted 'sending', for us) */
    n = PQntuples(res);
    js_metrics_add(JS_METRICS_ALERTS_CREATED, n);

    for (i = 0; i < n; i++) {
        m->alerts++;

        if (PQgetvalue(res, i, 3)[0] == 't') {
            m->emails++;
        }

        if (PQgetvalue(res, i, 2)[0] != 't') {
            continue;
        }
        m->pushes++;

        if (nt->fcm == NULL) {
            continue;
        }

        if (row == NULL) {
            row = js_nt_row(PQgetvalue(res, i, 4));
        }

        hit = m->next + atoi(PQgetvalue(res, i, 1)) - 1;
        token = hit >= m->next && hit < m->next + m->chunk
                ? m->hits[hit].user->push_token : NULL;
        if (m->job_row < 0 || token == NULL) {
            /* Gone meanwhile (no push_jobs() row): left to its lease. */
            if (row != NULL) {
                row->kept = 1;
            }
            continue;
        }

        /* The job's part of the message, made once for all its users. */
        if (m->rests[m->job_row] == NULL) {
            alert.token = "";
            alert.job_id = PQgetvalue(m->jobs, m->job_row, 0);
            alert.title = PQgetvalue(m->jobs, m->job_row, 1);
            alert.company = PQgetvalue(m->jobs, m->job_row, 2);
            alert.location = PQgetvalue(m->jobs, m->job_row, 3);
            alert.location_type = PQgetvalue(m->jobs, m->job_row, 4);
            m->rests[m->job_row] = js_fcm_message_rest(&alert);
        }

        js_nt_push_add(nt, row, PQgetvalue(res, i, 0), token, 1,
                       m->rests[m->job_row],
                       atoll(PQgetvalue(m->jobs, m->job_row, 5)));
    }
    js_nt_row_added(row);

    PQclear(res);

    if (m->first_in == 0) {
        m->first_in = js_msec() - m->started;
    }
    m->next += m->chunk;
    m->chunk = 0;
    m->chunk_size = m->chunk_size * 2 < JS_NT_CHUNK_MAX ? m->chunk_size * 2
                                                        : JS_NT_CHUNK_MAX;

    if (!m->failed && js_nt_match_complete(m)) {
        js_nt_match_done(nt);
    }
}

/*
 * The next chunk of the job's users: their alerts, in one transaction,
 * under ids made here in increasing order (0026).
 */
static int
js_nt_insert_chunk(js_nt_t *nt)
{
    int                    i, end, rc = -1;
    char                   score[8], id[JS_UUID_LEN + 1];
    const char            *values[7];
    js_pg_array_t          a[5];
    js_nt_match_t         *m = &nt->m;
    const js_match_hit_t  *h;

    static const char  sql[] =
        "SELECT alert_id, k, push, email, queue_id"
        " FROM insert_matched_alerts($1::uuid[], $2::uuid[], $3::uuid,"
        " $4::smallint[], $5::boolean[], $6::text[], $7::interval)";

    memset(a, 0, sizeof(a));
    end = m->next + m->chunk_size;
    if (end > m->nhits) {
        end = m->nhits;
    }

    for (i = m->next; i < end; i++) {
        h = &m->hits[i];
        if (js_uuid7(id) != 0) {
            js_log(JS_LOG_ERR, "cannot make alert ids",
                   JS_KS("err", strerror(errno)));
            goto done;
        }
        snprintf(score, sizeof(score), "%d", h->score);
        js_pg_array_add(&a[0], id);
        js_pg_array_add(&a[1], h->user->id);
        js_pg_array_add(&a[2], score);
        js_pg_array_add(&a[3], h->user->push_token != NULL ? "t" : "f");
        js_pg_array_add(&a[4], h->user->email_digest);
    }

    for (i = 0; i < 5; i++) {
        if (js_pg_array_end(&a[i]) != 0) {
            goto done;
        }
    }
    values[0] = a[0].p;
    values[1] = a[1].p;
    values[2] = js_match_job_id(m->job);
    values[3] = a[2].p;
    values[4] = a[3].p;
    values[5] = a[4].p;
    /* Without FCM, pushes wait as 'pending' for a notifier that has it. */
    values[6] = nt->fcm != NULL ? nt->lease : NULL;

    if (js_pg_send(&nt->pg, "insert_alerts", sql, 7, values,
                   JS_NT_PG_TIMEOUT, js_nt_inserted, nt) == 0)
    {
        m->chunk = end - m->next;
        rc = 0;
    }

done:

    for (i = 0; i < 5; i++) {
        js_pg_array_free(&a[i]);
    }
    return rc;
}
/*
 * Adds a taken task to the batch: 0, or -1 when the task was refused
 * (dead-lettered or acked: nothing to match).
 */
static int
js_nt_batch_add(js_nt_t *nt, js_task_t *t)
{
    size_t          i;
    json_t         *ids, *id;
    const char     *s;
    js_nt_match_t  *m = &nt->m;

    if (strcmp(t->kind, JOBSCOUT_TASK_MATCH_JOBS) != 0) {
        (void) js_queue_fail(&nt->q, t, "not a match.jobs task", 1);
        return -1;
    }

    ids = json_object_get(t->args, "job_ids");
    if (!json_is_array(ids)) {
        (void) js_queue_fail(&nt->q, t, "args \"job_ids\" is not a list", 1);
        return -1;
    }

    json_array_foreach(ids, i, id) {
        s = json_string_value(id);
        if (s == NULL || !js_uuid_valid(s)) {
            (void) js_queue_fail(&nt->q, t, "args \"job_ids\" holds "
                                 "something else than UUIDs", 1);
            return -1;
        }
    }

    if (json_array_size(ids) == 0) {
        (void) js_queue_ack(&nt->q, t);
        return -1;
    }

    json_array_foreach(ids, i, id) {
        js_pg_array_add(&m->job_ids, json_string_value(id));
        m->njobs++;
    }

    m->tasks[m->ntasks++] = *t;
    return 0;
}

/*
 * Takes match tasks: the first blocking up to block ms, then whatever
 * else is queued, up to the batch limits.
 */
void
js_nt_take(js_nt_t *nt, int block)
{
    js_task_t       t;
    js_nt_match_t  *m = &nt->m;

    while (m->ntasks < JS_NT_TASKS_MAX && m->njobs < JS_NT_JOBS_MAX) {
        if (js_queue_take_wait(&nt->q, &t, m->ntasks == 0 ? block : 0)
            != 1)
        {
            break;
        }

        if (js_nt_batch_add(nt, &t) != 0) {
            js_task_free(&t);
        }
    }

    if (m->ntasks == 0) {
        return;
    }

    if (js_pg_array_end(&m->job_ids) != 0) {
        js_nt_match_failed(nt, "out of memory");
        return;
    }

    m->state = JS_NT_JOBS;
    m->started = js_msec();
}

/*
 * The matching connection: the profiles made current first, then the
 * batch's jobs (push_jobs()) and what matching needs of each
 * (match_job_facts()).
 */
void
js_nt_match_next(js_nt_t *nt)
{
    int             rc = 0;
    const char     *values[1];
    js_nt_match_t  *m = &nt->m;

    js_nt_profiles_notified(nt);
    if (!js_pg_ready(&nt->pgm)) {
        return;
    }

    /* Profiles change only while no job's users are held. */
    if (js_nt_profiles_due(nt)
        && (m->state == JS_NT_IDLE || m->state == JS_NT_JOBS))
    {
        if (js_nt_profiles_next(nt) != 0) {
            js_log(JS_LOG_ERR, "cannot read profiles",
                   JS_KS("err", "cannot send a query"));
        }
        return;
    }

    if (m->failed) {
        return;
    }

    values[0] = m->job_ids.p;
    if (m->state == JS_NT_JOBS) {
        rc = js_pg_send(&nt->pgm, "push_jobs",
                        "SELECT * FROM push_jobs($1::uuid[])", 1, values,
                        JS_NT_PG_TIMEOUT, js_nt_jobs_found, nt);

    } else if (m->state == JS_NT_FACTS) {
        rc = js_pg_send(&nt->pgm, "match_job_facts", JS_MATCH_FACTS_SQL, 1,
                        values, JS_NT_PG_TIMEOUT, js_nt_facts_found, nt);
        m->state = rc == 0 ? JS_NT_INSERT : m->state;
    }

    if (rc != 0) {
        js_nt_match_failed(nt, "cannot send a query");
    }
}

/*
 * The inserting connection: the next chunk, one at a time, and only as
 * fast as pushes go out: about a second of sends waiting at most (a
 * message in 100 ms), for leases not to be spent waiting.  Once a job's
 * users are all inserted, the next job is matched.
 */
void
js_nt_insert_next(js_nt_t *nt)
{
    js_nt_match_t  *m = &nt->m;

    if (m->state != JS_NT_INSERT || m->facts == NULL || m->failed
        || m->chunk != 0)
    {
        return;
    }

    if (js_nt_match_job(nt) != 0) {
        return;
    }

    if (js_nt_match_complete(m)) {
        js_nt_match_done(nt);
        return;
    }

    if (m->next < m->nhits
        && nt->nsendq < m->chunk_size
        && nt->nsendq < JS_NT_BACKLOG * nt->cf->fcm_max_in_flight
        && js_nt_insert_chunk(nt) != 0)
    {
        js_nt_match_failed(nt, "cannot send a query");
    }
}
