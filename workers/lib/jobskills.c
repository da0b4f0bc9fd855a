/*
 * job_skills from the taxonomy (jobskills.h): the extractor runs here, in
 * C; PostgreSQL gets one JSON array per statement and does the set work.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobskills.h"
#include "jobstore.h"

/*
 * $1: [{"job_id": uuid | "external_id": "..." (of source $2), "full": b,
 *       "skills": [{"name", "required", "min_years"}]}]: a full job gets
 * exactly these rows (rows already right are not rewritten); another
 * (its stored description unread this time) only gains the missing ones.
 */
static const char  js_jobskills_sync_sql[] =
    "WITH t AS ("
    "  SELECT coalesce((x->>'job_id')::uuid,"
    "                  (SELECT j.id FROM jobs j WHERE j.source_id = $2::uuid"
    "                      AND j.external_id = x->>'external_id')) AS job_id,"
    "         (x->>'full')::boolean AS is_full, x->'skills' AS skills"
    "    FROM json_array_elements($1::json) x"
    "), s AS ("
    "  SELECT DISTINCT ON (t.job_id, k.name)"
    "         t.job_id, t.is_full, k.name, k.required, k.min_years"
    "    FROM t CROSS JOIN LATERAL json_to_recordset(t.skills)"
    "         AS k(name text, required boolean, min_years numeric)"
    "   WHERE t.job_id IS NOT NULL AND k.name = btrim(k.name)"
    "     AND k.name <> ''"
    "   ORDER BY t.job_id, k.name, k.required DESC"
    "), gone AS ("
    "  DELETE FROM job_skills js USING t"
    "   WHERE js.job_id = t.job_id AND t.is_full"
    "     AND NOT EXISTS (SELECT 1 FROM s WHERE s.job_id = js.job_id"
    "                        AND s.name = js.skill_name)"
    "), full_jobs AS ("
    "  INSERT INTO job_skills (job_id, skill_name, is_required, min_years)"
    "  SELECT job_id, name, required, min_years FROM s WHERE is_full"
    "  ON CONFLICT (job_id, skill_name) DO UPDATE"
    "     SET is_required = EXCLUDED.is_required,"
    "         min_years = EXCLUDED.min_years"
    "   WHERE (job_skills.is_required, job_skills.min_years)"
    "         IS DISTINCT FROM (EXCLUDED.is_required, EXCLUDED.min_years)"
    ")"
    " INSERT INTO job_skills (job_id, skill_name, is_required, min_years)"
    " SELECT job_id, name, required, min_years FROM s WHERE NOT is_full"
    " ON CONFLICT (job_id, skill_name) DO NOTHING";

/* The version's cursor, locked for this transaction; no row: another
 * process holds it. */
static const char  js_jobskills_claim_sql[] =
    "SELECT after_job_id, finished_at IS NOT NULL FROM skill_backfills"
    " WHERE taxonomy_version = $1 FOR UPDATE SKIP LOCKED";

static const char  js_jobskills_begin_sql[] =
    "INSERT INTO skill_backfills (taxonomy_version) VALUES ($1)"
    " ON CONFLICT DO NOTHING";

/* The next jobs after the cursor, with their rows as [[name, required,
 * min_years], ...]. */
static const char  js_jobskills_batch_sql[] =
    "SELECT j.id, j.title, coalesce(j.description, ''),"
    "       coalesce((SELECT json_agg(json_build_array(s.skill_name,"
    "                                 s.is_required, s.min_years))"
    "                   FROM job_skills s WHERE s.job_id = j.id), '[]')"
    "  FROM (SELECT id, title, description FROM jobs"
    "         WHERE $1::uuid IS NULL OR id > $1::uuid"
    "         ORDER BY id LIMIT $2) j"
    " ORDER BY j.id";

static const char  js_jobskills_advance_sql[] =
    "UPDATE skill_backfills"
    "   SET after_job_id = coalesce($2::uuid, after_job_id),"
    "       jobs_tagged = jobs_tagged + $3, updated_at = now(),"
    "       finished_at = CASE WHEN $2 IS NULL THEN now() END"
    " WHERE taxonomy_version = $1";

int
js_jobskills_of(const js_skills_t *t, const js_job_t *job,
    js_skill_list_t *out)
{
    size_t       i;
    const char  *name;

    for (i = 0; i < job->nskills; i++) {
        name = js_skills_canonical(t, job->skills[i]);
        if (js_skill_list_add(out, name ? name : job->skills[i], NULL, -1, 1)
            != 0)
        {
            return -1;
        }
    }
    if (job->title != NULL
        && js_skills_extract(t, job->title, strlen(job->title), out) != 0)
    {
        return -1;
    }
    if (job->description != NULL
        && js_skills_extract(t, job->description, strlen(job->description),
                             out) != 0)
    {
        return -1;
    }
    return 0;
}

/* One job's entry of js_jobskills_sync_sql's array; NULL: no memory. */
static json_t *
js_jobskills_entry(const char *key, const char *id, int full,
    const js_skill_list_t *l)
{
    size_t   i;
    json_t  *o, *skills, *sk;

    o = json_object();
    skills = json_array();
    if (o == NULL || skills == NULL
        || json_object_set_new(o, "skills", skills) != 0)
    {
        json_decref(o);
        json_decref(skills);
        return NULL;
    }
    if (json_object_set_new(o, key, json_string(id)) != 0
        || json_object_set_new(o, "full", json_boolean(full)) != 0)
    {
        json_decref(o);
        return NULL;
    }
    for (i = 0; i < l->n; i++) {
        sk = json_pack("{s:s, s:b, s:o}", "name", l->hits[i].name,
                       "required", l->hits[i].required, "min_years",
                       l->hits[i].years >= 0 ? json_real(l->hits[i].years)
                                             : json_null());
        if (sk == NULL || json_array_append_new(skills, sk) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* Runs js_jobskills_sync_sql over arr (consumed). */
static int
js_jobskills_sync(PGconn *pg, json_t *arr, const char *source_id,
    char *err, size_t errlen)
{
    int          rc;
    char        *text;
    const char  *v[2];

    text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    v[0] = text;
    v[1] = source_id;
    rc = js_jobstore_exec(pg, js_jobskills_sync_sql, 2, v, PGRES_COMMAND_OK,
                          NULL, "job skills", err, errlen);
    free(text);
    return rc;
}

int
js_jobskills_store(PGconn *pg, const js_skills_t *t, const char *source_id,
    const js_page_t *page, char *err, size_t errlen)
{
    size_t            i;
    json_t           *arr, *o;
    js_skill_list_t   l;
    const js_job_t   *j;

    arr = json_array();
    if (arr == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (i = 0; i < page->njobs; i++) {
        j = &page->jobs[i];
        memset(&l, 0, sizeof(l));
        o = NULL;
        if (js_jobskills_of(t, j, &l) == 0) {
            o = js_jobskills_entry("external_id", j->external_id,
                                   j->description != NULL, &l);
        }
        js_skill_list_free(&l);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return js_jobskills_sync(pg, arr, source_id, err, errlen);
}

/*
 * One stored job of the batch: its rows (spellings mapped, merged) and
 * what its title and description say; NULL when out of memory.
 */
static json_t *
js_jobskills_retag(const js_skills_t *t, PGresult *res, int row)
{
    size_t           i;
    json_t          *rows, *r, *o = NULL;
    const char      *name, *canon, *text;
    js_skill_list_t  l;

    memset(&l, 0, sizeof(l));
    rows = json_loads(PQgetvalue(res, row, 3), 0, NULL);
    json_array_foreach(rows, i, r) {
        name = json_string_value(json_array_get(r, 0));
        if (name == NULL) {
            continue;
        }
        canon = js_skills_canonical(t, name);
        if (js_skill_list_add(&l, canon ? canon : name, NULL,
                              json_is_number(json_array_get(r, 2))
                              ? json_number_value(json_array_get(r, 2)) : -1,
                              json_is_true(json_array_get(r, 1))) != 0)
        {
            goto done;
        }
    }
    for (i = 1; i <= 2; i++) {
        text = PQgetvalue(res, row, (int) i);
        if (js_skills_extract(t, text, (size_t) PQgetlength(res, row, (int) i),
                              &l) != 0)
        {
            goto done;
        }
    }
    o = js_jobskills_entry("job_id", PQgetvalue(res, row, 0), 1, &l);

done:

    json_decref(rows);
    js_skill_list_free(&l);
    return o;
}

/* The backfill's batch, in the caller's transaction: 1, 0 or -1 as
 * js_jobskills_backfill(). */
static int
js_jobskills_batch(PGconn *pg, const js_skills_t *t, int batch,
    long *tagged, char *err, size_t errlen)
{
    int          i, n, rc;
    char         limit[16], count[24], *after;
    json_t      *arr, *o;
    PGresult    *res;
    const char  *v[3];

    v[0] = js_skills_version(t);
    if (js_jobstore_exec(pg, js_jobskills_begin_sql, 1, v, PGRES_COMMAND_OK,
                         NULL, "skill backfill", err, errlen) != 0
        || js_jobstore_exec(pg, js_jobskills_claim_sql, 1, v,
                            PGRES_TUPLES_OK, &res, "skill backfill", err,
                            errlen) != 0)
    {
        return -1;
    }
    if (PQntuples(res) == 0 || PQgetvalue(res, 0, 1)[0] == 't') {
        PQclear(res);
        return 0;                       /* another process's, or done */
    }
    after = PQgetisnull(res, 0, 0) ? NULL : strdup(PQgetvalue(res, 0, 0));
    rc = !PQgetisnull(res, 0, 0) && after == NULL;
    PQclear(res);
    if (rc) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    snprintf(limit, sizeof(limit), "%d", batch);
    v[0] = after;
    v[1] = limit;
    rc = js_jobstore_exec(pg, js_jobskills_batch_sql, 2, v, PGRES_TUPLES_OK,
                          &res, "skill backfill jobs", err, errlen);
    free(after);
    if (rc != 0) {
        return -1;
    }

    n = PQntuples(res);
    arr = json_array();
    for (i = 0; arr != NULL && i < n; i++) {
        o = js_jobskills_retag(t, res, i);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (arr == NULL) {
        PQclear(res);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (js_jobskills_sync(pg, arr, NULL, err, errlen) != 0) {
        PQclear(res);
        return -1;
    }

    /* no job left: the backfill is finished (the cursor stays) */
    snprintf(count, sizeof(count), "%d", n);
    v[0] = js_skills_version(t);
    v[1] = n > 0 ? PQgetvalue(res, n - 1, 0) : NULL;
    v[2] = count;
    rc = js_jobstore_exec(pg, js_jobskills_advance_sql, 3, v,
                          PGRES_COMMAND_OK, NULL, "skill backfill", err,
                          errlen);
    PQclear(res);
    if (rc != 0) {
        return -1;
    }
    *tagged = n;
    return n > 0;
}

int
js_jobskills_backfill(PGconn *pg, const js_skills_t *t, int batch,
    long *tagged, char *err, size_t errlen)
{
    int        rc;
    PGresult  *res;

    *tagged = 0;
    res = PQexec(pg, "BEGIN");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "BEGIN: %s", PQerrorMessage(pg));
        err[strcspn(err, "\n")] = '\0';
        PQclear(res);
        return -1;
    }
    PQclear(res);

    rc = js_jobskills_batch(pg, t, batch, tagged, err, errlen);
    res = PQexec(pg, rc < 0 ? "ROLLBACK" : "COMMIT");
    if (rc >= 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
        snprintf(err, errlen, "COMMIT: %s", PQerrorMessage(pg));
        err[strcspn(err, "\n")] = '\0';
        rc = -1;
        *tagged = 0;
    }
    PQclear(res);
    return rc;
}
