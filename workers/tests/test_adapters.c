/*
 * Unit tests for the source adapters: each against its fixture in
 * t/fixtures/<provider>/ (counts, exact fields of chosen jobs,
 * pagination), and against hostile bodies (truncated, wrong types,
 * invalid UTF-8, deep nesting, entity bombs): -1 with an error or the
 * bad items skipped, never a crash or a leak (run under ASan).
 *
 *   test_adapters [fixtures directory, default t/fixtures]
 */

#include "adapter_test.h"

static void
test_registry(void)
{
    static const char  *names[] = {
        "greenhouse", "lever", "ashby", "workable", "remotive", "adzuna",
        "jsonld", "html", "rss", "atom", "recruitee", "personio",
        "teamtailor"
    };
    size_t  i;
    int     all = 1;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (js_adapter_find(names[i]) == NULL
            || strcmp(js_adapter_find(names[i])->name, names[i]) != 0)
        {
            all = 0;
        }
    }
    ok(all, "every adapter is registered under its scraper_class");
    ok(js_adapter_find("Greenhouse") != NULL, "names are case-insensitive");
    ok(js_adapter_find("linkedin") == NULL, "unknown class: NULL");
    ok(js_adapter_find(NULL) == NULL, "NULL class: NULL");
}

static void
test_greenhouse(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url;
    const char      *u = "http://127.0.0.1:1/v1/boards/acme/jobs?content=true";

    source_init(&src, "greenhouse", "acme", NULL);
    js_adapter_find("greenhouse")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "https://boards-api.greenhouse.io/v1/boards/acme/jobs"
           "?content=true&pay_transparency=true",
           "greenhouse: a token gives the documented URL, with pay ranges");
    free(url);


    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "greenhouse/jobs.json", &page, err), 0,
           "greenhouse: parsed");
    is_int(page.njobs, 4, "greenhouse: 4 jobs (no title, bad URL skipped)");
    is_str(page.next_url, NULL, "greenhouse: one page");

    j = job_of(&page, "4012345");
    is_str(j->title, "Senior Backend Engineer (Go)", "greenhouse: title");
    is_str(j->location, "Nairobi, Kenya", "greenhouse: location");
    is_str(j->location_type, NULL, "greenhouse: a city says no type");
    is_str(j->employment_type, "full_time", "greenhouse: metadata type");
    is_str(j->apply_url, "https://boards.greenhouse.io/acme/jobs/4012345",
           "greenhouse: apply URL");
    is_str(j->description, "Acme is hiring a Senior Backend Engineer to "
           "build M-Pesa payments.\n\nWhat you'll do\n\n- Go & PostgreSQL\n"
           "- Redis at scale", "greenhouse: escaped HTML to clean text");
    salary_is(j, 300000, 450000, "KES", JS_SALARY_MONTH,
              "greenhouse: currency_range metadata, min > max swapped");
    is_int(j->posted_at, 1747742400, "greenhouse: first_published");
    is_str(j->company, NULL, "greenhouse: the source's own company");

    j = job_of(&page, "4012346");
    is_str(j->apply_url, "http://127.0.0.1:1/acme/jobs/4012346?gh_jid="
           "4012346", "greenhouse: relative URL resolved");
    is_str(j->title, "Data Analyst \xE2\x80\x93 Hybrid",
           "greenhouse: en dash title");
    is_str(j->location_type, "hybrid", "greenhouse: Hybrid (Nairobi)");
    salary_is(j, 150000, 200000, "KES", JS_SALARY_MONTH,
              "greenhouse: salary line of the description");
    is_int(j->posted_at, 1748865600, "greenhouse: updated_at");

    j = job_of(&page, "4012347");
    is_str(j->location_type, "remote", "greenhouse: Remote - Africa");
    is_str(j->employment_type, "contract", "greenhouse: Contract");
    is_str(j->description, "Ship React apps for Caf\xC3\xA9 Soci\xC3\xA9t\xC3"
           "\xA9 \xE2\x80\x94 r\xC3\xA9sum\xC3\xA9s welcome.\n\n"
           "Compensation: $5,000,000 per hour",
           "greenhouse: non-ASCII kept, script dropped");
    ok(!j->has_salary, "greenhouse: $5M an hour dropped");

    j = job_of(&page, "4012349");
    is_str(j->location_type, "onsite", "greenhouse: (On-site)");
    is_int(j->posted_at, 0, "greenhouse: bad date is 0");
    salary_is(j, 600000, 900000, "NGN", JS_SALARY_MONTH,
              "greenhouse: pay_input_ranges in cents, a broken one skipped, "
              "the period from its title");

    is_int(parse_str(&src, u, "[]", &page, err), -1,
           "greenhouse: an array is refused");
    like_str(err, "expected a JSON object", "greenhouse: error says why");
    is_int(parse_str(&src, u, "{\"jobs\": {}}", &page, err), -1,
           "greenhouse: jobs not an array");
    like_str(err, "no \"jobs\" array", "greenhouse: error names jobs");
    is_int(parse_str(&src, u, "{\"jobs\": [1, \"x\", null, [], {}]}", &page,
                     err), 0, "greenhouse: junk items skipped");
    is_int(page.njobs, 4, "greenhouse: nothing added from junk");
    is_int(parse_str(&src, u, "{\"jobs\": [{\"id\": 7, \"title\": "
                     "\"NUL\\u0000byte \\u202eEngineer\", \"absolute_url\": "
                     "\"https://x.example/7\"}]}", &page, err), 0,
           "greenhouse: an escaped NUL is JSON: the board is read");
    is_str(job_of(&page, "7")->title, "NULbyte Engineer",
           "greenhouse: the NUL and the bidi override dropped from the title");

    js_page_free(&page);
    json_decref(src.config);
}

static void
test_lever(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url;
    const char      *u = "http://127.0.0.1:1/v0/postings/acme?mode=json";

    source_init(&src, "lever", "acme", NULL);
    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "lever/postings.json", &page, err), 0,
           "lever: parsed");
    is_int(page.njobs, 4, "lever: 4 jobs (no id skipped)");
    is_str(page.next_url, NULL, "lever: no page_size, one page");

    j = job_of(&page, "5f1c2c3a-7e6b-4d3a-9c1e-0a1b2c3d4e01");
    is_str(j->title, "Platform Engineer", "lever: text is the title");
    is_str(j->location, "Nairobi", "lever: categories.location");
    is_str(j->location_type, "hybrid", "lever: workplaceType");
    is_str(j->employment_type, "full_time", "lever: commitment");
    is_str(j->apply_url, "https://jobs.lever.co/acme/5f1c2c3a-7e6b-4d3a-"
           "9c1e-0a1b2c3d4e01", "lever: hostedUrl");
    is_str(j->description, "About us\n\nWe build payments for East Africa."
           "\n\nWhat you'll do\n\n- Run Kubernetes\n- On-call & SRE\n\n"
           "Benefits: medical cover", "lever: description, lists, additional");
    salary_is(j, 300000, 450000, "KES", JS_SALARY_MONTH, "lever: salaryRange");
    is_int(j->posted_at, 1748772000, "lever: createdAt in ms");

    j = job_of(&page, "5f1c2c3a-7e6b-4d3a-9c1e-0a1b2c3d4e02");
    is_str(j->location_type, "remote", "lever: remote");
    salary_is(j, 80000, 120000, "KES", JS_SALARY_MONTH,
              "lever: salaryDescriptionPlain Ksh 80k-120k/month");

    j = job_of(&page, "5f1c2c3a-7e6b-4d3a-9c1e-0a1b2c3d4e03");
    is_str(j->location_type, "onsite", "lever: on-site");
    is_str(j->employment_type, "internship", "lever: Intern");
    ok(!j->has_salary, "lever: a -5..0 range is dropped");

    j = job_of(&page, "5f1c2c3a-7e6b-4d3a-9c1e-0a1b2c3d4e04");
    is_str(j->title, "Ing\xC3\xA9nieur QA", "lever: non-ASCII title");
    is_str(j->location_type, NULL, "lever: unspecified");
    is_int(j->posted_at, 0, "lever: createdAt of the wrong type");
    is_str(j->apply_url, "https://jobs.lever.co/acme/5f1c2c3a-7e6b-4d3a-"
           "9c1e-0a1b2c3d4e04/apply", "lever: applyUrl without hostedUrl");
    js_page_free(&page);

    /* pages of 4: a full page asks for the next */
    json_decref(src.config);
    source_init(&src, "lever", "acme",
                "{\"page_size\": 4, \"api_base\": \"http://127.0.0.1:1\"}");
    js_adapter_find("lever")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "http://127.0.0.1:1/v0/postings/acme?mode=json&skip=0"
           "&limit=4", "lever: page_size gives skip and limit");
    memset(&page, 0, sizeof(page));
    parse_file(&src, url, "lever/postings.json", &page, err);
    is_str(page.next_url, "http://127.0.0.1:1/v0/postings/acme?mode=json"
           "&skip=4&limit=4", "lever: next page skips 4");
    free(url);

    js_page_free(&page);
    memset(&page, 0, sizeof(page));
    is_int(parse_str(&src, u, "[{\"id\": \"p1\", \"text\": \"Driver\", "
                     "\"hostedUrl\": \"https://jobs.lever.co/acme/p1\", "
                     "\"description\": \"\", \"descriptionPlain\": \"\", "
                     "\"lists\": [], \"additional\": \"\", "
                     "\"additionalPlain\": \"Apply by 30 June.\\nSalary: "
                     "KES 40,000 per month\"}, "
                     "{\"id\": \"p2\", \"text\": \"Cook\", "
                     "\"hostedUrl\": \"https://jobs.lever.co/acme/p2\", "
                     "\"description\": \"<p>Cook well.</p>\", "
                     "\"additionalPlain\": \"Perks: <lunch> & more\"}]",
                     &page, err), 0, "lever: additionalPlain postings");
    is_str(job_of(&page, "p1")->description, "Apply by 30 June.\nSalary: "
           "KES 40,000 per month",
           "lever: additionalPlain kept when it is the only description");
    salary_is(job_of(&page, "p1"), 40000, 40000, "KES", JS_SALARY_MONTH,
              "lever: ... its pay line read");
    is_str(job_of(&page, "p2")->description, "Cook well.\n\nPerks: <lunch> "
           "& more", "lever: additionalPlain after the description, as "
           "plain text");

    is_int(parse_str(&src, u, "{\"ok\": false, \"error\": \"Document not "
                     "found\"}", &page, err), -1, "lever: error object");
    like_str(err, "expected a JSON array", "lever: error says why");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_ashby(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url;
    const char      *u = "http://127.0.0.1:1/posting-api/job-board/acme"
                         "?includeCompensation=true";

    source_init(&src, "ashby", "acme", NULL);
    js_adapter_find("ashby")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "https://api.ashbyhq.com/posting-api/job-board/acme"
           "?includeCompensation=true", "ashby: documented URL");
    free(url);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "ashby/job-board.json", &page, err), 0,
           "ashby: parsed");
    is_int(page.njobs, 3, "ashby: 3 jobs (unlisted, bad title skipped)");
    ok(find(&page, "1a2b3c4d-0000-4000-8000-000000000003") == NULL,
       "ashby: isListed false skipped");

    j = job_of(&page, "8d9f2b7e-1c3a-4e5f-9a8b-7c6d5e4f3a21");
    is_str(j->location_type, "hybrid", "ashby: workplaceType Hybrid");
    is_str(j->employment_type, "full_time", "ashby: FullTime");
    salary_is(j, 81000, 87000, "USD", JS_SALARY_YEAR,
              "ashby: summaryComponents Salary, swapped");
    is_int(j->posted_at, 1748772000, "ashby: publishedAt");
    is_str(j->description, "Lead our core team.\n\nRequirements\n\n- Rust or "
           "Go\n- 8+ years", "ashby: descriptionHtml");
    is_str(j->apply_url, "https://jobs.ashbyhq.com/acme/8d9f2b7e-1c3a-4e5f-"
           "9a8b-7c6d5e4f3a21", "ashby: jobUrl");

    j = job_of(&page, "1a2b3c4d-0000-4000-8000-000000000002");
    is_str(j->location_type, "remote", "ashby: isRemote");
    is_str(j->employment_type, "contract", "ashby: Contract");
    salary_is(j, 60000, 60000, "EUR", JS_SALARY_UNKNOWN,
              "ashby: tier summary \xE2\x82\xAC" "60k");

    j = job_of(&page, "1a2b3c4d-0000-4000-8000-000000000004");
    is_str(j->location_type, "onsite", "ashby: OnSite");
    is_str(j->employment_type, "part_time", "ashby: PartTime");
    is_str(j->description, "Keep our customers happy overnight.\nPay: "
           "\xE2\x82\xA6" "450,000 to \xE2\x82\xA6" "600,000 monthly",
           "ashby: descriptionPlain keeps its lines");
    salary_is(j, 450000, 600000, "NGN", JS_SALARY_MONTH,
              "ashby: naira pay line");
    is_int(j->posted_at, 1749070800, "ashby: +01:00 offset");

    is_int(parse_str(&src, u, "{\"apiVersion\": \"1\"}", &page, err), -1,
           "ashby: no jobs");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_workable(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url;
    const char      *u = "http://127.0.0.1:1/api/v1/widget/accounts/acme"
                         "?details=true";

    source_init(&src, "workable", "acme", NULL);
    js_adapter_find("workable")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "https://apply.workable.com/api/v1/widget/accounts/acme"
           "?details=true", "workable: documented URL");
    free(url);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "workable/account.json", &page, err), 0,
           "workable: parsed");
    is_int(page.njobs, 3, "workable: 3 jobs (no shortcode skipped)");

    j = job_of(&page, "A1B2C3D4E5");
    is_str(j->location, "Nairobi, Nairobi County, Kenya",
           "workable: city, state, country");
    is_str(j->employment_type, "full_time", "workable: Full-time");
    salary_is(j, 250000, 350000, "KES", JS_SALARY_MONTH,
              "workable: salary in the description");
    is_int(j->posted_at, 1748822400, "workable: published_on");
    is_str(j->apply_url, "https://apply.workable.com/j/A1B2C3D4E5",
           "workable: url");

    j = job_of(&page, "F6G7H8I9J0");
    is_str(j->location, "South Africa", "workable: empty city skipped");
    is_str(j->location_type, "remote", "workable: telecommuting");
    salary_is(j, 25000, 25000, "ZAR", JS_SALARY_MONTH,
              "workable: from R25 000 pm");

    j = job_of(&page, "K1L2M3N4O5");
    is_str(j->employment_type, "contract", "workable: Contract");
    salary_is(j, 900000, 1200000, "RWF", JS_SALARY_UNKNOWN,
              "workable: salary object");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_remotive(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url;
    const char      *u = "http://127.0.0.1:1/api/remote-jobs";

    source_init(&src, "remotive", "software-dev",
                "{\"search\": \"go lang\", \"limit\": 50}");
    js_adapter_find("remotive")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "https://remotive.com/api/remote-jobs?category=software-dev"
           "&search=go%20lang&limit=50", "remotive: category and params");
    free(url);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "remotive/remote-jobs.json", &page, err), 0,
           "remotive: parsed");
    is_int(page.njobs, 4, "remotive: 4 jobs (null id skipped)");

    j = job_of(&page, "1912345");
    is_str(j->company, "Flutterwave", "remotive: company_name");
    is_str(j->location, "Africa", "remotive: candidate_required_location");
    is_str(j->location_type, "remote", "remotive: always remote");
    is_str(j->employment_type, "full_time", "remotive: job_type");
    salary_is(j, 120000, 150000, "USD", JS_SALARY_YEAR,
              "remotive: $120,000 - $150,000 a year");
    is_int(j->posted_at, 1748772000, "remotive: date without zone is UTC");
    is_int(j->nskills, 3, "remotive: tags as skills, deduplicated");
    is_str(j->nskills > 1 ? j->skills[1] : NULL, "postgresql",
           "remotive: skills lower case");
    is_str(j->description, "Join us \xE2\x80\x94 fully remote.\n\n- Go\n"
           "- gRPC", "remotive: description");

    j = job_of(&page, "1912346");
    is_str(j->company, "Docs & Co", "remotive: entity in company");
    ok(!j->has_salary, "remotive: Competitive is no salary");
    is_str(j->description, "Write API docs.", "remotive: script, style out");

    j = job_of(&page, "1912347");
    salary_is(j, 50, 50, "USD", JS_SALARY_HOUR, "remotive: USD 50/hour");
    is_str(j->employment_type, "part_time", "remotive: part_time");

    j = job_of(&page, "1912348");
    is_str(j->employment_type, "contract", "remotive: freelance");
    ok(!j->has_salary, "remotive: 0 is no salary");
    is_int(j->nskills, 0, "remotive: tags of the wrong type");
    js_page_free(&page);
    json_decref(src.config);
}

/* The commented adzuna_base_url of conf/jobscoutd.conf, given as is,
 * gives Adzuna's documented URL (its path not doubled). */
static void
test_adzuna_shipped_base(void)
{
    js_source_t   src;
    char          path[600], line[512], base[256] = "", err[ERRLEN];
    char         *url = NULL;
    FILE         *f;

    snprintf(path, sizeof(path), "%s/../../conf/jobscoutd.conf", fixtures);
    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "#adzuna_base_url %255[^;]", base) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    source_init(&src, "adzuna", "gb", NULL);
    src.adzuna_app_id = "id";
    src.adzuna_app_key = "key";
    src.adzuna_base_url = base;
    js_adapter_find("adzuna")->first_url(&src, &url, err, ERRLEN);
    ok(url != NULL && strncmp(url, "https://api.adzuna.com/v1/api/jobs/gb/"
                              "search/1?", 38) == 0,
       "adzuna: the adzuna_base_url example of conf/jobscoutd.conf gives "
       "the documented URL");
    if (url != NULL && strncmp(url, "https://api.adzuna.com/v1/api/jobs/gb/"
                               "search/1?", 38) != 0)
    {
        printf("#   got %s (from \"%s\")\n", url, base);
    }
    free(url);
    json_decref(src.config);
}

static void
test_adzuna(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url = NULL;

    source_init(&src, "adzuna", "za", "{\"results_per_page\": 3, "
                "\"what\": \"developer\", \"max_days_old\": 30}");
    is_int(js_adapter_find("adzuna")->first_url(&src, &url, err, ERRLEN), -1,
           "adzuna: no keys, no URL");
    like_str(err, "adzuna_app_id", "adzuna: error names the keys");

    src.adzuna_app_id = "id1";
    src.adzuna_app_key = "key 1";
    src.adzuna_base_url = "http://127.0.0.1:1";
    js_adapter_find("adzuna")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "http://127.0.0.1:1/v1/api/jobs/za/search/1?app_id=id1"
           "&app_key=key%201&results_per_page=3&content-type=application%2F"
           "json&what=developer&max_days_old=30",
           "adzuna: country, keys, parameters");

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, url, "adzuna/search-1.json", &page, err), 0,
           "adzuna: page 1 parsed");
    is_int(page.njobs, 3, "adzuna: 3 jobs");
    is_str(page.next_url, "http://127.0.0.1:1/v1/api/jobs/za/search/2"
           "?app_id=id1&app_key=key%201&results_per_page=3&content-type="
           "application%2Fjson&what=developer&max_days_old=30",
           "adzuna: next page");
    free(url);

    j = job_of(&page, "4812345678");
    is_str(j->title, "Python Developer", "adzuna: <strong> stripped");
    is_str(j->company, "Acme SA", "adzuna: company.display_name");
    is_str(j->location, "Cape Town, Western Cape", "adzuna: location");
    salary_is(j, 540000, 600000, "ZAR", JS_SALARY_YEAR,
              "adzuna: yearly, country's currency, swapped");
    is_str(j->employment_type, "full_time", "adzuna: permanent full time");
    is_int(j->posted_at, 1748772000, "adzuna: created");
    is_str(j->description, "We are looking for a Python developer to join "
           "our Cape Town team\xE2\x80\xA6", "adzuna: description");
    is_str(j->apply_url, "https://www.adzuna.co.za/details/4812345678"
           "?utm_medium=api&utm_source=jobscout", "adzuna: redirect_url");

    j = job_of(&page, "4812345679");
    ok(!j->has_salary, "adzuna: predicted salary left out");
    is_str(j->employment_type, "contract", "adzuna: contract_type");
    is_str(j->location_type, "remote", "adzuna: Remote in the title");

    j = job_of(&page, "4812345680");
    is_str(j->employment_type, "part_time", "adzuna: contract_time");

    url = strdup(page.next_url);
    is_int(parse_file(&src, url, "adzuna/search-2.json", &page, err), 0,
           "adzuna: page 2 parsed");
    free(url);
    is_int(page.njobs, 5, "adzuna: 5 jobs in all");
    is_str(page.next_url, NULL, "adzuna: a short page is the last");
    is_int(page.npages, 2, "adzuna: 2 pages");
    is_str(job_of(&page, "4812345681")->location_type, "hybrid",
           "adzuna: hybrid");
    ok(!job_of(&page, "4812345682")->has_salary,
       "adzuna: R5-10 a year dropped");

    is_int(parse_str(&src, "http://127.0.0.1:1/v1/api/jobs/za/search/1",
                     "{\"exception\": \"AUTH_FAIL\", \"display\": "
                     "\"Authorisation failed\", \"doc\": \"x\"}", &page,
                     err), -1, "adzuna: error answer");
    like_str(err, "Authorisation failed", "adzuna: error shows the reason");
    js_page_free(&page);
    json_decref(src.config);
    test_adzuna_shipped_base();
}

static void
test_jsonld(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN];
    const char      *u = "https://acme.example/careers";

    source_init(&src, "jsonld", u, "{\"next\": \"a[rel=next]\"}");
    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "jsonld/careers.html", &page, err), 0,
           "jsonld: parsed");
    is_int(page.njobs, 4, "jsonld: 4 postings (object, @graph, array, "
           "ItemList; broken block skipped)");
    like_str(page.unread, "a JSON-LD block is not JSON",
             "jsonld: the broken block makes the page partial");
    is_str(page.next_url, "https://acme.example/careers?page=2",
           "jsonld: next link");

    j = job_of(&page, "J-42");
    is_str(j->title, "Senior Java Developer", "jsonld: title");
    is_str(j->apply_url, "https://acme.example/careers/jobs/42",
           "jsonld: relative url resolved");
    is_str(j->company, NULL, "jsonld: the source's own company");
    is_str(j->location, "Nairobi, KE", "jsonld: PostalAddress");
    is_str(j->employment_type, "full_time", "jsonld: employmentType array");
    salary_is(j, 150000, 200000, "KES", JS_SALARY_MONTH,
              "jsonld: MonetaryAmount, swapped");
    is_int(j->posted_at, 1748736000, "jsonld: datePosted");
    is_str(j->description, "Build core banking on Java 21.\n\n- Spring "
           "Boot\n- Kafka", "jsonld: description");

    j = job_of(&page, "J-43");
    is_str(j->company, "Acme Partner Ltd", "jsonld: another company");
    is_str(j->location, "Kenya", "jsonld: applicantLocationRequirements");
    is_str(j->location_type, "remote", "jsonld: TELECOMMUTE");
    is_str(j->employment_type, "contract", "jsonld: CONTRACTOR");
    salary_is(j, 45, 45, "USD", JS_SALARY_HOUR, "jsonld: value per HOUR");
    is_int(j->nskills, 3, "jsonld: skills split");
    is_str(j->description, "Keep M-Pesa integrations up & running.",
           "jsonld: escaped HTML description");
    is_int(j->posted_at, 1748844000, "jsonld: +03:00 date");

    j = job_of(&page, "https://acme.example/careers/jobs/44");
    is_str(j->location, "Mombasa, Kenya", "jsonld: address as text");
    is_str(j->employment_type, "part_time", "jsonld: PART_TIME");
    ok(!j->has_salary, "jsonld: zero salary dropped");

    j = job_of(&page, "45");
    is_str(j->title, "Graduate Trainee (Finance)", "jsonld: ItemList item");
    is_str(j->apply_url, "https://acme.example/jobs/45",
           "jsonld: relative to the page");
    is_str(j->employment_type, "internship", "jsonld: INTERN");
    is_str(j->location, "Kisumu, Kenya", "jsonld: Country object");
    salary_is(j, 50000, 50000, "KES", JS_SALARY_MONTH,
              "jsonld: stipend in the description");

    is_int(j->valid_through, 0, "jsonld: no validThrough, unknown");
    is_int(job_of(&page, "J-42")->valid_through, 4086547200LL,
           "jsonld: validThrough without a zone is UTC");
    js_page_free(&page);

    /* salary amounts as strings; validThrough */
    memset(&page, 0, sizeof(page));
    is_int(parse_str(&src, u, "<script type=\"application/ld+json\">["
        "{\"@type\": \"JobPosting\", \"identifier\": \"s1\", \"title\": "
        "\"A\", \"baseSalary\": {\"@type\": \"MonetaryAmount\", "
        "\"currency\": \"USD\", \"value\": \"$100,000\"}},"
        "{\"@type\": \"JobPosting\", \"identifier\": \"s2\", \"title\": "
        "\"B\", \"baseSalary\": {\"@type\": \"MonetaryAmount\", \"value\": "
        "{\"@type\": \"QuantitativeValue\", \"value\": \"KES 150,000\", "
        "\"unitText\": \"MONTH\"}}},"
        "{\"@type\": \"JobPosting\", \"identifier\": \"s3\", \"title\": "
        "\"C\", \"baseSalary\": {\"currency\": \"USD\", \"value\": "
        "{\"minValue\": \"$120,000\", \"maxValue\": \"$100,000.00\", "
        "\"unitText\": \"YEAR\"}}},"
        "{\"@type\": \"JobPosting\", \"identifier\": \"v1\", \"title\": "
        "\"Gone\", \"validThrough\": \"2020-01-31T23:59:00Z\"},"
        "{\"@type\": \"JobPosting\", \"identifier\": \"v2\", \"title\": "
        "\"Open\", \"validThrough\": \"2099-12-31T23:59:00Z\"},"
        "{\"@type\": \"JobPosting\", \"identifier\": \"v3\", \"title\": "
        "\"Open all day\", \"validThrough\": \"2099-12-31\"},"
        "{\"@type\": \"JobPosting\", \"identifier\": \"v4\", \"title\": "
        "\"Odd\", \"validThrough\": \"soon\"}]</script>", &page, err), 0,
        "jsonld: salary strings and validThrough parsed");
    salary_is(job_of(&page, "s1"), 100000, 100000, "USD", JS_SALARY_UNKNOWN,
              "jsonld: value \"$100,000\"");
    salary_is(job_of(&page, "s2"), 150000, 150000, "KES", JS_SALARY_MONTH,
              "jsonld: QuantitativeValue value \"KES 150,000\"");
    salary_is(job_of(&page, "s3"), 100000, 120000, "USD", JS_SALARY_YEAR,
              "jsonld: minValue and maxValue strings, swapped");
    ok(find(&page, "v1") == NULL,
       "jsonld: a validThrough in the past: not offered");
    is_int(job_of(&page, "v2")->valid_through, 4102444740LL,
           "jsonld: a future validThrough stored");
    is_int(job_of(&page, "v3")->valid_through, 4102444800LL,
           "jsonld: a date is valid through its end");
    is_int(job_of(&page, "v4")->valid_through, 0,
           "jsonld: an unreadable validThrough is unknown");
    j = job_of(&page, "v2");
    {
        json_t  *jj = js_job_json(j);

        is_str(json_string_value(json_object_get(jj, "valid_through")),
               "2099-12-31T23:59:00Z", "jsonld: valid_through in the JSON");
        json_decref(jj);
    }
    js_page_free(&page);
    memset(&page, 0, sizeof(page));
    is_int(parse_str(&src, u, "<html><body><p>No jobs here</p></body>"
                     "</html>", &page, err), 0, "jsonld: page without "
                     "postings is no error");
    is_int(page.njobs, 0, "jsonld: no jobs");
    is_str(page.unread, "", "jsonld: ... and read whole");
    is_int(parse_str(&src, u, "<script type=\"application/ld+json\">"
                     "{\"@type\": \"JobPosting\", \"identifier\": \"n1\","
                     " \"title\": \"LD \\u0000 NUL Engineer\"}</script>",
                     &page, err), 0, "jsonld: a block with an escaped NUL");
    is_str(job_of(&page, "n1")->title, "LD NUL Engineer",
           "jsonld: ... is read, the NUL dropped");
    is_int(parse_str(&src, u, "", &page, err), -1, "jsonld: empty body");
    like_str(err, "jsonld:", "jsonld: error names the adapter");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_html(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *config, *url;
    size_t           len;
    const char      *u = "https://acme.example/careers/";

    config = slurp("html/config.json", &len);
    source_init(&src, "html", u, config);
    free(config);

    js_adapter_find("html")->first_url(&src, &url, err, ERRLEN);
    is_str(url, u, "html: source_url is the first page");
    free(url);

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "html/careers-1.html", &page, err), 0,
           "html: page 1 parsed");
    is_int(page.njobs, 3, "html: 3 jobs (intern excluded, no title)");
    is_str(page.next_url, "https://acme.example/careers/?page=2",
           "html: next link");

    j = job_of(&page, "https://acme.example/careers/senior-java-developer");
    is_str(j->title, "Senior Java Developer", "html: title");
    is_str(j->location, "Nairobi, Kenya", "html: location");
    is_str(j->location_type, "hybrid", "html: badge");
    salary_is(j, 150000, 200000, "KES", JS_SALARY_MONTH, "html: salary");
    is_str(j->employment_type, "full_time", "html: Full Time");
    is_int(j->posted_at, 1748757600, "html: time datetime attribute");
    is_str(j->description, "Build core banking.\n\n- Java\n- Spring",
           "html: description");

    j = job_of(&page, "https://acme.example/careers/jobs/mpesa?ref=list"
               "&lt=1");
    is_str(j->location_type, "remote", "html: Anywhere");
    salary_is(j, 80000, 120000, "KES", JS_SALARY_UNKNOWN,
              "html: default currency from config");

    j = job_of(&page, "https://acme.example/careers/branch-manager-kisumu");
    is_str(j->title, "Branch Manager \xE2\x80\x93 Kisumu", "html: entity");
    is_str(j->location_type, "onsite", "html: On-site badge");
    is_str(j->employment_type, "contract", "html: Contract");
    ok(!j->has_salary, "html: Competitive");

    url = strdup(page.next_url);
    is_int(parse_file(&src, url, "html/careers-2.html", &page, err), 0,
           "html: page 2 parsed");
    free(url);
    is_int(page.njobs, 5, "html: 5 jobs in all");
    is_str(page.next_url, NULL, "html: no next link, done");
    j = job_of(&page, "https://acme.example/careers/ingenieur-reseau");
    is_str(j->title, "Ing\xC3\xA9nieur R\xC3\xA9seau",
           "html: ISO-8859-1 page read as UTF-8");
    salary_is(job_of(&page, "https://acme.example/careers/data-scientist"),
              4000, 6000, "USD", JS_SALARY_MONTH, "html: $ beats default");
    js_page_free(&page);
    json_decref(src.config);

    /* max_pages 1: no next */
    source_init(&src, "html", u, "{\"list\": \"//div[@class='job-card' or "
                "starts-with(@class, 'job-card ')]\", \"selectors\": "
                "{\"title\": \".//h3\"}, \"next\": \"//a[@class='next']/@href"
                "\", \"max_pages\": 1}");
    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "html/careers-1.html", &page, err), 0,
           "html: XPath selectors");
    is_int(page.njobs, 4, "html: no filters, 4 jobs");
    ok(find(&page, "https://acme.example/careers/marketing-intern") != NULL,
       "html: default url is the item's first link");
    is_str(page.next_url, NULL, "html: max_pages 1 stops");
    js_page_free(&page);
    json_decref(src.config);

    /* the default id drops tracking parameters: the same job each run */
    source_init(&src, "html", u, "{\"list\": \"div.job\", \"fields\": "
                "{\"title\": \"h3\"}}");
    memset(&page, 0, sizeof(page));
    is_int(parse_str(&src, u, "<div class=\"job\"><h3>Engineer</h3>"
                     "<a href=\"/jobs/7?utm_source=linkedin&amp;id=7&amp;"
                     "gh_src=a1\">Apply</a></div>", &page, err), 0,
           "html: a link with tracking parameters");
    is_int(parse_str(&src, u, "<div class=\"job\"><h3>Engineer</h3>"
                     "<a href=\"/jobs/7?id=7&amp;utm_source=x&amp;"
                     "trk=feed\">Apply</a></div>", &page, err), 0,
           "html: the next run's link");
    is_int(page.njobs, 1, "html: one job, one id");
    is_str(page.jobs[0].external_id, "https://acme.example/jobs/7?id=7",
           "html: the id without tracking parameters");
    is_str(page.jobs[0].apply_url, "https://acme.example/jobs/7?utm_source="
           "linkedin&id=7&gh_src=a1", "html: apply_url as found");
    js_page_free(&page);
    json_decref(src.config);

    source_init(&src, "html", u, "{}");
    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "html/careers-1.html", &page, err), -1,
           "html: no selectors");
    like_str(err, "\"list\"", "html: error names the config");
    json_decref(src.config);

    source_init(&src, "html", u, "{\"list\": \"//div[\", \"fields\": "
                "{\"title\": \"h3\"}}");
    is_int(parse_file(&src, u, "html/careers-1.html", &page, err), -1,
           "html: invalid XPath");
    like_str(err, "invalid selector: Invalid", "html: error says so");
    json_decref(src.config);

    source_init(&src, "html", u, "{\"list\": \"div.job-card:first-child\", "
                "\"fields\": {\"title\": \"h3\"}}");
    is_int(parse_file(&src, u, "html/careers-1.html", &page, err), -1,
           "html: unsupported CSS");
    like_str(err, "invalid selector: unsupported CSS", "html: error says so");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_rss(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN];
    const char      *u = "https://jobs.example.org/feed.xml";

    source_init(&src, "rss", u, NULL);
    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "rss/feed.xml", &page, err), 0,
           "rss: parsed");
    is_int(page.njobs, 3, "rss: 3 items (no title skipped)");
    is_str(page.next_url, NULL, "rss: one page");

    j = job_of(&page, "job-101");
    is_str(j->title, "Backend Engineer (Remote)", "rss: title");
    is_str(j->location_type, "remote", "rss: Remote in the title");
    salary_is(j, 150000, 200000, "KES", JS_SALARY_MONTH,
              "rss: salary in the description");
    is_int(j->posted_at, 1748761200, "rss: RFC 822 pubDate");
    is_str(j->description, "Salary: KES 150,000 \xE2\x80\x93 200,000 per "
           "month\n\nWork from anywhere.", "rss: escaped HTML description");

    j = job_of(&page, "job-102");
    is_str(j->apply_url, "https://jobs.example.org/jobs/102",
           "rss: relative link");
    is_str(j->location, "Kampala, Uganda", "rss: location element");
    is_str(j->company, "Acme Uganda Ltd", "rss: company element");
    salary_is(j, 2500000, 3000000, "UGX", JS_SALARY_MONTH,
              "rss: salary element");
    is_str(j->employment_type, "full_time", "rss: job_type element");
    is_int(j->posted_at, 1748851200, "rss: dc:date");
    is_str(j->description, "Hybrid role in Kampala.\n\nIFRS & audits.",
           "rss: content:encoded preferred");

    j = job_of(&page, "https://jobs.example.org/jobs/103");
    is_str(j->title, "Driver \xE2\x80\x93 Eldoret", "rss: no guid, link id");
    is_int(j->posted_at, 0, "rss: bad pubDate");
    is_str(job_of(&page, "job-101")->nskills ? job_of(&page, "job-101")
           ->skills[0] : NULL, "engineering", "rss: category as a skill");
    js_page_free(&page);

    /* who is hiring: author fields, else the title */
    memset(&page, 0, sizeof(page));
    is_int(parse_str(&src, u, "<rss version=\"2.0\" xmlns:dc=\"http://purl."
                     "org/dc/elements/1.1/\"><channel>"
                     "<item><title>Go Developer at Safaricom (Nairobi)</title>"
                     "<guid>r1</guid><link>/r/1</link><category>Go</category>"
                     "<category>Kubernetes</category><category>go</category>"
                     "</item>"
                     "<item><title>Andela: Senior React Engineer</title>"
                     "<guid>r2</guid><link>/r/2</link></item>"
                     "<item><title>Data Analyst at Twiga Foods (Nairobi)"
                     "</title><location>Kisumu</location><guid>r3</guid>"
                     "<link>/r/3</link></item>"
                     "<item><title>QA Lead at Big Co (Kigali)</title><author>"
                     "jobs@m-kopa.example (M-KOPA)</author><guid>r4</guid>"
                     "<link>/r/4</link></item>"
                     "<item><title>Ops Manager</title><dc:creator>Copia Kenya"
                     "</dc:creator><guid>r5</guid><link>/r/5</link></item>"
                     "<item><title>Support Lead at Acme</title><author>"
                     "hr@acme.example</author><guid>r6</guid><link>/r/6"
                     "</link></item>"
                     "<item><title>Head of Growth at Scale at Zuri (Remote)"
                     "</title><guid>r7</guid><link>/r/7</link></item>"
                     "<item><title>at Nobody</title><guid>r8</guid>"
                     "<link>/r/8</link></item>"
                     "</channel></rss>", &page, err), 0,
           "rss: a feed of many companies");
    j = job_of(&page, "r1");
    is_str(j->title, "Go Developer", "rss: \"Title at Company (City)\"");
    is_str(j->company, "Safaricom", "rss: ... the company");
    is_str(j->location, "Nairobi", "rss: ... the city");
    is_int(j->nskills, 2, "rss: categories as skills, deduplicated");
    is_str(j->nskills > 1 ? j->skills[1] : NULL, "kubernetes",
           "rss: ... lower case");
    j = job_of(&page, "r2");
    is_str(j->title, "Senior React Engineer", "rss: \"Company: Title\"");
    is_str(j->company, "Andela", "rss: ... the company");
    j = job_of(&page, "r3");
    is_str(j->location, "Kisumu", "rss: a location element wins over the "
           "title's city");
    is_str(j->company, "Twiga Foods", "rss: ... the company still split");
    j = job_of(&page, "r4");
    is_str(j->company, "M-KOPA", "rss: author \"e-mail (Name)\"");
    is_str(j->title, "QA Lead at Big Co (Kigali)",
           "rss: ... the title then kept whole");
    is_str(job_of(&page, "r5")->company, "Copia Kenya", "rss: dc:creator");
    j = job_of(&page, "r6");
    is_str(j->title, "Support Lead", "rss: an e-mail author names no one");
    is_str(j->company, NULL, "rss: ... the source's own company is none");
    j = job_of(&page, "r7");
    is_str(j->title, "Head of Growth at Scale", "rss: the last \" at \" "
           "splits");
    is_str(j->company, "Zuri", "rss: ... the company");
    is_str(j->location_type, "remote", "rss: ... (Remote) as the location");
    is_str(job_of(&page, "r8")->title, "at Nobody",
           "rss: nothing before \" at \": kept");
    js_page_free(&page);
    json_decref(src.config);

    u = "https://jobs.example.org/atom.xml";
    source_init(&src, "atom", u, NULL);
    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "rss/atom.xml", &page, err), 0,
           "atom: parsed");
    is_int(page.njobs, 2, "atom: 2 entries");
    is_str(page.next_url, "https://jobs.example.org/atom.xml?page=2",
           "atom: rel=next");
    j = job_of(&page, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
    is_str(j->title, "Site Reliability Engineer & On-call",
           "atom: html title");
    is_str(j->apply_url, "https://jobs.example.org/jobs/sre",
           "atom: alternate link");
    is_int(j->posted_at, 1748772000, "atom: published");
    is_str(j->description, "On-site in Nairobi.\n\n- Linux", "atom: content");
    is_str(j->company, "Acme HR", "atom: author name");
    is_str(j->nskills == 1 ? j->skills[0] : NULL, "sre",
           "atom: category term as a skill");
    j = job_of(&page, "tag:jobs.example.org,2025:job-2");
    is_str(j->location_type, "remote", "atom: Remote title");
    salary_is(j, 50, 50, "USD", JS_SALARY_HOUR, "atom: pay in summary");
    is_int(j->posted_at, 1748854800, "atom: updated with offset");
    js_page_free(&page);

    is_int(parse_str(&src, u, "<html><body>hi</body></html>", &page, err),
           -1, "rss: XHTML is not a feed");
    like_str(err, "not an RSS or Atom feed", "rss: error says so");
    is_int(parse_str(&src, u, "not xml at all", &page, err), -1,
           "rss: not XML");
    like_str(err, "not well-formed", "rss: error says so");
    is_int(parse_str(&src, u,
                     "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
                     "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
                     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
                     "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
                     "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n]>\n"
                     "<rss><channel><item><title>&d;</title><guid>1</guid>"
                     "<link>http://x.example/</link></item></channel></rss>",
                     &page, err), -1, "rss: entity bomb refused");
    like_str(err, "rss: ", "rss: with an error");
    is_int(parse_str(&src, u,
                     "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
                     "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                     "<rss><channel><item><title>&x;</title><guid>1</guid>"
                     "<link>http://x.example/</link></item></channel></rss>",
                     &page, err), -1, "rss: external entity refused");
    like_str(err, "entities refused", "rss: error says so");
    is_int(page.njobs, 0, "rss: nothing from refused feeds");
    js_page_free(&page);
    json_decref(src.config);
}

/*
 * Every fixture cut short at 40 places, and with bytes flipped: each
 * parse is 0 or -1 with an error, and ASan watches memory.
 */
static void
test_hostile_fixtures(void)
{
    static const struct { const char *cls, *file, *config; }  cases[] = {
        { "greenhouse", "greenhouse/jobs.json", NULL },
        { "lever", "lever/postings.json", NULL },
        { "ashby", "ashby/job-board.json", NULL },
        { "workable", "workable/account.json", NULL },
        { "remotive", "remotive/remote-jobs.json", NULL },
        { "adzuna", "adzuna/search-1.json", NULL },
        { "jsonld", "jsonld/careers.html", "{\"next\": \"a[rel=next]\"}" },
        { "html", "html/careers-1.html", "{\"list\": \"div.job-card\", "
          "\"fields\": {\"title\": \"h3\", \"description\": \".summary\"}, "
          "\"next\": \"a.next\"}" },
        { "rss", "rss/feed.xml", NULL },
        { "atom", "rss/atom.xml", NULL },
        { "recruitee", "recruitee/offers.json", NULL },
        { "personio", "personio/positions.xml", NULL },
        { "teamtailor", "teamtailor/jobs-1.rss", NULL },
    };
    js_source_t  src;
    js_page_t    page;
    size_t       i, k, len, cut;
    char        *body, *copy, err[ERRLEN], name[128];
    int          rc, sane, failed_json;
    const char  *u = "http://127.0.0.1:1/v1/api/jobs/gb/search/1";

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        source_init(&src, cases[i].cls, u, cases[i].config);
        body = slurp(cases[i].file, &len);
        copy = malloc(len + 1);
        sane = 1;
        failed_json = 1;
        for (k = 1; k < 40; k++) {
            cut = len * k / 40;
            memcpy(copy, body, cut);
            memset(&page, 0, sizeof(page));
            rc = parse_body(&src, u, copy, cut, &page, err);
            if ((rc != 0 && rc != -1) || (rc == -1 && err[0] == '\0')) {
                sane = 0;
            }
            if (cases[i].file[strlen(cases[i].file) - 1] == 'n' && rc != -1)
            {
                failed_json = 0;          /* a cut JSON body is invalid */
            }
            js_page_free(&page);

            memcpy(copy, body, len);
            copy[len * k / 40] ^= (char) (0x80 | k);
            copy[(len * k / 7) % len] = (char) (k * 37);
            memset(&page, 0, sizeof(page));
            rc = parse_body(&src, u, copy, len, &page, err);
            if ((rc != 0 && rc != -1) || (rc == -1 && err[0] == '\0')) {
                sane = 0;
            }
            js_page_free(&page);
        }
        snprintf(name, sizeof(name), "%s: cut and corrupted bodies fail "
                 "cleanly", cases[i].cls);
        ok(sane, name);
        if (cases[i].file[strlen(cases[i].file) - 1] == 'n') {
            snprintf(name, sizeof(name), "%s: every cut JSON body is -1",
                     cases[i].cls);
            ok(failed_json, name);
        }
        free(copy);
        free(body);
        json_decref(src.config);
    }
}

static void
test_hostile_bodies(void)
{
    js_source_t  src;
    js_page_t    page;
    size_t       i, n = 200000;
    char        *big, err[ERRLEN];
    const char  *u = "https://acme.example/careers/";

    big = malloc(n * 5 + 200);

    /* JSON nested 200,000 deep */
    for (i = 0; i < n; i++) {
        big[i] = '[';
    }
    big[n] = '\0';
    source_init(&src, "lever", "acme", NULL);
    memset(&page, 0, sizeof(page));
    is_int(parse_str(&src, u, big, &page, err), -1, "deep JSON refused");
    json_decref(src.config);

    /* invalid UTF-8 in JSON */
    source_init(&src, "greenhouse", "acme", NULL);
    is_int(parse_str(&src, u, "{\"jobs\": [{\"id\": 1, \"title\": \"\xC3("
                     "\"}]}", &page, err), -1, "invalid UTF-8 JSON refused");
    like_str(err, "invalid JSON", "error says so");

    /* a 1 MB title is capped */
    strcpy(big, "{\"jobs\": [{\"id\": 7, \"absolute_url\": \"https://a.b/\", "
           "\"title\": \"");
    for (i = strlen(big); i < 1000000; i++) {
        big[i] = (char) ('a' + i % 26);
    }
    strcpy(big + i, "\"}]}");
    is_int(parse_str(&src, u, big, &page, err), 0, "huge title parsed");
    ok(page.njobs == 1 && strlen(page.jobs[0].title) <= JS_FIELD_MAX,
       "huge title capped");
    js_page_free(&page);
    json_decref(src.config);

    /* HTML nested 200,000 deep, and invalid UTF-8 in a page */
    for (i = 0; i < n; i++) {
        memcpy(big + i * 5, "<div>", 5);
    }
    strcpy(big + n * 5, "<div class=\"job\"><h2>Deep</h2>"
           "<a href=\"/x\">x</a></div>");
    source_init(&src, "html", u, "{\"list\": \"div.job\", \"fields\": "
                "{\"title\": \"h2\"}}");
    memset(&page, 0, sizeof(page));
    ok(parse_str(&src, u, big, &page, err) == 0, "deep HTML parsed");
    ok(page.njobs <= 1, "deep HTML: at most the one job");
    js_page_free(&page);
    is_int(parse_str(&src, u, "<div class=\"job\"><h2>Caf\xE9 \xFF</h2>"
                     "<a href=\"/c\">c</a></div>", &page, err), 0,
           "invalid UTF-8 HTML parsed");
    ok(page.njobs == 1 && valid_utf8(page.jobs[0].title),
       "title is valid UTF-8");
    js_page_free(&page);
    parse_str(&src, u, "<div class=\"job\"><h2>Caf\xC3\xA9 \xE2\x82\xAC"
              "</h2><a href=\"/c\">c</a></div>", &page, err);
    is_str(page.njobs == 1 ? page.jobs[0].title : NULL,
           "Caf\xC3\xA9 \xE2\x82\xAC", "UTF-8 page without a charset");
    js_page_free(&page);
    json_decref(src.config);

    source_init(&src, "jsonld", u, NULL);
    memset(&page, 0, sizeof(page));
    strcpy(big, "<script type=\"application/ld+json\">");
    for (i = 0; i < n; i++) {
        big[35 + i] = '[';
    }
    strcpy(big + 35 + n, "</script>");
    is_int(parse_str(&src, u, big, &page, err), 0, "deep JSON-LD skipped");
    is_int(page.njobs, 0, "no job from it");
    js_page_free(&page);
    json_decref(src.config);
    free(big);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        fixtures = argv[1];
    }
    test_registry();
    test_greenhouse();
    test_lever();
    test_ashby();
    test_workable();
    test_remotive();
    test_adzuna();
    test_jsonld();
    test_html();
    test_rss();
    test_hostile_fixtures();
    test_hostile_bodies();
    return done_testing();
}
