/*
 * HTTP/2 over TLS for one origin: see h2.h.  Requests go on the first
 * connection with a stream free (SETTINGS_MAX_CONCURRENT_STREAMS); when
 * none has, one more is made, up to JS_H2_CONNS_MAX.  A connection told
 * GOAWAY takes no new stream and goes once drained.
 */

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <curl/curl.h>

#include "h2_int.h"
#include "util.h"


/* --- requests ------------------------------------------------------- */

static void
js_h2_list_append(js_h2_list_t *l, js_h2_req_t *r)
{
    r->next = NULL;
    r->prev = l->tail;
    if (l->tail != NULL) {
        l->tail->next = r;
    } else {
        l->head = r;
    }
    l->tail = r;
}

static void
js_h2_list_prepend(js_h2_list_t *l, js_h2_req_t *r)
{
    r->prev = NULL;
    r->next = l->head;
    if (l->head != NULL) {
        l->head->prev = r;
    } else {
        l->tail = r;
    }
    l->head = r;
}

void
js_h2_list_remove(js_h2_list_t *l, js_h2_req_t *r)
{
    if (r->prev != NULL) {
        r->prev->next = r->next;
    } else {
        l->head = r->next;
    }
    if (r->next != NULL) {
        r->next->prev = r->prev;
    } else {
        l->tail = r->prev;
    }
    r->prev = r->next = NULL;
}

/* The first of l, taken off it, or NULL. */
js_h2_req_t *
js_h2_list_shift(js_h2_list_t *l)
{
    js_h2_req_t  *r = l->head;

    if (r != NULL) {
        l->head = r->next;
        if (l->head != NULL) {
            l->head->prev = NULL;
        } else {
            l->tail = NULL;
        }
        r->next = NULL;
    }
    return r;
}

static void
js_h2_req_free(js_h2_t *h, js_h2_req_t *r)
{
    free(r->retry_after);
    free(r->answer.p);
    free(r);
    h->nreqs--;
}

/* Reports r, once: a request timed out is reported before it is gone. */
static void
js_h2_report(js_h2_t *h, js_h2_req_t *r, const char *error, int unprocessed)
{
    js_h2_answer_t  a;

    if (!r->answered && h->done != NULL) {
        memset(&a, 0, sizeof(a));
        a.status = error == NULL ? r->status : 0;
        a.body = r->answer.p != NULL ? r->answer.p : "";
        a.len = r->answer.len;
        a.retry_after = r->retry_after;
        a.error = error;
        a.unprocessed = unprocessed;
        h->done(h->ctx_done, r->data, &a);
    }
    r->answered = 1;
}

void
js_h2_answer(js_h2_t *h, js_h2_req_t *r, const char *error, int unprocessed)
{
    js_h2_report(h, r, error, unprocessed);
    js_h2_req_free(h, r);
}

/* Off the connection, never seen by the server: to send again. */
void
js_h2_requeue(js_h2_t *h, js_h2_req_t *r)
{
    r->stream = 0;
    r->sent = 0;
    r->off = 0;
    r->status = 0;
    js_buf_clear(&r->answer);
    free(r->retry_after);
    r->retry_after = NULL;
    /* The oldest first: the list stays in the order of deadlines. */
    js_h2_list_prepend(&h->waiting, r);
}

int
js_h2_request(js_h2_t *h, const char *path, const char *authorization,
    const char *content_type, const char *body, size_t len, void *data)
{
    size_t        lp, la, lc;
    js_h2_req_t  *r;

    if (h->refused) {
        return -1;
    }

    lp = strlen(path) + 1;
    la = strlen(authorization) + 1;
    lc = strlen(content_type) + 1;

    r = calloc(1, sizeof(*r) + lp + la + lc);
    if (r == NULL) {
        return -1;
    }
    memcpy(r->strs, path, lp);
    memcpy(r->strs + lp, authorization, la);
    memcpy(r->strs + lp + la, content_type, lc);
    r->path = r->strs;
    r->authorization = r->strs + lp;
    r->content_type = r->strs + lp + la;
    r->body = body;
    r->len = len;
    r->data = data;
    r->deadline = js_msec() + h->timeout;

    js_h2_list_append(&h->waiting, r);
    h->nreqs++;
    return 0;
}

int
js_h2_pending(js_h2_t *h)
{
    return h->nreqs;
}

int
js_h2_refused(js_h2_t *h)
{
    return h->refused;
}


/* --- nghttp2's callbacks -------------------------------------------- */

static ssize_t
js_h2_body_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *u)
{
    size_t        n;
    js_h2_req_t  *r = src->ptr;

    (void) s;
    (void) id;
    (void) u;

    n = r->len - r->off;
    if (n > len) {
        n = len;
    }
    memcpy(buf, r->body + r->off, n);
    r->off += n;
    if (r->off == r->len) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return (ssize_t) n;
}

static int
js_h2_on_header(nghttp2_session *s, const nghttp2_frame *frame,
    const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen,
    uint8_t flags, void *u)
{
    size_t        i;
    js_h2_req_t  *r;

    (void) flags;
    (void) u;

    if (frame->hd.type != NGHTTP2_HEADERS) {
        return 0;
    }
    r = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (r == NULL) {
        return 0;
    }

    if (nlen == 7 && memcmp(name, ":status", 7) == 0) {
        r->status = 0;
        for (i = 0; i < vlen && i < 3; i++) {
            if (value[i] < '0' || value[i] > '9') {
                r->status = 0;
                break;
            }
            r->status = r->status * 10 + (value[i] - '0');
        }

    } else if (nlen == 11 && memcmp(name, "retry-after", 11) == 0
               && r->retry_after == NULL)
    {
        r->retry_after = strndup((const char *) value, vlen);
    }
    return 0;
}

static int
js_h2_on_data(nghttp2_session *s, uint8_t flags, int32_t id,
    const uint8_t *data, size_t len, void *u)
{
    js_h2_req_t  *r;

    (void) flags;
    (void) u;

    r = nghttp2_session_get_stream_user_data(s, id);
    if (r == NULL) {
        return 0;
    }

    return js_buf_add_capped(&r->answer, (const char *) data, len,
                             JS_H2_ANSWER_MAX) == 0
           ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
}

static int
js_h2_on_frame_send(nghttp2_session *s, const nghttp2_frame *frame,
    void *u)
{
    js_h2_req_t  *r;

    (void) u;

    if (frame->hd.type == NGHTTP2_HEADERS) {
        r = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
        if (r != NULL) {
            r->sent = 1;
        }
    }
    return 0;
}

static int
js_h2_on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame,
    void *u)
{
    js_h2_conn_t  *c = u;

    (void) s;

    if (frame->hd.type == NGHTTP2_GOAWAY) {
        /* No new stream here: the rest go on the other connections. */
        c->goaway = 1;

    } else if (frame->hd.type == NGHTTP2_SETTINGS
               && !(frame->hd.flags & NGHTTP2_FLAG_ACK))
    {
        /* Its streams are known: requests may go on it. */
        c->settings = 1;
    }
    return 0;
}

static int
js_h2_on_close(nghttp2_session *s, int32_t id, uint32_t code, void *u)
{
    char           err[128];
    js_h2_t       *h;
    js_h2_req_t   *r;
    js_h2_conn_t  *c = u;

    r = nghttp2_session_get_stream_user_data(s, id);
    if (r == NULL) {
        return 0;
    }
    (void) nghttp2_session_set_stream_user_data(s, id, NULL);
    js_h2_list_remove(&c->streams, r);
    c->nstreams--;
    h = c->h;

    if (code == NGHTTP2_REFUSED_STREAM || !r->sent) {
        if (!r->answered) {
            js_h2_requeue(h, r);
            return 0;
        }
        js_h2_req_free(h, r);
        return 0;
    }

    if (code == NGHTTP2_NO_ERROR && r->status != 0) {
        js_h2_answer(h, r, NULL, 0);
        return 0;
    }

    snprintf(err, sizeof(err), "stream reset: %s",
             nghttp2_http2_strerror(code));
    js_h2_answer(h, r, err, 0);
    return 0;
}


int
js_h2_session(js_h2_conn_t *c)
{
    int                          rc;
    nghttp2_session_callbacks   *cb;
    nghttp2_settings_entry       settings[] = {
        { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
        { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20 }
    };

    if (nghttp2_session_callbacks_new(&cb) != 0) {
        return -1;
    }
    nghttp2_session_callbacks_set_on_header_callback(cb, js_h2_on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
                                                              js_h2_on_data);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb,
                                                   js_h2_on_frame_send);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
                                                   js_h2_on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb,
                                                           js_h2_on_close);

    rc = nghttp2_session_client_new(&c->session, cb, c);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0) {
        c->session = NULL;
        return -1;
    }

    return nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings,
                                   sizeof(settings) / sizeof(settings[0]))
           == 0 ? 0 : -1;
}

/*
 * A connection to take one more request: ready, its streams known, and
 * below the server's SETTINGS_MAX_CONCURRENT_STREAMS; or NULL.
 */
static js_h2_conn_t *
js_h2_room(js_h2_t *h)
{
    int            i;
    uint32_t       max;
    js_h2_conn_t  *c;

    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        c = &h->conns[i];
        if (c->state != JS_H2_READY || !c->settings || c->goaway) {
            continue;
        }
        max = nghttp2_session_get_remote_settings(c->session,
                                   NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
        if ((uint32_t) c->nstreams < max) {
            return c;
        }
    }
    return NULL;
}

/* Every request that waits, on the streams of the connections. */
static void
js_h2_submit(js_h2_t *h)
{
    int32_t                 id;
    js_h2_req_t            *r;
    js_h2_conn_t           *c;
    nghttp2_nv              nv[6];
    nghttp2_data_provider   dp;

#define JS_H2_NV(i, n, v)                                                     \
    nv[i].name = (uint8_t *) (n);                                             \
    nv[i].namelen = strlen(n);                                                \
    nv[i].value = (uint8_t *) (v);                                            \
    nv[i].valuelen = strlen(v);                                               \
    nv[i].flags = NGHTTP2_NV_FLAG_NONE

    while ((r = h->waiting.head) != NULL && (c = js_h2_room(h)) != NULL) {
        JS_H2_NV(0, ":method", "POST");
        JS_H2_NV(1, ":scheme", "https");
        JS_H2_NV(2, ":authority", h->authority);
        JS_H2_NV(3, ":path", r->path);
        JS_H2_NV(4, "authorization", r->authorization);
        /*
         * The access token goes into HPACK's table (nghttp2's choice):
         * a real one is about a kilobyte, sent once a connection rather
         * than with every message, and nothing of anyone else's shares
         * the connection to guess it by.
         */
        JS_H2_NV(5, "content-type", r->content_type);

        dp.source.ptr = r;
        dp.read_callback = js_h2_body_read;

        id = nghttp2_submit_request(c->session, NULL, nv, 6, &dp, r);
        if (id < 0) {
            js_h2_conn_close(c, nghttp2_strerror(id));
            continue;
        }
        js_h2_list_remove(&h->waiting, r);
        r->stream = id;
        js_h2_list_append(&c->streams, r);
        c->nstreams++;
    }

#undef JS_H2_NV
}

/* Requests past their deadline: waiting, or on c when c is not NULL. */
static void
js_h2_expire(js_h2_t *h, js_h2_conn_t *c, int64_t now)
{
    char          err[300];
    js_h2_req_t  *r;

    snprintf(err, sizeof(err), "timed out after %d ms%s%s", h->timeout,
             h->err[0] ? ", the connection: " : "", h->err);

    if (c == NULL) {
        while (h->waiting.head != NULL && h->waiting.head->deadline <= now) {
            js_h2_answer(h, js_h2_list_shift(&h->waiting), err, 0);
        }
        return;
    }

    for (r = c->streams.head; r != NULL && r->deadline <= now; r = r->next) {
        if (r->answered) {
            continue;
        }
        /*
         * Reported now, its body the caller's again: nothing more of it
         * is sent, and nghttp2 lets it go once the RST_STREAM is out.
         */
        js_h2_report(h, r, err, 0);
        r->body = "";
        r->len = r->off = 0;
        (void) nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE,
                                         r->stream, NGHTTP2_CANCEL);
    }
}

/* c's next steps: its connection made, its frames read. */
static void
js_h2_conn_process(js_h2_conn_t *c, int64_t now)
{
    int  rc;

    if (c->state == JS_H2_RESOLVING) {
        rc = gai_error(&c->gai);
        if (rc != EAI_INPROGRESS) {
            js_h2_resolved(c, rc);
        }
    }

    if (c->state == JS_H2_CONNECTING) {
        js_h2_connected(c);
    } else if (c->state == JS_H2_HANDSHAKE) {
        js_h2_handshake(c);
    }

    if ((c->state == JS_H2_CONNECTING || c->state == JS_H2_HANDSHAKE)
        && now >= c->conn_deadline)
    {
        js_h2_conn_close(c, "connection timed out");
    }

    if (c->state == JS_H2_READY) {
        (void) js_h2_read(c);
    }
}

/*
 * The connection to make when requests wait that none can take, none is
 * being made, and the last failure's backoff is over; or NULL.
 */
static js_h2_conn_t *
js_h2_next_conn(js_h2_t *h, int64_t now)
{
    int            i;
    js_h2_conn_t  *c, *free = NULL;

    if (h->refused || h->waiting.head == NULL || now < h->retry_at
        || js_h2_room(h) != NULL)
    {
        return NULL;
    }

    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        c = &h->conns[i];
        if (c->state == JS_H2_CLOSED) {
            free = free != NULL ? free : c;
        } else if (c->state != JS_H2_READY || !c->settings) {
            return NULL;
        }
    }
    return free;
}

void
js_h2_process(js_h2_t *h, js_h2_done_pt done, void *ctx)
{
    int            i;
    int64_t        now = js_msec();
    js_h2_req_t   *r;
    js_h2_conn_t  *c;

    h->done = done;
    h->ctx_done = ctx;

    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        js_h2_conn_process(&h->conns[i], now);
    }

    js_h2_submit(h);
    js_h2_expire(h, NULL, now);

    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        c = &h->conns[i];
        if (c->state != JS_H2_READY) {
            continue;
        }
        js_h2_expire(h, c, now);
        if (js_h2_write(c) == 0
            && !nghttp2_session_want_read(c->session)
            && !nghttp2_session_want_write(c->session)
            && c->out.len == 0)
        {
            /* Drained after a GOAWAY, or done with by both ends. */
            js_h2_conn_close(c, NULL);
        }
    }

    if (h->refused) {
        while ((r = js_h2_list_shift(&h->waiting)) != NULL) {
            js_h2_answer(h, r, "the server does not take HTTP/2", 1);
        }
    }

    c = js_h2_next_conn(h, now);
    if (c != NULL) {
        js_h2_start(c);
    }

    h->done = NULL;
    h->ctx_done = NULL;
}

/* The connections' sockets to poll, at most max: how many. */
int
js_h2_fds(js_h2_t *h, struct pollfd *pfd, int max)
{
    int            i, n = 0;
    js_h2_conn_t  *c;

    for (i = 0; i < JS_H2_CONNS_MAX && n < max; i++) {
        c = &h->conns[i];
        if (c->fd < 0) {
            continue;
        }
        pfd[n].fd = c->fd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        if (c->state == JS_H2_CONNECTING || c->out.len > 0
            || (c->state == JS_H2_READY
                && nghttp2_session_want_write(c->session))
            || (c->state == JS_H2_HANDSHAKE && SSL_want_write(c->ssl)))
        {
            pfd[n].events |= POLLOUT;
        }
        n++;
    }
    return n;
}

/* ms until js_h2_process() has something to do unprompted, or -1. */
int
js_h2_timeout(js_h2_t *h)
{
    int            i;
    int64_t        next = -1, now = js_msec();
    js_h2_conn_t  *c;

#define JS_H2_SOONER(t)  if (next < 0 || (t) < next) next = (t)

    if (h->waiting.head != NULL) {
        /* taken by a connection at once, or one more started */
        if (js_h2_room(h) != NULL || js_h2_next_conn(h, now) != NULL) {
            return 0;
        }
        JS_H2_SOONER(h->waiting.head->deadline);
        if (h->retry_at > now) {
            JS_H2_SOONER(h->retry_at);
        }
    }

    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        c = &h->conns[i];
        if (c->state == JS_H2_RESOLVING) {
            JS_H2_SOONER(now + JS_H2_RESOLVE_POLL);
        }
        if (c->state == JS_H2_CONNECTING || c->state == JS_H2_HANDSHAKE) {
            JS_H2_SOONER(c->conn_deadline);
        }
        if (c->streams.head != NULL) {
            JS_H2_SOONER(c->streams.head->deadline);
        }
    }

#undef JS_H2_SOONER

    return next < 0 ? -1 : next <= now ? 0 : (int) (next - now);
}

js_h2_t *
js_h2_create(const char *origin, const char *ca_file, int timeout,
    char *err, size_t errlen)
{
    int            i;
    char          *scheme = NULL, *host = NULL, *port = NULL;
    js_h2_t       *h;
    CURLU         *u;
    unsigned char  a6[16];

    h = calloc(1, sizeof(*h));
    u = curl_url();
    if (h == NULL || u == NULL) {
        snprintf(err, errlen, "out of memory");
        goto failed;
    }
    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        h->conns[i].h = h;
        h->conns[i].fd = -1;
    }
    h->timeout = timeout;
    h->retry_wait = JS_H2_RETRY_MIN;

    if (curl_url_set(u, CURLUPART_URL, origin, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || strcmp(scheme, "https") != 0
        || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)
           != CURLUE_OK)
    {
        snprintf(err, errlen, "not an https URL: %s", origin);
        goto failed;
    }

    /* [::1] in URLs, ::1 for the resolver and the certificate */
    if (host[0] == '[') {
        h->host = strndup(host + 1, strlen(host) - 2);
    } else {
        h->host = strdup(host);
    }
    snprintf(h->port, sizeof(h->port), "%s", port);
    if (h->host == NULL
        || asprintf(&h->authority, strcmp(port, "443") == 0 ? "%s" : "%s:%s",
                    host, port) < 0)
    {
        h->authority = NULL;
        snprintf(err, errlen, "out of memory");
        goto failed;
    }
    h->host_is_ip = inet_pton(AF_INET, h->host, a6) == 1
                    || inet_pton(AF_INET6, h->host, a6) == 1;

    h->ctx = SSL_CTX_new(TLS_client_method());
    if (h->ctx == NULL
        || SSL_CTX_set_min_proto_version(h->ctx, TLS1_2_VERSION) != 1
        || (ca_file != NULL
            ? SSL_CTX_load_verify_locations(h->ctx, ca_file, NULL)
            : SSL_CTX_set_default_verify_paths(h->ctx)) != 1
        || SSL_CTX_set_alpn_protos(h->ctx, (const unsigned char *)
                                   JS_H2_ALPN, sizeof(JS_H2_ALPN) - 1) != 0)
    {
        (void) js_h2_ssl_error("TLS", err, errlen);
        goto failed;
    }
    SSL_CTX_set_verify(h->ctx, SSL_VERIFY_PEER, NULL);
    /*
     * FCM answers each message in a record or two of its own: without
     * read-ahead each record cost two read()s (its header, its body),
     * about 1.5 a push; with it, one read() takes what has come.
     * js_h2_read() reads until WANT_READ, so nothing waits buffered.
     */
    SSL_CTX_set_read_ahead(h->ctx, 1);

    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return h;

failed:

    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    js_h2_destroy(h, NULL, NULL);
    return NULL;
}

/* Every request still here is answered: abandoned. */
void
js_h2_destroy(js_h2_t *h, js_h2_done_pt done, void *ctx)
{
    int               i, rc, lookups = 0;
    js_h2_req_t      *r;
    js_h2_conn_t     *c;
    struct timespec   wait = { 1, 0 };

    if (h == NULL) {
        return;
    }

    h->done = done;
    h->ctx_done = ctx;

    for (i = 0; i < JS_H2_CONNS_MAX; i++) {
        c = &h->conns[i];

        if (c->state == JS_H2_RESOLVING) {
            /* On exit: a lookup on its way gets a second to end. */
            if (gai_cancel(&c->gai) == EAI_NOTCANCELED) {
                (void) gai_suspend((const struct gaicb *const *) c->gai_list,
                                   1, &wait);
            }
            rc = gai_error(&c->gai);
            if (rc == 0) {
                freeaddrinfo(c->gai.ar_result);
            }
            lookups += rc == EAI_INPROGRESS;
            c->state = JS_H2_CLOSED;
        }

        while ((r = js_h2_list_shift(&c->streams)) != NULL) {
            js_h2_answer(h, r, "abandoned on exit", 0);
        }
        js_h2_conn_close(c, NULL);
        free(c->out.p);
    }

    while ((r = js_h2_list_shift(&h->waiting)) != NULL) {
        js_h2_answer(h, r, "abandoned on exit", 0);
    }

    SSL_CTX_free(h->ctx);
    if (lookups > 0) {
        /* glibc's thread still has h: left to it. */
        return;
    }
    free(h->host);
    free(h->authority);
    free(h);
}
