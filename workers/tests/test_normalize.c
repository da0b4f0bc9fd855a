/*
 * Unit tests for adapters/normalize.c: salaries, location and
 * employment types, clean text, URLs, dates, keyword filters, and the
 * checks every job passes before it reaches the scraper.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "adapter.h"
#include "normalize.h"
#include "tap.h"

/* Parses text and checks every salary field; name is the text. */
static void
salary_is(const char *text, int has, double min, double max,
    const char *currency, js_salary_period_e period)
{
    js_job_t  job;
    char      name[200];

    memset(&job, 0, sizeof(job));
    js_salary_parse(&job, text, NULL);
    snprintf(name, sizeof(name), "salary \"%s\"", text);
    if (!has) {
        ok(!job.has_salary && job.salary_min == 0 && job.salary_max == 0,
           name);
        return;
    }
    if (!ok(job.has_salary && fabs(job.salary_min - min) < 0.001
            && fabs(job.salary_max - max) < 0.001
            && strcmp(job.salary_currency, currency) == 0
            && job.salary_period == period, name))
    {
        printf("#   got has=%d min=%.2f max=%.2f cur='%s' period=%d\n",
               job.has_salary, job.salary_min, job.salary_max,
               job.salary_currency, job.salary_period);
    }
}

static void
test_salary(void)
{
    js_job_t  job;

    salary_is("KES 150,000 \xE2\x80\x93 200,000 per month", 1, 150000,
              200000, "KES", JS_SALARY_MONTH);
    salary_is("Ksh 80k-120k/month", 1, 80000, 120000, "KES",
              JS_SALARY_MONTH);
    salary_is("KSh. 80,000 - 120,000 gross monthly", 1, 80000, 120000,
              "KES", JS_SALARY_MONTH);
    salary_is("$120,000 - $150,000 a year", 1, 120000, 150000, "USD",
              JS_SALARY_YEAR);
    salary_is("USD 50/hour", 1, 50, 50, "USD", JS_SALARY_HOUR);
    salary_is("\xE2\x82\xAC" "60k", 1, 60000, 60000, "EUR",
              JS_SALARY_UNKNOWN);
    salary_is("Competitive", 0, 0, 0, "", 0);
    salary_is("0", 0, 0, 0, "", 0);
    salary_is("", 0, 0, 0, "", 0);
    salary_is("up to \xC2\xA3" "40,000 p.a.", 1, 0, 40000, "GBP",
              JS_SALARY_YEAR);
    salary_is("from R25 000 pm", 1, 25000, 25000, "ZAR", JS_SALARY_MONTH);
    salary_is("\xE2\x82\xA6" "450,000 to \xE2\x82\xA6" "600,000 monthly", 1,
              450000, 600000, "NGN", JS_SALARY_MONTH);
    salary_is("UGX 2,500,000 - 3,000,000 per month", 1, 2500000, 3000000,
              "UGX", JS_SALARY_MONTH);
    salary_is("80-120k USD per annum", 1, 80000, 120000, "USD",
              JS_SALARY_YEAR);
    salary_is("200,000 - 150,000 KES monthly", 1, 150000, 200000, "KES",
              JS_SALARY_MONTH);
    salary_is("$45.50 an hour", 1, 45.5, 45.5, "USD", JS_SALARY_HOUR);
    salary_is("1.2m - 1.5m TZS per year", 1, 1200000, 1500000, "TZS",
              JS_SALARY_YEAR);
    salary_is("$5,000,000 per hour", 0, 0, 0, "", 0);
    salary_is("$3 a year", 0, 0, 0, "", 0);
    salary_is("$10 - $90,000", 0, 0, 0, "", 0);
    salary_is("-5000 USD", 1, 5000, 5000, "USD", JS_SALARY_UNKNOWN);
    salary_is("99999999999999999999999 EUR", 0, 0, 0, "", 0);
    salary_is("try 50 mad cops", 1, 50, 50, "", JS_SALARY_UNKNOWN);

    memset(&job, 0, sizeof(job));
    ok(js_salary_set(&job, 200000, 150000, "usd", JS_SALARY_YEAR)
       && job.salary_min == 150000 && job.salary_max == 200000
       && strcmp(job.salary_currency, "USD") == 0,
       "min > max is swapped, the code upper-cased");
    ok(!js_salary_set(&job, -1, 100, "USD", JS_SALARY_YEAR)
       && !job.has_salary, "negative salary dropped");
    ok(!js_salary_set(&job, NAN, 100, "USD", JS_SALARY_YEAR),
       "NaN dropped");
    ok(!js_salary_set(&job, 0, 0, "USD", JS_SALARY_MONTH), "zero dropped");
    ok(!js_salary_set(&job, 3000, 3000, "USD", JS_SALARY_HOUR),
       "$3000 an hour dropped");
    ok(js_salary_set(&job, 3000, 3000, "KES", JS_SALARY_HOUR),
       "KES 3000 an hour kept");
    ok(js_salary_set(&job, 30, 60, "XYZ", JS_SALARY_HOUR)
       && job.salary_currency[0] == '\0', "unknown currency left empty");
    ok(js_salary_set(&job, 5e6, 6e6, NULL, JS_SALARY_YEAR),
       "no currency: wide bounds");

    is_int(js_salary_period("1 YEAR"), JS_SALARY_YEAR, "Ashby interval");
    is_int(js_salary_period("per-month-salary"), JS_SALARY_MONTH,
           "Lever interval");
    is_int(js_salary_period("HOUR"), JS_SALARY_HOUR, "schema.org unitText");
    is_int(js_salary_period("weekly"), JS_SALARY_WEEK, "weekly");
    is_int(js_salary_period("per day"), JS_SALARY_DAY, "per day");
    is_int(js_salary_period("ONE_TIME"), JS_SALARY_UNKNOWN, "no period");

    is_str(js_currency_code("Ksh"), "KES", "Ksh");
    is_str(js_currency_code("KShs"), "KES", "KShs");
    is_str(js_currency_code("$"), "USD", "$");
    is_str(js_currency_code("\xC2\xA3"), "GBP", "pound sign");
    is_str(js_currency_code("eur"), "EUR", "lower-case code");
    is_str(js_currency_code("Competitive"), NULL, "no currency");
}

static void
test_location_type(void)
{
    is_str(js_location_type(NULL, "Remote - Kenya", NULL), "remote",
           "Remote - Kenya");
    is_str(js_location_type(NULL, "Hybrid (Nairobi)", NULL), "hybrid",
           "Hybrid (Nairobi)");
    is_str(js_location_type(NULL, "Anywhere", NULL), "remote", "Anywhere");
    is_str(js_location_type(NULL, "Nairobi", "Backend Engineer (WFH)"),
           "remote", "WFH in the title");
    is_str(js_location_type(NULL, "On-site, Lagos", NULL), "onsite",
           "On-site");
    is_str(js_location_type(NULL, "Nairobi, Kenya", "Engineer"), NULL,
           "a city alone says nothing");
    is_str(js_location_type(NULL, "Remote or hybrid, Berlin", NULL),
           "hybrid", "hybrid wins over remote");
    is_str(js_location_type(NULL, "Kampala (not remote)", NULL), "onsite",
           "not remote");
    is_str(js_location_type("TELECOMMUTE", "Nairobi", NULL), "remote",
           "schema.org TELECOMMUTE");
    is_str(js_location_type("OnSite", "Remote", NULL), "onsite",
           "the provider's flag wins");
    is_str(js_location_type("unspecified", "Remote, US", NULL), "remote",
           "unspecified flag ignored");
    is_str(js_location_type(NULL, "Remotely", "Office Manager"), "remote",
           "office in a title is no marker");
    is_str(js_location_type(NULL, "Premote", NULL), NULL, "word-wise");

    is_str(js_employment_type("Full-time"), "full_time", "Full-time");
    is_str(js_employment_type("FULL_TIME"), "full_time", "FULL_TIME");
    is_str(js_employment_type("FullTime"), "full_time", "FullTime");
    is_str(js_employment_type("Permanent"), "full_time", "Permanent");
    is_str(js_employment_type("PartTime"), "part_time", "PartTime");
    is_str(js_employment_type("CONTRACTOR"), "contract", "CONTRACTOR");
    is_str(js_employment_type("freelance"), "contract", "freelance");
    is_str(js_employment_type("Full-time, 6 month contract"), "contract",
           "a full-time contract is a contract");
    is_str(js_employment_type("Intern"), "internship", "Intern");
    is_str(js_employment_type("International"), NULL, "not an intern");
    is_str(js_employment_type("TEMPORARY"), "temporary", "TEMPORARY");
    is_str(js_employment_type("VOLUNTEER"), NULL, "unknown");
    is_str(js_employment_type(NULL), NULL, "NULL");
}

static void
text_is(const char *html, const char *expected, const char *name)
{
    char  *t = js_html_to_text(html, strlen(html), JS_DESCRIPTION_MAX);

    is_str(t, expected, name);
    free(t);
}

static void
line_is(const char *s, const char *expected, const char *name)
{
    char  *t = js_text_line(s, strlen(s), JS_FIELD_MAX);

    is_str(t, expected, name);
    free(t);
}

static void
test_text(void)
{
    char        *t, *big;
    const char  *s;
    size_t       i, n;
    json_t      *j;

    text_is("<p>Hello&nbsp;<b>world</b> &amp; friends</p><p>Second</p>",
            "Hello world & friends\n\nSecond", "paragraphs and entities");
    text_is("<ul><li>One</li><li>Two &#8211; &#x2014;</li></ul>",
            "- One\n- Two \xE2\x80\x93 \xE2\x80\x94", "lists, numeric "
            "entities");
    text_is("a<script>alert('<p>x</p>')</script>b<style>p{}</style>c",
            "abc", "script and style dropped");
    text_is("x<!-- <p>hidden</p> -->y", "xy", "comments dropped");
    text_is("  lots   of\n\n\n  space\t\there  ", "lots of space here",
            "whitespace collapsed");
    text_is("line<br>break<br/><br>again", "line\nbreak\nagain",
            "br is a line break");
    text_is("a < b && c > d", "a < b && c > d", "literal < and &");
    text_is("<a href=\"x>y\">link</a> text", "link text",
            "'>' inside a quoted attribute");
    text_is("caf\xC3\xA9 \xF0\x9F\x9A\x80", "caf\xC3\xA9 \xF0\x9F\x9A\x80",
            "UTF-8 kept");
    text_is("bad \xC3( \xFF end", "bad \xEF\xBF\xBD( \xEF\xBF\xBD end",
            "invalid UTF-8 replaced");
    text_is("&#0;&#xD800;&#1114112;&#150;",
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xE2\x80\x93",
            "bad numeric entities, Windows-1252 range");
    text_is("ctl\x01\x7f chars", "ctl chars", "control characters dropped");
    text_is("unterminated <b tag", "unterminated", "truncated tag");
    text_is("<div><div><div>deep</div></div></div>", "deep", "nesting");

    s = "&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;";
    t = js_entities_decode(s, strlen(s));
    is_str(t, "<p>Tom &amp; Jerry</p>", "entities decoded once");
    free(t);

    line_is("  Senior\n Engineer &amp; Lead  ", "Senior Engineer & Lead",
            "one line");
    line_is("<p>\n</p>", NULL, "empty line is NULL");

    /* a long description is capped on a character boundary */
    n = 100000;
    big = malloc(n + 1);
    for (i = 0; i < n; i += 2) {
        big[i] = '\xC3';
        big[i + 1] = '\xA9';
    }
    big[n] = '\0';
    t = js_html_to_text(big, n, 1001);
    ok(t != NULL && strlen(t) <= 1001, "capped at max bytes");
    j = t ? json_string(t) : NULL;
    ok(j != NULL, "capped text is valid UTF-8");
    json_decref(j);
    ok(t != NULL && strcmp(t + strlen(t) - 3, "\xE2\x80\xA6") == 0,
       "ends with an ellipsis");
    free(t);

    /* deeply nested markup costs no recursion */
    for (i = 0; i + 5 <= n; i += 5) {
        memcpy(big + i, "<div>", 5);
    }
    big[i] = '\0';
    t = js_html_to_text(big, i, 100);
    is_str(t, "", "100 KB of open tags");
    free(t);
    free(big);
}

static void
url_is(const char *base, const char *ref, const char *expected)
{
    char  *u = js_url_resolve(base, ref);
    char   name[300];

    snprintf(name, sizeof(name), "url %s + %s", base ? base : "NULL",
             ref ? ref : "NULL");
    is_str(u, expected, name);
    free(u);
}

static void
test_url(void)
{
    char  *u, *big;

    url_is("https://acme.example/careers/list?page=2", "/jobs/42",
           "https://acme.example/jobs/42");
    url_is("https://acme.example/careers/list", "job?id=7",
           "https://acme.example/careers/job?id=7");
    url_is("https://acme.example/careers/", "../apply#form",
           "https://acme.example/apply#form");
    url_is("https://acme.example/a", "//cdn.example/x",
           "https://cdn.example/x");
    url_is("https://acme.example/a", "  https://other.example/y  ",
           "https://other.example/y");
    url_is("https://acme.example/a", "javascript:alert(1)", NULL);
    url_is("https://acme.example/a", "mailto:jobs@acme.example", NULL);
    url_is("https://acme.example/a", "ftp://acme.example/f", NULL);
    url_is(NULL, "/relative", NULL);
    url_is(NULL, "http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x");
    url_is("https://acme.example/", "/jobs/caf\xC3\xA9 senior",
           "https://acme.example/jobs/caf%C3%A9%20senior");
    url_is("https://acme.example/", "/a\x01b", NULL);
    url_is("https://acme.example/", "", NULL);
    url_is("https://acme.example/", NULL, NULL);

    big = malloc(5000);
    memset(big, 'a', 4999);
    big[4999] = '\0';
    memcpy(big, "https://x.example/", 18);
    u = js_url_resolve(NULL, big);
    is_str(u, NULL, "a 5000-byte URL is refused");
    free(u);
    free(big);

    u = js_url_set_param("http://h/p?a=1&skip=0&b=2#f", "skip", "100");
    is_str(u, "http://h/p?a=1&skip=100&b=2#f", "param replaced");
    free(u);
    u = js_url_set_param("http://h/p", "q", "a b&c");
    is_str(u, "http://h/p?q=a%20b%26c", "param appended, escaped");
    free(u);
    u = js_url_set_param("http://h/p?x=1", "q", "v");
    is_str(u, "http://h/p?x=1&q=v", "param appended after others");
    free(u);
}

static void
test_dates(void)
{
    is_int(js_date_parse("2025-06-01T10:00:00Z"), 1748772000, "ISO Z");
    is_int(js_date_parse("2025-06-01T13:00:00.123+03:00"), 1748772000,
           "ISO with fraction and offset");
    is_int(js_date_parse("2016-01-14T10:55:28-05:00"), 1452786928,
           "Greenhouse updated_at");
    is_int(js_date_parse("2025-06-01T10:00:00"), 1748772000,
           "ISO without a zone is UTC");
    is_int(js_date_parse("2025-06-01"), 1748736000, "ISO date");
    is_int(js_date_parse("Sun, 01 Jun 2025 10:00:00 GMT"), 1748772000,
           "RFC 822 GMT");
    is_int(js_date_parse("Sun, 01 Jun 2025 06:00:00 -0400"), 1748772000,
           "RFC 822 offset");
    is_int(js_date_parse("1 Jun 2025 05:00 EST"), 1748772000,
           "RFC 822 without weekday or seconds");
    is_int(js_date_parse("2025-02-30T00:00:00Z"), 0, "Feb 30th");
    is_int(js_date_parse("2024-02-29"), 1709164800, "leap day");
    is_int(js_date_parse("1970-01-01"), 0, "before 1990");
    is_int(js_date_parse("yesterday"), 0, "prose");
    is_int(js_date_parse("2025-06-01T10:00:00Zjunk"), 0, "trailing junk");
    is_int(js_date_parse(NULL), 0, "NULL");
}

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

static void
test_endpoint(void)
{
    js_source_t  src;
    char        *url, err[256];

    memset(&src, 0, sizeof(src));
    src.config = json_object();

    src.source_url = "acme";
    ok(js_source_endpoint(&src, "https://boards.example", "/v1/boards/",
                          "/jobs", &url, err, sizeof(err)) == 0,
       "a token");
    is_str(url, "https://boards.example/v1/boards/acme/jobs",
           "default base");
    free(url);

    json_object_set_new(src.config, "api_base",
                        json_string("http://127.0.0.1:9/"));
    js_source_endpoint(&src, "https://boards.example", "/v1/boards/",
                       "/jobs", &url, err, sizeof(err));
    is_str(url, "http://127.0.0.1:9/v1/boards/acme/jobs", "api_base");
    free(url);

    src.source_url = "http://127.0.0.1:9/custom?x=1";
    js_source_endpoint(&src, "https://b", "/", "", &url, err, sizeof(err));
    is_str(url, "http://127.0.0.1:9/custom?x=1", "a URL is verbatim");
    free(url);

    src.source_url = "../etc/passwd?";
    is_int(js_source_endpoint(&src, "https://b", "/", "", &url, err,
                              sizeof(err)), -1, "a bad token");
    like_str(err, "board token", "error says why");

    src.source_url = NULL;
    is_int(js_source_endpoint(&src, "https://b", "/", "", &url, err,
                              sizeof(err)), -1, "no source_url");

    json_object_set_new(src.config, "max_pages", json_string("7"));
    is_int(js_config_max_pages(&src), 7, "max_pages from a string");
    json_object_set_new(src.config, "max_pages", json_integer(100000));
    is_int(js_config_max_pages(&src), 100, "max_pages capped");
    json_decref(src.config);
}

int
main(void)
{
    test_salary();
    test_location_type();
    test_text();
    test_url();
    test_dates();
    test_keywords();
    test_page_take();
    test_endpoint();
    return done_testing();
}
