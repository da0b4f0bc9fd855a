/*
 * The FCM client: the service account's access token (the JWT-bearer
 * grant, on libcurl) and the messages, multiplexed on HTTP/2 (h2.c) or,
 * through a proxy or to a server without HTTP/2, on libcurl's multi
 * interface.  Messages and answers: fcm.c.
 */

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "fcm.h"
#include "h2.h"
#include "log.h"
#include "util.h"

#define JS_FCM_ANSWER_MAX     (64 * 1024)   /* bytes of an answer kept */
#define JS_FCM_RENEW_BEFORE   300           /* s before expiry */
#define JS_FCM_TOKEN_RETRY    1000          /* ms, first wait after a
                                               failed token request */
#define JS_FCM_TOKEN_RETRY_MAX 60000
#define JS_FCM_CONTENT_TYPE   "application/json; charset=UTF-8"
#define JS_FCM_AUTHORIZATION  "Authorization: "   /* f->bearer's start */
#define JS_FCM_WAITFDS        8

typedef struct js_fcm_xfer_s  js_fcm_xfer_t;

struct js_fcm_xfer_s {
    CURL                *easy;
    int                  on_h2;        /* sent on f->h2, not easy */
    char                *body;
    void                *data;
    unsigned             token_gen;    /* the access token it went with */
    int                  auth_retried;
    js_buf_t             answer;
    char                 curl_err[CURL_ERROR_SIZE];
    js_fcm_xfer_t       *next;         /* free list */
};

struct js_fcm_s {
    js_fcm_account_t     account;
    char                *send_url;
    char                *send_path;    /* its path, for f->h2 */
    const char          *ca_file;      /* NULL: the system's CAs */
    int                  timeout;      /* ms */
    int                  max_in_flight;
    int                  in_flight;

    /* Messages go on h2, unless FCM is reached through a proxy, or
     * does not take HTTP/2: on multi then, as the token's request. */
    js_h2_t             *h2;
    CURLM               *multi;
    js_fcm_xfer_t       *xfers;
    js_fcm_xfer_t       *free;

    /*
     * The access token's request, on the multi handle too: nothing
     * waits for it but the messages that need a token.
     */
    CURL                *token_easy;
    int                  fetching;     /* token_easy is in the multi */
    char                *token_form;   /* its body, the assertion */
    struct curl_slist   *token_headers;
    js_buf_t             token_answer;
    char                 token_curl_err[CURL_ERROR_SIZE];
    char                 token_error[256];  /* why the last one failed */
    js_fcm_xfer_t       *auth_wait;    /* 401s waiting for its answer */

    char                *access_token;
    char                *bearer;       /* "Authorization: Bearer ..." */
    unsigned             token_gen;

    /*
     * The headers of every message, one list per access token: kept
     * until the end, for transfers still in flight with an older token
     * (a renewal is hourly: a few lists a day).
     */
    struct curl_slist  **headers;
    unsigned             nheaders;
    int64_t              renew_at;     /* monotonic ms */
    int64_t              expires_at;
    int64_t              retry_at;
    int                  retry_wait;
};

/* --- the client ------------------------------------------------------ */

static size_t
js_fcm_write(char *ptr, size_t size, size_t nmemb, void *data)
{
    return js_buf_add_capped(data, ptr, size * nmemb, JS_FCM_ANSWER_MAX) == 0
           ? size * nmemb : 0;
}

static int
js_fcm_easy_common(js_fcm_t *f, CURL *c, js_buf_t *answer, char *errbuf)
{
    if (f->ca_file != NULL
        && curl_easy_setopt(c, CURLOPT_CAINFO, f->ca_file) != CURLE_OK)
    {
        return -1;
    }

    return curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https")
               != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) f->timeout)
              != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                               (long) f->timeout) != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, js_fcm_write)
              != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_WRITEDATA, answer) != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                               (long) CURL_HTTP_VERSION_2TLS) != CURLE_OK
           || curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L) != CURLE_OK
           ? -1 : 0;
}

/*
 * HTTP/2 of our own for https, which is what FCM speaks, unless a proxy
 * is set in the environment: libcurl knows those.  0, or -1 (out of
 * memory, a CA file OpenSSL cannot read).
 */
static int
js_fcm_h2_create(js_fcm_t *f, char *err, size_t errlen)
{
    int           rc = -1;
    char         *path = NULL, *query = NULL;
    CURLU        *u;
    const char   *value;
    const char  **v, *proxies[] = { "https_proxy", "HTTPS_PROXY",
                                    "all_proxy", "ALL_PROXY", NULL };

    if (strncasecmp(f->send_url, "https://", 8) != 0) {
        return 0;
    }
    for (v = proxies; *v != NULL; v++) {
        value = getenv(*v);
        if (value != NULL && value[0] != '\0') {
            js_log(JS_LOG_INFO, "fcm through a proxy: messages go by "
                   "libcurl", JS_KS("variable", *v));
            return 0;
        }
    }

    u = curl_url();
    if (u == NULL
        || curl_url_set(u, CURLUPART_URL, f->send_url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
    {
        snprintf(err, errlen, "cannot parse %s", f->send_url);
        goto done;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK) {
        query = NULL;
    }
    if (asprintf(&f->send_path, "%s%s%s", path, query ? "?" : "",
                 query ? query : "") < 0)
    {
        f->send_path = NULL;
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    f->h2 = js_h2_create(f->send_url, f->ca_file, f->timeout, err, errlen);
    rc = f->h2 != NULL ? 0 : -1;

done:

    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

js_fcm_t *
js_fcm_create(const js_conf_t *cf, char *err, size_t errlen)
{
    int          i;
    size_t       len;
    js_fcm_t    *f;
    const char  *base = cf->fcm_base_url;

    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }

    if (js_fcm_account_load(&f->account, cf->fcm_service_account, err,
                            errlen) != 0)
    {
        free(f);
        return NULL;
    }

    f->timeout = cf->fcm_timeout;
    f->max_in_flight = cf->fcm_max_in_flight;
    f->ca_file = cf->fcm_ca_file;
    f->retry_wait = JS_FCM_TOKEN_RETRY;

    len = strlen(base);
    while (len > 0 && base[len - 1] == '/') {
        len--;
    }

    f->multi = curl_multi_init();
    f->token_easy = curl_easy_init();
    f->xfers = calloc(f->max_in_flight, sizeof(js_fcm_xfer_t));

    if (asprintf(&f->send_url, "%.*s/v1/projects/%s/messages:send",
                 (int) len, base, f->account.project_id) < 0)
    {
        f->send_url = NULL;
    }

    if (f->multi == NULL || f->token_easy == NULL || f->xfers == NULL
        || f->send_url == NULL)
    {
        snprintf(err, errlen, "out of memory");
        js_fcm_destroy(f, NULL, NULL);
        return NULL;
    }

    /*
     * Every message to one host: as many HTTP/1.1 connections as
     * messages in flight, or their streams multiplexed on HTTP/2 ones.
     */
    (void) curl_multi_setopt(f->multi, CURLMOPT_PIPELINING,
                             (long) CURLPIPE_MULTIPLEX);
    (void) curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                             (long) f->max_in_flight);
    (void) curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS,
                             (long) f->max_in_flight);

    for (i = 0; i < f->max_in_flight; i++) {
        f->xfers[i].next = f->free;
        f->free = &f->xfers[i];
    }

    if (js_fcm_h2_create(f, err, errlen) != 0) {
        js_fcm_destroy(f, NULL, NULL);
        return NULL;
    }

    return f;
}

int64_t
js_fcm_retry_at(js_fcm_t *f)
{
    /* A request on its way wakes js_fcm_wait() when it is answered. */
    return f->fetching ? js_msec() + f->timeout : f->retry_at;
}

static void
js_fcm_token_failed(js_fcm_t *f, const char *err)
{
    js_log(JS_LOG_ERR, "fcm access token request failed",
           JS_KS("token_uri", f->account.token_uri), JS_KS("err", err),
           JS_KI("retry_ms", f->retry_wait));

    snprintf(f->token_error, sizeof(f->token_error), "%s", err);
    f->retry_at = js_msec() + f->retry_wait;
    f->retry_wait = f->retry_wait * 2 > JS_FCM_TOKEN_RETRY_MAX
                    ? JS_FCM_TOKEN_RETRY_MAX : f->retry_wait * 2;
}

static void
js_fcm_token_clear(js_fcm_t *f)
{
    if (f->token_form != NULL) {
        OPENSSL_cleanse(f->token_form, strlen(f->token_form));
        free(f->token_form);
        f->token_form = NULL;
    }
    curl_slist_free_all(f->token_headers);
    f->token_headers = NULL;
}

/* The JWT-bearer grant: POST the assertion to token_uri, in the multi. */
static void
js_fcm_token_start(js_fcm_t *f)
{
    char  *jwt, *grant = NULL, err[512];
    CURL  *c = f->token_easy;

    jwt = js_fcm_assertion(&f->account, time(NULL), err, sizeof(err));
    if (jwt == NULL) {
        js_fcm_token_failed(f, err);
        return;
    }

    grant = curl_easy_escape(c, JS_FCM_GRANT_TYPE, 0);
    if (grant == NULL
        || asprintf(&f->token_form, "grant_type=%s&assertion=%s", grant,
                    jwt) < 0)
    {
        f->token_form = NULL;
    }
    OPENSSL_cleanse(jwt, strlen(jwt));
    free(jwt);
    curl_free(grant);

    f->token_headers = curl_slist_append(NULL, "Content-Type: "
                                         "application/x-www-form-urlencoded");
    curl_easy_reset(c);
    js_buf_clear(&f->token_answer);
    f->token_curl_err[0] = '\0';

    if (f->token_form == NULL || f->token_headers == NULL
        || js_fcm_easy_common(f, c, &f->token_answer, f->token_curl_err)
           != 0
        || curl_easy_setopt(c, CURLOPT_URL, f->account.token_uri) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_HTTPHEADER, f->token_headers)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_POSTFIELDS, f->token_form) != CURLE_OK
        || curl_multi_add_handle(f->multi, c) != CURLM_OK)
    {
        js_fcm_token_clear(f);
        js_fcm_token_failed(f, "cannot start the request");
        return;
    }

    f->fetching = 1;
}

/* The token endpoint's answer: 0 and a new access token, or -1. */
static int
js_fcm_token_answer(js_fcm_t *f, CURLcode cc)
{
    long           status = 0, ttl;
    char           err[512];
    json_t        *o;
    const char    *token, *type;
    json_error_t   je;
    js_buf_t      *answer = &f->token_answer;

    (void) curl_easy_getinfo(f->token_easy, CURLINFO_RESPONSE_CODE, &status);

    if (cc != CURLE_OK) {
        snprintf(err, sizeof(err), "%s%s%s", curl_easy_strerror(cc),
                 f->token_curl_err[0] ? ": " : "", f->token_curl_err);
        js_fcm_token_failed(f, err);
        return -1;
    }

    o = answer->len ? json_loadb(answer->p, answer->len, 0, &je) : NULL;
    token = json_string_value(json_object_get(o, "access_token"));
    type = json_string_value(json_object_get(o, "token_type"));
    ttl = (long) json_integer_value(json_object_get(o, "expires_in"));

    if (status != 200 || token == NULL || token[0] == '\0'
        || strcspn(token, "\r\n") != strlen(token)
        || (type != NULL && strcasecmp(type, "Bearer") != 0) || ttl <= 0)
    {
        snprintf(err, sizeof(err), "HTTP %ld: %.300s", status,
                 answer->len ? answer->p : "(no body)");
        json_decref(o);
        js_fcm_token_failed(f, err);
        return -1;
    }

    free(f->access_token);
    free(f->bearer);
    f->access_token = strdup(token);
    json_decref(o);

    if (f->access_token == NULL
        || asprintf(&f->bearer, JS_FCM_AUTHORIZATION "Bearer %s",
                    f->access_token)
           < 0)
    {
        f->bearer = NULL;
        js_fcm_token_failed(f, "out of memory");
        return -1;
    }

    f->token_gen++;
    f->expires_at = js_msec() + ttl * 1000;
    f->renew_at = f->expires_at
                  - (ttl > 2 * JS_FCM_RENEW_BEFORE ? JS_FCM_RENEW_BEFORE
                                                   : ttl / 2) * 1000;
    f->retry_wait = JS_FCM_TOKEN_RETRY;

    js_log(JS_LOG_INFO, "fcm access token obtained",
           JS_KI("expires_in", ttl), JS_KI("generation", f->token_gen));
    return 0;
}

int
js_fcm_token(js_fcm_t *f)
{
    int64_t  now = js_msec();

    if (f->bearer != NULL && now < f->renew_at) {
        return 0;
    }

    if (!f->fetching && now >= f->retry_at) {
        js_fcm_token_start(f);
    }

    /* While it is renewed, or until the next try, the old one serves. */
    return f->bearer != NULL && now < f->expires_at ? 0 : -1;
}

int
js_fcm_room(js_fcm_t *f)
{
    return f->max_in_flight - f->in_flight;
}

int
js_fcm_in_flight(js_fcm_t *f)
{
    return f->in_flight;
}

int
js_fcm_busy(js_fcm_t *f)
{
    return f->in_flight > 0 || f->fetching
           || (f->h2 != NULL && js_h2_pending(f->h2) > 0);
}

static void
js_fcm_xfer_release(js_fcm_t *f, js_fcm_xfer_t *x)
{
    free(x->body);
    x->body = NULL;
    x->data = NULL;
    js_buf_clear(&x->answer);
    x->next = f->free;
    f->free = x;
    f->in_flight--;
}

/* The headers of messages sent with the current access token. */
static struct curl_slist *
js_fcm_headers(js_fcm_t *f)
{
    struct curl_slist   *h, **list;

    if (f->nheaders == f->token_gen) {
        return f->headers[f->token_gen - 1];
    }

    /* "Expect:": no 100-continue round trip before each body. */
    h = curl_slist_append(NULL, f->bearer);
    h = h ? curl_slist_append(h, "Content-Type: " JS_FCM_CONTENT_TYPE)
          : NULL;
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    if (h == NULL) {
        return NULL;
    }

    list = realloc(f->headers, f->token_gen * sizeof(struct curl_slist *));
    if (list == NULL) {
        curl_slist_free_all(h);
        return NULL;
    }

    /* Generations without a message leave no list. */
    while (f->nheaders < f->token_gen - 1) {
        list[f->nheaders++] = NULL;
    }
    list[f->nheaders++] = h;
    f->headers = list;
    return h;
}

/* (Re)starts x with the current access token. */
static int
js_fcm_xfer_start(js_fcm_t *f, js_fcm_xfer_t *x)
{
    struct curl_slist  *h;

    x->token_gen = f->token_gen;
    js_buf_clear(&x->answer);
    x->curl_err[0] = '\0';
    x->on_h2 = f->h2 != NULL && !js_h2_refused(f->h2);

    if (x->on_h2) {
        return js_h2_request(f->h2, f->send_path,
                             f->bearer + sizeof(JS_FCM_AUTHORIZATION) - 1,
                             JS_FCM_CONTENT_TYPE, x->body, strlen(x->body),
                             x);
    }

    h = js_fcm_headers(f);
    if (h == NULL) {
        return -1;
    }

    if (x->easy == NULL) {
        x->easy = curl_easy_init();
        if (x->easy == NULL
            || js_fcm_easy_common(f, x->easy, &x->answer, x->curl_err) != 0
            || curl_easy_setopt(x->easy, CURLOPT_URL, f->send_url)
               != CURLE_OK
            || curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x) != CURLE_OK)
        {
            return -1;
        }
    }

    if (curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, h)
            != CURLE_OK
        || curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body)
           != CURLE_OK
        || curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE,
                            (long) strlen(x->body)) != CURLE_OK
        || curl_multi_add_handle(f->multi, x->easy) != CURLM_OK)
    {
        return -1;
    }

    return 0;
}

int
js_fcm_send(js_fcm_t *f, char *body, void *data)
{
    js_fcm_xfer_t  *x = f->free;

    if (x == NULL || f->bearer == NULL) {
        free(body);
        return -1;
    }

    f->free = x->next;
    f->in_flight++;
    x->next = NULL;
    x->body = body;
    x->data = data;
    x->auth_retried = 0;

    if (js_fcm_xfer_start(f, x) != 0) {
        js_fcm_xfer_release(f, x);
        return -1;
    }

    return 0;
}

int
js_fcm_wait(js_fcm_t *f, struct curl_waitfd *extra, unsigned n,
    int timeout)
{
    int                 i, rc, numfds, t, nh = 0;
    unsigned            all = n;
    struct pollfd       pfd[JS_FCM_WAITFDS];
    struct curl_waitfd  fds[JS_FCM_WAITFDS * 2];

    /* The HTTP/2 connections' sockets after the caller's. */
    if (f->h2 != NULL && n <= JS_FCM_WAITFDS) {
        nh = js_h2_fds(f->h2, pfd, JS_FCM_WAITFDS);
        for (i = 0; i < (int) n; i++) {
            fds[i] = extra[i];
        }
        for (i = 0; i < nh; i++) {
            fds[n + i].fd = pfd[i].fd;
            fds[n + i].events = ((pfd[i].events & POLLIN) ? CURL_WAIT_POLLIN
                                                          : 0)
                                | ((pfd[i].events & POLLOUT)
                                   ? CURL_WAIT_POLLOUT : 0);
            fds[n + i].revents = 0;
        }
        all = n + nh;

        t = js_h2_timeout(f->h2);
        if (t >= 0 && t < timeout) {
            timeout = t;
        }
    }

    rc = curl_multi_poll(f->multi, nh > 0 ? fds : extra, all, timeout,
                         &numfds);
    for (i = 0; nh > 0 && i < (int) n; i++) {
        extra[i].revents = fds[i].revents;
    }
    return rc == CURLM_OK ? 0 : -1;
}

/* The Retry-After header of a finished transfer, or NULL. */
static const char *
js_fcm_xfer_retry_after(js_fcm_xfer_t *x)
{
    struct curl_header  *h;

    return curl_easy_header(x->easy, "Retry-After", 0, CURLH_HEADER, -1, &h)
           == CURLHE_OK ? h->value : NULL;
}

/* Reports x, done with r. */
static void
js_fcm_report(js_fcm_t *f, js_fcm_xfer_t *x, const js_fcm_result_t *r,
    js_fcm_done_pt done, void *ctx)
{
    void  *data = x->data;

    js_fcm_xfer_release(f, x);
    done(ctx, data, r);
}

/* A 401's message, once the token it waited for came or did not. */
static void
js_fcm_auth_resume(js_fcm_t *f, js_fcm_xfer_t *x, js_fcm_done_pt done,
    void *ctx)
{
    js_fcm_result_t  r;

    if (x->token_gen != f->token_gen && js_fcm_xfer_start(f, x) == 0) {
        return;
    }

    memset(&r, 0, sizeof(r));
    r.outcome = JS_FCM_RETRY;
    r.status = 401;
    r.retry_after = -1;
    snprintf(r.error, sizeof(r.error), "HTTP 401, and no new access token: "
             "%s", f->token_error[0] ? f->token_error : "not renewed yet");
    js_fcm_report(f, x, &r, done, ctx);
}

/*
 * What came of x: an answer (status, body, Retry-After's value) or, error
 * set, none.
 */
static void
js_fcm_finished(js_fcm_t *f, js_fcm_xfer_t *x, long status,
    const char *body, size_t len, const char *retry_after, const char *error,
    js_fcm_done_pt done, void *ctx)
{
    js_fcm_result_t  r;

    memset(&r, 0, sizeof(r));
    r.retry_after = -1;

    if (error != NULL) {
        /* Timed out or cut: FCM may or may not have the message. */
        r.outcome = JS_FCM_RETRY;
        snprintf(r.error, sizeof(r.error), "%s", error);
        js_fcm_report(f, x, &r, done, ctx);
        return;
    }

    js_fcm_classify(status, body, len, &r);
    if (r.outcome == JS_FCM_RETRY && retry_after != NULL) {
        r.retry_after = js_fcm_retry_after(retry_after, time(NULL));
    }

    if (r.outcome == JS_FCM_AUTH) {
        if (x->auth_retried) {
            r.outcome = JS_FCM_RETRY;
            snprintf(r.error, sizeof(r.error), "HTTP 401 again, with a "
                     "renewed access token");
            js_fcm_report(f, x, &r, done, ctx);
            return;
        }

        /*
         * The token it went with is refused: one request renews it for
         * every message that gets a 401 meanwhile, which waits for it;
         * after a failed request, none before its backoff.
         */
        x->auth_retried = 1;
        if (x->token_gen == f->token_gen) {
            f->renew_at = 0;
            f->expires_at = 0;
            (void) js_fcm_token(f);
        }

        if (f->fetching) {
            x->next = f->auth_wait;
            f->auth_wait = x;
            return;
        }

        js_fcm_auth_resume(f, x, done, ctx);
        return;
    }

    js_fcm_report(f, x, &r, done, ctx);
}

static void
js_fcm_curl_finished(js_fcm_t *f, js_fcm_xfer_t *x, CURLcode cc,
    js_fcm_done_pt done, void *ctx)
{
    long  status = 0;
    char  err[sizeof(x->curl_err) + 128];

    (void) curl_multi_remove_handle(f->multi, x->easy);

    if (cc != CURLE_OK) {
        snprintf(err, sizeof(err), "%s%s%s", curl_easy_strerror(cc),
                 x->curl_err[0] ? ": " : "", x->curl_err);
        js_fcm_finished(f, x, 0, NULL, 0, NULL, err, done, ctx);
        return;
    }

    (void) curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    js_fcm_finished(f, x, status, x->answer.p, x->answer.len,
                    js_fcm_xfer_retry_after(x), NULL, done, ctx);
}

typedef struct {
    js_fcm_t        *f;
    js_fcm_done_pt   done;
    void            *ctx;
} js_fcm_h2_ctx_t;

static void
js_fcm_h2_finished(void *c, void *data, const js_h2_answer_t *a)
{
    js_fcm_xfer_t    *x = data;
    js_fcm_h2_ctx_t  *hc = c;

    if (a->unprocessed) {
        /* The server does not take HTTP/2: again, by libcurl. */
        if (js_fcm_xfer_start(hc->f, x) == 0) {
            return;
        }
        js_fcm_finished(hc->f, x, 0, NULL, 0, NULL, "cannot start the "
                        "request", hc->done, hc->ctx);
        return;
    }

    js_fcm_finished(hc->f, x, a->status, a->body, a->len, a->retry_after,
                    a->error, hc->done, hc->ctx);
}

int
js_fcm_perform(js_fcm_t *f, js_fcm_done_pt done, void *ctx)
{
    int               running, left, renewed = 0;
    CURLMsg          *m;
    js_fcm_xfer_t    *x;
    js_fcm_h2_ctx_t   hc = { f, done, ctx };

    if (f->h2 != NULL) {
        js_h2_process(f->h2, js_fcm_h2_finished, &hc);
    }

    (void) curl_multi_perform(f->multi, &running);

    while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE) {
            continue;
        }

        if (m->easy_handle == f->token_easy) {
            (void) curl_multi_remove_handle(f->multi, f->token_easy);
            f->fetching = 0;
            renewed = js_fcm_token_answer(f, m->data.result) == 0;
            js_fcm_token_clear(f);

            while ((x = f->auth_wait) != NULL) {
                f->auth_wait = x->next;
                x->next = NULL;
                js_fcm_auth_resume(f, x, done, ctx);
            }
            continue;
        }

        x = NULL;
        (void) curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
                                 (char **) &x);
        if (x != NULL) {
            js_fcm_curl_finished(f, x, m->data.result, done, ctx);
        }
    }

    return renewed;
}

void
js_fcm_destroy(js_fcm_t *f, js_fcm_done_pt done, void *ctx)
{
    int               i;
    void             *data;
    js_fcm_xfer_t    *x;
    js_fcm_result_t   r;

    if (f == NULL) {
        return;
    }

    memset(&r, 0, sizeof(r));
    r.outcome = JS_FCM_ABANDONED;
    r.retry_after = -1;
    snprintf(r.error, sizeof(r.error), "abandoned on exit");

    /* Its requests are reported below, with the others. */
    js_h2_destroy(f->h2, NULL, NULL);

    for (i = 0; f->xfers != NULL && i < f->max_in_flight; i++) {
        x = &f->xfers[i];

        if (x->body != NULL) {
            if (!x->on_h2) {
                (void) curl_multi_remove_handle(f->multi, x->easy);
            }
            data = x->data;
            js_fcm_xfer_release(f, x);
            if (done != NULL) {
                done(ctx, data, &r);
            }
        }

        if (x->easy != NULL) {
            curl_easy_cleanup(x->easy);
        }
        free(x->answer.p);
    }

    if (f->fetching) {
        (void) curl_multi_remove_handle(f->multi, f->token_easy);
    }
    if (f->multi != NULL) {
        curl_multi_cleanup(f->multi);
    }
    if (f->token_easy != NULL) {
        curl_easy_cleanup(f->token_easy);
    }

    for (i = 0; (unsigned) i < f->nheaders; i++) {
        curl_slist_free_all(f->headers[i]);
    }
    free(f->headers);

    js_fcm_token_clear(f);
    free(f->token_answer.p);
    free(f->xfers);
    free(f->send_url);
    free(f->send_path);
    free(f->access_token);
    free(f->bearer);
    js_fcm_account_free(&f->account);
    free(f);
}
