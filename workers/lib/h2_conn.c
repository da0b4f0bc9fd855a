/*
 * HTTP/2's connection (h2.c): the address (glibc's thread for names),
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
js_h2_conn_close(js_h2_t *h, const char *why)
{
    char          err[300];
    js_h2_req_t  *r;

    if (why != NULL) {
        snprintf(h->err, sizeof(h->err), "%s", why);
    }
    /* A connection that never served: the next one after a while. */
    if (why != NULL && h->state != JS_H2_READY) {
        h->retry_at = js_msec() + h->retry_wait;
        h->retry_wait = h->retry_wait * 2 > JS_H2_RETRY_MAX
                        ? JS_H2_RETRY_MAX : h->retry_wait * 2;
    }

    if (h->state == JS_H2_RESOLVING) {
        /* A lookup on its way cannot be dropped: it ends first. */
        return;
    }

    /*
     * What went out may have been taken: FCM may or may not have the
     * message, as libcurl says when a connection is cut.
     */
    snprintf(err, sizeof(err), "connection lost: %s",
             why != NULL ? why : "closed");
    while ((r = js_h2_list_shift(&h->streams)) != NULL) {
        if (r->stream != 0 && h->session != NULL) {
            (void) nghttp2_session_set_stream_user_data(h->session,
                                                        r->stream, NULL);
        }
        if (!r->sent && !r->answered) {
            js_h2_requeue(h, r);
        } else {
            js_h2_answer(h, r, err, 0);
        }
    }

    if (h->session != NULL) {
        nghttp2_session_del(h->session);
        h->session = NULL;
    }
    if (h->ssl != NULL) {
        SSL_free(h->ssl);
        h->ssl = NULL;
    }
    if (h->fd >= 0) {
        close(h->fd);
        h->fd = -1;
    }
    if (h->addrs != NULL) {
        freeaddrinfo(h->addrs);
        h->addrs = NULL;
        h->addr = NULL;
    }
    h->out_len = 0;
    h->goaway = 0;
    h->state = JS_H2_CLOSED;
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

/* Connects to h->addr, or the next address: 0, or -1 (none left). */
static int
js_h2_connect_next(js_h2_t *h)
{
    int  fd, one = 1;

    for ( ; h->addr != NULL; h->addr = h->addr->ai_next) {
        fd = socket(h->addr->ai_family,
                    h->addr->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    h->addr->ai_protocol);
        if (fd < 0) {
            snprintf(h->err, sizeof(h->err), "socket: %s", strerror(errno));
            continue;
        }
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

        if (connect(fd, h->addr->ai_addr, h->addr->ai_addrlen) == 0
            || errno == EINPROGRESS)
        {
            h->fd = fd;
            h->state = JS_H2_CONNECTING;
            return 0;
        }
        snprintf(h->err, sizeof(h->err), "connect: %s", strerror(errno));
        close(fd);
    }
    return -1;
}

void
js_h2_resolved(js_h2_t *h, int rc)
{
    char  err[300];

    h->state = JS_H2_CLOSED;
    if (rc != 0) {
        snprintf(err, sizeof(err), "cannot resolve %s: %s", h->host,
                 gai_strerror(rc));
        js_h2_conn_close(h, err);
        return;
    }
    h->addrs = h->gai.ar_result;
    h->addr = h->addrs;
    h->gai.ar_result = NULL;

    if (js_h2_connect_next(h) != 0) {
        snprintf(err, sizeof(err), "%s", h->err);
        js_h2_conn_close(h, err);
    }
}

void
js_h2_start(js_h2_t *h)
{
    int               rc;
    struct addrinfo  *ai, hints;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    h->conn_deadline = js_msec() + h->timeout;
    h->err[0] = '\0';

    if (h->host_is_ip) {
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        rc = getaddrinfo(h->host, h->port, &hints, &ai);
        h->gai.ar_result = ai;
        js_h2_resolved(h, rc);
        return;
    }

    /* Names are looked up on glibc's thread: nothing here waits. */
    memset(&h->gai, 0, sizeof(h->gai));
    h->gai.ar_name = h->host;
    h->gai.ar_service = h->port;
    h->hints = hints;
    h->gai.ar_request = &h->hints;
    h->gai_list[0] = &h->gai;
    if (getaddrinfo_a(GAI_NOWAIT, h->gai_list, 1, NULL) != 0) {
        js_h2_conn_close(h, "cannot start a DNS lookup");
        return;
    }
    h->state = JS_H2_RESOLVING;
}

/* 0, or -1 (the connection is closed). */
int
js_h2_read(js_h2_t *h)
{
    int            n;
    char           err[300];
    ssize_t        rc;
    unsigned char  buf[JS_H2_READ_SIZE];

    for ( ;; ) {
        ERR_clear_error();
        errno = 0;
        n = SSL_read(h->ssl, buf, sizeof(buf));
        if (n <= 0) {
            switch (SSL_get_error(h->ssl, n)) {
            case SSL_ERROR_WANT_READ:
            case SSL_ERROR_WANT_WRITE:
                return 0;
            case SSL_ERROR_ZERO_RETURN:
                js_h2_conn_close(h, "closed by the server");
                return -1;
            default:
                js_h2_conn_close(h, js_h2_ssl_error("read", err,
                                                    sizeof(err)));
                return -1;
            }
        }

        rc = nghttp2_session_mem_recv(h->session, buf, (size_t) n);
        if (rc < 0) {
            snprintf(err, sizeof(err), "HTTP/2: %s",
                     nghttp2_strerror((int) rc));
            js_h2_conn_close(h, err);
            return -1;
        }
    }
}

/* Frames gathered, then written at once: 0, or -1 (closed). */
int
js_h2_write(js_h2_t *h)
{
    int                   n;
    char                  err[300];
    size_t                want;
    ssize_t               len;
    unsigned char        *p;
    const uint8_t        *data;

    for ( ;; ) {
        while (h->out_len < JS_H2_OUT_FLUSH) {
            len = nghttp2_session_mem_send(h->session, &data);
            if (len < 0) {
                snprintf(err, sizeof(err), "HTTP/2: %s",
                         nghttp2_strerror((int) len));
                js_h2_conn_close(h, err);
                return -1;
            }
            if (len == 0) {
                break;
            }
            if (h->out_len + (size_t) len > h->out_size) {
                want = h->out_size ? h->out_size : JS_H2_OUT_FLUSH;
                while (want < h->out_len + (size_t) len) {
                    want *= 2;
                }
                p = realloc(h->out, want);
                if (p == NULL) {
                    js_h2_conn_close(h, "out of memory");
                    return -1;
                }
                h->out = p;
                h->out_size = want;
            }
            memcpy(h->out + h->out_len, data, (size_t) len);
            h->out_len += (size_t) len;
        }

        if (h->out_len == 0) {
            return 0;
        }

        ERR_clear_error();
        errno = 0;
        n = SSL_write(h->ssl, h->out, (int) h->out_len);
        if (n <= 0) {
            switch (SSL_get_error(h->ssl, n)) {
            case SSL_ERROR_WANT_READ:
            case SSL_ERROR_WANT_WRITE:
                return 0;
            default:
                js_h2_conn_close(h, js_h2_ssl_error("write", err,
                                                    sizeof(err)));
                return -1;
            }
        }
        memmove(h->out, h->out + n, h->out_len - (size_t) n);
        h->out_len -= (size_t) n;
    }
}

/* The TLS handshake's next step; done, the session starts. */
void
js_h2_handshake(js_h2_t *h)
{
    int                   n;
    char                  err[300];
    unsigned              alen;
    const unsigned char  *alpn;

    ERR_clear_error();
    errno = 0;
    n = SSL_connect(h->ssl);
    if (n != 1) {
        switch (SSL_get_error(h->ssl, n)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            return;
        default:
            if (SSL_get_verify_result(h->ssl) != X509_V_OK) {
                snprintf(err, sizeof(err), "TLS: certificate verify failed: "
                         "%s", X509_verify_cert_error_string(
                             SSL_get_verify_result(h->ssl)));
                ERR_clear_error();
            } else {
                (void) js_h2_ssl_error("TLS", err, sizeof(err));
            }
            js_h2_conn_close(h, err);
            return;
        }
    }

    SSL_get0_alpn_selected(h->ssl, &alpn, &alen);
    if (alen != 2 || memcmp(alpn, "h2", 2) != 0) {
        js_log(JS_LOG_WARN, "server does not take HTTP/2 (ALPN h2): "
               "messages go by libcurl", JS_KS("host", h->host));
        h->refused = 1;
        js_h2_conn_close(h, "no HTTP/2 (ALPN h2)");
        return;
    }

    if (js_h2_session(h) != 0) {
        js_h2_conn_close(h, "out of memory");
        return;
    }
    h->state = JS_H2_READY;
    h->retry_wait = JS_H2_RETRY_MIN;
}

/* The TCP connection's end: the TLS handshake, or the next address. */
void
js_h2_connected(js_h2_t *h)
{
    int            e = 0;
    char           err[300];
    socklen_t      len = sizeof(e);
    struct pollfd  pfd = { .fd = h->fd, .events = POLLOUT };

    if (poll(&pfd, 1, 0) == 0) {
        return;
    }
    if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) {
        e = errno;
    }
    if (e != 0) {
        snprintf(h->err, sizeof(h->err), "connect: %s", strerror(e));
        close(h->fd);
        h->fd = -1;
        h->addr = h->addr->ai_next;
        if (js_h2_connect_next(h) != 0) {
            snprintf(err, sizeof(err), "%s", h->err);
            js_h2_conn_close(h, err);
        }
        return;
    }

    h->ssl = SSL_new(h->ctx);
    if (h->ssl == NULL || SSL_set_fd(h->ssl, h->fd) != 1
        || (!h->host_is_ip
            && SSL_set_tlsext_host_name(h->ssl, h->host) != 1)
        || (h->host_is_ip
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(h->ssl), h->host)
            : SSL_set1_host(h->ssl, h->host)) != 1)
    {
        js_h2_conn_close(h, js_h2_ssl_error("TLS", err, sizeof(err)));
        return;
    }
    SSL_set_mode(h->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE
                         | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    h->state = JS_H2_HANDSHAKE;
    js_h2_handshake(h);
}
