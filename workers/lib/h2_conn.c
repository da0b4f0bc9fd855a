/*
 * HTTP/2's connections (h2.c): the address (glibc's thread for names),
 * a non-blocking TCP connect, the TLS handshake with ALPN, and the
 * frames read and written.
 */

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "h2_int.h"
#include "log.h"
#include "util.h"


/* --- the connection ------------------------------------------------- */

void
js_h2_conn_close(js_h2_conn_t *c, const char *why)
{
    char          err[300];
    js_h2_t      *h = c->h;
    js_h2_req_t  *r;

    if (why != NULL) {
        snprintf(h->err, sizeof(h->err), "%s", why);
    }
    /* A connection that never served: the next one after a while. */
    if (why != NULL && c->state != JS_H2_READY) {
        h->retry_at = js_msec() + h->retry_wait;
        h->retry_wait = h->retry_wait * 2 > JS_H2_RETRY_MAX
                        ? JS_H2_RETRY_MAX : h->retry_wait * 2;
    }

    if (c->state == JS_H2_RESOLVING) {
        /* A lookup on its way cannot be dropped: it ends first. */
        return;
    }

    /*
     * What went out may have been taken: FCM may or may not have the
     * message, as libcurl says when a connection is cut.
     */
    snprintf(err, sizeof(err), "connection lost: %s",
             why != NULL ? why : "closed");
    while ((r = js_h2_list_shift(&c->streams)) != NULL) {
        if (r->stream != 0 && c->session != NULL) {
            (void) nghttp2_session_set_stream_user_data(c->session,
                                                        r->stream, NULL);
        }
        if (!r->sent && !r->answered) {
            js_h2_requeue(h, r);
        } else {
            js_h2_answer(h, r, err, 0);
        }
    }

    if (c->session != NULL) {
        nghttp2_session_del(c->session);
        c->session = NULL;
    }
    if (c->ssl != NULL) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->addrs != NULL) {
        freeaddrinfo(c->addrs);
        c->addrs = NULL;
        c->addr = NULL;
    }
    js_buf_clear(&c->out);
    c->goaway = 0;
    c->settings = 0;
    c->nstreams = 0;
    c->state = JS_H2_CLOSED;
}

const char *
js_h2_ssl_error(const char *what, char *buf, size_t len)
{
    unsigned long  e = ERR_get_error();

    if (e == 0) {
        snprintf(buf, len, "%s: %s", what,
                 errno ? strerror(errno) : "closed by the peer");
    } else {
        snprintf(buf, len, "%s: %s", what, ERR_reason_error_string(e));
    }
    ERR_clear_error();
    return buf;
}

/* Connects to c->addr, or the next address: 0, or -1 (none left). */
static int
js_h2_connect_next(js_h2_conn_t *c)
{
    int       fd, one = 1;
    js_h2_t  *h = c->h;

    for ( ; c->addr != NULL; c->addr = c->addr->ai_next) {
        fd = socket(c->addr->ai_family,
                    c->addr->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    c->addr->ai_protocol);
        if (fd < 0) {
            snprintf(h->err, sizeof(h->err), "socket: %s", strerror(errno));
            continue;
        }
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

        if (connect(fd, c->addr->ai_addr, c->addr->ai_addrlen) == 0
            || errno == EINPROGRESS)
        {
            c->fd = fd;
            c->state = JS_H2_CONNECTING;
            return 0;
        }
        snprintf(h->err, sizeof(h->err), "connect: %s", strerror(errno));
        close(fd);
    }
    return -1;
}

void
js_h2_resolved(js_h2_conn_t *c, int rc)
{
    char      err[300];
    js_h2_t  *h = c->h;

    c->state = JS_H2_CLOSED;
    if (rc != 0) {
        snprintf(err, sizeof(err), "cannot resolve %s: %s", h->host,
                 gai_strerror(rc));
        js_h2_conn_close(c, err);
        return;
    }
    c->addrs = c->gai.ar_result;
    c->addr = c->addrs;
    c->gai.ar_result = NULL;

    if (js_h2_connect_next(c) != 0) {
        snprintf(err, sizeof(err), "%s", h->err);
        js_h2_conn_close(c, err);
    }
}

void
js_h2_start(js_h2_conn_t *c)
{
    int               rc;
    js_h2_t          *h = c->h;
    struct addrinfo  *ai, hints;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    c->conn_deadline = js_msec() + h->timeout;

    if (h->host_is_ip) {
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        rc = getaddrinfo(h->host, h->port, &hints, &ai);
        c->gai.ar_result = ai;
        js_h2_resolved(c, rc);
        return;
    }

    /* Names are looked up on glibc's thread: nothing here waits. */
    memset(&c->gai, 0, sizeof(c->gai));
    c->gai.ar_name = h->host;
    c->gai.ar_service = h->port;
    c->hints = hints;
    c->gai.ar_request = &c->hints;
    c->gai_list[0] = &c->gai;
    if (getaddrinfo_a(GAI_NOWAIT, c->gai_list, 1, NULL) != 0) {
        js_h2_conn_close(c, "cannot start a DNS lookup");
        return;
    }
    c->state = JS_H2_RESOLVING;
}

/* 0, or -1 (the connection is closed). */
int
js_h2_read(js_h2_conn_t *c)
{
    int            n;
    char           err[300];
    ssize_t        rc;
    unsigned char  buf[JS_H2_READ_SIZE];

    for ( ;; ) {
        ERR_clear_error();
        errno = 0;
        n = SSL_read(c->ssl, buf, sizeof(buf));
        if (n <= 0) {
            switch (SSL_get_error(c->ssl, n)) {
            case SSL_ERROR_WANT_READ:
            case SSL_ERROR_WANT_WRITE:
                return 0;
            case SSL_ERROR_ZERO_RETURN:
                js_h2_conn_close(c, "closed by the server");
                return -1;
            default:
                js_h2_conn_close(c, js_h2_ssl_error("read", err,
                                                    sizeof(err)));
                return -1;
            }
        }

        rc = nghttp2_session_mem_recv(c->session, buf, (size_t) n);
        if (rc < 0) {
            snprintf(err, sizeof(err), "HTTP/2: %s",
                     nghttp2_strerror((int) rc));
            js_h2_conn_close(c, err);
            return -1;
        }
    }
}

/* Frames gathered, then written at once: 0, or -1 (closed). */
int
js_h2_write(js_h2_conn_t *c)
{
    int                   n;
    char                  err[300];
    ssize_t               len;
    const uint8_t        *data;

    for ( ;; ) {
        while (c->out.len < JS_H2_OUT_FLUSH) {
            len = nghttp2_session_mem_send(c->session, &data);
            if (len < 0) {
                snprintf(err, sizeof(err), "HTTP/2: %s",
                         nghttp2_strerror((int) len));
                js_h2_conn_close(c, err);
                return -1;
            }
            if (len == 0) {
                break;
            }
            js_buf_add(&c->out, (const char *) data, (size_t) len);
            if (c->out.oom) {
                js_h2_conn_close(c, "out of memory");
                return -1;
            }
        }

        if (c->out.len == 0) {
            return 0;
        }

        ERR_clear_error();
        errno = 0;
        n = SSL_write(c->ssl, c->out.p, (int) c->out.len);
        if (n <= 0) {
            switch (SSL_get_error(c->ssl, n)) {
            case SSL_ERROR_WANT_READ:
            case SSL_ERROR_WANT_WRITE:
                return 0;
            default:
                js_h2_conn_close(c, js_h2_ssl_error("write", err,
                                                    sizeof(err)));
                return -1;
            }
        }
        memmove(c->out.p, c->out.p + n, c->out.len - (size_t) n);
        c->out.len -= (size_t) n;
    }
}

/* The TLS handshake's next step; done, the session starts. */
void
js_h2_handshake(js_h2_conn_t *c)
{
    int                   n;
    char                  err[300];
    js_h2_t              *h = c->h;
    unsigned              alen;
    const unsigned char  *alpn;

    ERR_clear_error();
    errno = 0;
    n = SSL_connect(c->ssl);
    if (n != 1) {
        switch (SSL_get_error(c->ssl, n)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            return;
        default:
            if (SSL_get_verify_result(c->ssl) != X509_V_OK) {
                snprintf(err, sizeof(err), "TLS: certificate verify failed: "
                         "%s", X509_verify_cert_error_string(
                             SSL_get_verify_result(c->ssl)));
                ERR_clear_error();
            } else {
                (void) js_h2_ssl_error("TLS", err, sizeof(err));
            }
            js_h2_conn_close(c, err);
            return;
        }
    }

    SSL_get0_alpn_selected(c->ssl, &alpn, &alen);
    if (alen != 2 || memcmp(alpn, "h2", 2) != 0) {
        js_log(JS_LOG_WARN, "server does not take HTTP/2 (ALPN h2): "
               "messages go by libcurl", JS_KS("host", h->host));
        h->refused = 1;
        js_h2_conn_close(c, "no HTTP/2 (ALPN h2)");
        return;
    }

    if (js_h2_session(c) != 0) {
        js_h2_conn_close(c, "out of memory");
        return;
    }
    c->state = JS_H2_READY;
    h->retry_wait = JS_H2_RETRY_MIN;
    h->err[0] = '\0';
}

/* The TCP connection's end: the TLS handshake, or the next address. */
void
js_h2_connected(js_h2_conn_t *c)
{
    int            e = 0;
    char           err[300];
    js_h2_t       *h = c->h;
    socklen_t      len = sizeof(e);
    struct pollfd  pfd = { .fd = c->fd, .events = POLLOUT };

    if (poll(&pfd, 1, 0) == 0) {
        return;
    }
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) {
        e = errno;
    }
    if (e != 0) {
        snprintf(h->err, sizeof(h->err), "connect: %s", strerror(e));
        close(c->fd);
        c->fd = -1;
        c->addr = c->addr->ai_next;
        if (js_h2_connect_next(c) != 0) {
            snprintf(err, sizeof(err), "%s", h->err);
            js_h2_conn_close(c, err);
        }
        return;
    }

    c->ssl = SSL_new(h->ctx);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1
        || (!h->host_is_ip
            && SSL_set_tlsext_host_name(c->ssl, h->host) != 1)
        || (h->host_is_ip
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), h->host)
            : SSL_set1_host(c->ssl, h->host)) != 1)
    {
        js_h2_conn_close(c, js_h2_ssl_error("TLS", err, sizeof(err)));
        return;
    }
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE
                         | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    c->state = JS_H2_HANDSHAKE;
    js_h2_handshake(c);
}
