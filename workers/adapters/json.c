/*
 * Provider JSON and the source's config (see json.h).
 */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalogue.h"
#include "normalize.h"

int
js_json_jobs_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, const char *provider, js_json_job_pt job, js_page_t *page,
    char *err, size_t errlen)
{
    return js_json_list_parse(src, url, body, len, provider, "jobs", job,
                              page, err, errlen);
}

int
js_json_list_parse(const js_source_t *src, const char *url, const char *body,
    size_t len, const char *provider, const char *key, js_json_job_pt job,
    js_page_t *page, char *err, size_t errlen)
{
    json_t  *root, *list, *o;
    size_t   i;

    list = js_json_list(body, len, provider, key, &root, err, errlen);
    if (list == NULL) {
        return -1;
    }
    json_array_foreach(list, i, o) {
        if (json_is_object(o) && job(src, url, o, page) < 0) {
            snprintf(err, errlen, "out of memory");
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    js_page_set_next(page, url, NULL, 1);
    return 0;
}

int
js_json_parse(const char *body, size_t len, json_type type, json_t **root,
    char *err, size_t errlen)
{
    json_error_t  e;

    /* "\u0000" is JSON: the text cleanup drops it, as any control */
    *root = json_loadb(body, len, JSON_ALLOW_NUL, &e);
    if (*root == NULL) {
        snprintf(err, errlen, "invalid JSON at line %d: %s", e.line, e.text);
        return -1;
    }
    if (json_typeof(*root) != type) {
        snprintf(err, errlen, "expected a JSON %s",
                 type == JSON_OBJECT ? "object" : "array");
        json_decref(*root);
        *root = NULL;
        return -1;
    }
    return 0;
}

const char *
js_json_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

char *
js_json_id(json_t *obj, const char *key)
{
    return js_json_id_value(json_object_get(obj, key));
}

char *
js_json_id_value(json_t *v)
{
    char  buf[32];

    if (json_is_string(v) && json_string_length(v) <= JS_ID_MAX) {
        return js_text_line(json_string_value(v), json_string_length(v),
                            JS_ID_MAX);
    }
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        return strdup(buf);
    }
    return NULL;
}

int
js_json_number(json_t *obj, const char *key, double *v)
{
    json_t      *j = json_object_get(obj, key);
    const char  *s;
    char        *end;
    double       d;

    if (json_is_number(j)) {
        d = json_number_value(j);
    } else if (json_is_string(j)) {
        s = json_string_value(j);
        errno = 0;
        d = strtod(s, &end);
        if (end == s || *end != '\0' || errno != 0) {
            return -1;
        }
    } else {
        return -1;
    }
    if (!isfinite(d)) {
        return -1;
    }
    *v = d;
    return 0;
}

char *
js_json_line(json_t *obj, const char *key)
{
    json_t  *v = json_object_get(obj, key);

    if (!json_is_string(v)) {
        return NULL;
    }
    return js_text_line(json_string_value(v), json_string_length(v),
                        JS_FIELD_MAX);
}

const char *
js_config_str(const js_source_t *src, const char *key)
{
    return json_string_value(json_object_get(src->config, key));
}

long
js_config_int(const js_source_t *src, const char *key, long def, long min,
    long max)
{
    json_t      *v = json_object_get(src->config, key);
    json_int_t   n;
    char        *end;
    const char  *s;

    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_string(v)) {
        s = json_string_value(v);
        errno = 0;
        n = strtoll(s, &end, 10);
        if (end == s || *end != '\0' || errno != 0) {
            return def;
        }
    } else {
        return def;
    }
    return n > max ? max : n < min ? min : (long) n;
}

unsigned
js_config_max_pages(const js_source_t *src)
{
    return (unsigned) js_config_int(src, "max_pages", JS_MAX_PAGES, 1, 100);
}

int
js_source_endpoint(const js_source_t *src, const char *default_base,
    const char *prefix, const char *suffix, char **url, char *err,
    size_t errlen)
{
    const char  *token = src->source_url ? src->source_url : "";
    const char  *base;
    size_t       n, blen;
    js_buf_t     b = { 0 };
    char        *s;

    *url = NULL;
    while (*token == ' ') {
        token++;
    }
    if (strncasecmp(token, "http://", 7) == 0
        || strncasecmp(token, "https://", 8) == 0)
    {
        *url = js_url_resolve(NULL, token);
        if (*url == NULL) {
            snprintf(err, errlen, "source_url is not a valid http(s) URL");
            return -1;
        }
        return 0;
    }

    n = strlen(token);
    while (n > 0 && token[n - 1] == ' ') {
        n--;
    }
    if (!js_catalogue_board_token(token, n)) {
        snprintf(err, errlen,
                 "source_url is neither an http(s) URL nor a board token");
        return -1;
    }

    base = js_config_str(src, "api_base");
    if (base == NULL) {
        base = default_base;
    }
    blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/') {
        blen--;
    }
    js_buf_add(&b, base, blen);
    js_buf_add(&b, prefix, strlen(prefix));
    js_buf_add(&b, token, n);
    js_buf_add(&b, suffix, strlen(suffix));
    s = js_buf_take(&b);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *url = js_url_resolve(NULL, s);
    free(s);
    if (*url == NULL) {
        snprintf(err, errlen, "config api_base is not a valid http(s) URL");
        return -1;
    }
    return 0;
}

int
js_source_subdomain(const js_source_t *src, const char *domain,
    const char *path, char **url, char *err, size_t errlen)
{
    const char  *name = src->source_url ? src->source_url : "";
    size_t       i, n;
    js_buf_t     b = { 0 };
    char        *s;

    while (*name == ' ') {
        name++;
    }
    n = strlen(name);
    while (n > 0 && name[n - 1] == ' ') {
        n--;
    }
    if (memmem(name, n, "://", 3) != NULL) {
        return js_source_endpoint(src, "", "", "", url, err, errlen);
    }
    *url = NULL;
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char) name[i]) && name[i] != '-'
            && !(name[i] == '.' && i > 0 && i + 1 < n && name[i - 1] != '.'))
        {
            break;
        }
    }
    if (n == 0 || n > 100 || i < n || name[0] == '-') {
        snprintf(err, errlen, "source_url is neither an http(s) URL nor a "
                 "company subdomain");
        return -1;
    }
    js_buf_str(&b, "https://");
    js_buf_add(&b, name, n);
    js_buf_str(&b, domain);
    js_buf_str(&b, path);
    s = js_buf_take(&b);
    *url = s ? js_url_resolve(NULL, s) : NULL;
    free(s);
    if (*url == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

json_t *
js_json_list(const char *body, size_t len, const char *provider,
    const char *key, json_t **root, char *err, size_t errlen)
{
    json_t  *list;

    if (js_json_parse(body, len, JSON_OBJECT, root, err, errlen) != 0) {
        return NULL;
    }
    list = json_object_get(*root, key);
    if (!json_is_array(list)) {
        snprintf(err, errlen, "%s: no \"%s\" array", provider, key);
        json_decref(*root);
        *root = NULL;
        return NULL;
    }
    return list;
}
