/*
 * HTTP GETs on libcurl's multi interface: many fetches in flight in one
 * process, each finishing through its callback from js_http_poll().
 *
 *   js_http_t  *h = js_http_create(&opts);
 *
 *   req->url = ...; req->etag = ...; req->done = cb; req->data = ...;
 *   js_http_start(h, req);
 *   while (js_http_running(h)) {
 *       js_http_poll(h, 100);          calls cb(req) for finished ones
 *   }
 *   js_http_destroy(h);
 *
 * Every fetch has the connect and total timeouts, the redirect limit,
 * Accept-Encoding (all libcurl decodes), the honest User-Agent, and a
 * cap on the decoded body (a compression bomb stops at the cap).  A
 * request with an ETag or Last-Modified sends If-None-Match /
 * If-Modified-Since: 304 comes back as status 304 with no body.  A
 * request with a body is a POST of it as application/json (a provider's
 * search endpoint).
 */

#ifndef JS_HTTP_H
#define JS_HTTP_H

#include <stddef.h>

#include <curl/curl.h>

typedef struct {
    const char  *user_agent;
    int          connect_timeout;   /* ms */
    int          timeout;           /* ms */
    int          max_redirects;
    size_t       max_body;          /* bytes, decoded */
} js_http_opts_t;

typedef struct js_http_s      js_http_t;
typedef struct js_http_req_s  js_http_req_t;

struct js_http_req_s {
    /* set by the caller; strings are the caller's until done */
    const char     *url;
    const char     *etag;           /* NULL: unconditional */
    const char     *last_modified;
    const char     *post;           /* POSTed as JSON; NULL: a GET */
    void          (*done)(js_http_req_t *req);
    void           *data;

    /* the answer, valid in done() until js_http_req_reset() */
    long            status;         /* 0 when the transfer failed */
    char           *body;           /* NUL-terminated, may be NULL */
    size_t          len;
    char           *resp_etag;
    char           *resp_last_modified;
    char            error[CURL_ERROR_SIZE + 64];   /* "" on success */

    /* private */
    CURL           *easy;
    struct curl_slist  *headers;
    size_t          cap;
    size_t          max_body;
    int             too_large;
};

js_http_t *js_http_create(const js_http_opts_t *opts);
void js_http_destroy(js_http_t *h);

/* 0, or -1 with req->error set (done() is then not called). */
int js_http_start(js_http_t *h, js_http_req_t *req);

/* Removes a transfer in flight without calling done() (TERM). */
void js_http_cancel(js_http_t *h, js_http_req_t *req);

/* Waits up to ms for activity, then calls done() of finished fetches. */
void js_http_poll(js_http_t *h, int ms);

int js_http_running(js_http_t *h);

/* Frees the answer; the request can be started again. */
void js_http_req_reset(js_http_req_t *req);

#endif
