/*
 * Unit tests for adapters/salary.c: salaries from free text and from
 * numbers, periods, currencies.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "tap.h"

/* Checks every salary field of job (none when !has). */
static void
job_salary_is(const js_job_t *job, int has, double min, double max,
    const char *currency, js_salary_period_e period, const char *name)
{
    if (!ok(job->has_salary == has && fabs(job->salary_min - min) < 0.001
            && fabs(job->salary_max - max) < 0.001
            && strcmp(job->salary_currency, currency) == 0
            && job->salary_period == period, name))
    {
        printf("#   got has=%d min=%.2f max=%.2f cur='%s' period=%d\n",
               job->has_salary, job->salary_min, job->salary_max,
               job->salary_currency, job->salary_period);
    }
}

/* Parses text with js_salary_parse; name is the text. */
static void
salary_is(const char *text, int has, double min, double max,
    const char *currency, js_salary_period_e period)
{
    js_job_t  job;
    char      name[200];

    memset(&job, 0, sizeof(job));
    js_salary_parse(&job, text, NULL);
    snprintf(name, sizeof(name), "salary \"%s\"", text);
    job_salary_is(&job, has, min, max, currency, period, name);
}

/* js_salary_from_text on a description; name says what it shows. */
static void
salary_text_is(const char *text, int has, double min, double max,
    const char *currency, js_salary_period_e period, const char *name)
{
    js_job_t  job;

    memset(&job, 0, sizeof(job));
    js_salary_from_text(&job, text, "USD");
    job_salary_is(&job, has, min, max, currency, period, name);
}

static void
test_salary_from_text(void)
{
    char    *big;
    size_t   n;

    salary_text_is("About us\n\nSalary: KES 150,000 - 200,000 per month\n"
                   "Pay day is the 25th.", 1, 150000, 200000, "KES",
                   JS_SALARY_MONTH, "the line that talks of pay");
    salary_text_is("We are 40 engineers in 3 cities. The salary is "
                   "Ksh. 80,000 - 120,000 gross monthly. Apply by 30 June.",
                   1, 80000, 120000, "KES", JS_SALARY_MONTH,
                   "the sentence that talks of pay, 'Ksh.' inside it");
    salary_text_is("Compensation: approx. $120k - $150k p.a. Benefits: "
                   "25 days off.", 1, 120000, 150000, "USD",
                   JS_SALARY_YEAR, "'approx.' and 'p.a.' end no sentence");
    salary_text_is("Salary: competitive. 5 years of Go required.", 0, 0, 0,
                   "", JS_SALARY_UNKNOWN,
                   "a number in the next sentence is not the pay");
    salary_text_is("We build payments for 2 million people.", 0, 0, 0, "",
                   JS_SALARY_UNKNOWN, "no pay word, no salary");

    /* one 3,000-byte line, the pay in its last sentence */
    n = 3000;
    big = malloc(n + 100);
    memset(big, 'x', n);
    memcpy(big, "Role", 4);
    strcpy(big + n, ". The salary range is $90,000 - $110,000 a year.");
    salary_text_is(big, 1, 90000, 110000, "USD", JS_SALARY_YEAR,
                   "however long its line");
    free(big);
}

/* js_salary_amount: name is the string. */
static void
amount_is(const char *s, int rc, double amount, const char *currency)
{
    double       v = -1;
    const char  *code = "unset";
    char         name[100];

    snprintf(name, sizeof(name), "amount \"%s\"", s ? s : "NULL");
    if (rc != 0) {
        ok(js_salary_amount(s, &v, &code) == -1 && v == -1
           && strcmp(code, "unset") == 0, name);
        return;
    }
    if (!ok(js_salary_amount(s, &v, &code) == 0 && fabs(v - amount) < 0.001
            && (currency == NULL ? code == NULL
                : code != NULL && strcmp(code, currency) == 0), name))
    {
        printf("#   got %.2f '%s'\n", v, code ? code : "NULL");
    }
}

static void
test_salary_amount(void)
{
    amount_is("$100,000", 0, 100000, "USD");
    amount_is("KES 150,000", 0, 150000, "KES");
    amount_is("KES150,000", 0, 150000, "KES");
    amount_is("Ksh. 80,000", 0, 80000, "KES");
    amount_is("100.000,00 EUR", 0, 100000, "EUR");
    amount_is("1,234.56", 0, 1234.56, NULL);
    amount_is("1.234.567", 0, 1234567, NULL);
    amount_is("150 000", 0, 150000, NULL);
    amount_is("\xE2\x82\xAC" "60k", 0, 60000, "EUR");
    amount_is(" 100000 ", 0, 100000, NULL);
    amount_is("50.5", 0, 50.5, NULL);
    amount_is("R25 000", 0, 25000, "ZAR");
    amount_is("$100,000 USD", 0, 100000, "USD");
    amount_is("\xC2\xA3" "40,000 EUR", 1, 0, NULL);
    amount_is("100000 per year", 1, 0, NULL);
    amount_is("100,000 - 150,000", 1, 0, NULL);
    amount_is("-5000", 1, 0, NULL);
    amount_is("Competitive", 1, 0, NULL);
    amount_is("$", 1, 0, NULL);
    amount_is("", 1, 0, NULL);
    amount_is(NULL, 1, 0, NULL);
    amount_is("1e5", 1, 0, NULL);
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

int
main(void)
{
    test_salary();
    test_salary_from_text();
    test_salary_amount();
    return done_testing();
}
