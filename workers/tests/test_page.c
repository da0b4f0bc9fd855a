/*
 * Unit tests for adapters/page.c: keyword filters, skills, and the
 * checks every job passes before it reaches the scraper.
 */

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "normalize.h"
#include "tap.h"

static void
test_keywords(void)
{
    json_t  *kw = json_pack("[sss]", "backend", "machine learning", "C++");

    ok(js_keywords_match("Senior Backend Engineer", kw), "one word");
    ok(js_keywords_match("Head of Machine-Learning", kw), "two words");
    ok(js_keywords_match("c++ developer", kw), "c++");
    ok(!js_keywords_match("Backender", kw), "word-wise, not substring");
    ok(!js_keywords_match("Learning Machine", kw), "words in order");
    ok(!js_keywords_match(NULL, kw), "no title");
    json_decref(kw);
}

static void
test_page_take(void)
{
    static const char *const  ids[] = { "a", "b", "", "c", "d", "e" };
    static const char *const  titles[] = {
        "Engineer, remote", "Engineer", "Engineer", NULL,
        "Senior Engineer", "Designer"
    };
    js_source_t               src;
    js_page_t                 page;
    js_job_t                  job;
    int                       i;

    memset(&src, 0, sizeof(src));
    memset(&page, 0, sizeof(page));
    src.config = json_pack("{s:[s], s:[s]}", "keyword_filters", "engineer",
                           "exclude_keywords", "senior");

    for (i = 0; i < 6; i++) {
        memset(&job, 0, sizeof(job));
        job.external_id = strdup(ids[i]);
        job.title = titles[i] ? strdup(titles[i]) : NULL;
        job.apply_url = strdup("https://acme.example/j");
        js_job_add_skill(&job, " Go ");
        js_job_add_skill(&job, "go");
        js_job_add_skill(&job, "PostgreSQL");
        js_page_take(&page, &src, &job);
    }
    /* skipped: an empty id, no title, excluded, not included */
    is_int(page.njobs, 2, "invalid and filtered jobs skipped");
    is_str(page.jobs[0].location_type, "remote", "location type filled");
    is_int(page.jobs[0].nskills, 2, "skills deduplicated");
    is_str(page.jobs[0].skills[1], "postgresql", "skills lower case");

    memset(&job, 0, sizeof(job));
    job.external_id = strdup("a");
    job.title = strdup("Engineer");
    job.apply_url = strdup("https://acme.example/k");
    is_int(js_page_take(&page, &src, &job), 0, "duplicate id skipped");

    memset(&job, 0, sizeof(job));
    job.external_id = strdup("y");
    job.title = strdup("Engineer");
    job.apply_url = strdup("javascript:x");
    is_int(js_page_take(&page, &src, &job), 0, "bad apply_url skipped");

    memset(&job, 0, sizeof(job));
    job.external_id = calloc(1, JS_ID_MAX + 2);
    memset(job.external_id, 'i', JS_ID_MAX + 1);
    job.title = strdup("Engineer");
    job.apply_url = strdup("https://acme.example/long");
    is_int(js_page_take(&page, &src, &job), 0, "overlong id skipped");
    is_int(page.njobs, 2, "still two jobs");

    js_page_set_next(&page, "http://a/1", strdup("http://a/1"), 5);
    is_str(page.next_url, NULL, "next equal to the page fetched refused");
    js_page_set_next(&page, "http://a/1", strdup("http://a/2"), 5);
    is_str(page.next_url, "http://a/2", "next page kept");
    js_page_set_next(&page, "http://a/2", strdup("http://a/3"), 3);
    is_str(page.next_url, NULL, "max_pages reached");
    is_int(page.npages, 3, "pages counted");

    js_page_free(&page);
    json_decref(src.config);
}

int
main(void)
{
    test_keywords();
    test_page_take();
    return done_testing();
}
