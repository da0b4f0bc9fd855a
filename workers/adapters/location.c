/*
 * Location type and employment type (see location.h).
 */

#include <stdlib.h>
#include <string.h>

#include "normalize.h"

static const char *const  js_onsite_negations[] = {
    "not remote", "non remote", "no remote", NULL
};
static const char *const  js_hybrid_words[] = { "hybrid", NULL };
static const char *const  js_remote_words[] = {
    "remote", "anywhere", "wfh", "work from home", "working from home",
    "telecommute", "telecommuting", "home based", "homebased",
    "distributed", "remotely", NULL
};
static const char *const  js_onsite_words[] = {
    "on site", "onsite", "in office", "office based", "in person", NULL
};
/* A provider's own flag may just say "office". */
static const char *const  js_onsite_hint_words[] = {
    "office", "onsite", "on site", "in person", "inoffice", NULL
};

static const char *
location_type_of(const char *s, int hint)
{
    char        *w;
    const char  *r = NULL;

    if (s == NULL || s[0] == '\0') {
        return NULL;
    }
    w = js_words(s, JS_SCAN_MAX);
    if (w == NULL) {
        return NULL;
    }
    if (js_has_word(w, js_onsite_negations)) {
        r = "onsite";
    } else if (js_has_word(w, js_hybrid_words)) {
        r = "hybrid";
    } else if (js_has_word(w, js_remote_words)) {
        r = "remote";
    } else if (js_has_word(w, hint ? js_onsite_hint_words : js_onsite_words)) {
        r = "onsite";
    }
    free(w);
    return r;
}

const char *
js_location_type(const char *hint, const char *location, const char *title)
{
    const char  *r;

    r = location_type_of(hint, 1);
    if (r == NULL) {
        r = location_type_of(location, 0);
    }
    if (r == NULL) {
        r = location_type_of(title, 0);
    }
    return r;
}

typedef struct {
    const char         *type;
    const char *const  *words;
} js_employment_words_t;

static const char *const  js_intern_words[] = {
    "intern", "interns", "internship", "internships", "trainee",
    "apprentice", "apprenticeship", "attachment", "co op", NULL
};
static const char *const  js_part_words[] = {
    "part time", "parttime", "working student", "werkstudent", NULL
};
/* "Short Term" (a Lever commitment) is temporary: work that ends, the
 * relation left unsaid, as "Temporary" and "Seasonal" */
static const char *const  js_temp_words[] = {
    "temporary", "temp", "seasonal", "per diem", "casual", "short term",
    "shortterm", "interim", "locum", NULL
};
static const char *const  js_contract_words[] = {
    "contract", "contractor", "contractors", "contractual", "contracting",
    "freelance", "freelancer", "freelancing", "consultant", "consultancy",
    "fixed term", "fixedterm", NULL
};
static const char *const  js_full_words[] = {
    "full time", "fulltime", "permanent", "regular", NULL
};

/* In this order: "Full-time contract" is a contract. */
static const js_employment_words_t  js_employment_words[] = {
    { "internship", js_intern_words },
    { "part_time", js_part_words },
    { "temporary", js_temp_words },
    { "contract", js_contract_words },
    { "full_time", js_full_words },
};

const char *
js_employment_type(const char *s)
{
    size_t       i;
    char        *w;
    const char  *r = NULL;

    if (s == NULL) {
        return NULL;
    }
    w = js_words(s, JS_SCAN_MAX);
    if (w == NULL) {
        return NULL;
    }
    for (i = 0; i < sizeof(js_employment_words)
                    / sizeof(js_employment_words[0]); i++)
    {
        if (js_has_word(w, js_employment_words[i].words)) {
            r = js_employment_words[i].type;
            break;
        }
    }
    free(w);
    return r;
}


char *
js_place_line(const char *const *parts, size_t n)
{
    char      *p, *t;
    size_t     i;
    js_buf_t   b = { 0 };

    for (i = 0; i < n; i++) {
        if (parts[i] != NULL && parts[i][0] != '\0') {
            js_buf_str(&b, b.len ? ", " : "");
            js_buf_str(&b, parts[i]);
        }
    }
    p = js_buf_take(&b);
    t = p ? js_text_line(p, strlen(p), JS_FIELD_MAX) : NULL;
    free(p);
    return t;
}
