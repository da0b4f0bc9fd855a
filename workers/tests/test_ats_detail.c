/*
 * Unit tests for the adapters with detail calls (adapter.h): the page's
 * detail list and its bound, POST bodies, then SmartRecruiters, Workday
 * and BambooHR against their fixtures in t/fixtures/<provider>/ (lists,
 * pagination, details, the providers' remote / employment type / salary
 * fields) and against hostile list and detail bodies.
 *
 *   test_ats_detail [fixtures directory, default t/fixtures]
 */

#include "adapter_test.h"

static int
detail_file(const js_source_t *src, const char *url, const char *file,
    js_job_t *job, char *err)
{
    int      rc;
    size_t   len;
    char    *body = slurp(file, &len);

    err[0] = '\0';
    rc = js_adapter_find(src->scraper_class)->parse_detail(src, url, body,
                                                           len, job, err,
                                                           ERRLEN);
    free(body);
    return rc;
}

static int
detail_str(const js_source_t *src, const char *body, js_job_t *job,
    char *err)
{
    err[0] = '\0';
    return js_adapter_find(src->scraper_class)->parse_detail(src,
               "https://acme.example/detail", body, strlen(body), job, err,
               ERRLEN);
}

/* The job with that id, to be completed by its detail: the page's first
 * when missing (a failed test, so that the next ones fail too). */
static js_job_t *
listed(js_page_t *page, const char *id, const char *name)
{
    js_job_t  *j = find(page, id);

    ok(j != NULL, name);
    return j != NULL ? j : &page->jobs[0];
}

/* The detail URL asked for the job with that id, NULL when none. */
static const char *
detail_of(js_page_t *page, const char *id)
{
    size_t  i;

    for (i = 0; i < page->ndetails; i++) {
        if (strcmp(page->jobs[page->details[i].job].external_id, id) == 0) {
            return page->details[i].url;
        }
    }
    return NULL;
}

static void
test_registry(void)
{
    static const char  *names[] = { "smartrecruiters", "workday", "bamboohr" };
    size_t               i;
    int                  all = 1;
    const js_adapter_t  *a;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        a = js_adapter_find(names[i]);
        if (a == NULL || strcmp(a->name, names[i]) != 0
            || a->parse_detail == NULL)
        {
            all = 0;
        }
    }
    ok(all, "smartrecruiters, workday, bamboohr: registered, with details");
    ok(js_adapter_find("workday")->first_body != NULL,
       "workday: its first request is a POST");
    ok(js_adapter_find("greenhouse")->first_body == NULL
       && js_adapter_find("greenhouse")->parse_detail == NULL,
       "greenhouse: neither (the optional members default to NULL)");
}

/* A job js_page_take keeps, with that id. */
static js_job_t *
a_job(js_job_t *job, const char *id)
{
    memset(job, 0, sizeof(*job));
    job->external_id = strdup(id);
    job->title = strdup("Engineer");
    job->apply_url = strdup("https://acme.example/jobs/1");
    return job;
}

/* How many of 3 jobs get a detail call, with that config and
 * scrape_max_details max. */
static size_t
details_for(const char *config, long max)
{
    size_t       calls;
    js_job_t     job;
    js_page_t    page;
    js_source_t  src;

    source_init(&src, "smartrecruiters", "acme", config);
    src.max_details = max;
    memset(&page, 0, sizeof(page));
    js_page_take_detail(&page, &src, a_job(&job, "a"),
                        strdup("https://acme.example/d/a"));
    js_page_take_detail(&page, &src, a_job(&job, "b"),
                        strdup("https://acme.example/d/b"));
    js_page_take_detail(&page, &src, a_job(&job, "c"),
                        strdup("https://acme.example/d/c"));
    calls = page.ndetails;
    js_page_free(&page);
    json_decref(src.config);
    return calls;
}

static void
test_page_details(void)
{
    js_source_t  src;
    js_page_t    page;
    js_job_t     job;

    source_init(&src, "smartrecruiters", "acme", NULL);
    src.max_details = 2;
    memset(&page, 0, sizeof(page));
    is_int(js_page_take_detail(&page, &src, a_job(&job, "a"),
                               strdup("https://acme.example/d/a")), 1,
           "take_detail: 1, taken");
    js_page_take_detail(&page, &src, a_job(&job, "b"),
                        strdup("https://acme.example/d/b"));
    is_int(js_page_take_detail(&page, &src, a_job(&job, "b"),
                               strdup("https://acme.example/d/b")), 0,
           "take_detail: 0, a job js_page_take skips (the same id)");
    is_int(js_page_take_detail(&page, &src, a_job(&job, "c"),
                               strdup("https://acme.example/d/c")), 1,
           "take_detail: 1, taken past the bound");
    is_int(page.njobs, 3, "take_detail: 3 jobs taken");
    is_int(page.ndetails, 2, "take_detail: max_details (2) calls at most");
    ok(page.ndetails == 2 && page.details[1].job == 1
       && strcmp(page.details[1].url, "https://acme.example/d/b") == 0,
       "take_detail: the call names its job");
    js_page_take_detail(&page, &src, a_job(&job, "d"), NULL);
    is_int(page.ndetails, 2, "take_detail: no URL (out of memory), no call");
    js_page_free(&page);
    ok(page.details == NULL && page.ndetails == 0,
       "js_page_free frees the details");
    json_decref(src.config);

    /* the source's max_details lowers the bound, never raises it */
    is_int(details_for("{\"max_details\": 1}", 2), 1,
           "config max_details 1: one call");
    is_int(details_for("{\"max_details\": 500}", 2), 2,
           "config max_details 500: scrape_max_details (2) still bounds it");
    is_int(details_for(NULL, 0), 0, "scrape_max_details 0: no detail call");

    source_init(&src, "workday", "acme", NULL);
    memset(&page, 0, sizeof(page));
    js_page_set_next_post(&page, strdup("https://acme.example/jobs"),
                          strdup("{\"offset\":2}"), 20);
    is_str(page.next_url, "https://acme.example/jobs",
           "set_next_post: the same URL may come again");
    is_str(page.next_body, "{\"offset\":2}", "set_next_post: its body");
    js_page_set_next_post(&page, strdup("https://acme.example/jobs"),
                          strdup("{\"offset\":4}"), 2);
    ok(page.next_url == NULL && page.next_body == NULL,
       "set_next_post: none past max_pages");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_smartrecruiters(void)
{
    js_source_t      src;
    js_page_t        page;
    js_job_t        *j;
    char             err[ERRLEN], *url;
    const char      *u1 = "http://127.0.0.1:1/sr/v1/companies/AcmeKenya/"
                          "postings?limit=2&offset=0";
    const char      *u2 = "http://127.0.0.1:1/sr/v1/companies/AcmeKenya/"
                          "postings?limit=2&offset=2";
    const js_adapter_t  *a = js_adapter_find("smartrecruiters");

    source_init(&src, "smartrecruiters", "AcmeKenya", NULL);
    a->first_url(&src, &url, err, ERRLEN);
    is_str(url, "https://api.smartrecruiters.com/v1/companies/AcmeKenya/"
           "postings?limit=100&offset=0",
           "smartrecruiters: a company gives the Posting API, 100 a page");
    free(url);
    json_decref(src.config);

    source_init(&src, "smartrecruiters", "AcmeKenya",
                "{\"api_base\": \"http://127.0.0.1:1/sr\", "
                "\"page_size\": 2}");
    src.max_details = 50;
    a->first_url(&src, &url, err, ERRLEN);
    is_str(url, u1, "smartrecruiters: api_base and page_size");
    free(url);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u1, "smartrecruiters/postings-1.json", &page,
                      err), 0, "smartrecruiters: page 1 parsed");
    is_int(page.njobs, 2, "smartrecruiters: 2 postings");
    is_str(page.next_url, u2, "smartrecruiters: next offset, totalFound 4");
    is_int(parse_file(&src, u2, "smartrecruiters/postings-2.json", &page,
                      err), 0, "smartrecruiters: page 2 parsed");
    is_int(page.njobs, 3, "smartrecruiters: 3 jobs (no name: skipped)");
    is_str(page.next_url, NULL, "smartrecruiters: offset 4 reaches "
           "totalFound");
    is_int(page.ndetails, 3, "smartrecruiters: a detail call per job");
    is_str(detail_of(&page, "744000012345601"), "http://127.0.0.1:1/sr/v1/"
           "companies/AcmeKenya/postings/744000012345601",
           "smartrecruiters: the detail URL, on the list's host");

    j = listed(&page, "744000012345601", "smartrecruiters: 601 listed");
    is_str(j->title, "Senior Backend Engineer (Go)", "smartrecruiters: name");
    is_str(j->location, "Nairobi, Nairobi County, Kenya",
           "smartrecruiters: fullLocation");
    is_str(j->location_type, "hybrid", "smartrecruiters: location.hybrid");
    is_str(j->employment_type, "full_time",
           "smartrecruiters: typeOfEmployment Full-time");
    is_int(j->posted_at, 1748772000, "smartrecruiters: releasedDate");
    is_str(j->apply_url, "https://jobs.smartrecruiters.com/AcmeKenya/"
           "744000012345601", "smartrecruiters: until the detail, the "
           "jobs site's link");
    is_str(j->description, NULL, "smartrecruiters: no description listed");

    is_int(detail_file(&src, detail_of(&page, "744000012345601"),
                       "smartrecruiters/posting-744000012345601.json", j,
                       err), 0, "smartrecruiters: detail parsed");
    is_str(j->description, "Company Description\n\nAcme Kenya builds "
           "payments for East Africa.\n\nJob Description\n\nBuild M-Pesa "
           "integrations in Go.\n\n- Design APIs\n- Run PostgreSQL\n\n"
           "Qualifications\n\n- 5 years of Go",
           "smartrecruiters: jobAd sections, titled, empty ones left out");
    salary_is(j, 300000, 450000, "KES", JS_SALARY_MONTH,
              "smartrecruiters: compensation MONTHLY");
    is_str(j->apply_url, "https://jobs.smartrecruiters.com/AcmeKenya/"
           "744000012345601-senior-backend-engineer-go-",
           "smartrecruiters: postingUrl");

    j = listed(&page, "744000012345602", "smartrecruiters: 602 listed");
    is_str(j->location_type, "remote", "smartrecruiters: location.remote");
    is_str(j->employment_type, "contract", "smartrecruiters: Contract");
    is_int(detail_file(&src, NULL, "smartrecruiters/"
                       "posting-744000012345602.json", j, err), 0,
           "smartrecruiters: detail 602 parsed");
    salary_is(j, 4000, 5000, "USD", JS_SALARY_MONTH,
              "smartrecruiters: no compensation: the pay line");

    j = listed(&page, "744000012345603", "smartrecruiters: 603 listed");
    is_str(j->employment_type, "internship", "smartrecruiters: Internship");
    is_str(j->location, "Mombasa, Mombasa County, ke",
           "smartrecruiters: city, region, country");
    is_str(j->location_type, NULL, "smartrecruiters: neither flag: none");

    /* hostile details: -1 with why, the job as it was */
    is_int(detail_str(&src, "[]", j, err), -1, "smartrecruiters: an array "
           "detail refused");
    is_int(detail_str(&src, "{\"jobAd\": {\"sections\": {\"jobDescription\":"
                      " {\"text\": 7}}}}", j, err), -1,
           "smartrecruiters: a detail without text refused");
    like_str(err, "no jobAd sections", "smartrecruiters: error says why");
    is_str(j->description, NULL, "smartrecruiters: ... the job untouched");
    is_int(detail_str(&src, "{\"jobAd\": {\"sections\": {\"jobDescription\":"
                      " {\"text\": \"<p>x</p>\"}}}, \"compensation\": "
                      "{\"min\": \"lots\", \"max\": [1]}, \"postingUrl\": "
                      "\"javascript:alert(1)\"}", j, err), 0,
           "smartrecruiters: wrong-typed extras parsed");
    ok(!j->has_salary && strncmp(j->apply_url, "https://", 8) == 0,
       "smartrecruiters: ... no salary, no javascript: link");

    is_int(parse_str(&src, u1, "{\"content\": {}}", &page, err), -1,
           "smartrecruiters: content not an array refused");
    like_str(err, "no \"content\" array", "smartrecruiters: error says so");
    js_page_free(&page);
    is_int(parse_str(&src, u1, "{\"totalFound\": 1e300, \"content\": []}",
                     &page, err), 0, "smartrecruiters: an empty page");
    is_str(page.next_url, NULL, "smartrecruiters: ... is the last, "
           "whatever totalFound says");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_workday(void)
{
    js_source_t          src;
    js_page_t            page;
    js_job_t            *j;
    char                 err[ERRLEN], *url, *body;
    const char          *u = "http://127.0.0.1:1/wday/cxs/acme/External/jobs";
    const char          *id1 = "/job/Nairobi-Kenya/Senior-Software-Engineer_"
                               "JR-0001";
    const js_adapter_t  *a = js_adapter_find("workday");
    static const struct { const char *source_url, *config, *url; }  urls[] = {
        { "https://acme.wd3.myworkdayjobs.com/en-US/External", NULL,
          "https://acme.wd3.myworkdayjobs.com/wday/cxs/acme/External/jobs" },
        { "https://acme.wd3.myworkdayjobs.com/External/job/x?q=1", NULL,
          "https://acme.wd3.myworkdayjobs.com/wday/cxs/acme/External/jobs" },
        { "https://careers.acme.com/fr-FR/Acme_Careers",
          "{\"tenant\": \"acmecorp\"}",
          "https://careers.acme.com/wday/cxs/acmecorp/Acme_Careers/jobs" },
        { "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/Ext/jobs?x=1",
          NULL, "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/Ext/jobs" },
        { "https://acme.wd3.myworkdayjobs.com/en-US", NULL, NULL },
        { "acme", NULL, NULL },
        { "https://acme.wd3.myworkdayjobs.com/Ext", "{\"tenant\": \"a b\"}",
          NULL },
    };
    size_t  i;
    char    name[160];

    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        source_init(&src, "workday", urls[i].source_url, urls[i].config);
        url = NULL;
        snprintf(name, sizeof(name), "workday: %s -> %s",
                 urls[i].source_url, urls[i].url ? urls[i].url : "refused");
        if (urls[i].url != NULL) {
            is_int(a->first_url(&src, &url, err, ERRLEN), 0, name);
            is_str(url, urls[i].url, name);
        } else {
            is_int(a->first_url(&src, &url, err, ERRLEN), -1, name);
            ok(url == NULL && err[0] != '\0', "workday: ... with an error");
        }
        free(url);
        json_decref(src.config);
    }

    source_init(&src, "workday", u, "{\"page_size\": 2}");
    src.max_details = 50;
    is_int(a->first_body(&src, &body, err, ERRLEN), 0, "workday: first body");
    is_str(body, "{\"appliedFacets\":{},\"limit\":2,\"offset\":0,"
           "\"searchText\":\"\"}", "workday: the search's JSON");
    free(body);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "workday/jobs-1.json", &page, err), 0,
           "workday: page 1 parsed");
    is_int(page.njobs, 2, "workday: 2 postings");
    is_str(page.next_url, u, "workday: the next page is the same URL");
    is_str(page.next_body, "{\"appliedFacets\":{},\"limit\":2,\"offset\":2,"
           "\"searchText\":\"\"}", "workday: ... POSTed at offset 2");
    is_int(parse_file(&src, u, "workday/jobs-2.json", &page, err), 0,
           "workday: page 2 parsed");
    is_int(page.njobs, 3, "workday: 3 jobs");
    ok(page.next_url == NULL && page.next_body == NULL,
       "workday: a page not full is the last (total 0 on page 2)");
    is_int(page.ndetails, 3, "workday: a detail call per posting");
    is_str(detail_of(&page, id1), "http://127.0.0.1:1/wday/cxs/acme/External"
           "/job/Nairobi-Kenya/Senior-Software-Engineer_JR-0001",
           "workday: the detail URL is the site's + externalPath");

    j = listed(&page, id1, "workday: JR-0001 listed by its externalPath");
    is_str(j->title, "Senior Software Engineer", "workday: title");
    is_str(j->location, "Nairobi, Kenya", "workday: locationsText");
    is_str(j->apply_url, "http://127.0.0.1:1/External/job/Nairobi-Kenya/"
           "Senior-Software-Engineer_JR-0001",
           "workday: the career site's link");
    is_int(j->posted_at, 0, "workday: \"Posted 2 Days Ago\" is no date");
    is_int(detail_file(&src, detail_of(&page, id1), "workday/job-JR-0001.json",
                       j, err), 0, "workday: detail parsed");
    is_str(j->description, "About the role\n\nBuild the services behind our "
           "card payments.\n\n- Java or Go\n- Kafka\n\nPay range: KES "
           "350,000 - 500,000 per month", "workday: jobDescription");
    is_str(j->employment_type, "full_time", "workday: timeType Full time");
    is_str(j->location_type, "hybrid", "workday: remoteType Hybrid");
    salary_is(j, 350000, 500000, "KES", JS_SALARY_MONTH,
              "workday: the description's pay line");
    is_str(j->apply_url, "https://acme.wd3.myworkdayjobs.com/External/job/"
           "Nairobi-Kenya/Senior-Software-Engineer_JR-0001",
           "workday: externalUrl");

    j = find(&page, "/job/Kenya-Remote/Site-Reliability-Engineer_JR-0002");
    is_str(j ? j->location_type : NULL, "remote",
           "workday: listed remoteType Fully Remote");
    j = listed(&page, "/job/Mombasa-Kenya/QA-Analyst_JR-0003",
               "workday: JR-0003 listed");
    is_int(detail_file(&src, NULL, "workday/job-JR-0003.json", j, err), 0,
           "workday: detail JR-0003 parsed");
    is_str(j->employment_type, "part_time", "workday: timeType Part time");
    ok(!j->has_salary, "workday: no pay line, no salary");

    is_int(detail_str(&src, "{\"jobPostingInfo\": {\"jobDescription\": 1}}",
                      j, err), -1, "workday: a detail without a "
           "description refused");
    like_str(err, "jobDescription", "workday: error says why");
    js_page_free(&page);

    /* a full page whose total was reached is the last; total 0 or none:
     * a full page is followed (Workday sends total on page 1 only) */
    is_int(parse_str(&src, u, "{\"total\": 2, \"jobPostings\": [{\"title\": "
                     "\"a\", \"externalPath\": \"/job/a\"}, {\"title\": "
                     "\"b\", \"externalPath\": \"/job/b\"}]}", &page, err), 0,
           "workday: a full page of total 2");
    is_str(page.next_url, NULL, "workday: ... is the last");
    js_page_free(&page);
    is_int(parse_str(&src, u, "{\"jobPostings\": [{\"title\": \"a\", "
                     "\"externalPath\": \"/job/a\"}, {\"title\": \"b\", "
                     "\"externalPath\": \"job/b\"}, {\"title\": \"c\"}]}",
                     &page, err), 0, "workday: no total, a full page");
    ok(page.next_url != NULL, "workday: ... is followed");
    is_int(page.njobs, 1, "workday: a relative or missing externalPath is "
           "skipped");
    js_page_free(&page);

    is_int(parse_str(&src, u, "{\"jobPostings\": 3}", &page, err), -1,
           "workday: jobPostings not an array refused");
    like_str(err, "no \"jobPostings\" array", "workday: error says so");
    is_int(parse_str(&src, "http://127.0.0.1:1/careers", "{\"jobPostings\": "
                     "[]}", &page, err), -1,
           "workday: a URL that is not a CXS jobs URL refused");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_bamboohr(void)
{
    js_source_t          src;
    js_page_t            page;
    js_job_t            *j;
    char                 err[ERRLEN], *url;
    const char          *u = "https://acme.bamboohr.com/careers/list";
    const js_adapter_t  *a = js_adapter_find("bamboohr");

    source_init(&src, "bamboohr", "acme", NULL);
    src.max_details = 50;
    a->first_url(&src, &url, err, ERRLEN);
    is_str(url, u, "bamboohr: a company gives its careers list");
    free(url);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "bamboohr/list.json", &page, err), 0,
           "bamboohr: list parsed");
    is_int(page.njobs, 3, "bamboohr: 3 openings (no name: skipped)");
    is_str(page.next_url, NULL, "bamboohr: one page");
    is_int(page.ndetails, 3, "bamboohr: a detail call per opening");
    is_str(detail_of(&page, "12"), "https://acme.bamboohr.com/careers/12/"
           "detail", "bamboohr: the detail URL");

    j = listed(&page, "12", "bamboohr: 12 listed");
    is_str(j->title, "Backend Developer", "bamboohr: jobOpeningName");
    is_str(j->location, "Nairobi, Kenya", "bamboohr: atsLocation");
    is_str(j->location_type, "hybrid", "bamboohr: locationType 2");
    is_str(j->employment_type, "full_time", "bamboohr: Full-Time");
    is_str(j->apply_url, "https://acme.bamboohr.com/careers/12",
           "bamboohr: the opening's page");
    is_int(detail_file(&src, detail_of(&page, "12"), "bamboohr/detail-12.json",
                       j, err), 0, "bamboohr: detail parsed");
    is_str(j->description, "Build our HR platform in PHP and Go.\n\n- MySQL\n"
           "- Redis", "bamboohr: description");
    salary_is(j, 250000, 350000, "KES", JS_SALARY_MONTH,
              "bamboohr: compensation");
    is_int(j->posted_at, 1748822400, "bamboohr: datePosted");

    j = listed(&page, "15", "bamboohr: 15 listed");
    is_str(j->location_type, "remote", "bamboohr: isRemote");
    is_str(j->employment_type, "contract", "bamboohr: Contractor");
    is_int(detail_file(&src, NULL, "bamboohr/detail-15.json", j, err), 0,
           "bamboohr: detail 15 parsed");
    salary_is(j, 3000, 4000, "USD", JS_SALARY_MONTH,
              "bamboohr: compensation null: the pay line");

    j = listed(&page, "17", "bamboohr: 17 listed");
    is_str(j->location_type, "onsite", "bamboohr: locationType 0");
    is_str(j->employment_type, "part_time", "bamboohr: Part-Time");
    is_int(detail_str(&src, "{\"result\": {\"jobOpening\": []}}", j, err), -1,
           "bamboohr: a detail without an opening refused");
    like_str(err, "description", "bamboohr: error says why");

    is_int(parse_str(&src, u, "{\"result\": {\"id\": 1}}", &page, err), -1,
           "bamboohr: result not an array refused");
    like_str(err, "no \"result\" array", "bamboohr: error says so");
    js_page_free(&page);
    json_decref(src.config);
}

/* Cut and corrupted list and detail bodies: 0, or -1 with an error and
 * the job as it was; never a crash or a leak (under ASan). */
static void
test_hostile(void)
{
    static const struct { const char *cls, *file, *url; int detail; }
    cases[] = {
        { "smartrecruiters", "smartrecruiters/postings-1.json",
          "http://127.0.0.1:1/v1/companies/a/postings?limit=2&offset=0", 0 },
        { "smartrecruiters", "smartrecruiters/posting-744000012345601.json",
          "http://127.0.0.1:1/v1/companies/a/postings/1", 1 },
        { "workday", "workday/jobs-1.json",
          "http://127.0.0.1:1/wday/cxs/acme/External/jobs", 0 },
        { "workday", "workday/job-JR-0001.json",
          "http://127.0.0.1:1/wday/cxs/acme/External/job/x", 1 },
        { "bamboohr", "bamboohr/list.json",
          "http://127.0.0.1:1/careers/list", 0 },
        { "bamboohr", "bamboohr/detail-12.json",
          "http://127.0.0.1:1/careers/12/detail", 1 },
    };
    js_source_t          src;
    js_page_t            page;
    js_job_t             job;
    size_t               i, k, len, cut;
    char                *body, *copy, err[ERRLEN], name[160];
    int                  rc, sane, untouched, pass;
    const js_adapter_t  *a;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        source_init(&src, cases[i].cls, "acme", NULL);
        src.max_details = 50;
        a = js_adapter_find(cases[i].cls);
        body = slurp(cases[i].file, &len);
        copy = malloc(len + 1);
        sane = 1;
        untouched = 1;
        for (k = 1; k < 80; k++) {
            for (pass = 0; pass < 2; pass++) {
                memcpy(copy, body, len);
                cut = len * k / 80;
                if (pass == 1) {
                    copy[cut] ^= (char) (0x80 | k);
                    copy[(len * k / 7) % len] = (char) (k * 37);
                    cut = len;
                }
                memset(&page, 0, sizeof(page));
                memset(&job, 0, sizeof(job));
                err[0] = '\0';
                rc = cases[i].detail
                     ? a->parse_detail(&src, cases[i].url, copy, cut, &job,
                                       err, ERRLEN)
                     : a->parse(&src, cases[i].url, copy, cut, &page, err,
                                ERRLEN);
                if ((rc != 0 && rc != -1) || (rc == -1 && err[0] == '\0')) {
                    sane = 0;
                }
                if (rc == -1 && (job.description != NULL
                                 || job.apply_url != NULL))
                {
                    untouched = 0;
                }
                js_job_free(&job);
                js_page_free(&page);
            }
        }
        snprintf(name, sizeof(name), "%s: cut and corrupted %s bodies fail "
                 "cleanly", cases[i].cls, cases[i].detail ? "detail" : "list");
        ok(sane, name);
        if (cases[i].detail) {
            snprintf(name, sizeof(name), "%s: a refused detail leaves the "
                     "job as it was", cases[i].cls);
            ok(untouched, name);
        }
        free(copy);
        free(body);
        json_decref(src.config);
    }
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        fixtures = argv[1];
    }
    test_registry();
    test_page_details();
    test_smartrecruiters();
    test_workday();
    test_bamboohr();
    test_hostile();
    return done_testing();
}
