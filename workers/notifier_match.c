/*
 * The notifier's matching: match tasks taken in batches, their
 * candidates (a first part, then a cursor's pages), the alerts inserted
 * in chunks and their pushes queued to send.  See notifier.c.
 */

#include "metrics.h"
#include "notifier.h"

static int
js_nt_is_uuid(const char *s)
{
    int  i;

    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        } else if (s[i] == '\0'
                   || strchr("0123456789abcdefABCDEF", s[i]) == NULL)
        {
            return 0;
        }
    }
    return s[36] == '\0';
}


/* --- matching -------------------------------------------------------- */

void
js_nt_match_reset(js_nt_t *nt)
{
    int             i;
    js_nt_match_t  *m = &nt->m;

    for (i = 0; i < m->ntasks; i++) {
        js_task_free(&m->tasks[i]);
    }
    js_pg_array_free(&m->job_ids);
    if (m->cands != NULL) {
        PQclear(m->cands);
    }
    if (m->ahead != NULL) {
        PQclear(m->ahead);
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
 * already are skipped); the matching query is dropped with its
 * connection, read-only; the chunk being inserted is waited for, its
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
        nt->cursor_open = 0;
    }
}

/* Every match received, every candidate inserted. */
static int
js_nt_match_complete(const js_nt_match_t *m)
{
    return m->whole && m->ahead == NULL && m->next >= m->end
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

    /*
     * A small first chunk, for the first pushes to go out soon, then
     * larger ones, which cost PostgreSQL less per alert (a statement
     * and a transaction each).
     */
    m->chunk_size = JS_NT_CHUNK_FIRST;
    m->state = JS_NT_INSERT;
}

static void
js_nt_match_received(js_nt_match_t *m)
{
    m->whole = 1;
    m->matched_in = js_msec() - m->started;
}

/*
 * The first part of the match came: its candidates are inserted while
 * the rest is matched.  Short of its limit, it is the whole match.
 */
static void
js_nt_first_found(void *ctx, PGresult *res, const char *err)
{
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    m->cands = res;
    m->end = PQntuples(res);
    m->matches = m->end;

    if (m->end < JS_NT_PART_FIRST) {
        js_nt_match_received(m);
        if (js_nt_match_complete(m)) {
            js_nt_match_done(nt);
        }
    }
}

/*
 * The whole match is in the cursor, sorted by job and user, the order
 * of the alerts' unique key, which each chunk then writes in a few
 * pages.  What of the first part is not inserted yet is in it again:
 * dropped, since a chunk holding a user twice would insert one alert
 * and push it twice.
 */
static void
js_nt_declared(void *ctx, PGresult *res, const char *err)
{
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (res != NULL) {
        PQclear(res);
        nt->cursor_open = 1;
    }

    if (m->failed || res == NULL) {
        js_nt_match_failed(nt, err);
        return;
    }

    m->cursor = JS_NT_CURSOR_OPEN;
    m->matches = 0;
    m->end = m->next + m->chunk;
}

/* A page of the cursor: inserted once cands is. */
static void
js_nt_page_fetched(void *ctx, PGresult *res, const char *err)
{
    int             n;
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    n = PQntuples(res);
    m->matches += n;

    if (n < JS_NT_PAGE) {
        m->cursor = JS_NT_CURSOR_DONE;
        js_nt_match_received(m);
    }

    if (n == 0) {
        PQclear(res);
        if (js_nt_match_complete(m)) {
            js_nt_match_done(nt);
        }
        return;
    }

    m->ahead = res;
}

static void
js_nt_cursor_closed(void *ctx, PGresult *res, const char *err)
{
    js_nt_t  *nt = ctx;

    /* An error too: the connection it was on is gone. */
    (void) err;
    if (res != NULL) {
        PQclear(res);
    }
    nt->cursor_open = 0;
}

static void
js_nt_inserted(void *ctx, PGresult *res, const char *err)
{
    int             i, n, job, cand;
    js_nt_t        *nt = ctx;
    js_nt_row_t    *row = NULL;
    js_nt_match_t  *m = &nt->m;
    js_fcm_alert_t  alert;

    /* Abandoned on QUIT, the chunk's pushes are still this notifier's. */
    if ((m->failed && !m->abandoned) || res == NULL) {
        if (res != NULL) {
            PQclear(res);
        }
        js_nt_match_failed(nt, err);
        return;
    }

    /* alert_id, k (1 for the chunk's first candidate), push, email,
     * queue_id (the same for every push: they were inserted 'sending',
     * for us) */
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

        /* match_candidates(): user_id, job_id, match_score, fcm_token, ... */
        cand = m->next + atoi(PQgetvalue(res, i, 1)) - 1;
        job = cand >= m->next && cand < m->next + m->chunk
              ? js_nt_job_row(nt, PQgetvalue(m->cands, cand, 1)) : -1;
        if (job < 0) {
            /* Gone meanwhile (no push_jobs() row): left to its lease. */
            if (row != NULL) {
                row->kept = 1;
            }
            continue;
        }

        /* The job's part of the message, made once for all its users. */
        if (m->rests[job] == NULL) {
            alert.token = "";
            alert.job_id = PQgetvalue(m->jobs, job, 0);
            alert.title = PQgetvalue(m->jobs, job, 1);
            alert.company = PQgetvalue(m->jobs, job, 2);
            alert.location = PQgetvalue(m->jobs, job, 3);
            alert.location_type = PQgetvalue(m->jobs, job, 4);
            m->rests[job] = js_fcm_message_rest(&alert);
        }

        js_nt_push_add(nt, row, PQgetvalue(res, i, 0),
                       PQgetvalue(m->cands, cand, 3), 1, m->rests[job],
                       atoll(PQgetvalue(m->jobs, job, 5)));
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

/* The next chunk of candidates: their alerts, in one transaction. */
static int
js_nt_insert_chunk(js_nt_t *nt)
{
    int             i, col, end, rc = -1;
    const char     *values[6];
    js_pg_array_t   a[5];
    js_nt_match_t  *m = &nt->m;

    /* insert_alerts()'s arrays from match_candidates()'s user_id, job_id,
     * match_score, fcm_token, push, email_due_at: all but the token */
    static const int   cols[5] = { 0, 1, 2, 4, 5 };

    static const char  sql[] =
        "SELECT alert_id, k, push, email, queue_id"
        " FROM insert_alerts($1::uuid[], $2::uuid[], $3::smallint[],"
        " $4::boolean[], $5::timestamptz[], $6::interval)";

    memset(a, 0, sizeof(a));
    end = m->next + m->chunk_size;
    if (end > m->end) {
        end = m->end;
    }

    for (i = m->next; i < end; i++) {
        for (col = 0; col < 5; col++) {
            js_pg_array_add(&a[col], PQgetisnull(m->cands, i, cols[col])
                                     ? NULL
                                     : PQgetvalue(m->cands, i, cols[col]));
        }
    }

    for (i = 0; i < 5; i++) {
        if (js_pg_array_end(&a[i]) != 0) {
            goto done;
        }
        values[i] = a[i].data;
    }
    /* Without FCM, pushes wait as 'pending' for a notifier that has it. */
    values[5] = nt->fcm != NULL ? nt->lease : NULL;

    if (js_pg_send(&nt->pg, "insert_alerts", sql, 6, values,
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
        if (s == NULL || !js_nt_is_uuid(s)) {
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

/* match_candidates(): the first part, then all, into a cursor. */
#define JS_NT_CANDIDATES_SQL                                                 \
    "SELECT user_id, job_id, match_score, fcm_token, push, email_due_at"     \
    " FROM match_candidates($1::uuid[])"

#define JS_NT_CURSOR  "js_nt_matches"

/*
 * The matching connection: the jobs, the first part of the match, then
 * the whole match into a cursor WITH HOLD (PostgreSQL keeps it, sorted,
 * past the statement: no transaction stays open), fetched a page at a
 * time, the next while the current one is inserted.  So memory holds
 * two pages at most, whatever the backlog.
 */
static void
js_nt_match_ask(js_nt_t *nt)
{
    int             rc = 0;
    char            limit[16], fetch[64];
    const char     *values[2];
    js_nt_match_t  *m = &nt->m;

    static const char  first[] = JS_NT_CANDIDATES_SQL " LIMIT $2";
    static const char  declare[] =
        "DECLARE " JS_NT_CURSOR " NO SCROLL CURSOR WITH HOLD FOR "
        JS_NT_CANDIDATES_SQL " ORDER BY job_id, user_id";

    values[0] = m->job_ids.data;
    snprintf(limit, sizeof(limit), "%d", JS_NT_PART_FIRST);
    values[1] = limit;
    snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM " JS_NT_CURSOR,
             JS_NT_PAGE);

    if (m->state == JS_NT_JOBS) {
        rc = js_pg_send(&nt->pgm, "push_jobs",
                        "SELECT * FROM push_jobs($1::uuid[])", 1, values,
                        JS_NT_PG_TIMEOUT, js_nt_jobs_found, nt);

    } else if (!m->asked) {
        rc = js_pg_send(&nt->pgm, "match_candidates", first, 2, values,
                        JS_NT_PG_TIMEOUT, js_nt_first_found, nt);
        m->asked = rc == 0;

    } else if (m->cands == NULL || m->whole) {
        return;

    } else if (m->cursor == JS_NT_CURSOR_NONE) {
        rc = js_pg_send(&nt->pgm, "match_candidates", declare, 1, values,
                        JS_NT_CURSOR_TIMEOUT, js_nt_declared, nt);
        m->cursor = rc == 0 ? JS_NT_CURSOR_DECLARING : m->cursor;

    } else if (m->cursor == JS_NT_CURSOR_OPEN && m->ahead == NULL) {
        rc = js_pg_send(&nt->pgm, "fetch", fetch, 0, NULL,
                        JS_NT_PG_TIMEOUT, js_nt_page_fetched, nt);
    }

    if (rc != 0) {
        js_nt_match_failed(nt, "cannot send a query");
    }
}

/*
 * The matching connection's next query: a cursor left open (its match
 * fetched, or failed) is closed first, then the match goes on.
 */
void
js_nt_match_next(js_nt_t *nt)
{
    if (nt->cursor_open && nt->m.cursor != JS_NT_CURSOR_OPEN) {
        if (js_pg_send(&nt->pgm, "close", "CLOSE " JS_NT_CURSOR, 0, NULL,
                       JS_NT_PG_TIMEOUT, js_nt_cursor_closed, nt) != 0)
        {
            js_pg_close(&nt->pgm);
            nt->cursor_open = 0;
        }
        return;
    }

    if (nt->m.state != JS_NT_IDLE && !nt->m.failed) {
        js_nt_match_ask(nt);
    }
}

/*
 * The inserting connection: the next chunk, one at a time, and only as
 * fast as pushes go out: about a second of sends waiting at most (a
 * message in 100 ms), for leases not to be spent waiting.  Once its
 * candidates are all inserted, the page fetched meanwhile takes their
 * place.
 */
void
js_nt_insert_next(js_nt_t *nt)
{
    js_nt_match_t  *m = &nt->m;

    if (m->state != JS_NT_INSERT || m->failed || m->chunk != 0) {
        return;
    }

    if (m->next >= m->end && m->ahead != NULL) {
        PQclear(m->cands);
        m->cands = m->ahead;
        m->ahead = NULL;
        m->next = 0;
        m->end = PQntuples(m->cands);
    }

    if (m->cands != NULL && m->next < m->end
        && nt->nsendq < m->chunk_size
        && nt->nsendq < JS_NT_BACKLOG * nt->cf->fcm_max_in_flight
        && js_nt_insert_chunk(nt) != 0)
    {
        js_nt_match_failed(nt, "cannot send a query");
    }
}

