/*
 * The notifier's matcher: every reachable user's matching profile in
 * memory, indexed by key, and one job matched and scored against all of
 * them in a few milliseconds (migration 0023, README "Who matches").
 *
 * PostgreSQL derives both sides; the matcher only compares them, by the
 * rules of match_candidates(), which t/090_match_memory.t checks it
 * against pair by pair:
 *
 *   js_matcher_t *mt = js_matcher_create();
 *   js_matcher_put(mt, profile_columns);     a match_profiles row
 *   js_matcher_remove(mt, user_id);          gone, or no channel left
 *   js_match_job_t *job = js_match_job_create(fact_columns);
 *   n = js_matcher_match(mt, job, &hits);    sorted by user id
 *
 * Columns are text as libpq gives them (NULL for SQL NULL), in the order
 * of JS_MATCH_PROFILE_SQL and JS_MATCH_FACTS_SQL.  A profile put again
 * replaces the old one; the users a match returned stay valid until the
 * next put, remove or reset.
 */

#ifndef JS_MATCHER_H
#define JS_MATCHER_H

#include <stddef.h>
#include <stdint.h>

#define JS_MATCH_PROFILE_COLUMNS                                             \
    "user_id, companies, roles, locations, job_types, workplace_types,"      \
    " min_salary, salary_currency, min_score, push_token, email_digest,"     \
    " skills"

#define JS_MATCH_PROFILE_SQL                                                 \
    "SELECT " JS_MATCH_PROFILE_COLUMNS " FROM match_profiles"

#define JS_MATCH_PROFILE_NCOLS  12

/* Every profile, JS_MATCH_PROFILE_PAGE at a time in id order ($1 the
 * page's size, $2 the last id read); the users notified ($1). */
#define JS_MATCH_PROFILE_PAGE   10000
#define JS_MATCH_PROFILE_FIRST_SQL                                           \
    JS_MATCH_PROFILE_SQL " ORDER BY user_id LIMIT $1"
#define JS_MATCH_PROFILE_NEXT_SQL                                            \
    JS_MATCH_PROFILE_SQL " WHERE user_id > $2::uuid ORDER BY user_id LIMIT $1"
#define JS_MATCH_PROFILE_USERS_SQL                                           \
    JS_MATCH_PROFILE_SQL " WHERE user_id = ANY ($1::uuid[])"

#define JS_MATCH_FACTS_SQL                                                   \
    "SELECT job_id, company_key, location, remote, title_terms, role_keys,"  \
    " role_fits, role_masks, required_skills, nice_skills, employment_type," \
    " location_type, yearly_salary, salary_currency"                         \
    " FROM match_job_facts($1::uuid[])"

#define JS_MATCH_FACTS_NCOLS    14

typedef struct js_matcher_s  js_matcher_t;
typedef struct js_match_job_s  js_match_job_t;

typedef struct {
    char            id[37];
    char           *push_token;     /* NULL: no push */
    char           *email_digest;   /* instant, hourly, daily; NULL: no
                                     * e-mail */
} js_match_user_t;

typedef struct {
    const js_match_user_t  *user;
    uint64_t                order;  /* the id's first 16 hex digits */
    int                     score;
} js_match_hit_t;

js_matcher_t *js_matcher_create(void);
void js_matcher_destroy(js_matcher_t *mt);

/* Every profile dropped (before a full reload). */
void js_matcher_reset(js_matcher_t *mt);

/*
 * Failures set errno: ENOMEM out of memory, EINVAL a malformed row.
 *
 * A match_profiles row: 0, or -1.
 */
int js_matcher_put(js_matcher_t *mt, const char *const *cols);
void js_matcher_remove(js_matcher_t *mt, const char *user_id);

/* Users held, and the bytes their profiles and the indexes take. */
size_t js_matcher_users(const js_matcher_t *mt);
size_t js_matcher_memory(const js_matcher_t *mt);

/* A match_job_facts() row, or NULL. */
js_match_job_t *js_match_job_create(const char *const *cols);
void js_match_job_destroy(js_match_job_t *job);
const char *js_match_job_id(const js_match_job_t *job);

/*
 * The users the job matches, with their scores, sorted by user id (the
 * order of the alerts' key): their number, or -1 (out of memory).
 * *hits is the caller's to free().
 */
int js_matcher_match(js_matcher_t *mt, const js_match_job_t *job,
    js_match_hit_t **hits);

#endif
