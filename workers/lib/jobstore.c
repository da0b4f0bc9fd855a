#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>

#include "jobscout_task.h"
#include "jobskills.h"
#include "jobstore.h"
#include "normalize.h"
#include "simhash.h"

/* The jobs of one run, as a JSON array: see js_jobstore_upsert_sql. */
static const char  js_jobstore_companies_sql[] =
    "INSERT INTO companies (name, slug)"
    " SELECT DISTINCT ON (j.company_slug) j.company, j.company_slug"
    "   FROM json_to_recordset($1::json)"
    "        AS j(company text, company_slug text)"
    "  WHERE j.company_slug IS NOT NULL"
    " ON CONFLICT (slug) DO NOTHING";

static const char  js_jobstore_upsert_sql[] =
    "WITH incoming AS ("
    "  SELECT j.*, coalesce(c.id, s.company_id) AS company_id,"
    "         md5(concat_ws(E'\\x1f', j.title, j.company_slug,"
    "             j.description, j.location, j.location_type,"
    "             j.employment_type, j.salary_min::text, j.salary_max::text,"
    "             j.salary_currency, j.salary_period, j.apply_url,"
    "             j.posted_at::text, j.skills::text,"
    "             nullif(j.valid_through, 0)::text)) AS content_hash"
    "    FROM json_to_recordset($2::json) AS j("
    "           external_id text, title text, company_slug text,"
    "           description text, location text, location_type text,"
    "           employment_type text, salary_min numeric,"
    "           salary_max numeric, salary_currency text,"
    "           salary_period text, apply_url text, posted_at double"
    "           precision, skills json, canonical_key text, simhash bigint,"
    "           valid_through double precision)"
    "    JOIN job_sources s ON s.id = $1"
    "    LEFT JOIN companies c ON c.slug = j.company_slug"
    "), prev AS ("
    "  SELECT external_id, content_hash FROM jobs WHERE source_id = $1"
    "), up AS ("
    "  INSERT INTO jobs AS t (source_id, company_id, external_id, title,"
    "         description, location, location_type, employment_type,"
    "         salary_min, salary_max, salary_currency, salary_period,"
    "         apply_url, posted_at, content_hash, canonical_key, simhash,"
    "         valid_through, duplicate_of)"
    "  SELECT $1, i.company_id, i.external_id, i.title, i.description,"
    "         i.location, i.location_type, i.employment_type, i.salary_min,"
    "         i.salary_max, i.salary_currency, i.salary_period, i.apply_url,"
    "         to_timestamp(nullif(i.posted_at, 0)), i.content_hash,"
    "         i.canonical_key, i.simhash,"
    "         to_timestamp(nullif(i.valid_through, 0)),"
    /* the same job first seen on another source (see simhash.h) */
    "         (SELECT o.id FROM jobs o"
    "           WHERE o.source_id IS DISTINCT FROM $1"
    "             AND o.duplicate_of IS NULL AND o.is_active"
    "             AND (o.canonical_key = i.canonical_key"
    "                  OR (i.simhash IS NOT NULL AND o.simhash IS NOT NULL"
    "                      AND o.company_id = i.company_id"
    "                      AND bit_count((o.simhash # i.simhash)::bit(64))"
    "                          <= $3))"
    "           ORDER BY o.discovered_at, o.id LIMIT 1)"
    "    FROM incoming i"
    "  ON CONFLICT (source_id, external_id) DO UPDATE SET"
    "         company_id = EXCLUDED.company_id, title = EXCLUDED.title,"
    /* a detail call past max_details, or failed, gives none: the one
     * an earlier run read stays (adapter.h) */
    "         description = coalesce(EXCLUDED.description, t.description),"
    "         location = EXCLUDED.location,"
    "         location_type = EXCLUDED.location_type,"
    "         employment_type = EXCLUDED.employment_type,"
    "         salary_min = EXCLUDED.salary_min,"
    "         salary_max = EXCLUDED.salary_max,"
    "         salary_currency = EXCLUDED.salary_currency,"
    "         salary_period = EXCLUDED.salary_period,"
    "         apply_url = EXCLUDED.apply_url,"
    "         posted_at = EXCLUDED.posted_at,"
    "         content_hash = EXCLUDED.content_hash,"
    "         canonical_key = EXCLUDED.canonical_key,"
    "         simhash = EXCLUDED.simhash,"
    "         valid_through = EXCLUDED.valid_through,"
    "         last_seen_at = now(), missed_scrapes = 0, is_active = true"
    "  RETURNING t.id, t.external_id, t.content_hash, (t.xmax = 0) AS new,"
    "            t.duplicate_of IS NOT NULL AS duplicate, t.posted_at"
    ")"
    " SELECT count(*) FILTER (WHERE u.new),"
    "        count(*) FILTER (WHERE NOT u.new"
    "                  AND p.content_hash IS DISTINCT FROM u.content_hash),"
    "        count(*) FILTER (WHERE u.new AND u.duplicate),"
    /* the discovery delay of the new jobs whose board says when they
     * were posted: seconds from then to now, their discovered_at */
    "        percentile_disc(0.5) WITHIN GROUP (ORDER BY"
    "            greatest(0, extract(epoch FROM now() - u.posted_at)))"
    "            FILTER (WHERE u.new AND u.posted_at IS NOT NULL),"
    "        max(greatest(0, extract(epoch FROM now() - u.posted_at)))"
    "            FILTER (WHERE u.new AND u.posted_at IS NOT NULL)"
    "   FROM up u LEFT JOIN prev p USING (external_id)";

/* Listed jobs were touched by now() in this transaction: the rest were
 * missed by this run.  A missed job past the valid_through its board
 * gave closes at once: the board said it would be gone. */
static const char  js_jobstore_expire_sql[] =
    "WITH missed AS ("
    "  UPDATE jobs SET missed_scrapes = missed_scrapes + 1,"
    "         is_active = missed_scrapes + 1 < $2"
    "                     AND coalesce(valid_through > now(), true)"
    "   WHERE source_id = $1 AND is_active AND last_seen_at < now()"
    "  RETURNING is_active"
    ") SELECT count(*) FILTER (WHERE NOT is_active) FROM missed";

static const char  js_jobstore_seen_sql[] =
    "UPDATE jobs SET last_seen_at = now()"
    " WHERE source_id = $1 AND is_active";

static const char  js_jobstore_log_sql[] =
    "INSERT INTO scrape_logs (source_id, status, jobs_found, new_jobs,"
    "       duration_ms, error_message, started_at, finished_at, pages,"
    "       http_status, updated_jobs, expired_jobs, duplicate_jobs,"
    "       trigger, outcome, bytes)"
    " VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::double precision"
    "         / 1000), greatest(clock_timestamp(),"
    "         to_timestamp($7::double precision / 1000)), $8, $9, $10, $11,"
    "         $12, $13, $14, $15)";

/* The boards whose fetches go to a host: they share its budget. */
static const char  js_jobstore_host_boards_sql[] =
    "SELECT count(*) FROM job_sources"
    " WHERE is_active AND (fetch_host = $1 OR id = $2)";

/* $5..$10: the polling estimate (lib/polling.h) and the host fetched. */
static const char  js_jobstore_success_sql[] =
    "UPDATE job_sources SET health_status = 'healthy',"
    "       consecutive_failures = 0, last_error = NULL,"
    "       last_scraped_at = now(), last_success_at = now(),"
    "       etag = CASE WHEN $2 THEN etag ELSE $3 END,"
    "       last_modified = CASE WHEN $2 THEN last_modified ELSE $4 END,"
    "       poll_changes = $5, poll_hours = $6, poll_quiet = $7,"
    "       next_check_at = now() + make_interval(secs =>"
    "                       $8::double precision / 1000),"
    "       next_check_reason = $9, fetch_host = coalesce($10, fetch_host),"
    "       last_changed_at = CASE WHEN $7 = 0 THEN now()"
    "                         ELSE last_changed_at END"
    " WHERE id = $1";

static const char  js_jobstore_failure_sql[] =
    "UPDATE job_sources SET consecutive_failures = consecutive_failures + 1,"
    "       health_status = CASE WHEN consecutive_failures + 1 >= 3"
    "                       THEN 'failing' ELSE 'degraded' END,"
    "       last_error = $2, last_scraped_at = now(),"
    "       next_check_at = now() + make_interval(secs =>"
    "                       $3::double precision / 1000),"
    "       next_check_reason = $4, fetch_host = coalesce($5, fetch_host)"
    " WHERE id = $1";

/* Columns 10-16: what the polling estimate starts from. */
static const char  js_jobstore_source_sql[] =
    "SELECT s.id, s.company_id, c.name, c.slug, s.scraper_class,"
    "       s.source_url, s.config::text, s.etag, s.last_modified,"
    "       s.is_active AND c.is_active, s.priority = 'high',"
    "       coalesce(s.scrape_interval_seconds, 0), s.poll_changes,"
    "       s.poll_hours, s.poll_quiet,"
    "       coalesce(floor(extract(epoch FROM now() - s.last_success_at)"
    "                      * 1000), 0),"
    "       s.consecutive_failures"
    "  FROM job_sources s JOIN companies c ON c.id = s.company_id"
    " WHERE s.id = $1";

/*
 * The source's new, non-duplicate jobs not yet queued for matching, in
 * match tasks of $2 job ids, written to the task outbox (the relay role
 * queues them) in the statement that marks the jobs queued.
 */
static const char  js_jobstore_queue_matches_sql[] =
    "WITH pending AS ("
    "  SELECT id, discovered_at,"
    "         (row_number() OVER (ORDER BY discovered_at, id) - 1) / $2"
    "             AS chunk"
    "    FROM jobs"
    "   WHERE source_id = $1 AND match_queued_at IS NULL"
    "     AND duplicate_of IS NULL AND is_active"
    "), marked AS ("
    "  UPDATE jobs j SET match_queued_at = now()"
    "    FROM pending p WHERE j.id = p.id"
    "), tasks AS ("
    "  SELECT replace(gen_random_uuid()::text, '-', '') AS id,"
    "         json_agg(id ORDER BY discovered_at, id) AS job_ids"
    "    FROM pending GROUP BY chunk"
    "), queued AS ("
    "  INSERT INTO task_outbox (id, queue, task)"
    "  SELECT id, '" JOBSCOUT_QUEUE_MATCH "',"
    "         json_build_object('id', id, 'kind', '"
                                JOBSCOUT_TASK_MATCH_JOBS "',"
    "           'args', json_build_object('job_ids', job_ids),"
    "           'attempt', 0, 'enqueued_at', task_now_ms())::text"
    "    FROM tasks"
    ")"
    " SELECT count(*) FROM pending";

static int
js_jobstore_failed(PGresult *res, ExecStatusType want, const char *what,
    char *err, size_t errlen)
{
    if (res != NULL && PQresultStatus(res) == want) {
        return 0;
    }

    snprintf(err, errlen, "%s: %s", what,
             res ? PQresultErrorMessage(res) : "no result");
    /* libpq messages end with a newline */
    err[strcspn(err, "\n")] = '\0';
    PQclear(res);
    return -1;
}

int
js_jobstore_exec(PGconn *pg, const char *sql, int n, const char *const *v,
    ExecStatusType want, PGresult **out, const char *what, char *err,
    size_t errlen)
{
    PGresult  *res;

    res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    if (js_jobstore_failed(res, want, what, err, errlen) != 0) {
        return -1;
    }

    if (out != NULL) {
        *out = res;
    } else {
        PQclear(res);
    }
    return 0;
}

PGconn *
js_jobstore_connect(const char *conninfo, char *err, size_t errlen)
{
    PGconn             *pg;
    static const char  *keys[] = {
        "connect_timeout", "application_name", "dbname", NULL
    };
    const char         *values[] = { "5", "jobscoutd", conninfo, NULL };

    /* expand_dbname: the configured conninfo's own settings win. */
    pg = PQconnectdbParams(keys, values, 1);
    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        snprintf(err, errlen, "connect: %s",
                 pg ? PQerrorMessage(pg) : "out of memory");
        err[strcspn(err, "\n")] = '\0';
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

void
js_slug(const char *name, char *out, size_t len)
{
    size_t          n = 0;
    int             dash = 0;
    unsigned char   c;

    for (; *name != '\0' && n + 2 < len; name++) {
        c = (unsigned char) *name;
        if (c >= 'A' && c <= 'Z') {
            c += 'a' - 'A';
        }
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n > 0) {
                out[n++] = '-';
            }
            out[n++] = (char) c;
            dash = 0;
        } else {
            dash = 1;
        }
    }
    out[n] = '\0';
}

/* The jobs as js_jobstore_upsert_sql reads them: js_job_json's fields,
 * posted_at and valid_through in Unix seconds (0: unknown), the hiring
 * company's slug, and the keys of duplicate detection. */
static json_t *
js_jobstore_jobs_json(const js_page_t *page, const char *source_company)
{
    char             slug[128], key[3 * 310];
    uint64_t         hash;
    size_t           i;
    json_t          *arr, *o;
    const js_job_t  *j;

    arr = json_array();
    if (arr == NULL) {
        return NULL;
    }

    for (i = 0; i < page->njobs; i++) {
        j = &page->jobs[i];

        o = js_job_json(j);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }

        slug[0] = '\0';
        if (j->company != NULL) {
            js_slug(j->company, slug, sizeof(slug));
        }
        if (slug[0] != '\0') {
            json_object_set_new(o, "company_slug", json_string(slug));
        }
        json_object_set_new(o, "posted_at", json_integer(j->posted_at));
        json_object_set_new(o, "valid_through",
                            json_integer(j->valid_through));

        js_canonical_key(j->title, j->company ? j->company : source_company,
                         j->location_type != NULL
                         && strcmp(j->location_type, "remote") == 0
                         ? "remote" : j->location, key, sizeof(key));
        json_object_set_new(o, "canonical_key", json_string(key));
        hash = j->description ? js_simhash(j->description) : 0;
        if (hash != 0) {
            json_object_set_new(o, "simhash",
                                json_integer((json_int_t) (int64_t) hash));
        }
    }

    return arr;
}

static int
js_jobstore_upsert(PGconn *pg, const js_store_run_t *run,
    js_store_stats_t *st, char *err, size_t errlen)
{
    char         n[32], near[16], *jobs;
    json_t      *arr;
    PGresult    *res;
    const char  *v[3];

    arr = js_jobstore_jobs_json(run->page, run->company_name);
    jobs = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (jobs == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    v[0] = jobs;
    if (js_jobstore_exec(pg, js_jobstore_companies_sql, 1, v,
                         PGRES_COMMAND_OK, NULL, "companies", err, errlen)
        != 0)
    {
        free(jobs);
        return -1;
    }

    v[0] = run->source_id;
    v[1] = jobs;
    snprintf(near, sizeof(near), "%d", JS_SIMHASH_NEAR);
    v[2] = near;
    if (js_jobstore_exec(pg, js_jobstore_upsert_sql, 3, v, PGRES_TUPLES_OK,
                         &res, "upsert jobs", err, errlen) != 0)
    {
        free(jobs);
        return -1;
    }
    free(jobs);

    st->jobs_found = (long) run->page->njobs;
    st->new_jobs = atol(PQgetvalue(res, 0, 0));
    st->updated = atol(PQgetvalue(res, 0, 1));
    st->duplicates = atol(PQgetvalue(res, 0, 2));
    st->discovery_p50 = PQgetisnull(res, 0, 3) ? -1
                        : atol(PQgetvalue(res, 0, 3));
    st->discovery_max = PQgetisnull(res, 0, 4) ? -1
                        : atol(PQgetvalue(res, 0, 4));
    PQclear(res);

    if (js_jobskills_store(pg, run->skills, run->source_id, run->page, err,
                           errlen) != 0)
    {
        return -1;
    }

    /* a page read in part: what it did not show may still be there */
    if (run->page->unread[0] != '\0') {
        return 0;
    }

    snprintf(n, sizeof(n), "%d", run->expire_after);
    v[0] = run->source_id;
    v[1] = n;
    if (js_jobstore_exec(pg, js_jobstore_expire_sql, 2, v, PGRES_TUPLES_OK,
                         &res, "expire jobs", err, errlen) != 0)
    {
        return -1;
    }
    st->expired = atol(PQgetvalue(res, 0, 0));
    PQclear(res);

    return 0;
}

/*
 * The next check (lib/polling.h): the limits of the source's priority, its
 * host's gap times the boards sharing the host; fills st's outcome,
 * next_check and reason, and the state to store in *ps.
 */
static int
js_jobstore_poll(PGconn *pg, const js_store_run_t *run, js_store_stats_t *st,
    js_poll_state_t *ps, char *err, size_t errlen)
{
    uint32_t           rnd;
    PGresult          *res;
    const char        *v[2];
    js_poll_limits_t   lim = run->limits;

    if (run->error != NULL) {
        st->outcome = JS_POLL_FAILED;
    } else if (run->not_modified) {
        st->outcome = JS_POLL_NOT_MODIFIED;
    } else if (st->new_jobs + st->updated + st->expired > 0) {
        st->outcome = JS_POLL_CHANGED;
    } else {
        st->outcome = JS_POLL_UNCHANGED;
    }

    if (run->fetch_host != NULL && run->host_gap > 0) {
        v[0] = run->fetch_host;
        v[1] = run->source_id;
        if (js_jobstore_exec(pg, js_jobstore_host_boards_sql, 2, v,
                             PGRES_TUPLES_OK, &res, "host boards", err,
                             errlen) != 0)
        {
            return -1;
        }
        lim.host = run->host_gap * atol(PQgetvalue(res, 0, 0));
        PQclear(res);
    }

    *ps = run->poll;
    st->next_check = js_poll_interval(ps, st->outcome, run->since_success,
                                      run->failures, &lim, st->reason,
                                      sizeof(st->reason));

    if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
        rnd = (uint32_t) run->started_at;
    }
    st->next_check = js_poll_spread(st->next_check, rnd / 4294967296.0,
                                    &lim);
    return 0;
}

static int
js_jobstore_run(PGconn *pg, const js_store_run_t *run, js_store_stats_t *st,
    char *err, size_t errlen)
{
    char              found[32], fresh[32], dur[32], started[32], pages[32];
    char              status[32], updated[32], expired[32], dups[32];
    char              bytes[32], changes[32], hours[32], quiet[32];
    char              next[32];
    int               unread;
    const char       *v[15];
    js_poll_state_t   ps;

    /* a part of a page not read: logged as a partial run, and why */
    unread = run->error == NULL && !run->not_modified
             && run->page->unread[0] != '\0';

    if (run->error == NULL && run->not_modified) {
        v[0] = run->source_id;
        if (js_jobstore_exec(pg, js_jobstore_seen_sql, 1, v,
                             PGRES_COMMAND_OK, NULL, "touch jobs", err,
                             errlen) != 0)
        {
            return -1;
        }

    } else if (run->error == NULL
               && js_jobstore_upsert(pg, run, st, err, errlen) != 0)
    {
        return -1;
    }

    snprintf(found, sizeof(found), "%ld", st->jobs_found);
    snprintf(fresh, sizeof(fresh), "%ld", st->new_jobs);
    snprintf(dur, sizeof(dur), "%lld", (long long) run->duration_ms);
    snprintf(started, sizeof(started), "%lld", (long long) run->started_at);
    snprintf(pages, sizeof(pages), "%d", run->pages);
    snprintf(status, sizeof(status), "%ld", run->http_status);
    snprintf(updated, sizeof(updated), "%ld", st->updated);
    snprintf(expired, sizeof(expired), "%ld", st->expired);
    snprintf(dups, sizeof(dups), "%ld", st->duplicates);
    snprintf(bytes, sizeof(bytes), "%lld", (long long) run->bytes);

    if (js_jobstore_poll(pg, run, st, &ps, err, errlen) != 0) {
        return -1;
    }
    snprintf(next, sizeof(next), "%lld", (long long) st->next_check);

    v[0] = run->source_id;
    v[1] = run->error ? "failed" : unread ? "partial" : "success";
    v[2] = found;
    v[3] = fresh;
    v[4] = dur;
    v[5] = run->error ? run->error : unread ? run->page->unread : NULL;
    v[6] = started;
    v[7] = pages;
    /* the column's CHECK: a server's status 999 is no reason to fail */
    v[8] = run->http_status >= 100 && run->http_status <= 599 ? status
                                                               : NULL;
    v[9] = updated;
    v[10] = expired;
    v[11] = dups;
    v[12] = run->trigger ? run->trigger : "schedule";
    v[13] = js_poll_outcome_name(st->outcome);
    v[14] = bytes;
    if (js_jobstore_exec(pg, js_jobstore_log_sql, 15, v, PGRES_COMMAND_OK,
                         NULL, "scrape_logs", err, errlen) != 0)
    {
        return -1;
    }

    v[0] = run->source_id;
    if (run->error != NULL) {
        v[1] = run->error;
        v[2] = next;
        v[3] = st->reason;
        v[4] = run->fetch_host;
        return js_jobstore_exec(pg, js_jobstore_failure_sql, 5, v,
                                PGRES_COMMAND_OK, NULL, "source health",
                                err, errlen);
    }

    snprintf(changes, sizeof(changes), "%.6f", ps.changes);
    snprintf(hours, sizeof(hours), "%.6f", ps.hours);
    snprintf(quiet, sizeof(quiet), "%d", ps.quiet);

    v[1] = run->not_modified ? "t" : "f";
    v[2] = run->etag;
    v[3] = run->last_modified;
    v[4] = changes;
    v[5] = hours;
    v[6] = quiet;
    v[7] = next;
    v[8] = st->reason;
    v[9] = run->fetch_host;
    return js_jobstore_exec(pg, js_jobstore_success_sql, 10, v,
                            PGRES_COMMAND_OK, NULL, "source health", err,
                            errlen);
}

int
js_jobstore_save(PGconn *pg, const js_store_run_t *run,
    js_store_stats_t *st, char *err, size_t errlen)
{
    PGresult  *res;

    memset(st, 0, sizeof(*st));
    st->discovery_p50 = -1;
    st->discovery_max = -1;

    res = PQexec(pg, "BEGIN");
    if (js_jobstore_failed(res, PGRES_COMMAND_OK, "BEGIN", err, errlen)
        != 0)
    {
        return -1;
    }
    PQclear(res);

    if (js_jobstore_run(pg, run, st, err, errlen) != 0) {
        PQclear(PQexec(pg, "ROLLBACK"));
        return -1;
    }

    res = PQexec(pg, "COMMIT");
    if (js_jobstore_failed(res, PGRES_COMMAND_OK, "COMMIT", err, errlen)
        != 0)
    {
        return -1;
    }
    PQclear(res);
    return 0;
}

int
js_jobstore_source(PGconn *pg, const char *id, js_source_row_t *row,
    char *err, size_t errlen)
{
    int          i;
    json_t      *config;
    PGresult    *res;
    const char  *v[1];

    memset(row, 0, sizeof(*row));

    v[0] = id;
    if (js_jobstore_exec(pg, js_jobstore_source_sql, 1, v, PGRES_TUPLES_OK,
                         &res, "load source", err, errlen) != 0)
    {
        return -1;
    }

    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }

    for (i = 0; i < 7; i++) {
        row->strings[i] = strdup(PQgetvalue(res, 0, i));
        if (row->strings[i] == NULL) {
            goto oom;
        }
    }
    if (!PQgetisnull(res, 0, 7)
        && (row->etag = strdup(PQgetvalue(res, 0, 7))) == NULL)
    {
        goto oom;
    }
    if (!PQgetisnull(res, 0, 8)
        && (row->last_modified = strdup(PQgetvalue(res, 0, 8))) == NULL)
    {
        goto oom;
    }
    row->is_active = PQgetvalue(res, 0, 9)[0] == 't';
    row->high = PQgetvalue(res, 0, 10)[0] == 't';
    row->pinned = atoll(PQgetvalue(res, 0, 11)) * 1000;
    row->poll.changes = atof(PQgetvalue(res, 0, 12));
    row->poll.hours = atof(PQgetvalue(res, 0, 13));
    row->poll.quiet = atoi(PQgetvalue(res, 0, 14));
    row->since_success = atoll(PQgetvalue(res, 0, 15));
    row->failures = atoi(PQgetvalue(res, 0, 16));
    PQclear(res);

    config = json_loads(row->strings[6], 0, NULL);
    if (!json_is_object(config)) {
        json_decref(config);
        snprintf(err, errlen, "source config is not a JSON object");
        js_source_row_free(row);
        return -1;
    }

    row->src.id = row->strings[0];
    row->src.company_id = row->strings[1];
    row->src.company_name = row->strings[2];
    row->src.company_slug = row->strings[3];
    row->src.scraper_class = row->strings[4];
    row->src.source_url = row->strings[5];
    row->src.config = config;
    return 1;

oom:

    PQclear(res);
    js_source_row_free(row);
    snprintf(err, errlen, "out of memory");
    return -1;
}

void
js_source_row_free(js_source_row_t *row)
{
    size_t  i;

    for (i = 0; i < sizeof(row->strings) / sizeof(row->strings[0]); i++) {
        free(row->strings[i]);
    }
    free(row->etag);
    free(row->last_modified);
    json_decref(row->src.config);
    memset(row, 0, sizeof(*row));
}

int
js_jobstore_queue_matches(PGconn *pg, const char *source_id, int chunk,
    long *n, char *err, size_t errlen)
{
    char         size[16];
    PGresult    *res;
    const char  *v[2];

    snprintf(size, sizeof(size), "%d", chunk);
    v[0] = source_id;
    v[1] = size;

    if (js_jobstore_exec(pg, js_jobstore_queue_matches_sql, 2, v,
                         PGRES_TUPLES_OK, &res, "queue matches", err, errlen)
        != 0)
    {
        return -1;
    }

    *n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}
