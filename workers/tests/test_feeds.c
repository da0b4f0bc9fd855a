/*
 * Unit tests of the boards read from a company's subdomain: Recruitee
 * (JSON offers), Personio (XML feed) and Teamtailor (RSS feed), each
 * against its fixture in t/fixtures/<provider>/ (fields, the provider's
 * remote / employment type / salary flags, pages, the limits of its
 * config) and against bodies that are not what it documents.  Cut and
 * corrupted fixtures: test_adapters.c's test_hostile_fixtures.
 *
 *   test_feeds [fixtures directory, default t/fixtures]
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter_test.h"

static void
first_url_is(const js_source_t *src, const char *want, const char *name)
{
    char  *url = NULL, err[ERRLEN];

    err[0] = '\0';
    js_adapter_find(src->scraper_class)->first_url(src, &url, err, ERRLEN);
    is_str(url ? url : err, want, name);
    free(url);
}

static void
test_recruitee(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN];
    const char      *u = "http://127.0.0.1:1/api/offers/";

    source_init(&src, "recruitee", "acme", NULL);
    first_url_is(&src, "https://acme.recruitee.com/api/offers/",
                 "recruitee: a subdomain gives the documented URL");
    src.source_url = "https://careers.acme.example/api/offers/";
    first_url_is(&src, "https://careers.acme.example/api/offers/",
                 "recruitee: a custom domain's URL as is");
    src.source_url = "acme/../x";
    first_url_is(&src, "source_url is neither an http(s) URL nor a company "
                 "subdomain", "recruitee: a path is no subdomain");
    src.source_url = "acme";

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "recruitee/offers.json", &page, err), 0,
           "recruitee: parsed");
    is_int(page.njobs, 3, "recruitee: 3 offers (closed, untitled, bad URL "
           "skipped)");
    is_str(page.next_url, NULL, "recruitee: one answer, no pages");
    ok(find(&page, "1804515") == NULL, "recruitee: a closed offer skipped");

    j = job_of(&page, "1804512");
    is_str(j->title, "Senior Backend Engineer (Go)", "recruitee: title");
    is_str(j->location, "Nairobi, Nairobi County, Kenya",
           "recruitee: location");
    is_str(j->location_type, "hybrid", "recruitee: hybrid flag");
    is_str(j->employment_type, "full_time", "recruitee: fulltime_permanent");
    salary_is(j, 300000, 450000, "KES", JS_SALARY_MONTH,
              "recruitee: salary object of numeric strings");
    is_int(j->posted_at, 1748772000, "recruitee: published_at in UTC");
    is_str(j->apply_url, "https://acme.recruitee.com/o/senior-backend-"
           "engineer-go", "recruitee: careers_url");
    ok(strstr(j->description, "Acme builds payments") == j->description
       && strstr(j->description, "- 5+ years of backend work") != NULL,
       "recruitee: description, then requirements");
    is_int(j->nskills, 2, "recruitee: tags as skills, deduplicated");
    is_str(j->nskills > 0 ? j->skills[0] : NULL, "go",
           "recruitee: skills lower case");
    is_str(j->company, NULL, "recruitee: the source's own company");

    j = job_of(&page, "1804513");
    is_str(j->location, "Kampala, Uganda", "recruitee: city and country");
    is_str(j->location_type, "remote", "recruitee: remote flag");
    is_str(j->employment_type, "contract",
           "recruitee: fulltime_fixed_term is a contract");
    salary_is(j, 4000, 5000, "USD", JS_SALARY_MONTH,
              "recruitee: no salary object, the description's pay line");
    is_str(j->apply_url, "http://127.0.0.1:1/o/data-engineer",
           "recruitee: relative careers_url resolved");
    is_int(j->posted_at, 1748935800, "recruitee: ISO 8601 published_at");

    j = job_of(&page, "1804514");
    is_str(j->location_type, "onsite", "recruitee: on_site flag");
    is_str(j->employment_type, "part_time", "recruitee: parttime_permanent");
    salary_is(j, 1200000, 1200000, "NGN", JS_SALARY_YEAR,
              "recruitee: a max alone");
    is_int(j->posted_at, 0, "recruitee: a bad date is 0");
    is_int(j->nskills, 0, "recruitee: tags of the wrong type");
    js_page_free(&page);

    is_int(parse_str(&src, u, "[]", &page, err), -1,
           "recruitee: an array is refused");
    like_str(err, "expected a JSON object", "recruitee: error says why");
    is_int(parse_str(&src, u, "{\"offers\": {}}", &page, err), -1,
           "recruitee: offers not an array");
    like_str(err, "recruitee: no \"offers\" array", "recruitee: error says "
             "so");
    is_int(parse_str(&src, u, "{\"offers\": [{\"id\": 1, \"title\": 2, "
                     "\"careers_url\": \"https://a.example/\", \"salary\": "
                     "\"lots\", \"remote\": \"yes\", \"tags\": [1, {}]}, "
                     "{\"id\": [], \"title\": \"x\"}]}", &page, err), 0,
           "recruitee: fields of the wrong type");
    is_int(page.njobs, 0, "recruitee: no job from them");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_personio(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN];
    const char      *u = "https://acme.jobs.personio.de/xml?language=en";

    source_init(&src, "personio", "acme", "{\"language\": \"en\"}");
    first_url_is(&src, "https://acme.jobs.personio.de/xml?language=en",
                 "personio: subdomain and config language");
    json_decref(src.config);
    source_init(&src, "personio", "http://127.0.0.1:1/xml", NULL);
    first_url_is(&src, "http://127.0.0.1:1/xml",
                 "personio: a URL as is, no language by default");

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, u, "personio/positions.xml", &page, err), 0,
           "personio: parsed");
    is_int(page.njobs, 4, "personio: 4 positions (no id, no name skipped)");
    is_str(page.next_url, NULL, "personio: one answer, no pages");

    j = job_of(&page, "2800938");
    is_str(j->title, "Backend Engineer (m/w/d)", "personio: name");
    is_str(j->apply_url, "https://acme.jobs.personio.de/job/2800938",
           "personio: the job's page on the feed's host");
    is_str(j->location, "Berlin; Remote", "personio: office and additional "
           "offices");
    is_str(j->location_type, "remote", "personio: a Remote office");
    is_str(j->employment_type, "full_time", "personio: permanent full-time");
    is_str(j->description, "About the role\n\nBuild our payments platform "
           "in Go.\n\nWhat we offer\n\n- Salary: EUR 60,000 - 75,000 per "
           "year\n- 30 days of holiday", "personio: description blocks");
    salary_is(j, 60000, 75000, "EUR", JS_SALARY_YEAR,
              "personio: the pay line of the description");
    is_int(j->posted_at, 1748772000, "personio: createdAt");
    is_int(j->nskills, 3, "personio: keywords as skills, deduplicated");
    is_str(j->company, NULL, "personio: the source's own company");

    j = job_of(&page, "2800939");
    is_str(j->location, "M\xC3\xBCnchen", "personio: entity in office");
    is_str(j->employment_type, "internship",
           "personio: intern wins over part-time");
    is_int(j->posted_at, 1748845800, "personio: createdAt with offset");

    j = job_of(&page, "2800940");
    is_str(j->location_type, "remote", "personio: Nairobi (Remote)");
    is_str(j->employment_type, "contract", "personio: freelance");
    is_str(j->description, NULL, "personio: no description blocks");
    is_int(j->posted_at, 0, "personio: a bad date is 0");

    j = job_of(&page, "2800941");
    is_str(j->employment_type, "part_time", "personio: permanent part-time");
    is_str(j->location_type, NULL, "personio: an office says no type");
    js_page_free(&page);

    is_int(parse_str(&src, u, "<rss><channel/></rss>", &page, err), -1,
           "personio: another XML document");
    like_str(err, "personio: not a job feed", "personio: error says so");
    is_int(parse_str(&src, u, "<!DOCTYPE html><html><body>Page not found",
                     &page, err), -1, "personio: an HTML 404 page");
    like_str(err, "personio: ", "personio: error names the adapter");
    is_int(parse_str(&src, u,
                     "<?xml version=\"1.0\"?>\n<!DOCTYPE w [\n"
                     "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                     "<workzag-jobs><position><id>1</id><name>&x;</name>"
                     "</position></workzag-jobs>", &page, err), -1,
           "personio: external entity refused");
    like_str(err, "entities refused", "personio: error says so");
    is_int(parse_str(&src, u, "<workzag-jobs><position><id>1</id><name>"
                     "<b>bold</b></name><keywords/></position>"
                     "<position><id><x/></id><name>n</name></position>"
                     "</workzag-jobs>", &page, err), 0,
           "personio: odd elements");
    is_int(page.njobs, 1, "personio: the one with an id and a name");
    js_page_free(&page);
    json_decref(src.config);
}

static void
test_teamtailor(void)
{
    js_source_t      src;
    js_page_t        page;
    const js_job_t  *j;
    char             err[ERRLEN], *url = NULL;

    source_init(&src, "teamtailor", "acme.na", NULL);
    first_url_is(&src, "https://acme.na.teamtailor.com/jobs.rss?per_page=50"
                 "&offset=0", "teamtailor: subdomain, default page size");
    json_decref(src.config);
    source_init(&src, "teamtailor", "http://127.0.0.1:1/jobs.rss",
                "{\"per_page\": 3, \"max_pages\": 2}");
    js_adapter_find("teamtailor")->first_url(&src, &url, err, ERRLEN);
    is_str(url, "http://127.0.0.1:1/jobs.rss?per_page=3&offset=0",
           "teamtailor: config per_page");

    memset(&page, 0, sizeof(page));
    is_int(parse_file(&src, url, "teamtailor/jobs-1.rss", &page, err), 0,
           "teamtailor: page 1 parsed");
    free(url);
    is_int(page.njobs, 3, "teamtailor: 3 jobs");
    is_str(page.next_url, "http://127.0.0.1:1/jobs.rss?per_page=3&offset=3",
           "teamtailor: a full page asks for the next");

    j = job_of(&page, "0b5f7c1e-6a1d-4a8e-9f3b-2c4d5e6f7a81");
    is_str(j->title, "Backend Engineer", "teamtailor: title");
    is_str(j->location, "Nairobi, Kenya; Kigali, Rwanda",
           "teamtailor: every tt:location's city and country");
    is_str(j->location_type, "hybrid", "teamtailor: remoteStatus hybrid");
    salary_is(j, 250000, 350000, "KES", JS_SALARY_MONTH,
              "teamtailor: the description's pay line");
    is_int(j->posted_at, 1748847600, "teamtailor: pubDate");
    is_str(j->apply_url, "https://acme.teamtailor.com/jobs/512345-backend-"
           "engineer", "teamtailor: link");
    is_str(j->company, NULL, "teamtailor: the source's own company");

    j = job_of(&page, "0b5f7c1e-6a1d-4a8e-9f3b-2c4d5e6f7a82");
    is_str(j->title, "Head of Growth: EMEA",
           "teamtailor: a colon is no company (the board is the company's)");
    is_str(j->location_type, "remote", "teamtailor: remoteStatus fully");
    is_str(j->location, NULL, "teamtailor: no locations");

    j = job_of(&page, "0b5f7c1e-6a1d-4a8e-9f3b-2c4d5e6f7a83");
    is_str(j->location, "Mombasa depot", "teamtailor: a location's name");
    is_str(j->location_type, "onsite", "teamtailor: remoteStatus none");

    url = strdup(page.next_url);
    is_int(parse_file(&src, url, "teamtailor/jobs-2.rss", &page, err), 0,
           "teamtailor: page 2 parsed");
    free(url);
    is_int(page.njobs, 4, "teamtailor: 4 jobs in all (no title skipped)");
    is_str(page.next_url, NULL, "teamtailor: a short page is the last");
    is_str(job_of(&page, "0b5f7c1e-6a1d-4a8e-9f3b-2c4d5e6f7a84")
           ->location_type, "hybrid",
           "teamtailor: remoteStatus temporary beats (Remote)");
    js_page_free(&page);

    /* max_pages 2: a full second page asks for no third */
    memset(&page, 0, sizeof(page));
    parse_file(&src, "http://127.0.0.1:1/jobs.rss?per_page=3&offset=0",
               "teamtailor/jobs-1.rss", &page, err);
    parse_file(&src, "http://127.0.0.1:1/jobs.rss?per_page=3&offset=3",
               "teamtailor/jobs-1.rss", &page, err);
    is_str(page.next_url, NULL, "teamtailor: max_pages stops");
    is_int(page.njobs, 3, "teamtailor: the same jobs again are not added");
    js_page_free(&page);

    is_int(parse_str(&src, "http://127.0.0.1:1/jobs.rss",
                     "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", &page,
                     err), -1, "teamtailor: an Atom feed refused");
    like_str(err, "teamtailor: an Atom feed", "teamtailor: error says so");
    is_int(parse_str(&src, "http://127.0.0.1:1/jobs.rss", "<html><body>"
                     "</body></html>", &page, err), -1,
           "teamtailor: not a feed");
    like_str(err, "teamtailor: not an RSS or Atom feed",
             "teamtailor: error says so");
    js_page_free(&page);
    json_decref(src.config);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        fixtures = argv[1];
    }
    test_recruitee();
    test_personio();
    test_teamtailor();
    return done_testing();
}
