/*
 * What the adapter unit tests share (test_adapters.c, test_ats_detail.c):
 * fixtures read from t/fixtures/ (or argv[1]), a source, parsing a body,
 * and checks of a job's fields.
 */

#ifndef JS_ADAPTER_TEST_H
#define JS_ADAPTER_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "adapter.h"
#include "normalize.h"
#include "tap.h"

#define ERRLEN  256

static const char  *fixtures __attribute__((unused)) = "t/fixtures";

static __attribute__((unused)) char *
slurp(const char *name, size_t *len)
{
    char    path[512], *buf;
    FILE   *f;
    long    n;

    snprintf(path, sizeof(path), "%s/%s", fixtures, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        printf("# cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t) n + 1);
    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        exit(1);
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t) n;
    return buf;
}

static void __attribute__((unused))
source_init(js_source_t *src, const char *cls, const char *source_url,
    const char *config)
{
    memset(src, 0, sizeof(*src));
    src->id = "00000000-0000-0000-0000-000000000001";
    src->company_id = "00000000-0000-0000-0000-000000000002";
    src->company_name = "Acme";
    src->company_slug = "acme";
    src->scraper_class = cls;
    src->source_url = source_url;
    src->config = json_loads(config ? config : "{}", 0, NULL);
}

static int __attribute__((unused))
parse_body(const js_source_t *src, const char *url, const char *body,
    size_t len, js_page_t *page, char *err)
{
    const js_adapter_t  *a = js_adapter_find(src->scraper_class);

    err[0] = '\0';
    return a->parse(src, url, body, len, page, err, ERRLEN);
}

static int __attribute__((unused))
parse_file(const js_source_t *src, const char *url, const char *file,
    js_page_t *page, char *err)
{
    size_t   len;
    char    *body = slurp(file, &len);
    int      rc = parse_body(src, url, body, len, page, err);

    free(body);
    return rc;
}

static int __attribute__((unused))
parse_str(const js_source_t *src, const char *url, const char *body,
    js_page_t *page, char *err)
{
    return parse_body(src, url, body, strlen(body), page, err);
}

static __attribute__((unused)) js_job_t *
find(js_page_t *page, const char *id)
{
    size_t  i;

    for (i = 0; i < page->njobs; i++) {
        if (strcmp(page->jobs[i].external_id, id) == 0) {
            return &page->jobs[i];
        }
    }
    return NULL;
}

static const js_job_t  no_job __attribute__((unused));

static int __attribute__((unused))
valid_utf8(const char *s)
{
    json_t  *j = json_string(s);

    json_decref(j);
    return j != NULL;
}

/* The job with that id, or an empty one (so that field tests fail). */
static __attribute__((unused)) const js_job_t *
job_of(js_page_t *page, const char *id)
{
    js_job_t  *j = find(page, id);

    if (!ok(j != NULL, id)) {
        return &no_job;
    }
    return j;
}

static void __attribute__((unused))
salary_is(const js_job_t *j, double min, double max, const char *cur,
    js_salary_period_e period, const char *name)
{
    if (!ok(j->has_salary && fabs(j->salary_min - min) < 0.001
            && fabs(j->salary_max - max) < 0.001
            && strcmp(j->salary_currency, cur) == 0
            && j->salary_period == period, name))
    {
        printf("#   got has=%d %.2f-%.2f '%s' period %d\n", j->has_salary,
               j->salary_min, j->salary_max, j->salary_currency,
               j->salary_period);
    }
}

#endif /* JS_ADAPTER_TEST_H */
