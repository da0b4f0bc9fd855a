
/*
 * Job Scout: the user's profile (seed 004): skills, education and work
 * experience, under /api/v1/users/me.  Statements follow the admin API's
 * convention (one row: status and body, no row a 404) and are keyed by
 * the token's subject, so another user's rows are never found.
 *
 * Skills are stored under their canonical name (skill_canonical(),
 * migration 0017), or as written when the taxonomy does not know them:
 * the user keeps a rare skill, and "known": false tells the client it is
 * not in the taxonomy.  What the API writes is the user's ('user'); the
 * cv worker's rows ('cv') never overwrite them (migration 0019).
 *
 * Education and experience are one code path: a section names its table,
 * its columns and how each field of a body is checked; PostgreSQL fills
 * the row from the checked body (jsonb_populate_record()).
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_SKILL_NAME_MAX   50
#define NGX_HTTP_JOBSCOUT_SKILL_YEARS_MAX  70
#define NGX_HTTP_JOBSCOUT_SKILLS_MAX       "200"
#define NGX_HTTP_JOBSCOUT_ENTRIES_MAX      "50"

#define NGX_HTTP_JOBSCOUT_FIELD_TEXT       0    /* one line */
#define NGX_HTTP_JOBSCOUT_FIELD_LINES      1    /* lines and tabs too */
#define NGX_HTTP_JOBSCOUT_FIELD_DATE       2    /* YYYY-MM-DD */
#define NGX_HTTP_JOBSCOUT_FIELD_CHOICE     3


typedef struct {
    const char                     *name;
    ngx_uint_t                      kind;
    ngx_uint_t                      required;   /* on creation; never null */
    size_t                          max;        /* characters */
    const char                    **choices;
    const char                     *message;    /* choices refused */
} ngx_http_jobscout_profile_field_t;


typedef struct {
    const char                         *name;     /* of the path */
    ngx_http_jobscout_profile_field_t  *fields;
    const char                        **allowed;  /* the fields' names */
    const char                         *missing;
    ngx_http_jobscout_pg_stmt_t        *list;
    ngx_http_jobscout_pg_stmt_t        *create;
    ngx_http_jobscout_pg_stmt_t        *get;
    ngx_http_jobscout_pg_stmt_t        *update;
    ngx_http_jobscout_pg_stmt_t        *remove;
} ngx_http_jobscout_profile_section_t;


static ngx_http_jobscout_profile_section_t *ngx_http_jobscout_profile_section(
    ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_profile_skill_param(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **values);
static ngx_int_t ngx_http_jobscout_profile_skill_fields(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx,
    const char **values);
static ngx_int_t ngx_http_jobscout_profile_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt);
static ngx_int_t ngx_http_jobscout_profile_write(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_profile_section_t *sec,
    ngx_uint_t create);
static ngx_int_t ngx_http_jobscout_profile_check(
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_profile_section_t *sec,
    ngx_uint_t create);
static ngx_int_t ngx_http_jobscout_profile_check_field(
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_profile_field_t *f,
    json_t *v);
static ngx_int_t ngx_http_jobscout_profile_date(const char *s, size_t len);
static const char *ngx_http_jobscout_profile_body(ngx_http_request_t *r,
    json_t *body);


#define NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME                                     \
    "WITH me AS " NGX_HTTP_JOBSCOUT_SQL_ME

/* the same, the account locked: one writer at a time counts its rows */

#define NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME_LOCKED                              \
    "WITH me AS (SELECT id FROM users WHERE id = $1::uuid"                   \
    "            AND deleted_at IS NULL AND is_active FOR UPDATE)"

/* a skill as the API shows it: s the user's row, k the taxonomy's */

#define NGX_HTTP_JOBSCOUT_SQL_SKILL                                          \
    "json_build_object('name', s.skill_name, 'known', k.id IS NOT NULL,"     \
    " 'category', k.category, 'proficiency', s.proficiency,"                 \
    " 'years', s.years_experience, 'source', s.source,"                      \
    " 'created_at', s.created_at, 'updated_at', s.updated_at)"

#define NGX_HTTP_JOBSCOUT_SQL_SKILL_TAXONOMY                                 \
    " LEFT JOIN skills k ON k.name = s.skill_name"

/*
 * "target": the row of {name}, any case: as written, else under its
 * canonical name (a name stored while the taxonomy did not know it stays
 * reachable as written after the taxonomy learns it).
 */

#define NGX_HTTP_JOBSCOUT_SQL_SKILL_TARGET                                   \
    " target AS (SELECT s.skill_name FROM user_skills s, me"                 \
    "             WHERE s.user_id = me.id"                                   \
    "               AND lower(s.skill_name)"                                 \
    "                   IN (lower(btrim($2)),"                               \
    "                       lower(skill_canonical(btrim($2))))"              \
    "             ORDER BY lower(s.skill_name) = lower(btrim($2)) DESC"      \
    "             LIMIT 1)"

#define NGX_HTTP_JOBSCOUT_SQL_SKILL_NAMED                                    \
    "s.user_id = $1::uuid"                                                   \
    " AND s.skill_name = (SELECT skill_name FROM target)"


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_skills_list_stmt = {
    "profile_skills_list",
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME
    " SELECT 200, json_build_object('items', coalesce((SELECT json_agg("
    NGX_HTTP_JOBSCOUT_SQL_SKILL " ORDER BY lower(s.skill_name))"
    "   FROM user_skills s" NGX_HTTP_JOBSCOUT_SQL_SKILL_TAXONOMY
    "  WHERE s.user_id = me.id), '[]'))::text FROM me",
    1, 0
};

/* $2 name, $3 proficiency, $4 years */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_skills_add_stmt = {
    "profile_skills_add",
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME_LOCKED ","
    " n AS (SELECT coalesce(skill_canonical(btrim($2)), btrim($2)) AS name),"
    " dup AS (SELECT s.skill_name FROM user_skills s, me, n"
    "          WHERE s.user_id = me.id"
    "            AND lower(s.skill_name) = lower(n.name)),"
    " held AS (SELECT count(*) AS n FROM user_skills s, me"
    "           WHERE s.user_id = me.id),"
    " ins AS (INSERT INTO user_skills (user_id, skill_name, proficiency,"
    "                                  years_experience, source)"
    "         SELECT me.id, n.name, $3, $4::numeric, 'user' FROM me, n"
    "          WHERE NOT EXISTS (SELECT FROM dup)"
    "            AND (SELECT n FROM held) < " NGX_HTTP_JOBSCOUT_SKILLS_MAX
    "         RETURNING *)"
    " SELECT 201, " NGX_HTTP_JOBSCOUT_SQL_SKILL "::text"
    "   FROM ins s" NGX_HTTP_JOBSCOUT_SQL_SKILL_TAXONOMY
    " UNION ALL"
    " SELECT 409, 'is in your skills already, as ' || skill_name"
    "          || ': change it with PATCH' FROM dup"
    " UNION ALL"
    " SELECT 409, 'a profile holds at most " NGX_HTTP_JOBSCOUT_SKILLS_MAX
    " skills' FROM held"
    "  WHERE n >= " NGX_HTTP_JOBSCOUT_SKILLS_MAX
    "    AND NOT EXISTS (SELECT FROM dup) AND EXISTS (SELECT FROM me)",
    4, 0
};

/*
 * $2 {name}, $3 the fields sent ({proficiency?, years?}, null clears
 * one).  The user edited it: the row is theirs now, whatever its source.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_skills_update_stmt = {
    "profile_skills_update",
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME "," NGX_HTTP_JOBSCOUT_SQL_SKILL_TARGET ","
    " upd AS (UPDATE user_skills s"
    "            SET proficiency = CASE WHEN $3::jsonb ? 'proficiency'"
    "                  THEN $3::jsonb ->> 'proficiency'"
    "                  ELSE s.proficiency END,"
    "                years_experience = CASE WHEN $3::jsonb ? 'years'"
    "                  THEN ($3::jsonb ->> 'years')::numeric"
    "                  ELSE s.years_experience END,"
    "                source = 'user'"
    "          WHERE " NGX_HTTP_JOBSCOUT_SQL_SKILL_NAMED
    "         RETURNING s.*)"
    " SELECT 200, " NGX_HTTP_JOBSCOUT_SQL_SKILL "::text"
    "   FROM upd s" NGX_HTTP_JOBSCOUT_SQL_SKILL_TAXONOMY,
    3, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_skills_delete_stmt = {
    "profile_skills_delete",
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME "," NGX_HTTP_JOBSCOUT_SQL_SKILL_TARGET ","
    " del AS (DELETE FROM user_skills s"
    "          WHERE " NGX_HTTP_JOBSCOUT_SQL_SKILL_NAMED " RETURNING 1)"
    " SELECT 204, NULL::text FROM del",
    2, 0
};


/*
 * The statements of a section: table, its alias's JSON (the whole row
 * but the owner: a column added later shows without a change here) and
 * the columns a body may set.  $2 an entry's id, $2 or $3 the body.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ENTRY  "(to_jsonb(e) - 'user_id')"

#define NGX_HTTP_JOBSCOUT_SQL_ENTRIES(table)                                 \
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME                                         \
    " SELECT 200, json_build_object('items', coalesce((SELECT jsonb_agg("    \
    NGX_HTTP_JOBSCOUT_SQL_ENTRY                                              \
    "   ORDER BY e.start_date DESC NULLS LAST, e.created_at DESC, e.id)"     \
    "   FROM " table " e WHERE e.user_id = me.id), '[]'))::text FROM me"

#define NGX_HTTP_JOBSCOUT_SQL_ENTRY_CREATE(table, cols)                      \
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME_LOCKED ","                              \
    " held AS (SELECT count(*) AS n FROM " table " e, me"                    \
    "           WHERE e.user_id = me.id),"                                   \
    " ins AS (INSERT INTO " table " (user_id, " cols ")"                     \
    "         SELECT me.id, " cols                                           \
    "           FROM me, jsonb_populate_record(NULL::" table ", $2::jsonb)"  \
    "          WHERE (SELECT n FROM held) < " NGX_HTTP_JOBSCOUT_ENTRIES_MAX   \
    "         RETURNING *)"                                                  \
    " SELECT 201, " NGX_HTTP_JOBSCOUT_SQL_ENTRY "::text FROM ins e"          \
    " UNION ALL"                                                             \
    " SELECT 409, 'a profile holds at most " NGX_HTTP_JOBSCOUT_ENTRIES_MAX   \
    " of these' FROM held WHERE n >= " NGX_HTTP_JOBSCOUT_ENTRIES_MAX         \
    "    AND EXISTS (SELECT FROM me)"

#define NGX_HTTP_JOBSCOUT_SQL_ENTRY_GET(table)                               \
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME                                         \
    " SELECT 200, " NGX_HTTP_JOBSCOUT_SQL_ENTRY "::text FROM " table " e, me" \
    "  WHERE e.id = $2::uuid AND e.user_id = me.id"

/* the fields sent replace the stored ones; the others stay */

#define NGX_HTTP_JOBSCOUT_SQL_ENTRY_UPDATE(table, cols)                      \
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME ","                                     \
    " upd AS (UPDATE " table " e SET (" cols ") = (SELECT " cols             \
    "           FROM jsonb_populate_record(e, $3::jsonb))"                   \
    "           FROM me WHERE e.id = $2::uuid AND e.user_id = me.id"         \
    "         RETURNING e.*)"                                                \
    " SELECT 200, " NGX_HTTP_JOBSCOUT_SQL_ENTRY "::text FROM upd e"

#define NGX_HTTP_JOBSCOUT_SQL_ENTRY_DELETE(table)                            \
    NGX_HTTP_JOBSCOUT_SQL_PROFILE_ME ","                                     \
    " del AS (DELETE FROM " table " e USING me"                              \
    "          WHERE e.id = $2::uuid AND e.user_id = me.id RETURNING 1)"     \
    " SELECT 204, NULL::text FROM del"


#define NGX_HTTP_JOBSCOUT_EDUCATION_COLS                                     \
    "institution, degree, field_of_study, grade, start_date, end_date,"      \
    " description"

#define NGX_HTTP_JOBSCOUT_EXPERIENCE_COLS                                    \
    "company, title, location, employment_type, start_date, end_date,"       \
    " description"


static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_education_stmts[] = {
    { "profile_education_list",
      NGX_HTTP_JOBSCOUT_SQL_ENTRIES("user_education"), 1, 0 },
    { "profile_education_create",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_CREATE("user_education",
                                         NGX_HTTP_JOBSCOUT_EDUCATION_COLS),
      2, 0 },
    { "profile_education_get",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_GET("user_education"), 2, 0 },
    { "profile_education_update",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_UPDATE("user_education",
                                         NGX_HTTP_JOBSCOUT_EDUCATION_COLS),
      3, 0 },
    { "profile_education_delete",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_DELETE("user_education"), 2, 0 }
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_experience_stmts[] = {
    { "profile_experience_list",
      NGX_HTTP_JOBSCOUT_SQL_ENTRIES("user_experience"), 1, 0 },
    { "profile_experience_create",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_CREATE("user_experience",
                                         NGX_HTTP_JOBSCOUT_EXPERIENCE_COLS),
      2, 0 },
    { "profile_experience_get",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_GET("user_experience"), 2, 0 },
    { "profile_experience_update",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_UPDATE("user_experience",
                                         NGX_HTTP_JOBSCOUT_EXPERIENCE_COLS),
      3, 0 },
    { "profile_experience_delete",
      NGX_HTTP_JOBSCOUT_SQL_ENTRY_DELETE("user_experience"), 2, 0 }
};


static const char  ngx_http_jobscout_no_skill[] =
    "no such skill in your profile";

static const char  *ngx_http_jobscout_proficiencies[] = {
    "beginner", "intermediate", "advanced", "expert", NULL
};

/* jobs.employment_type's words */

static const char  *ngx_http_jobscout_employment_types[] = {
    "full_time", "part_time", "contract", "internship", "temporary", NULL
};


static ngx_http_jobscout_profile_field_t  ngx_http_jobscout_education[] = {
    { "institution", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 1, 200, NULL, NULL },
    { "degree", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 0, 200, NULL, NULL },
    { "field_of_study", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 0, 200, NULL, NULL },
    { "grade", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 0, 50, NULL, NULL },
    { "start_date", NGX_HTTP_JOBSCOUT_FIELD_DATE, 0, 0, NULL, NULL },
    { "end_date", NGX_HTTP_JOBSCOUT_FIELD_DATE, 0, 0, NULL, NULL },
    { "description", NGX_HTTP_JOBSCOUT_FIELD_LINES, 0, 2000, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL }
};

static const char  *ngx_http_jobscout_education_names[] = {
    "institution", "degree", "field_of_study", "grade", "start_date",
    "end_date", "description", NULL
};

static ngx_http_jobscout_profile_field_t  ngx_http_jobscout_experience[] = {
    { "company", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 1, 200, NULL, NULL },
    { "title", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 1, 200, NULL, NULL },
    { "location", NGX_HTTP_JOBSCOUT_FIELD_TEXT, 0, 200, NULL, NULL },
    { "employment_type", NGX_HTTP_JOBSCOUT_FIELD_CHOICE, 0, 0,
      ngx_http_jobscout_employment_types,
      "must be full_time, part_time, contract, internship or temporary" },
    { "start_date", NGX_HTTP_JOBSCOUT_FIELD_DATE, 1, 0, NULL, NULL },
    { "end_date", NGX_HTTP_JOBSCOUT_FIELD_DATE, 0, 0, NULL, NULL },
    { "description", NGX_HTTP_JOBSCOUT_FIELD_LINES, 0, 4000, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL }
};

static const char  *ngx_http_jobscout_experience_names[] = {
    "company", "title", "location", "employment_type", "start_date",
    "end_date", "description", NULL
};


static ngx_http_jobscout_profile_section_t  ngx_http_jobscout_sections[] = {
    { "education", ngx_http_jobscout_education,
      ngx_http_jobscout_education_names,
      "no such education entry",
      &ngx_http_jobscout_education_stmts[0],
      &ngx_http_jobscout_education_stmts[1],
      &ngx_http_jobscout_education_stmts[2],
      &ngx_http_jobscout_education_stmts[3],
      &ngx_http_jobscout_education_stmts[4] },
    { "experience", ngx_http_jobscout_experience,
      ngx_http_jobscout_experience_names,
      "no such experience entry",
      &ngx_http_jobscout_experience_stmts[0],
      &ngx_http_jobscout_experience_stmts[1],
      &ngx_http_jobscout_experience_stmts[2],
      &ngx_http_jobscout_experience_stmts[3],
      &ngx_http_jobscout_experience_stmts[4] }
};

#define NGX_HTTP_JOBSCOUT_PROFILE  "/api/v1/users/me/"

#define NGX_HTTP_JOBSCOUT_ACCOUNT_GONE  "this account no longer exists"


/* skills */

ngx_int_t
ngx_http_jobscout_profile_skills_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_profile_list(r, ctx,
                                          &ngx_http_jobscout_skills_list_stmt);
}


/* POST /users/me/skills {name, proficiency?, years?} */

ngx_int_t
ngx_http_jobscout_profile_skills_add(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    size_t        i;
    ngx_str_t     name;
    const char  **values;

    static const char  *allowed[] = { "name", "proficiency", "years", NULL };

    values = ngx_http_jobscout_profile_values(r, ctx, 4);
    if (values == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_body_string(r, ctx, "name", 1,
                                         NGX_HTTP_JOBSCOUT_SKILL_NAME_MAX,
                                         &name)
           != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    for (i = 0; i < name.len && name.data[i] == ' '; i++) {
        /* void */
    }

    if (i == name.len) {
        return ngx_http_jobscout_invalid(r, "name", "must not be blank");
    }

    values[1] = (const char *) name.data;

    if (ngx_http_jobscout_profile_skill_fields(r, ctx, &values[2]) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    return ngx_http_jobscout_admin_query(r, &ngx_http_jobscout_skills_add_stmt,
                                         values,
                                         NGX_HTTP_JOBSCOUT_ACCOUNT_GONE);
}


/* PATCH /users/me/skills/{name} {proficiency?, years?} */

ngx_int_t
ngx_http_jobscout_profile_skills_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t     rc;
    const char  **values, *fields[2];

    static const char  *allowed[] = { "proficiency", "years", NULL };

    values = ngx_http_jobscout_profile_values(r, ctx, 3);
    if (values == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_profile_skill_param(r, ctx, values);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc,
                                               ngx_http_jobscout_no_skill);
    }

    if (ngx_http_jobscout_body_allow(ctx, allowed) != NGX_OK
        || ngx_http_jobscout_profile_skill_fields(r, ctx, fields) != NGX_OK)
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (json_object_size(ctx->body) == 0) {
        return ngx_http_jobscout_send_error(r,
                                NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                "validation_failed",
                                "nothing to change: send proficiency or "
                                "years");
    }

    values[2] = ngx_http_jobscout_profile_body(r, ctx->body);
    if (values[2] == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_admin_query(r,
                                         &ngx_http_jobscout_skills_update_stmt,
                                         values, ngx_http_jobscout_no_skill);
}


ngx_int_t
ngx_http_jobscout_profile_skills_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_int_t     rc;
    const char  **values;

    values = ngx_http_jobscout_profile_values(r, ctx, 2);
    if (values == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_profile_skill_param(r, ctx, values);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc,
                                               ngx_http_jobscout_no_skill);
    }

    return ngx_http_jobscout_admin_query(r,
                                         &ngx_http_jobscout_skills_delete_stmt,
                                         values, ngx_http_jobscout_no_skill);
}


/*
 * The values of a statement of the user: $1 the token's subject, n in all.
 * ctx->data is set for the statement's lifetime.
 */

const char **
ngx_http_jobscout_profile_values(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t n)
{
    u_char       *user;
    const char  **values;

    values = ngx_pcalloc(r->pool, n * sizeof(char *));
    user = ngx_pnalloc(r->pool, ctx->token.sub.len + 1);
    if (values == NULL || user == NULL) {
        return NULL;
    }

    *ngx_cpymem(user, ctx->token.sub.data, ctx->token.sub.len) = '\0';
    values[0] = (const char *) user;
    ctx->data = values;

    return values;
}


/*
 * {name} as $2: any text, as the statement only compares it; the route
 * takes the rest of the path, so "CI%2FCD" names "CI/CD".  NGX_DECLINED
 * when it cannot name a skill: not UTF-8, or a control character (a NUL
 * would cut it short).
 */

static ngx_int_t
ngx_http_jobscout_profile_skill_param(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **values)
{
    u_char  *name;

    if (ngx_http_jobscout_arg_text(&ctx->params[0]) != NGX_OK) {
        return NGX_DECLINED;
    }

    name = ngx_pnalloc(r->pool, ctx->params[0].len + 1);
    if (name == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(name, ctx->params[0].data, ctx->params[0].len) = '\0';
    values[1] = (const char *) name;

    return NGX_OK;
}


/* proficiency and years, each optional and nullable, into values[0..1] */

static ngx_int_t
ngx_http_jobscout_profile_skill_fields(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **values)
{
    u_char                              *p;
    json_t                              *v;
    double                               years;
    ngx_http_jobscout_profile_field_t    proficiency = {
        "proficiency", NGX_HTTP_JOBSCOUT_FIELD_CHOICE, 0, 0,
        ngx_http_jobscout_proficiencies,
        "must be beginner, intermediate, advanced or expert"
    };

    values[0] = NULL;
    values[1] = NULL;

    v = json_object_get(ctx->body, "proficiency");

    if (v != NULL && !json_is_null(v)) {
        if (ngx_http_jobscout_profile_check_field(ctx, &proficiency, v)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        values[0] = json_string_value(v);
    }

    v = json_object_get(ctx->body, "years");

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    years = json_is_number(v) ? json_number_value(v) : -1;

    if (!(years >= 0 && years <= NGX_HTTP_JOBSCOUT_SKILL_YEARS_MAX)) {
        return ngx_http_jobscout_body_refuse(ctx, "years",
                                             "must be a number from 0 to 70");
    }

    p = ngx_pnalloc(r->pool, sizeof("70.0"));
    if (p == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    /* numeric(4, 1) rounds the same way */
    ngx_sprintf(p, "%.1f%Z", years);
    values[1] = (const char *) p;

    return NGX_OK;
}


/*
 * Education and experience: the section is the route's, named by its
 * path, /api/v1/users/me/{section}[/{id}].
 */

ngx_int_t
ngx_http_jobscout_profile_entries(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_profile_list(r, ctx,
                               ngx_http_jobscout_profile_section(ctx)->list);
}


ngx_int_t
ngx_http_jobscout_profile_entry_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_profile_write(r, ctx,
                                    ngx_http_jobscout_profile_section(ctx), 1);
}


ngx_int_t
ngx_http_jobscout_profile_entry_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_profile_section_t  *sec;

    sec = ngx_http_jobscout_profile_section(ctx);

    return ngx_http_jobscout_profile_by_id(r, ctx, sec->get, sec->missing);
}


ngx_int_t
ngx_http_jobscout_profile_entry_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_profile_write(r, ctx,
                                    ngx_http_jobscout_profile_section(ctx), 0);
}


ngx_int_t
ngx_http_jobscout_profile_entry_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_profile_section_t  *sec;

    sec = ngx_http_jobscout_profile_section(ctx);

    return ngx_http_jobscout_profile_by_id(r, ctx, sec->remove,
                                           sec->missing);
}


/* the section whose name follows the route's prefix */

static ngx_http_jobscout_profile_section_t *
ngx_http_jobscout_profile_section(ngx_http_jobscout_ctx_t *ctx)
{
    u_char      *name;
    ngx_uint_t   i;

    name = ctx->route->pattern.data + sizeof(NGX_HTTP_JOBSCOUT_PROFILE) - 1;

    for (i = 0; i < sizeof(ngx_http_jobscout_sections)
                    / sizeof(ngx_http_jobscout_sections[0]); i++)
    {
        if (ngx_strncmp(name, ngx_http_jobscout_sections[i].name,
                        ngx_strlen(ngx_http_jobscout_sections[i].name))
            == 0)
        {
            return &ngx_http_jobscout_sections[i];
        }
    }

    return &ngx_http_jobscout_sections[0];
}


static ngx_int_t
ngx_http_jobscout_profile_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt)
{
    const char  **values;

    values = ngx_http_jobscout_profile_values(r, ctx, 1);
    if (values == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_admin_query(r, stmt, values,
                                         NGX_HTTP_JOBSCOUT_ACCOUNT_GONE);
}


/*
 * A route of no argument on the row {id} of the user's, or seen by them:
 * $2; a malformed id names nothing, a 404 saying missing as an unknown one.
 */

ngx_int_t
ngx_http_jobscout_profile_by_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt,
    const char *missing)
{
    const char  **values;

    values = ngx_http_jobscout_profile_values(r, ctx, 2);
    if (values == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &values[1]) != NGX_OK)
    {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", missing);
    }

    return ngx_http_jobscout_admin_query(r, stmt, values, missing);
}


/* POST (create) or PATCH of {id}: the body checked, then given as JSON */

static ngx_int_t
ngx_http_jobscout_profile_write(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_profile_section_t *sec,
    ngx_uint_t create)
{
    const char  **values, *body;

    values = ngx_http_jobscout_profile_values(r, ctx, create ? 2 : 3);
    if (values == NULL) {
        return NGX_ERROR;
    }

    if (!create
        && ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &values[1])
           != NGX_OK)
    {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", sec->missing);
    }

    if (ngx_http_jobscout_body_allow(ctx, sec->allowed) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (ngx_http_jobscout_profile_check(ctx, sec, create) != NGX_OK) {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (!create && json_object_size(ctx->body) == 0) {
        return ngx_http_jobscout_send_error(r,
                                NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                "validation_failed",
                                "nothing to change: send a field to change");
    }

    body = ngx_http_jobscout_profile_body(r, ctx->body);
    if (body == NULL) {
        return NGX_ERROR;
    }

    values[create ? 1 : 2] = body;

    if (create) {
        return ngx_http_jobscout_admin_query(r, sec->create, values,
                                             NGX_HTTP_JOBSCOUT_ACCOUNT_GONE);
    }

    return ngx_http_jobscout_admin_query(r, sec->update, values,
                                         sec->missing);
}


static ngx_int_t
ngx_http_jobscout_profile_check(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_profile_section_t *sec, ngx_uint_t create)
{
    json_t                             *v, *start, *end;
    ngx_http_jobscout_profile_field_t  *f;

    for (f = sec->fields; f->name; f++) {
        v = json_object_get(ctx->body, f->name);

        if (v == NULL) {
            if (create && f->required) {
                return ngx_http_jobscout_body_refuse(ctx, f->name,
                                                     "is required");
            }

            continue;
        }

        if (json_is_null(v)) {
            if (f->required) {
                return ngx_http_jobscout_body_refuse(ctx, f->name,
                                                     "must not be null");
            }

            continue;
        }

        if (ngx_http_jobscout_profile_check_field(ctx, f, v) != NGX_OK) {
            return NGX_DECLINED;
        }
    }

    /* ISO dates compare as strings; a PATCH of one is checked by the row */

    start = json_object_get(ctx->body, "start_date");
    end = json_object_get(ctx->body, "end_date");

    if (json_is_string(start) && json_is_string(end)
        && ngx_strcmp(json_string_value(end), json_string_value(start)) < 0)
    {
        return ngx_http_jobscout_body_refuse(ctx, "end_date",
                                             "must not be before "
                                             "start_date");
    }

    return NGX_OK;
}


/* a value that is not null, as its field takes it */

static ngx_int_t
ngx_http_jobscout_profile_check_field(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_profile_field_t *f, json_t *v)
{
    u_char        *p;
    size_t         i, len, blank;
    const char   **c;

    if (!json_is_string(v)) {
        return ngx_http_jobscout_body_refuse(ctx, f->name,
                                             f->required
                                             ? "must be a string"
                                             : "must be a string or null");
    }

    p = (u_char *) json_string_value(v);
    len = json_string_length(v);

    switch (f->kind) {

    case NGX_HTTP_JOBSCOUT_FIELD_DATE:
        if (ngx_http_jobscout_profile_date((const char *) p, len) != NGX_OK) {
            return ngx_http_jobscout_body_refuse(ctx, f->name,
                                                 "must be a date, "
                                                 "YYYY-MM-DD");
        }

        return NGX_OK;

    case NGX_HTTP_JOBSCOUT_FIELD_CHOICE:
        for (c = f->choices; *c; c++) {
            if (ngx_strlen(*c) == len && ngx_strncmp(*c, p, len) == 0) {
                return NGX_OK;
            }
        }

        return ngx_http_jobscout_body_refuse(ctx, f->name, f->message);

    default: /* text */
        blank = 0;

        for (i = 0; i < len; i++) {
            if (p[i] == ' '
                || (f->kind == NGX_HTTP_JOBSCOUT_FIELD_LINES
                    && (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')))
            {
                blank++;
                continue;
            }

            if (p[i] < 0x20 || p[i] == 0x7f) {
                return ngx_http_jobscout_body_refuse(ctx, f->name,
                                                "has a control character");
            }
        }

        if (len == 0 || blank == len) {
            return ngx_http_jobscout_body_refuse(ctx, f->name,
                                                 "must not be blank");
        }

        /* jansson holds valid UTF-8 only: count characters, not bytes */

        if (ngx_utf8_length(p, len) > f->max) {
            return ngx_http_jobscout_body_refuse(ctx, f->name,
                                                 "is too long");
        }

        return NGX_OK;
    }
}


/* YYYY-MM-DD, a day of the calendar between 1900 and 2100 */

static ngx_int_t
ngx_http_jobscout_profile_date(const char *s, size_t len)
{
    ngx_int_t   year, month, day, days;
    ngx_uint_t  i;

    static ngx_int_t  month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
                                       31, 30, 31 };

    if (len != 10 || s[4] != '-' || s[7] != '-') {
        return NGX_DECLINED;
    }

    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
            return NGX_DECLINED;
        }
    }

    year = ngx_atoi((u_char *) s, 4);
    month = ngx_atoi((u_char *) s + 5, 2);
    day = ngx_atoi((u_char *) s + 8, 2);

    if (year < 1900 || year > 2100 || month < 1 || month > 12) {
        return NGX_DECLINED;
    }

    days = month_days[month - 1];

    if (month == 2
        && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
    {
        days = 29;
    }

    return (day >= 1 && day <= days) ? NGX_OK : NGX_DECLINED;
}


/* the checked body as compact JSON, in the pool */

static const char *
ngx_http_jobscout_profile_body(ngx_http_request_t *r, json_t *body)
{
    char    *text;
    u_char  *copy;
    size_t   len;

    text = json_dumps(body, JSON_COMPACT);
    if (text == NULL) {
        return NULL;
    }

    len = ngx_strlen(text);
    copy = ngx_pnalloc(r->pool, len + 1);

    if (copy != NULL) {
        ngx_memcpy(copy, text, len + 1);
    }

    free(text);

    return (const char *) copy;
}
