/*
 * Normalization shared by the source adapters: clean text from HTML,
 * absolute URLs, salaries, location type, employment type, dates, and
 * the last step of every job (js_page_take), so that every adapter
 * hands the scraper jobs of the same shape.
 *
 * Every function takes hostile input: any bytes, any length.  Strings
 * returned are malloc'ed, valid UTF-8 (invalid sequences become U+FFFD)
 * and free of control characters other than '\n'.
 */

#ifndef JS_NORMALIZE_H
#define JS_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "adapter.h"

/* Byte caps, truncation on a UTF-8 boundary with a trailing "…". */
#define JS_DESCRIPTION_MAX   20000   /* job descriptions */
#define JS_FIELD_MAX         300     /* title, company, location */
#define JS_URL_MAX           2048    /* longer URLs are refused */
#define JS_ID_MAX            2048    /* longer ids are refused: some ids
                                        are URLs */

/* A page holds at most this many jobs; later ones are skipped. */
#define JS_PAGE_MAX_JOBS     10000
/* Pagination stops after this many pages unless config says less. */
#define JS_MAX_PAGES         20

/*
 * A growable string: errors stick (oom), js_buf_take returns the string
 * ("" when nothing was added) or NULL when out of memory, and frees it
 * then.  Start from js_buf_t b = { 0 }.
 */
typedef struct {
    char    *p;
    size_t   len;
    size_t   cap;
    int      oom;
} js_buf_t;

void js_buf_add(js_buf_t *b, const char *s, size_t n);
void js_buf_str(js_buf_t *b, const char *s);      /* s may be NULL */
char *js_buf_take(js_buf_t *b);

/*
 * Text.
 *
 * js_html_to_text: tags stripped, <script>, <style>, <head> and
 * comments dropped, entities decoded (named and numeric), whitespace
 * collapsed, block elements (p, div, br, li, h1-h6, tr, ...) kept as
 * line breaks with at most one blank line, "- " before list items,
 * capped at max bytes.  "" for nothing, NULL only when out of memory.
 *
 * js_text_line: the same on one line (titles, locations): every break
 * becomes a space; NULL when nothing is left (or out of memory).
 *
 * js_plain_to_text: the same for plain text: no markup or entities,
 * its own line breaks kept.
 *
 * js_entities_decode: entities only (Greenhouse escapes its HTML).
 */
char *js_html_to_text(const char *html, size_t len, size_t max);
char *js_plain_to_text(const char *s, size_t len, size_t max);
char *js_text_line(const char *s, size_t len, size_t max);
char *js_entities_decode(const char *s, size_t len);

/*
 * URLs.
 *
 * js_url_resolve: ref resolved against base (RFC 3986), trimmed; NULL
 * unless the result is an absolute http or https URL with a host, no
 * control characters or spaces, at most JS_URL_MAX bytes.  base may be
 * NULL when ref is absolute.
 *
 * js_url_set_param: url with the query parameter name set to value
 * (replaced when present, else appended), value percent-encoded.
 *
 * js_url_escape: percent-encodes everything but RFC 3986 unreserved.
 */
char *js_url_resolve(const char *base, const char *ref);
char *js_url_set_param(const char *url, const char *name, const char *value);
/* The same in place: *url replaced (and freed); -1 when out of memory,
 * *url then NULL. */
int js_url_param(char **url, const char *name, const char *value);
char *js_url_escape(const char *s);

/*
 * Salaries.
 *
 * js_salary_set: stores a range in job after checks: min > max are
 * swapped; negative, zero maximum, NaN, a max over 100 times the min,
 * or a value absurd for the period (converted to a rough US dollar
 * figure with a table of orders of magnitude: an hourly rate over
 * $2,000, a year under $300 or over $5M, ...) leave has_salary = 0.
 * min 0 means "up to max".  currency may be NULL or unknown (then
 * salary_currency stays ""); returns 1 when stored.
 *
 * js_salary_parse: the same from free text: "KES 150,000 – 200,000 per
 * month", "Ksh 80k-120k/month", "$120,000 - $150,000 a year", "USD
 * 50/hour", "€60k", "up to £40,000", "from R25 000 pm".  Text without
 * digits ("Competitive") or with nonsense gives 0.  currency is the
 * default when the text names none.
 *
 * js_salary_period: "HOUR", "per annum", "1 YEAR", "monthly", "yr",
 * ... to a period; JS_SALARY_UNKNOWN otherwise.
 *
 * js_currency_code: "$", "US$", "Ksh", "kes", "€", "₦", "R" ... to an
 * ISO 4217 code; NULL when unknown.
 */
int js_salary_set(js_job_t *job, double min, double max,
    const char *currency, js_salary_period_e period);
int js_salary_parse(js_job_t *job, const char *text, const char *currency);
js_salary_period_e js_salary_period(const char *s);
/* js_salary_parse on the first line of a clean description that talks
 * of pay ("Salary", "Compensation", "Pay range", "Remuneration"). */
int js_salary_from_text(js_job_t *job, const char *text,
    const char *currency);
const char *js_currency_code(const char *s);

/*
 * js_location_type: "remote", "hybrid", "onsite" or NULL.  hint is a
 * provider's explicit flag ("Remote", "OnSite", "TELECOMMUTE",
 * "hybrid"; NULL or "unspecified" for none) and wins; else the
 * location, then the title, are searched word-wise, case-insensitive:
 * "hybrid"; "remote", "anywhere", "WFH", "work from home",
 * "telecommute", "home based"; "on-site", "onsite", "in office";
 * "not remote" / "non-remote" is on-site.
 *
 * js_employment_type: "full_time", "part_time", "contract",
 * "internship", "temporary" or NULL, from any provider's spelling
 * ("Full-time", "FULL_TIME", "FullTime", "Permanent", "CONTRACTOR",
 * "freelance", "Intern", ...).
 */
const char *js_location_type(const char *hint, const char *location,
    const char *title);
const char *js_employment_type(const char *s);

/*
 * js_date_parse: ISO 8601 ("2025-06-01", "2025-06-01T10:00:00.123Z",
 * "2025-06-01T10:00:00-04:00", "2025-06-01 10:00:00") and RFC 822 /
 * 1123 ("Sun, 01 Jun 2025 10:00:00 GMT", "+0300", "EST") to Unix
 * seconds; a time without a zone is UTC; 0 when unparseable or before
 * 1990.
 */
int64_t js_date_parse(const char *s);

/* Keyword match, word-wise and case-insensitive: 1 when one of the
 * words sequences of kw (a JSON array of strings) occurs in text. */
int js_keywords_match(const char *text, json_t *kw);

/* Adds a skill tag (trimmed, lower case, deduplicated, at most 50 of
 * 64 bytes); 0 or -1 when out of memory. */
int js_job_add_skill(js_job_t *job, const char *skill);

/*
 * The last step of every job an adapter builds: moves *job into page
 * (1) or frees it (0).  Skipped: no external_id (or longer than
 * JS_ID_MAX), no title, no valid apply_url, an external_id already in
 * the page, a full page, or a title that fails the source's keyword
 * filters: config "include_keywords" (or seed 004's "keyword_filters")
 * and "exclude_keywords".  Fills location_type from location and title
 * when the adapter left it NULL.  -1 when out of memory.
 */
int js_page_take(js_page_t *page, const js_source_t *src, js_job_t *job);

/* Replaces page->next_url with url (owned; NULL ends), refusing the
 * URL just fetched and stopping after max_pages. */
void js_page_set_next(js_page_t *page, const char *fetched, char *url,
    unsigned max_pages);

/*
 * Reading provider JSON and the source's config.
 */
/* Parses body: -1 with err unless it is JSON of the given type
 * (JSON_OBJECT or JSON_ARRAY). */
int js_json_parse(const char *body, size_t len, json_type type,
    json_t **root, char *err, size_t errlen);
/* A job object of a provider's list, appended to page: -1 when out of
 * memory. */
typedef int (*js_json_job_pt)(const js_source_t *src, const char *url,
    json_t *o, js_page_t *page);
/* One page that is a JSON object whose "jobs" array lists every job
 * (greenhouse, ashby, workable, remotive): each object goes to job. */
int js_json_jobs_parse(const js_source_t *src, const char *url,
    const char *body, size_t len, const char *provider, js_json_job_pt job,
    js_page_t *page, char *err, size_t errlen);
/* The string at key, NULL when absent or not a string. */
const char *js_json_str(json_t *obj, const char *key);
/* A string (at most JS_ID_MAX bytes) or integer id as a malloc'ed
 * string, NULL otherwise: at key, or the value itself. */
char *js_json_id(json_t *obj, const char *key);
char *js_json_id_value(json_t *v);
/* A number (integer, real or numeric string) at key, or -1 with *v
 * untouched. */
int js_json_number(json_t *obj, const char *key, double *v);
/* A one-line clean copy of the string at key, NULL when none. */
char *js_json_line(json_t *obj, const char *key);

const char *js_config_str(const js_source_t *src, const char *key);
long js_config_int(const js_source_t *src, const char *key, long def,
    long min, long max);
unsigned js_config_max_pages(const js_source_t *src);

/*
 * The first URL of an API adapter: source_url verbatim when it is an
 * http(s) URL; else source_url is a board token ([A-Za-z0-9._-], at
 * most 100) and the URL is base + prefix + token + suffix, base being
 * config "api_base" or default_base.
 */
int js_source_endpoint(const js_source_t *src, const char *default_base,
    const char *prefix, const char *suffix, char **url, char *err,
    size_t errlen);

/*
 * The first URL of a board on the company's own subdomain: source_url
 * verbatim when it is an http(s) URL (a custom career domain); else
 * source_url is the subdomain (letters, digits, '-' and inner dots, at
 * most 100: "acme", "acme.na") and the URL is "https://" + subdomain +
 * domain + path (".recruitee.com", "/api/offers/").
 */
int js_source_subdomain(const js_source_t *src, const char *domain,
    const char *path, char **url, char *err, size_t errlen);

#endif /* JS_NORMALIZE_H */
