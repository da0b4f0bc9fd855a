/*
 * Selectors: CSS subset to XPath, and their compilation (selector.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "selector.h"

static int
css_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Reads the name at s[*i] into name: its length, 0 when there is none
 * or it is too long. */
static size_t
css_name(const char *s, size_t *i, char *name, size_t max)
{
    size_t  n = 0;

    while (css_name_char(s[*i]) && n + 1 < max) {
        name[n++] = s[(*i)++];
    }
    name[n] = '\0';
    return css_name_char(s[*i]) ? 0 : n;
}

static int
is_xpath(const char *s)
{
    return s[0] == '/' || s[0] == '(' || s[0] == '@'
           || (s[0] == '.' && (s[1] == '/' || s[1] == '.'))
           || (strchr(s, '(') != NULL && strstr(s, "::attr(") == NULL);
}

char *
js_selector_xpath(const char *s, int relative)
{
    char    out[JS_SELECTOR_MAX * 8], name[JS_SELECTOR_MAX], value[256];
    char    quote;
    size_t  i = 0, o = 0, n;
    int     child = 0, steps = 0, w;

#define OUT(...)                                                             \
    do {                                                                     \
        w = snprintf(out + o, sizeof(out) - o, __VA_ARGS__);                 \
        if (w < 0 || (size_t) w >= sizeof(out) - o) {                        \
            return NULL;                                                     \
        }                                                                    \
        o += (size_t) w;                                                     \
    } while (0)

    if (s == NULL || strlen(s) > JS_SELECTOR_MAX) {
        return NULL;
    }
    if (is_xpath(s)) {
        return strdup(s);
    }
    OUT("%s", relative ? "." : "");

    for (;;) {
        while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
            i++;
        }
        if (s[i] == '\0') {
            break;
        }
        if (s[i] == '>') {
            if (steps == 0 || child) {
                return NULL;
            }
            child = 1;
            i++;
            continue;
        }
        if (s[i] == ':' && s[i + 1] == ':') {
            if (steps == 0) {
                return NULL;
            }
            i += 2;
            if (strncmp(s + i, "text", 4) == 0 && s[i + 4] == '\0') {
                break;
            }
            if (strncmp(s + i, "attr(", 5) != 0) {
                return NULL;
            }
            i += 5;
            if (css_name(s, &i, name, sizeof(name)) == 0 || s[i] != ')'
                || s[i + 1] != '\0')
            {
                return NULL;
            }
            OUT("/@%s", name);
            break;
        }

        /* a compound selector */
        OUT("%s", child ? "/" : "//");
        child = 0;
        steps++;
        if (s[i] == '*') {
            i++;
            OUT("*");
        } else if (css_name(s, &i, name, sizeof(name)) > 0) {
            OUT("%s", name);
        } else {
            OUT("*");
        }
        for (;;) {
            if (s[i] == '.' || s[i] == '#') {
                quote = s[i++];
                if (css_name(s, &i, name, sizeof(name)) == 0) {
                    return NULL;
                }
                if (quote == '.') {
                    OUT("[contains(concat(' ', normalize-space(@class), ' '),"
                        " ' %s ')]", name);
                } else {
                    OUT("[@id='%s']", name);
                }
            } else if (s[i] == '[') {
                i++;
                if (css_name(s, &i, name, sizeof(name)) == 0) {
                    return NULL;
                }
                if (s[i] == ']') {
                    i++;
                    OUT("[@%s]", name);
                    continue;
                }
                if (s[i] != '=') {
                    return NULL;
                }
                i++;
                quote = (s[i] == '"' || s[i] == '\'') ? s[i++] : 0;
                for (n = 0; s[i] != '\0' && n + 1 < sizeof(value)
                            && (quote ? s[i] != quote : s[i] != ']'); n++)
                {
                    value[n] = s[i++];
                }
                value[n] = '\0';
                if (quote) {
                    if (s[i] != quote) {
                        return NULL;
                    }
                    i++;
                }
                if (s[i] != ']' || strchr(value, '\'') != NULL) {
                    return NULL;
                }
                i++;
                OUT("[@%s='%s']", name, value);
            } else {
                break;
            }
        }
        if (s[i] != '\0' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n'
            && s[i] != '>' && s[i] != ':')
        {
            return NULL;            /* pseudo-classes, ~, +, ',' ... */
        }
    }
#undef OUT
    return steps > 0 ? strdup(out) : NULL;
}

/* The first error libxml2 raises while compiling, as "<message> at
 * <offset> in \"<XPath>\"". */
typedef struct {
    char    *buf;
    size_t   len;
    int      set;
} js_selector_error_t;

static void
js_selector_error(void *data, xmlErrorPtr e)
{
    size_t                n;
    js_selector_error_t  *se = data;

    if (se->set || e == NULL || e->message == NULL) {
        return;
    }
    se->set = 1;
    n = strcspn(e->message, "\n");
    snprintf(se->buf, se->len, "invalid selector: %.*s at %d in \"%.100s\"",
             (int) (n < 100 ? n : 100), e->message, e->int1,
             e->str1 ? e->str1 : "");
}

xmlXPathCompExprPtr
js_selector_compile(const char *sel, int relative, char *err, size_t errlen)
{
    char                    *xp;
    void                    *old_data;
    xmlXPathCompExprPtr      c;
    js_selector_error_t      se = { err, errlen, 0 };
    xmlStructuredErrorFunc   old;

    xp = js_selector_xpath(sel, relative);
    if (xp == NULL) {
        snprintf(err, errlen, "invalid selector: unsupported CSS \"%.100s\"",
                 sel ? sel : "");
        return NULL;
    }

    /* libxml2 would print its reason on stderr: it becomes err */
    xmlInitParser();
    old = xmlStructuredError;
    old_data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&se, js_selector_error);
    c = xmlXPathCompile((const xmlChar *) xp);
    xmlSetStructuredErrorFunc(old_data, old);

    if (c == NULL && !se.set) {
        snprintf(err, errlen, "invalid selector: \"%.100s\"", xp);
    }
    free(xp);
    return c;
}
