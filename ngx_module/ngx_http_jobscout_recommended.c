
/*
 * Job Scout: jobs for the signed-in user.  GET /api/v1/jobs/{id}/skill-gap
 * splits a job's skills into the user's and the missing ones; GET
 * /api/v1/jobs/recommended ranks the active jobs by how much of their
 * skills the user has (skill_coverage(), migration 0019), within the
 * user's preferences, keyset-paged like /jobs.
 *
 * A ranking is cached in Redis for a day, a page per key, the key naming
 * the user and profile_hash(): the hash of the user's skills and
 * filtering preferences, so an edit of either is a new key and shows at
 * once.  Redis is only a cache: when it is down, slow or has lost the
 * key, PostgreSQL ranks again.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_RECOMMENDED_TTL   "86400"
#define NGX_HTTP_JOBSCOUT_RECOMMENDED_KEY   "jobscout:recommended:"
#define NGX_HTTP_JOBSCOUT_RECOMMENDED_MAX   100


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[5];
    ngx_str_t                       cursor;     /* as sent, or "-" */
    ngx_str_t                       key;        /* the cache's */
    ngx_str_t                       body;       /* the page, once ranked */
} ngx_http_jobscout_recommended_t;


static void ngx_http_jobscout_recommended_hashed(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_recommended_cached(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_recommended_rank(ngx_http_request_t *r,
    ngx_http_jobscout_recommended_t *st);
static void ngx_http_jobscout_recommended_ranked(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_recommended_stored(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);


static ngx_http_jobscout_arg_spec_t  ngx_http_jobscout_recommended_args[] = {
    { "limit", 1 },
    { "cursor", 1 },
    { NULL, 0 }
};


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_profile_hash_stmt = {
    "recommended_hash",
    "SELECT profile_hash($1::uuid) AS h",
    1, 0
};

/*
 * $2 the limit; $3..$5 the cursor: coverage, micros, id.  The candidates
 * are the jobs that list one of the user's skills (by the index of
 * lower(skill_name)), their coverage summed for all at once (as
 * skill_coverage() has it for one, migration 0019); then the user's
 * filters: backfill_alerts()'s cheap test (0012), written out here so that
 * PostgreSQL reads the columns it needs, not whole rows, for every job.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_recommended_stmt = {
    "recommended_page",
    "WITH mine AS ("
    "  SELECT DISTINCT lower(us.skill_name) AS name FROM user_skills us"
    "   WHERE us.user_id = $1::uuid"
    "), covered AS ("
    "  SELECT s.job_id,"
    "         round(100.0 * coalesce(sum(skill_weight(s.is_required))"
    "                                FILTER (WHERE m.name IS NOT NULL), 0)"
    "               / sum(skill_weight(s.is_required)))::integer AS rank"
    "    FROM job_skills s LEFT JOIN mine m ON m.name = lower(s.skill_name)"
    "   WHERE s.job_id IN (SELECT c.job_id FROM job_skills c"
    "                       WHERE lower(c.skill_name)"
    "                             IN (SELECT name FROM mine))"
    "   GROUP BY s.job_id"
    "), ranked AS ("
    "  SELECT j.id, j.listed_at, x.rank"
    "    FROM covered x"
    "    JOIN jobs j ON j.id = x.job_id"
    "    JOIN companies c ON c.id = j.company_id"
    "    JOIN users u ON u.id = $1::uuid"
    "   WHERE j.is_active AND c.is_active AND j.duplicate_of IS NULL"
    "     AND u.is_active AND u.deleted_at IS NULL"
    "     AND u.match_companies && ARRAY[c.slug, '']"
    "     AND ('' = ANY (u.match_roles)"
    "          OR EXISTS (SELECT FROM unnest(u.match_roles) k"
    "                      WHERE strpos(' ' || match_words(j.title) || ' ',"
    "                                   ' ' || k || ' ') > 0))"
    "     AND ('' = ANY (u.match_locations)"
    "          OR EXISTS (SELECT FROM unnest(u.match_locations) k"
    "                      WHERE strpos(lower(j.location), k) > 0"
    "                         OR (k = 'remote'"
    "                             AND j.location_type = 'remote')))"
    "     AND match_job_wanted(u.match_job_types, u.match_workplace_types,"
    "                          u.match_min_salary, u.match_salary_currency,"
    "                          j.employment_type, j.location_type,"
    "                          match_yearly_salary(j.salary_min, j.salary_max,"
    "                                              j.salary_period),"
    "                          j.salary_currency)"
    "), page AS ("
    "  SELECT * FROM ranked"
    "   WHERE $3::integer IS NULL"
    "      OR (rank, listed_at, id) < ($3::integer, "
    NGX_HTTP_JOBSCOUT_SQL_MICROS("$4") ", $5::uuid)"
    "   ORDER BY rank DESC, listed_at DESC, id DESC"
    "   LIMIT $2::integer + 1"
    "), numbered AS ("
    "  SELECT id, rank,"
    "         row_number() OVER (ORDER BY rank DESC, listed_at DESC,"
    "                                     id DESC) AS n,"
    "         rank || '|' || " NGX_HTTP_JOBSCOUT_SQL_KEY("listed_at", "id")
    "           AS key"
    "    FROM page"
    ")"
    " SELECT coalesce(json_agg(json_build_object("
    NGX_HTTP_JOBSCOUT_JOB_FIELDS ", 'coverage', p.rank) ORDER BY p.n)"
    "                 FILTER (WHERE p.n <= $2::integer), '[]')::text,"
    "        CASE WHEN count(*) > $2::integer"
    "             THEN max(p.key) FILTER (WHERE p.n = $2::integer) END"
    "   FROM numbered p JOIN jobs j ON j.id = p.id"
    "        JOIN companies c ON c.id = j.company_id",
    5, 0
};


/* the skills of the job split by g.is_required = required */

#define NGX_HTTP_JOBSCOUT_SQL_GAP(required)                                  \
    "json_build_object('matched', coalesce((SELECT json_agg("                \
    "    json_build_object('name', g.name, 'min_years', g.min_years,"        \
    "      'years', g.years, 'proficiency', g.proficiency,"                  \
    "      'enough_years', g.min_years IS NULL OR g.years >= g.min_years)"   \
    "    ORDER BY g.name) FROM g WHERE g.is_required = " required            \
    "                               AND g.mine), '[]'),"                     \
    " 'missing', coalesce((SELECT json_agg("                                 \
    "    json_build_object('name', g.name, 'min_years', g.min_years)"        \
    "    ORDER BY g.name) FROM g WHERE g.is_required = " required            \
    "                               AND NOT g.mine), '[]'))"

/* any job, listed or not, as GET /jobs/{id}; $2 the job */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_skill_gap_stmt = {
    "jobs_skill_gap",
    "WITH me AS " NGX_HTTP_JOBSCOUT_SQL_ME ","
    " g AS (SELECT s.skill_name AS name, s.is_required, s.min_years,"
    "              us.user_id IS NOT NULL AS mine,"
    "              us.years_experience AS years, us.proficiency"
    "         FROM job_skills s"
    "         LEFT JOIN user_skills us ON us.user_id = $1::uuid"
    "              AND lower(us.skill_name) = lower(s.skill_name)"
    "        WHERE s.job_id = $2::uuid)"
    " SELECT 200, json_build_object('job_id', j.id, 'title', j.title,"
    "          'required', " NGX_HTTP_JOBSCOUT_SQL_GAP("true") ","
    "          'nice_to_have', " NGX_HTTP_JOBSCOUT_SQL_GAP("false") ","
    "          'coverage', skill_coverage(me.id, j.id))::text"
    "   FROM jobs j, me WHERE j.id = $2::uuid",
    2, 0
};


ngx_int_t
ngx_http_jobscout_jobs_skill_gap(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_profile_by_id(r, ctx,
                                           &ngx_http_jobscout_skill_gap_stmt,
                                           "no such job");
}


/* GET /jobs/recommended?limit&cursor */

ngx_int_t
ngx_http_jobscout_jobs_recommended(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                           *p;
    ngx_int_t                         limit, rank;
    ngx_str_t                         fields[3];
    ngx_http_jobscout_arg_t           args[2];
    ngx_http_jobscout_recommended_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_recommended_t));
    p = ngx_pnalloc(r->pool, ctx->token.sub.len + 1 + NGX_INT_T_LEN + 1);
    if (st == NULL || p == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;
    ngx_memzero(args, sizeof(args));

    if (ngx_http_jobscout_args_parse(r, ctx,
                                     ngx_http_jobscout_recommended_args, args)
        != NGX_OK
        || ngx_http_jobscout_arg_limit(r, ctx, &args[0], 20,
                                       NGX_HTTP_JOBSCOUT_RECOMMENDED_MAX,
                                       &limit)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    ngx_str_set(&st->cursor, "-");

    if (args[1].n) {
        st->cursor = args[1].values[0];

        /* decoding cuts the copy it makes, not the value sent */

        if (ngx_http_jobscout_cursor_decode(r, ctx, &args[1].values[0],
                                            fields, 3)
            != NGX_OK)
        {
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        if (ngx_http_jobscout_arg_int(ctx, "cursor", &fields[0], 0, 100,
                                      &rank)
            != NGX_OK)
        {
            ngx_http_jobscout_body_refuse(ctx, "cursor",
                                          "is not a valid cursor");
            return ngx_http_jobscout_send_invalid(r, ctx);
        }

        st->values[2] = (const char *) fields[0].data;
        st->values[3] = (const char *) fields[1].data;
        st->values[4] = (const char *) fields[2].data;
    }

    *ngx_cpymem(p, ctx->token.sub.data, ctx->token.sub.len) = '\0';
    st->values[0] = (const char *) p;

    p += ctx->token.sub.len + 1;
    *ngx_sprintf(p, "%i", limit) = '\0';
    st->values[1] = (const char *) p;

    st->query.stmt = &ngx_http_jobscout_profile_hash_stmt;
    st->query.values = st->values;
    st->query.handler = ngx_http_jobscout_recommended_hashed;
    st->query.data = st;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


/* the profile's hash: the cache's key, then what Redis holds there */

static void
ngx_http_jobscout_recommended_hashed(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    size_t                            len, argvlen[2];
    ngx_int_t                         rc;
    const char                       *argv[2];
    ngx_http_request_t               *r;
    ngx_http_jobscout_recommended_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_pg_row(q, res, NULL) != NGX_OK) {
        return;
    }

    if (PQgetisnull(res, 0, 0)) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                         "this account no longer exists"));
        return;
    }

    /* user:hash:limit:cursor; a cursor is base64url, no ':' */

    len = sizeof(NGX_HTTP_JOBSCOUT_RECOMMENDED_KEY) - 1
          + ngx_strlen(st->values[0]) + 1 + PQgetlength(res, 0, 0) + 1
          + ngx_strlen(st->values[1]) + 1 + st->cursor.len;

    st->key.data = ngx_pnalloc(r->pool, len);
    if (st->key.data == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    st->key.len = ngx_sprintf(st->key.data,
                              NGX_HTTP_JOBSCOUT_RECOMMENDED_KEY "%s:%s:%s:%V",
                              st->values[0], PQgetvalue(res, 0, 0),
                              st->values[1], &st->cursor)
                  - st->key.data;

    argv[0] = "GET";
    argv[1] = (const char *) st->key.data;
    argvlen[0] = 3;
    argvlen[1] = st->key.len;

    rc = ngx_http_jobscout_redis_command(r,
                                         ngx_http_jobscout_recommended_cached,
                                         st, 2, argv, argvlen);

    if (rc != NGX_OK) {
        /* Redis is down: rank without the cache */
        rc = ngx_http_jobscout_recommended_rank(r, st);
        if (rc != NGX_DONE) {
            ngx_http_jobscout_finalize(r, rc);
        }
    }
}


static void
ngx_http_jobscout_recommended_cached(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_int_t                         rc;
    ngx_http_request_t               *r;
    ngx_http_jobscout_recommended_t  *st;

    r = cmd->request;
    st = cmd->data;

    if (reply != NULL && reply->type == REDIS_REPLY_STRING) {

        /* hiredis frees the reply when this returns: nginx sends later */

        st->body.len = reply->len;
        st->body.data = ngx_pnalloc(r->pool, reply->len);
        if (st->body.data == NULL) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_memcpy(st->body.data, reply->str, reply->len);

        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_json(r, NGX_HTTP_OK, st->body.data,
                                        st->body.len));
        return;
    }

    /* not cached, or Redis failed: either way PostgreSQL answers */

    rc = ngx_http_jobscout_recommended_rank(r, st);
    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


/* a second query of the request: the first one's struct is the pool's */

static ngx_int_t
ngx_http_jobscout_recommended_rank(ngx_http_request_t *r,
    ngx_http_jobscout_recommended_t *st)
{
    ngx_http_jobscout_pg_query_t  *q;

    q = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_pg_query_t));
    if (q == NULL) {
        return NGX_ERROR;
    }

    q->stmt = &ngx_http_jobscout_recommended_stmt;
    q->values = st->values;
    q->handler = ngx_http_jobscout_recommended_ranked;
    q->data = st;

    if (ngx_http_jobscout_pg_query(r, q) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, q, NULL);
    }

    return NGX_DONE;
}


/* the page: kept for a day, then answered whatever Redis says */

static void
ngx_http_jobscout_recommended_ranked(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t                         rc;
    const char                       *argv[5];
    size_t                            argvlen[5];
    ngx_http_request_t               *r;
    ngx_http_jobscout_recommended_t  *st;

    r = q->request;
    st = q->data;

    if (ngx_http_jobscout_pg_row(q, res, NULL) != NGX_OK) {
        return;
    }

    if (ngx_http_jobscout_page_body(r, res, 0, &st->body) != NGX_OK) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    argv[0] = "SET";
    argv[1] = (const char *) st->key.data;
    argv[2] = (const char *) st->body.data;
    argv[3] = "EX";
    argv[4] = NGX_HTTP_JOBSCOUT_RECOMMENDED_TTL;

    argvlen[0] = 3;
    argvlen[1] = st->key.len;
    argvlen[2] = st->body.len;
    argvlen[3] = 2;
    argvlen[4] = sizeof(NGX_HTTP_JOBSCOUT_RECOMMENDED_TTL) - 1;

    rc = ngx_http_jobscout_redis_command(r,
                                         ngx_http_jobscout_recommended_stored,
                                         st, 5, argv, argvlen);

    if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_json(r, NGX_HTTP_OK, st->body.data,
                                        st->body.len));
    }
}


static void
ngx_http_jobscout_recommended_stored(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_request_t               *r;
    ngx_http_jobscout_recommended_t  *st;

    r = cmd->request;
    st = cmd->data;

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "jobscout: recommendations not cached: %s",
                      cmd->error ? cmd->error : "Redis refused");
    }

    ngx_http_jobscout_finalize(r,
        ngx_http_jobscout_send_json(r, NGX_HTTP_OK, st->body.data,
                                    st->body.len));
}
