/*
 * Salaries (see salary.h).
 */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "normalize.h"

typedef struct {
    const char  *code;
    double       per_usd;     /* rough units per US dollar: the order of
                                 magnitude is what the checks need */
} js_currency_t;

static const js_currency_t  js_currencies[] = {
    { "USD", 1 }, { "EUR", 1 }, { "GBP", 1 }, { "CHF", 1 },
    { "CAD", 1.4 }, { "AUD", 1.5 }, { "NZD", 1.7 }, { "SGD", 1.3 },
    { "HKD", 7.8 }, { "AED", 3.7 }, { "SAR", 3.75 }, { "QAR", 3.6 },
    { "KES", 130 }, { "NGN", 1500 }, { "ZAR", 18 }, { "UGX", 3700 },
    { "TZS", 2600 }, { "RWF", 1300 }, { "ETB", 120 }, { "GHS", 15 },
    { "EGP", 50 }, { "MAD", 10 }, { "XOF", 600 }, { "XAF", 600 },
    { "ZMW", 25 }, { "MWK", 1700 }, { "BWP", 13.5 }, { "NAD", 18 },
    { "MUR", 45 }, { "INR", 83 }, { "PKR", 280 }, { "BDT", 110 },
    { "LKR", 300 }, { "JPY", 150 }, { "CNY", 7.2 }, { "KRW", 1350 },
    { "IDR", 16000 }, { "PHP", 56 }, { "VND", 25000 }, { "THB", 35 },
    { "MYR", 4.5 }, { "BRL", 5 }, { "MXN", 17 }, { "ARS", 900 },
    { "COP", 4000 }, { "CLP", 900 }, { "SEK", 10.5 }, { "NOK", 10.5 },
    { "DKK", 7 }, { "PLN", 4 }, { "CZK", 23 }, { "HUF", 360 },
    { "RON", 4.6 }, { "TRY", 32 }, { "ILS", 3.7 }, { "UAH", 40 },
};

/* Symbols and local spellings; words only as whole words. */
typedef struct {
    const char  *token;
    const char  *code;
    int          word;
} js_currency_alias_t;

static const js_currency_alias_t  js_currency_aliases[] = {
    { "US$", "USD", 0 }, { "CA$", "CAD", 0 }, { "C$", "CAD", 0 },
    { "AU$", "AUD", 0 }, { "A$", "AUD", 0 }, { "NZ$", "NZD", 0 },
    { "HK$", "HKD", 0 }, { "S$", "SGD", 0 }, { "R$", "BRL", 0 },
    { "$", "USD", 0 }, { "\xE2\x82\xAC", "EUR", 0 }, { "\xC2\xA3", "GBP", 0 },
    { "\xE2\x82\xA6", "NGN", 0 }, { "\xE2\x82\xB9", "INR", 0 },
    { "\xC2\xA5", "JPY", 0 }, { "\xE2\x82\xB5", "GHS", 0 },
    { "\xE2\x82\xB1", "PHP", 0 }, { "\xE2\x82\xBA", "TRY", 0 },
    { "\xE2\x82\xA9", "KRW", 0 },
    { "kshs", "KES", 1 }, { "ksh", "KES", 1 }, { "tshs", "TZS", 1 },
    { "tsh", "TZS", 1 }, { "ushs", "UGX", 1 }, { "ush", "UGX", 1 },
    { "naira", "NGN", 1 }, { "rand", "ZAR", 1 }, { "euros", "EUR", 1 },
    { "euro", "EUR", 1 }, { "dollars", "USD", 1 }, { "pounds", "GBP", 1 },
    { "cedis", "GHS", 1 }, { "rupees", "INR", 1 },
};

static const js_currency_t *
currency_find(const char *code)
{
    size_t  i;

    for (i = 0; i < sizeof(js_currencies) / sizeof(js_currencies[0]); i++) {
        if (strcasecmp(js_currencies[i].code, code) == 0) {
            return &js_currencies[i];
        }
    }
    return NULL;
}

/*
 * The currency named at s[i] (text starting at s): its length and code,
 * or 0.  ISO codes and words need word boundaries; "R" (rand) must be
 * followed by a number, as in "R25 000".
 */
static size_t
currency_at(const char *s, size_t i, const char **code)
{
    /* In free text an ISO code must be upper case: "try", "mad", "cop"
     * are words too. */
    size_t                n, k;
    char                  iso[4];
    const js_currency_t  *c;
    int                   start;

    start = i == 0 || !isalpha((unsigned char) s[i - 1]);
    for (k = 0; k < sizeof(js_currency_aliases)
                    / sizeof(js_currency_aliases[0]); k++)
    {
        n = strlen(js_currency_aliases[k].token);
        if (js_currency_aliases[k].word) {
            if (start && strncasecmp(s + i, js_currency_aliases[k].token, n)
                         == 0
                && !isalpha((unsigned char) s[i + n]))
            {
                *code = js_currency_aliases[k].code;
                return n + (s[i + n] == '.');   /* "Ksh." */
            }
        } else if (strncmp(s + i, js_currency_aliases[k].token, n) == 0) {
            *code = js_currency_aliases[k].code;
            return n;
        }
    }
    if (!start) {
        return 0;
    }
    if (s[i] == 'R' && (isdigit((unsigned char) s[i + 1])
                        || (s[i + 1] == ' '
                            && isdigit((unsigned char) s[i + 2]))))
    {
        *code = "ZAR";
        return 1;
    }
    for (n = 0; n < 3 && isupper((unsigned char) s[i + n]); n++) {
        iso[n] = s[i + n];
    }
    if (n == 3 && !isalpha((unsigned char) s[i + 3])) {
        iso[3] = '\0';
        c = currency_find(iso);
        if (c != NULL) {
            *code = c->code;
            return 3;
        }
    }
    return 0;
}

const char *
js_currency_code(const char *s)
{
    size_t                i;
    const char           *code;
    const js_currency_t  *c;

    if (s != NULL && strlen(s) == 3) {          /* a code, any case */
        c = currency_find(s);
        if (c != NULL) {
            return c->code;
        }
    }
    for (i = 0; s != NULL && i < JS_SCAN_MAX && s[i] != '\0'; i++) {
        if (currency_at(s, i, &code) > 0) {
            return code;
        }
    }
    return NULL;
}

typedef struct {
    js_salary_period_e   period;
    const char          *words[12];
} js_period_words_t;

static const js_period_words_t  js_period_words[] = {
    { JS_SALARY_HOUR, { "hour", "hours", "hourly", "hr", "hrs", "ph", NULL } },
    { JS_SALARY_DAY, { "day", "days", "daily", "diem", "pd", NULL } },
    { JS_SALARY_WEEK, { "week", "weeks", "weekly", "wk", "wks", "pw", NULL } },
    { JS_SALARY_MONTH, { "month", "months", "monthly", "mo", "mth", "mths",
                         "pm", "pcm", "mon", NULL } },
    { JS_SALARY_YEAR, { "year", "years", "yearly", "annum", "annual",
                        "annually", "yr", "yrs", "pa", "py", NULL } },
};

js_salary_period_e
js_salary_period(const char *s)
{
    size_t               i, k;
    char                *w, key[24], *hit, *best = NULL;
    js_salary_period_e   period = JS_SALARY_UNKNOWN;

    if (s == NULL) {
        return JS_SALARY_UNKNOWN;
    }
    w = js_words(s, JS_SCAN_MAX);
    if (w == NULL) {
        return JS_SALARY_UNKNOWN;
    }
    /* the earliest period word wins; else "/h", "/m", ... */
    for (i = 0; i < sizeof(js_period_words) / sizeof(js_period_words[0]);
         i++)
    {
        for (k = 0; js_period_words[i].words[k] != NULL; k++) {
            snprintf(key, sizeof(key), " %s ", js_period_words[i].words[k]);
            hit = strstr(w, key);
            if (hit != NULL && (best == NULL || hit < best)) {
                best = hit;
                period = js_period_words[i].period;
            }
        }
    }
    free(w);
    if (period != JS_SALARY_UNKNOWN) {
        return period;
    }
    for (i = 0; i < JS_SCAN_MAX && s[i] != '\0'; i++) {
        if (s[i] == '/' && isalpha((unsigned char) s[i + 1])
            && !isalpha((unsigned char) s[i + 2]))
        {
            for (k = 0; k < sizeof(js_period_words)
                            / sizeof(js_period_words[0]); k++)
            {
                if (tolower((unsigned char) s[i + 1])
                    == js_period_words[k].words[0][0])
                {
                    return js_period_words[k].period;
                }
            }
        }
    }
    return JS_SALARY_UNKNOWN;
}

int
js_salary_set(js_job_t *job, double min, double max, const char *currency,
    js_salary_period_e period)
{
    /* plausible pay in US dollars per period, generous both ways */
    static const double  lo[] = { 0.2, 0.2, 1, 5, 20, 200 };
    static const double  hi[] = { 5e6, 2000, 20000, 1e5, 5e5, 5e6 };
    const js_currency_t  *c;
    const char           *code;
    double                t, smin, smax;

    job->has_salary = 0;
    job->salary_min = 0;
    job->salary_max = 0;
    job->salary_currency[0] = '\0';
    job->salary_period = JS_SALARY_UNKNOWN;

    if ((unsigned) period > JS_SALARY_YEAR) {
        period = JS_SALARY_UNKNOWN;
    }
    if (!isfinite(min) || !isfinite(max)) {
        return 0;
    }
    if (min > max) {
        t = min;
        min = max;
        max = t;
    }
    if (min < 0 || max <= 0 || (min > 0 && max / min > 100)) {
        return 0;
    }
    code = currency ? js_currency_code(currency) : NULL;
    c = code ? currency_find(code) : NULL;
    smin = c ? c->per_usd : 1;
    smax = c ? c->per_usd : 25000;
    if (max > hi[period] * smax || max < lo[period] * smin
        || (min > 0 && min < lo[period] * smin))
    {
        return 0;
    }

    job->has_salary = 1;
    job->salary_min = min;
    job->salary_max = max;
    if (c != NULL) {
        memcpy(job->salary_currency, c->code, 4);
    }
    job->salary_period = period;
    return 1;
}

static int
is_space_sep(const char *s, size_t *n)
{
    if (s[0] == ' ') {
        *n = 1;
        return 1;
    }
    if ((unsigned char) s[0] == 0xC2 && (unsigned char) s[1] == 0xA0) {
        *n = 2;                                 /* no-break space */
        return 1;
    }
    if ((unsigned char) s[0] == 0xE2 && (unsigned char) s[1] == 0x80
        && ((unsigned char) s[2] == 0x89 || (unsigned char) s[2] == 0xAF))
    {
        *n = 3;                                 /* thin spaces */
        return 1;
    }
    return 0;
}

static int
three_digits(const char *s)
{
    return isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[1])
           && isdigit((unsigned char) s[2]) && !isdigit((unsigned char) s[3]);
}

/*
 * A number at s (a digit): "150,000", "150.000", "1 500 000", "50.5",
 * "80k", "1.2m", "3 million".  Returns its length; *mult is the suffix's
 * multiplier, 1 when none.
 */
static size_t
number_at(const char *s, double *v, double *mult)
{
    size_t  i = 0, n;
    double  x = 0, f;
    int     comma = 0;

    for (;;) {
        while (isdigit((unsigned char) s[i])) {
            x = x < 1e15 ? x * 10 + (s[i] - '0') : 1e18;
            i++;
        }
        if (s[i] == ',' && three_digits(s + i + 1)) {
            comma = 1;
            i++;
        } else if (s[i] == '.' && !comma && three_digits(s + i + 1)) {
            i++;
        } else if (is_space_sep(s + i, &n) && three_digits(s + i + n)) {
            i += n;
        } else {
            break;
        }
    }
    if ((s[i] == '.' || s[i] == ',') && isdigit((unsigned char) s[i + 1])) {
        for (i++, f = 0.1; isdigit((unsigned char) s[i]); i++, f /= 10) {
            x += (s[i] - '0') * f;
        }
    }

    *mult = 1;
    if ((s[i] == 'k' || s[i] == 'K') && !isalpha((unsigned char) s[i + 1])) {
        *mult = 1e3;
        i++;
    } else if ((s[i] == 'm' || s[i] == 'M')
               && (!isalpha((unsigned char) s[i + 1])
                   || ((s[i + 1] == 'n' || s[i + 1] == 'N')
                       && !isalpha((unsigned char) s[i + 2]))))
    {
        *mult = 1e6;
        i += isalpha((unsigned char) s[i + 1]) ? 2 : 1;
    } else {
        n = s[i] == ' ' ? 1 : 0;
        if (strncasecmp(s + i + n, "thousand", 8) == 0) {
            *mult = 1e3;
            i += n + 8;
        } else if (strncasecmp(s + i + n, "million", 7) == 0) {
            *mult = 1e6;
            i += n + 7;
        }
    }
    *v = x * *mult;
    return i;
}

/* Skips spaces and a currency at s[i]; returns the new index. */
static size_t
skip_filler(const char *s, size_t i)
{
    size_t       n;
    const char  *code;

    while (is_space_sep(s + i, &n)) {
        i += n;
    }
    n = currency_at(s, i, &code);
    i += n;
    while (is_space_sep(s + i, &n)) {
        i += n;
    }
    return i;
}

/* A number may start at text[i] (a digit): not inside a word or a
 * number, but right after a currency ("R25 000", "KES150,000"). */
static int
number_start(const char *text, size_t i)
{
    size_t       k;
    const char  *code;

    if (i == 0 || !isalnum((unsigned char) text[i - 1])) {
        return 1;
    }
    if (isdigit((unsigned char) text[i - 1])) {
        return 0;
    }
    for (k = i; k > 0 && isalpha((unsigned char) text[k - 1]); k--) {
        /* void */
    }
    return currency_at(text, k, &code) == i - k;
}

int
js_salary_parse(js_job_t *job, const char *text, const char *currency)
{
    static const char *const  upto[] = {
        "up to", "upto", "max", "maximum", "under", "below", "less than",
        NULL
    };
    size_t       i, j, n;
    double       v1, v2, m1, m2;
    int          range = 0, limit;
    char        *prefix, *w;
    const char  *code;

    js_salary_set(job, 0, 0, NULL, JS_SALARY_UNKNOWN);
    if (text == NULL) {
        return 0;
    }
    for (i = 0; i < JS_SCAN_MAX && text[i] != '\0'; i++) {
        if (isdigit((unsigned char) text[i]) && number_start(text, i)) {
            break;
        }
    }
    if (i >= JS_SCAN_MAX || text[i] == '\0') {
        return 0;
    }

    n = number_at(text + i, &v1, &m1);
    v2 = v1;
    m2 = m1;
    j = skip_filler(text, i + n);
    if (text[j] == '-' || text[j] == '~') {
        j++;
        range = 1;
    } else if (strncmp(text + j, "\xE2\x80\x93", 3) == 0
               || strncmp(text + j, "\xE2\x80\x94", 3) == 0)
    {
        j += 3;
        range = 1;
    } else if (strncasecmp(text + j, "to ", 3) == 0
               || strncasecmp(text + j, "and ", 4) == 0)
    {
        j += text[j + 1] == 'o' || text[j + 1] == 'O' ? 2 : 3;
        range = 1;
    }
    if (range) {
        j = skip_filler(text, j);
        if (isdigit((unsigned char) text[j])) {
            number_at(text + j, &v2, &m2);
            /* "80-120k": the suffix counts for both ends */
            if (m1 == 1 && m2 > 1 && v1 < v2 && v1 * m2 <= v2 * 10) {
                v1 *= m2;
            }
        } else {
            range = 0;
        }
    }

    prefix = strndup(text, i);
    w = prefix ? js_words(prefix, JS_SCAN_MAX) : NULL;
    limit = !range && w != NULL && js_has_word(w, upto);
    free(prefix);
    free(w);

    code = js_currency_code(text);
    if (code == NULL) {
        code = currency;
    }
    return js_salary_set(job, limit ? 0 : v1, v2, code,
                         js_salary_period(text));
}

int
js_salary_amount(const char *s, double *amount, const char **currency)
{
    size_t       i = 0, n;
    double       v, mult;
    const char  *code = NULL, *after = NULL;

    if (s == NULL || strlen(s) > 64) {
        return -1;
    }
    while (isspace((unsigned char) s[i])) {
        i++;
    }
    n = currency_at(s, i, &code);
    i += n;
    while (is_space_sep(s + i, &n)) {
        i += n;
    }
    if (!isdigit((unsigned char) s[i])) {
        return -1;
    }
    i += number_at(s + i, &v, &mult);
    while (is_space_sep(s + i, &n)) {
        i += n;
    }
    i += currency_at(s, i, &after);
    while (isspace((unsigned char) s[i])) {
        i++;
    }
    if (s[i] != '\0'
        || (code != NULL && after != NULL && strcmp(code, after) != 0))
    {
        return -1;
    }
    *amount = v;
    *currency = code != NULL ? code : after;
    return 0;
}

/* "approx." and the like: a '.' that ends no sentence. */
static int
is_abbreviation(const char *w, size_t n)
{
    static const char *const  abbrev[] = {
        "approx", "ca", "incl", "excl", "min", "max", "est", "no", "vs",
        NULL
    };
    const char *const        *a;

    for (a = abbrev; *a != NULL; a++) {
        if (strlen(*a) == n && strncasecmp(w, *a, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * The end of the sentence at s: the line's end, or past a '.', '!' or
 * '?' followed by blanks and a capital letter or the line's end ("per
 * month. Benefits"), so that "Ksh. 80,000" and "$1.5m" stay whole; a
 * '.' after one letter ("p.a.", "e.g.") or an abbreviation ("approx.")
 * ends nothing.
 */
static const char *
sentence_end(const char *s)
{
    const char  *p, *q, *w;

    for (p = s; *p != '\0' && *p != '\n'; p++) {
        if (*p != '.' && *p != '!' && *p != '?') {
            continue;
        }
        for (q = p + 1; *q == ' '; q++) {
            /* void */
        }
        if (q == p + 1
            || !(isupper((unsigned char) *q) || *q == '\0' || *q == '\n'))
        {
            continue;
        }
        for (w = p; w > s && isalpha((unsigned char) w[-1]); w--) {
            /* void */
        }
        if (*p == '.'
            && (p - w == 1 || is_abbreviation(w, (size_t) (p - w))))
        {
            continue;
        }
        return p + 1;
    }
    return p;
}

int
js_salary_from_text(js_job_t *job, const char *text, const char *currency)
{
    static const char *const  pay[] = {
        "salary", "compensation", "pay", "remuneration", "wage", "stipend",
        "gross", NULL
    };
    const char  *s, *end;
    char        *l, *w;
    int          found = 0;

    /* sentence by sentence: a description may be one long line */
    for (s = text; s != NULL && *s != '\0' && !found;
         s = *end == '\n' ? end + 1 : end)
    {
        end = sentence_end(s);
        l = strndup(s, (size_t) (end - s));
        w = l ? js_words(l, JS_SCAN_MAX) : NULL;
        if (w != NULL && js_has_word(w, pay) && strpbrk(l, "0123456789")) {
            found = js_salary_parse(job, l, currency);
        }
        free(w);
        free(l);
    }
    return job->has_salary;
}
