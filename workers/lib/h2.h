/*
 * A small HTTP/2 client for one origin, over TLS (ALPN "h2"), on the
 * caller's event loop: nghttp2 frames every request, one TLS write
 * carries as many as are ready, and one read takes every answer that has
 * come.  FCM's pushes go this way (fcm.c): per message it costs a third
 * of libcurl's multi interface, and the server less too.
 *
 *   h = js_h2_create("https://fcm.googleapis.com", ca_file, 10000, ...);
 *   js_h2_request(h, "/v1/...", "Bearer x", "application/json", body,
 *                 len, data);
 *   loop: poll js_h2_fds(h, pfd, max) up to js_h2_timeout(h) ms, then
 *         js_h2_process(h, done, ctx): done(ctx, data, answer) once
 *         per request.
 *
 * Requests go on as many connections as the server's concurrent streams
 * need (up to 8).  Requests the server never saw (sent on no connection,
 * refused by REFUSED_STREAM or above a GOAWAY's last stream) are sent
 * again, on another connection; those it may have seen are answered with
 * an error.  A server that does not take "h2" in ALPN makes
 * js_h2_refused() true, and every request is answered "unprocessed", for
 * another client.
 */

#ifndef JS_H2_H
#define JS_H2_H

#include <poll.h>
#include <stddef.h>

typedef struct js_h2_s  js_h2_t;

typedef struct {
    int          status;       /* HTTP status; 0: no answer */
    const char  *body;         /* NUL-terminated, the first 64 KB */
    size_t       len;
    const char  *retry_after;  /* the header's value, or NULL */
    const char  *error;        /* status 0: why */
    int          unprocessed;  /* status 0: the server never had it */
} js_h2_answer_t;

typedef void (*js_h2_done_pt)(void *ctx, void *data,
    const js_h2_answer_t *a);

js_h2_t *js_h2_create(const char *origin, const char *ca_file,
    int timeout, char *err, size_t errlen);

int js_h2_request(js_h2_t *h, const char *path, const char *authorization,
    const char *content_type, const char *body, size_t len, void *data);

int js_h2_fds(js_h2_t *h, struct pollfd *pfd, int max);
int js_h2_timeout(js_h2_t *h);
void js_h2_process(js_h2_t *h, js_h2_done_pt done, void *ctx);

int js_h2_refused(js_h2_t *h);
int js_h2_pending(js_h2_t *h);

void js_h2_destroy(js_h2_t *h, js_h2_done_pt done, void *ctx);

#endif
