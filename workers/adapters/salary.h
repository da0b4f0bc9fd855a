/*
 * Salaries (salary.c).
 */

#ifndef JS_SALARY_H
#define JS_SALARY_H

#include "adapter.h"

/*
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
/* js_salary_parse on the first sentence of a clean description that
 * talks of pay ("Salary", "Compensation", "Pay range", "Remuneration")
 * and has a number, however long its line. */
int js_salary_from_text(js_job_t *job, const char *text,
    const char *currency);
const char *js_currency_code(const char *s);

/*
 * js_salary_amount: one amount given as a string, as JSON-LD's
 * baseSalary.value (or its minValue, maxValue) often is: "$100,000",
 * "KES 150,000", "100.000,00 EUR", "150 000", "60k", "1,234.56".  A
 * currency may stand before or after the number, the same one when
 * both ("$100,000 USD"); *currency is its ISO code, or NULL when none
 * is named.  -1 for anything else: no number, a range, a sign, words
 * ("100000 per year"), more than 64 bytes.  The amount is not checked:
 * js_salary_set does that.
 */
int js_salary_amount(const char *s, double *amount, const char **currency);

#endif /* JS_SALARY_H */
