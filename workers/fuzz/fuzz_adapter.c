/*
 * One source adapter's parse (workers/adapters/), the whole input being
 * a fetched body.  Built once per adapter: JS_FUZZ_ADAPTER names it.
 * Every job it yields is also turned into JSON, as the scraper does; an
 * adapter with detail calls (adapter.h) also reads the input as a
 * detail body, into an empty job.
 */

#include "fuzz.h"
#include "adapter.h"

#ifndef JS_FUZZ_ADAPTER
#error "build with -DJS_FUZZ_ADAPTER='\"name\"'"
#endif

/* The html adapter reads selectors from config: t/fixtures/html's. */
#define JS_FUZZ_CONFIG                                                      \
    "{\"list\": \"div.job-card\", \"fields\": {\"title\": \"h3.title\","    \
    " \"url\": \"a.apply::attr(href)\", \"location\": \".location\","      \
    " \"salary\": \".salary\", \"employment_type\": \"span.type\","        \
    " \"posted_at\": \"time::attr(datetime)\","                            \
    " \"description\": \".summary\", \"remote\": \".badge\"},"             \
    " \"next\": \"a.next\", \"max_pages\": 3, \"currency\": \"KES\"}"

/* The URL a body was fetched from: Workday reads only its search's. */
#define JS_FUZZ_URL                                                         \
    (strcmp(JS_FUZZ_ADAPTER, "workday") == 0                                \
     ? "https://example.com/wday/cxs/acme/External/jobs"                    \
     : "https://example.com/careers?page=1")

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static js_source_t         src;
    static const js_adapter_t *a;
    js_page_t                  page;
    js_job_t                   job;
    json_t                    *j;
    char                       err[256];
    size_t                     i;

    if (a == NULL) {
        a = js_adapter_find(JS_FUZZ_ADAPTER);
        if (a == NULL) {
            abort();
        }
        src.id = "00000000-0000-0000-0000-000000000001";
        src.company_id = "00000000-0000-0000-0000-000000000002";
        src.company_name = "Acme";
        src.company_slug = "acme";
        src.scraper_class = JS_FUZZ_ADAPTER;
        src.source_url = "https://example.com/careers";
        src.config = json_loads(JS_FUZZ_CONFIG, 0, NULL);
        src.adzuna_app_id = "id";
        src.adzuna_app_key = "key";
        src.adzuna_base_url = "https://api.adzuna.com";
        src.max_details = 50;
    }

    memset(&page, 0, sizeof(page));
    (void) a->parse(&src, JS_FUZZ_URL,
                    (const char *) data, size, &page, err, sizeof(err));
    for (i = 0; i < page.njobs; i++) {
        j = js_job_json(&page.jobs[i]);
        json_decref(j);
    }
    js_page_free(&page);

    if (a->parse_detail != NULL) {
        memset(&job, 0, sizeof(job));
        (void) a->parse_detail(&src, "https://example.com/careers/1",
                               (const char *) data, size, &job, err,
                               sizeof(err));
        json_decref(js_job_json(&job));
        js_job_free(&job);
    }
    return 0;
}
