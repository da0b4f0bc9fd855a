/*
 * What h2.c (requests, nghttp2's callbacks, the loop) and h2_conn.c
 * (the TCP and TLS connection) share.
 */

#ifndef JS_H2_INT_H
#define JS_H2_INT_H

#include <netdb.h>
#include <stdint.h>

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "h2.h"


#define JS_H2_ANSWER_MAX   (64 * 1024)   /* bytes of an answer kept */
#define JS_H2_OUT_FLUSH    (64 * 1024)   /* frames gathered per write */
#define JS_H2_READ_SIZE    (16 * 1024)
#define JS_H2_RETRY_MIN    100           /* ms after a failed connection */
#define JS_H2_RETRY_MAX    5000
#define JS_H2_RESOLVE_POLL 5             /* ms between looks at the DNS */
#define JS_H2_CONNS_MAX    8             /* connections: more are opened
                                            when the server's streams are
                                            all taken on the others */

/* http/1.1 too: a server that has only that says so, rather than
 * failing the handshake, and is left to libcurl. */
#define JS_H2_ALPN         "\x02h2\x08http/1.1"

enum {
    JS_H2_CLOSED = 0,
    JS_H2_RESOLVING,
    JS_H2_CONNECTING,
    JS_H2_HANDSHAKE,
    JS_H2_READY
};

typedef struct js_h2_req_s   js_h2_req_t;
typedef struct js_h2_conn_s  js_h2_conn_t;

struct js_h2_req_s {
    js_h2_req_t      *prev;
    js_h2_req_t      *next;
    void             *data;
    const char       *body;
    size_t            len;
    size_t            off;
    int64_t           deadline;
    int32_t           stream;       /* 0: not on the connection */
    int               sent;         /* its HEADERS went out */
    int               answered;     /* reported already (timed out) */
    int               status;
    char             *retry_after;
    js_buf_t          answer;
    const char       *path;         /* in strs */
    const char       *authorization;
    const char       *content_type;
    char              strs[];
};

typedef struct {
    js_h2_req_t      *head;
    js_h2_req_t      *tail;
} js_h2_list_t;

/* One TCP + TLS connection and its HTTP/2 session. */
struct js_h2_conn_s {
    js_h2_t          *h;
    int               state;
    int               fd;
    SSL              *ssl;
    nghttp2_session  *session;
    int               settings;     /* the server's SETTINGS came */
    int               goaway;
    int               nstreams;     /* requests on it, not closed */
    int64_t           conn_deadline;

    struct gaicb      gai;
    struct gaicb     *gai_list[1];
    struct addrinfo   hints;
    struct addrinfo  *addrs;
    struct addrinfo  *addr;         /* being tried */

    js_h2_list_t      streams;      /* by deadline */

    js_buf_t          out;          /* frames not yet written */
};

struct js_h2_s {
    char             *host;         /* for SNI and the certificate */
    char             *authority;
    char              port[8];
    int               host_is_ip;
    int               timeout;
    SSL_CTX          *ctx;

    int               refused;
    int64_t           retry_at;     /* no new connection before */
    int               retry_wait;
    char              err[256];     /* why the last connection failed */

    js_h2_list_t      waiting;      /* on no connection */
    int               nreqs;

    js_h2_conn_t      conns[JS_H2_CONNS_MAX];

    js_h2_done_pt     done;         /* during js_h2_process() */
    void             *ctx_done;
};


void js_h2_list_remove(js_h2_list_t *l, js_h2_req_t *r);
js_h2_req_t *js_h2_list_shift(js_h2_list_t *l);
void js_h2_requeue(js_h2_t *h, js_h2_req_t *r);
void js_h2_answer(js_h2_t *h, js_h2_req_t *r, const char *error,
    int unprocessed);
int js_h2_session(js_h2_conn_t *c);

void js_h2_conn_close(js_h2_conn_t *c, const char *why);
void js_h2_start(js_h2_conn_t *c);
void js_h2_resolved(js_h2_conn_t *c, int rc);
void js_h2_connected(js_h2_conn_t *c);
void js_h2_handshake(js_h2_conn_t *c);
int js_h2_read(js_h2_conn_t *c);
int js_h2_write(js_h2_conn_t *c);
const char *js_h2_ssl_error(const char *what, char *buf, size_t len);

#endif
