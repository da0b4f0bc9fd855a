/*
 * The matcher (lib/matcher.c) on profiles and jobs written by hand: the
 * text arrays and decimals it reads, each filter, the score's exact
 * rounding, updates and removals (and the compaction they lead to).
 * t/090_match_memory.t compares it with match_candidates() on a
 * generated population.
 */

#include <stdio.h>
#include <stdlib.h>

#include "matcher.h"
#include "pg_text.h"
#include "tap.h"

#define U(n)  "00000000-0000-0000-0000-0000000000" n

/* A profile: id, companies, roles, locations, min_score, skills; the
 * rest as most users have it (no type, workplace or pay filter, push). */
static int
put(js_matcher_t *mt, const char *id, const char *companies,
    const char *roles, const char *locations, const char *min_score,
    const char *skills)
{
    const char  *c[JS_MATCH_PROFILE_NCOLS] = {
        id, companies, roles, locations, NULL, NULL, NULL, NULL, min_score,
        "token", NULL, skills
    };

    return js_matcher_put(mt, c);
}

/* A job titled "senior backend engineer" in Nairobi: keys and fits as
 * match_job_facts() gives them. */
static const char  *job_cols[JS_MATCH_FACTS_NCOLS] = {
    "aaaaaaaa-0000-0000-0000-000000000001", "acme", "nairobi, kenya", "f",
    "3",
    "{senior,\"senior backend\",\"senior backend engineer\",backend,"
    "\"backend engineer\",engineer}",
    "{0.285714,0.545455,1,0.411765,0.722222,0.45}",
    "{1,3,7,2,6,4}",
    "{}", "{}", "full_time", "onsite", NULL, NULL
};

static int
match(js_matcher_t *mt, const char **cols, js_match_hit_t **hits)
{
    int              n;
    js_match_job_t  *job = js_match_job_create(cols);

    *hits = NULL;
    if (job == NULL) {
        return -2;
    }
    n = js_matcher_match(mt, job, hits);
    js_match_job_destroy(job);
    return n;
}

/* The score of one user for a job, or -1 when not matched. */
static int
score_of(js_matcher_t *mt, const char **cols, const char *id)
{
    int              i, n, s = -1;
    js_match_hit_t  *hits;

    n = match(mt, cols, &hits);
    for (i = 0; i < n; i++) {
        if (strcmp(hits[i].user->id, id) == 0) {
            s = hits[i].score;
        }
    }
    free(hits);
    return s;
}

static void
test_text(void)
{
    int    n;
    char **e, *buf;

    n = js_pg_text_array("{a,\"b c\",NULL,\"NULL\",\"x\\\"y\\\\z\",\"\"}",
                         &e, &buf);
    is_int(n, 6, "text array: six elements");
    ok(n == 6 && strcmp(e[0], "a") == 0 && strcmp(e[1], "b c") == 0
       && e[2] == NULL && strcmp(e[3], "NULL") == 0
       && strcmp(e[4], "x\"y\\z") == 0 && e[5][0] == '\0',
       "text array: quotes, escapes, NULL and \"NULL\"");
    free(e);
    free(buf);

    is_int(js_pg_text_array("{}", &e, &buf), 0, "text array: empty");
    free(e);
    free(buf);
    is_int(js_pg_text_array("{a,\"b}", &e, &buf), -1,
           "text array: an open quote is refused");
    is_int(js_pg_text_array("a,b", &e, &buf), -1,
           "text array: no braces is refused");
    is_int(js_pg_text_array("{a}x", &e, &buf), -1,
           "text array: trailing bytes are refused");

    ok(js_decimal_cmp("120000.00", "120000") == 0, "decimal: scale ignored");
    ok(js_decimal_cmp("99999.5", "100000") < 0, "decimal: digits count");
    ok(js_decimal_cmp("100000.01", "100000") > 0, "decimal: fraction");
    ok(js_decimal_cmp("-5", "3") < 0 && js_decimal_cmp("-5", "-3") < 0,
       "decimal: signs");
    ok(js_decimal_cmp("-0", "0.000") == 0, "decimal: -0 is 0");
    ok(js_decimal_cmp("007", "7") == 0, "decimal: leading zeros");
}

static void
test_filters(void)
{
    int              n;
    const char      *cols[JS_MATCH_FACTS_NCOLS];
    js_matcher_t    *mt = js_matcher_create();
    js_match_hit_t  *hits;

    memcpy(cols, job_cols, sizeof(cols));

    put(mt, U("01"), "{\"\"}", "{\"backend engineer\"}", "{\"\"}", "0",
        "{}");
    put(mt, U("02"), "{acme}", "{\"\"}", "{nairobi}", "0", "{}");
    put(mt, U("03"), "{other}", "{\"\"}", "{\"\"}", "0", "{}");
    put(mt, U("04"), "{\"\"}", "{\"frontend\"}", "{\"\"}", "0", "{}");
    put(mt, U("05"), "{\"\"}", "{\"\"}", "{mombasa}", "0", "{}");
    put(mt, U("06"), "{\"\"}", "{\"\"}", "{\"i, k\"}", "0", "{}");
    put(mt, U("07"), "{\"\"}", "{\"engineer backend\"}", "{\"\"}", "0",
        "{}");
    put(mt, U("08"), "{\"\"}", "{\"\"}", "{remote}", "0", "{}");

    n = match(mt, cols, &hits);
    is_int(n, 3, "three users match");
    ok(n == 3 && strcmp(hits[0].user->id, U("01")) == 0
       && strcmp(hits[1].user->id, U("02")) == 0
       && strcmp(hits[2].user->id, U("06")) == 0,
       "by id: a role, a company and a city, a substring of the "
       "location; not another company, role, city or word order");
    free(hits);

    cols[3] = "t";
    ok(score_of(mt, cols, U("08")) >= 0, "remote matches a remote job");
    cols[3] = NULL;
    is_int(score_of(mt, cols, U("08")), -1,
           "no location_type (NULL): not remote");
    cols[3] = "f";

    /* the user's type, workplace and pay filters (0012) */
    {
        const char  *c[JS_MATCH_PROFILE_NCOLS] = {
            U("09"), "{\"\"}", "{\"\"}", "{\"\"}", "{part_time}", NULL,
            "50000", "KES", "0", "token", NULL, "{}"
        };

        js_matcher_put(mt, c);
        ok(score_of(mt, cols, U("09")) < 0, "another job type: no match");
        cols[10] = NULL;
        ok(score_of(mt, cols, U("09")) >= 0, "no job type: a match");

        cols[12] = "49999.99";
        cols[13] = "KES";
        ok(score_of(mt, cols, U("09")) < 0, "pay below the minimum");
        cols[12] = "50000.00";
        ok(score_of(mt, cols, U("09")) >= 0, "pay at the minimum");
        cols[12] = "100";
        cols[13] = "USD";
        ok(score_of(mt, cols, U("09")) >= 0,
           "pay in another currency passes");
    }

    js_matcher_destroy(mt);
}

static void
test_scores(void)
{
    const char    *cols[JS_MATCH_FACTS_NCOLS];
    js_matcher_t  *mt = js_matcher_create();

    memcpy(cols, job_cols, sizeof(cols));

    /* any role, no location: 20 + 17.5 + 12.5 = 50 */
    put(mt, U("01"), "{\"\"}", "{\"\"}", "{\"\"}", "0", "{}");
    is_int(score_of(mt, cols, U("01")), 50, "no filters: 50");

    /* "backend engineer": 40 x 2/3 + 35 x 0.722222 + 12.5 = 64.438 */
    put(mt, U("02"), "{\"\"}", "{\"backend engineer\"}", "{\"\"}", "0",
        "{}");
    is_int(score_of(mt, cols, U("02")), 64, "title words and fit");

    /* a location: + 12.5 */
    put(mt, U("03"), "{\"\"}", "{\"backend engineer\"}", "{kenya}", "0",
        "{}");
    is_int(score_of(mt, cols, U("03")), 77, "location fit");

    /* exactly half: 40 x 1/2 + 35 x 0.5 + 12.5 = 50, and with 0.1 more
     * title fit ... 35 x 0.7 = 24.5 -> 20 + 24.5 + 12.5 = 57 (rounded
     * half up from 57.0); 40 x 1/4 + 35 x 0.5 + 25 = 52.5 -> 53 */
    cols[5] = "{x}";
    cols[6] = "{0.5}";
    cols[7] = "{1}";
    cols[4] = "4";
    put(mt, U("04"), "{\"\"}", "{x}", "{nairobi}", "0", "{}");
    is_int(score_of(mt, cols, U("04")), 53, "52.5 rounds to 53");

    /* skills: both have some; required count double */
    cols[8] = "{python,go}";
    cols[9] = "{rust}";
    put(mt, U("05"), "{\"\"}", "{x}", "{nairobi}", "0", "{python,rust}");
    /* 40 x 3/5 = 24, + 17.5 + 25 = 66.5 -> 67 */
    is_int(score_of(mt, cols, U("05")), 67, "skills' fit, rounded up");
    put(mt, U("05"), "{\"\"}", "{x}", "{nairobi}", "67", "{python,rust}");
    is_int(score_of(mt, cols, U("05")), 67, "min_score reached");
    put(mt, U("05"), "{\"\"}", "{x}", "{nairobi}", "68", "{python,rust}");
    is_int(score_of(mt, cols, U("05")), -1, "min_score not reached");

    js_matcher_destroy(mt);
}

static void
test_updates(void)
{
    int            i;
    char           id[40];
    const char    *cols[JS_MATCH_FACTS_NCOLS];
    js_matcher_t  *mt = js_matcher_create();

    memcpy(cols, job_cols, sizeof(cols));

    put(mt, U("01"), "{other}", "{\"\"}", "{\"\"}", "0", "{}");
    is_int(score_of(mt, cols, U("01")), -1, "before: another company");
    put(mt, U("01"), "{acme}", "{\"\"}", "{\"\"}", "0", "{}");
    ok(score_of(mt, cols, U("01")) >= 0, "put again: the new profile");
    is_int((int) js_matcher_users(mt), 1, "one user");
    js_matcher_remove(mt, U("01"));
    is_int(score_of(mt, cols, U("01")), -1, "removed: no match");
    is_int((int) js_matcher_users(mt), 0, "no user");

    /* enough changes to compact, a user kept throughout */
    put(mt, U("02"), "{acme}", "{\"\"}", "{\"\"}", "0", "{}");
    for (i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "00000000-0000-0000-0000-%012d", 100 + i);
        put(mt, id, "{acme}", "{\"\"}", "{\"\"}", "0", "{}");
        if (i % 2 == 0) {
            js_matcher_remove(mt, id);
        }
        put(mt, U("02"), "{acme}", "{\"\"}", "{\"\"}", "0", "{}");
    }
    is_int((int) js_matcher_users(mt), 2501, "after compactions: the "
           "users left");
    {
        js_match_hit_t  *hits;
        int              n = match(mt, cols, &hits);

        is_int(n, 2501, "each matched once");
        ok(n > 1 && strcmp(hits[0].user->id, U("02")) == 0,
           "sorted by id");
        free(hits);
    }

    /* every digit counts: the first 16 and the rest, put in any order */
    {
        int              k, n, sorted = 1;
        js_match_hit_t  *hits;

        static const char  *ids[] = {
            "ffffffff-0000-0000-0000-000000000000",
            "0a000000-0000-0000-0000-000000000000",
            "00000000-0000-0001-0000-000000000000",
            "00000000-0001-0000-0000-000000000000",
            "00000000-0000-0000-0001-000000000000",
            "00000000-0000-0000-8000-000000000001",
            "00000000-0000-0000-0000-0000000000ff",
        };

        for (k = 0; k < (int) (sizeof(ids) / sizeof(ids[0])); k++) {
            put(mt, ids[k], "{acme}", "{\"\"}", "{\"\"}", "0", "{}");
        }
        n = match(mt, cols, &hits);
        for (k = 1; k < n; k++) {
            sorted &= strcmp(hits[k - 1].user->id, hits[k].user->id) < 0;
        }
        ok(n == 2508 && sorted, "7 more ids, differing anywhere: all "
           "sorted by id");
        free(hits);
    }

    js_matcher_reset(mt);
    is_int((int) js_matcher_users(mt), 0, "reset: no user");
    put(mt, U("03"), "{acme}", "{\"\"}", "{\"\"}", "0", "{}");
    ok(score_of(mt, cols, U("03")) >= 0 && score_of(mt, cols, U("02")) < 0,
       "... a profile put after it matches, none from before");

    js_matcher_destroy(mt);
}

static void
test_locations(void)
{
    char           loc[400];
    const char    *cols[JS_MATCH_FACTS_NCOLS];
    js_matcher_t  *mt = js_matcher_create();

    memcpy(cols, job_cols, sizeof(cols));

    /* characters, not bytes: "é" is two bytes, one character */
    cols[2] = "dar es salaam, tanzanie é";
    put(mt, U("01"), "{\"\"}", "{\"\"}", "{\"tanzanie é\"}", "0", "{}");
    ok(score_of(mt, cols, U("01")) >= 0, "a substring ending in UTF-8");

    /* 64 characters at most */
    memset(loc, 'a', 70);
    loc[70] = '\0';
    cols[2] = loc;
    put(mt, U("02"), "{\"\"}", "{\"\"}",
        "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
        "0", "{}");
    put(mt, U("03"), "{\"\"}", "{\"\"}",
        "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
        "0", "{}");
    ok(score_of(mt, cols, U("02")) >= 0, "64 characters: a key");
    is_int(score_of(mt, cols, U("03")), -1, "65 characters: none");

    js_matcher_destroy(mt);
}

int
main(void)
{
    plan(42);

    test_text();
    test_filters();
    test_scores();
    test_updates();
    test_locations();

    return done_testing();
}
