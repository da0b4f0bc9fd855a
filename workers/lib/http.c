#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

struct js_http_s {
    CURLM           *multi;
    js_http_opts_t   opts;
    int              running;     /* transfers added, not yet done */
};

js_http_t *
js_http_create(const js_http_opts_t *opts)
{
    js_http_t  *h;

    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }

    h->opts = *opts;
    h->multi = curl_multi_init();
    if (h->multi == NULL) {
        free(h);
        return NULL;
    }

    /* Politeness is per host and enforced above us; this only bounds
     * what one process opens to one host at once. */
    (void) curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 2L);
    return h;
}

void
js_http_destroy(js_http_t *h)
{
    if (h == NULL) {
        return;
    }
    curl_multi_cleanup(h->multi);
    free(h);
}

static size_t
js_http_write(char *ptr, size_t size, size_t nmemb, void *data)
{
    size_t          n = size * nmemb, cap;
    char           *p;
    js_http_req_t  *req = data;

    if (req->len + n > req->max_body) {
        req->too_large = 1;
        return 0;                          /* aborts the transfer */
    }

    if (req->len + n + 1 > req->cap) {
        cap = req->cap ? req->cap : 16384;
        while (cap < req->len + n + 1) {
            cap *= 2;
        }
        p = realloc(req->body, cap);
        if (p == NULL) {
            return 0;
        }
        req->body = p;
        req->cap = cap;
    }

    memcpy(req->body + req->len, ptr, n);
    req->len += n;
    req->body[req->len] = '\0';
    return n;
}

/* The value of "Name: value\r\n" when the header is name, else NULL. */
static char *
js_http_header_value(const char *line, size_t len, const char *name)
{
    size_t  nlen = strlen(name);

    if (len <= nlen || strncasecmp(line, name, nlen) != 0
        || line[nlen] != ':')
    {
        return NULL;
    }

    line += nlen + 1;
    len -= nlen + 1;

    while (len > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    while (len > 0 && isspace((unsigned char) line[len - 1])) {
        len--;
    }

    return len > 0 && len < 512 ? strndup(line, len) : NULL;
}

static size_t
js_http_header(char *ptr, size_t size, size_t nmemb, void *data)
{
    size_t          n = size * nmemb;
    char           *v;
    js_http_req_t  *req = data;

    /* A new response (after a redirect): forget the previous one's. */
    if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
        free(req->resp_etag);
        free(req->resp_last_modified);
        req->resp_etag = NULL;
        req->resp_last_modified = NULL;
        return n;
    }

    if ((v = js_http_header_value(ptr, n, "ETag")) != NULL) {
        free(req->resp_etag);
        req->resp_etag = v;
    } else if ((v = js_http_header_value(ptr, n, "Last-Modified")) != NULL) {
        free(req->resp_last_modified);
        req->resp_last_modified = v;
    }

    return n;
}

static int
js_http_add_header(js_http_req_t *req, const char *name, const char *value)
{
    char                line[600];
    struct curl_slist  *l;

    /* A stored validator with a line break would be a header injection. */
    if (strpbrk(value, "\r\n") != NULL
        || snprintf(line, sizeof(line), "%s: %s", name, value)
           >= (int) sizeof(line))
    {
        return 0;
    }

    l = curl_slist_append(req->headers, line);
    if (l == NULL) {
        return -1;
    }
    req->headers = l;
    return 0;
}

int
js_http_start(js_http_t *h, js_http_req_t *req)
{
    CURL                  *c;
    const js_http_opts_t  *o = &h->opts;

    js_http_req_reset(req);
    req->max_body = o->max_body;

    c = curl_easy_init();
    if (c == NULL) {
        snprintf(req->error, sizeof(req->error), "curl_easy_init() failed");
        return -1;
    }
    req->easy = c;
    req->error[0] = '\0';

    if ((req->etag != NULL
         && js_http_add_header(req, "If-None-Match", req->etag) != 0)
        || (req->last_modified != NULL
            && js_http_add_header(req, "If-Modified-Since",
                                  req->last_modified) != 0)
        || (req->post != NULL
            && (js_http_add_header(req, "Content-Type", "application/json")
                != 0
                || curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                                    (long) strlen(req->post)) != CURLE_OK
                || curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->post)
                   != CURLE_OK))
        || curl_easy_setopt(c, CURLOPT_URL, req->url) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https")
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long) o->max_redirects)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                            (long) o->connect_timeout) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) o->timeout)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                            (curl_off_t) o->max_body) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_HTTPHEADER, req->headers) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, js_http_write)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_WRITEDATA, req) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, js_http_header)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_HEADERDATA, req) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_ERRORBUFFER, req->error) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_PRIVATE, req) != CURLE_OK
        || curl_multi_add_handle(h->multi, c) != CURLM_OK)
    {
        (void) curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
        snprintf(req->error, sizeof(req->error), "cannot set up a fetch");
        js_http_req_reset(req);
        return -1;
    }

    h->running++;
    return 0;
}

static void
js_http_finish(js_http_t *h, CURL *c, CURLcode rc)
{
    char            msg[sizeof(((js_http_req_t *) 0)->error)];
    js_http_req_t  *req = NULL;

    (void) curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **) &req);
    (void) curl_multi_remove_handle(h->multi, c);
    h->running--;

    (void) curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);

    if (rc == CURLE_OK) {
        (void) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &req->status);
        req->error[0] = '\0';

    } else {
        req->status = 0;
        if (req->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
            snprintf(msg, sizeof(msg), "body larger than %zu bytes",
                     req->max_body);
        } else {
            snprintf(msg, sizeof(msg), "%s%s%.250s", curl_easy_strerror(rc),
                     req->error[0] ? ": " : "", req->error);
        }
        memcpy(req->error, msg, sizeof(msg));
    }

    curl_easy_cleanup(c);
    req->easy = NULL;
    curl_slist_free_all(req->headers);
    req->headers = NULL;

    req->done(req);
}

static void
js_http_perform(js_http_t *h)
{
    int        still, left;
    CURLMsg   *m;

    (void) curl_multi_perform(h->multi, &still);

    while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (m->msg == CURLMSG_DONE) {
            js_http_finish(h, m->easy_handle, m->data.result);
        }
    }
}

void
js_http_poll(js_http_t *h, int ms)
{
    /* Transfers added since the last call start before the wait. */
    js_http_perform(h);
    (void) curl_multi_poll(h->multi, NULL, 0, ms, NULL);
    js_http_perform(h);
}

void
js_http_cancel(js_http_t *h, js_http_req_t *req)
{
    if (req->easy == NULL) {
        return;
    }
    (void) curl_multi_remove_handle(h->multi, req->easy);
    h->running--;
    js_http_req_reset(req);
}

int
js_http_running(js_http_t *h)
{
    return h->running;
}

void
js_http_req_reset(js_http_req_t *req)
{
    if (req->easy != NULL) {
        curl_easy_cleanup(req->easy);
        req->easy = NULL;
    }
    curl_slist_free_all(req->headers);
    free(req->body);
    free(req->resp_etag);
    free(req->resp_last_modified);

    req->headers = NULL;
    req->body = NULL;
    req->resp_etag = NULL;
    req->resp_last_modified = NULL;
    req->len = 0;
    req->cap = 0;
    req->status = 0;
    req->too_large = 0;
}
