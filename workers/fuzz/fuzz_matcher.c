/*
 * The matcher (lib/matcher.c): the input's lines are the columns of a
 * profile (12) and then of a job's facts (14), as PostgreSQL's text;
 * "\N" is NULL.  The profile is put, the job matched against it and
 * against a profile of keys the job itself holds; then a text array of
 * the whole input and two decimals are read.
 */

#include "fuzz.h"
#include "matcher.h"
#include "pg_text.h"

static const char *
js_fuzz_column(char **p)
{
    const char  *f = js_fuzz_field(p);

    return strcmp(f, "\\N") == 0 ? NULL : f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int              i, n;
    char            *in, *p, **elems, *buf, *a;
    const char      *profile[JS_MATCH_PROFILE_NCOLS];
    const char      *facts[JS_MATCH_FACTS_NCOLS];
    js_matcher_t    *mt;
    js_match_job_t  *job;
    js_match_hit_t  *hits;

    in = js_fuzz_str(data, size);
    p = in;
    for (i = 0; i < JS_MATCH_PROFILE_NCOLS; i++) {
        profile[i] = js_fuzz_column(&p);
    }
    for (i = 0; i < JS_MATCH_FACTS_NCOLS; i++) {
        facts[i] = js_fuzz_column(&p);
    }

    mt = js_matcher_create();
    if (mt == NULL) {
        abort();
    }
    (void) js_matcher_put(mt, profile);

    job = js_match_job_create(facts);
    if (job != NULL) {
        n = js_matcher_match(mt, job, &hits);
        for (i = 0; i < n; i++) {
            if (hits[i].score < 0 || hits[i].score > 100) {
                abort();
            }
        }
        free(hits);
        js_match_job_destroy(job);
    }
    if (profile[0] != NULL) {
        js_matcher_remove(mt, profile[0]);
    }
    js_matcher_destroy(mt);

    free(in);
    in = js_fuzz_str(data, size);
    if (js_pg_text_array(in, &elems, &buf) >= 0) {
        free(elems);
        free(buf);
    }
    p = in;
    a = js_fuzz_field(&p);
    (void) js_decimal_cmp(a, js_fuzz_field(&p));
    free(in);
    return 0;
}
