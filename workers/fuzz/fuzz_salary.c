/*
 * Salary normalization (adapters/salary.c): free text, periods,
 * currency names, and a pay line inside a description.
 */

#include "fuzz.h"
#include "normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    js_job_t     job;
    char        *s;
    double       amount;
    const char  *code;

    s = js_fuzz_str(data, size);

    memset(&job, 0, sizeof(job));
    (void) js_salary_parse(&job, s, NULL);
    memset(&job, 0, sizeof(job));
    (void) js_salary_parse(&job, s, "KES");
    memset(&job, 0, sizeof(job));
    (void) js_salary_from_text(&job, s, "USD");
    (void) js_salary_period(s);
    (void) js_currency_code(s);
    (void) js_salary_amount(s, &amount, &code);

    free(s);
    return 0;
}
