/*
 * The HTTP/2 client (lib/h2.c, h2_conn.c) against a hostile server: the
 * FCM endpoint, or whatever answers at its address.  Each input is what
 * the server sends once the TLS handshake is done (a real one, over a
 * socketpair, with the client's own verification and ALPN); the client
 * has four requests out.  Whatever the frames, every request is
 * answered exactly once, with a NUL-terminated body, and nothing leaks.
 *
 * The server's first SETTINGS come before the input, so the requests
 * are on streams 1, 3, 5 and 7 when it arrives.  Seeds (corpus/h2):
 * answers (200 with a body, 429 with Retry-After, 404), RST_STREAM,
 * GOAWAY, SETTINGS, PING.
 */

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "fuzz.h"
#include "h2_int.h"
#include "util.h"

#define FUZZ_H2_REQUESTS  4
#define FUZZ_H2_ROUNDS    16
#define FUZZ_H2_INPUT_MAX (64 * 1024)

static SSL_CTX  *server_ctx;
static const unsigned char  fuzz_h2_settings[9] = { 0, 0, 0, 4 };
static char      ca_file[] = "/tmp/fuzz_h2_ca.XXXXXX";

typedef struct {
    int  answered;
} fuzz_h2_slot_t;

static int
fuzz_h2_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
    (void) ssl;
    (void) arg;
    return nghttp2_select_next_protocol((unsigned char **) out, outlen, in,
                                        inlen) == 1
           ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
}

static void
fuzz_h2_cleanup(void)
{
    (void) unlink(ca_file);
}

/* A key and a self-signed certificate for localhost, the client's CA. */
static void
fuzz_h2_init(void)
{
    int              fd;
    FILE            *f;
    X509            *x;
    EVP_PKEY        *key;
    X509V3_CTX       v3;
    X509_EXTENSION  *ext;

    /* the client writes to a server that has gone */
    signal(SIGPIPE, SIG_IGN);

    key = EVP_EC_gen("P-256");
    x = X509_new();
    if (key == NULL || x == NULL) {
        abort();
    }
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *) "localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
                              "DNS:localhost");
    if (ext == NULL || X509_add_ext(x, ext, -1) != 1
        || X509_sign(x, key, EVP_sha256()) == 0)
    {
        abort();
    }
    X509_EXTENSION_free(ext);

    fd = mkstemp(ca_file);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || PEM_write_X509(f, x) != 1 || fclose(f) != 0
        || atexit(fuzz_h2_cleanup) != 0)
    {
        abort();
    }

    server_ctx = SSL_CTX_new(TLS_server_method());
    if (server_ctx == NULL || SSL_CTX_use_certificate(server_ctx, x) != 1
        || SSL_CTX_use_PrivateKey(server_ctx, key) != 1)
    {
        abort();
    }
    SSL_CTX_set_alpn_select_cb(server_ctx, fuzz_h2_alpn, NULL);
    X509_free(x);
    EVP_PKEY_free(key);
}

static void
fuzz_h2_done(void *ctx, void *data, const js_h2_answer_t *a)
{
    fuzz_h2_slot_t  *slot = data;

    (void) ctx;

    if (slot->answered++ != 0 || a->body == NULL || a->body[a->len] != '\0'
        || (a->status == 0 && a->error == NULL))
    {
        abort();
    }
}

/* Everything the client wrote, read and dropped: its buffer never fills. */
static void
fuzz_h2_drain(SSL *server)
{
    char  buf[16384];

    while (SSL_read(server, buf, sizeof(buf)) > 0) {
        /* void */
    }
}

static void
fuzz_h2_process(js_h2_t *h)
{
    /* no second connection: it would look the name up */
    h->retry_at = INT64_MAX;
    js_h2_process(h, fuzz_h2_done, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 i, sv[2];
    SSL                *server;
    char                err[256];
    js_h2_t            *h;
    js_h2_conn_t       *c;
    fuzz_h2_slot_t      slots[FUZZ_H2_REQUESTS];
    static const char   body[] = "{\"message\":{\"token\":\"t\"}}";

    if (server_ctx == NULL) {
        fuzz_h2_init();
    }
    /* what a socketpair's buffer takes at once */
    if (size > FUZZ_H2_INPUT_MAX) {
        size = FUZZ_H2_INPUT_MAX;
    }

    h = js_h2_create("https://localhost:8443", ca_file, 10000, err,
                     sizeof(err));
    if (h == NULL
        || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
    {
        abort();
    }
    server = SSL_new(server_ctx);
    if (server == NULL || SSL_set_fd(server, sv[1]) != 1) {
        abort();
    }
    SSL_set_accept_state(server);

    memset(slots, 0, sizeof(slots));
    for (i = 0; i < FUZZ_H2_REQUESTS; i++) {
        if (js_h2_request(h, "/v1/projects/p/messages:send", "Bearer t",
                          "application/json", body, sizeof(body) - 1,
                          &slots[i]) != 0)
        {
            abort();
        }
    }

    /* the connection as js_h2_start() makes it, to the socketpair */
    c = &h->conns[0];
    c->fd = sv[0];
    c->state = JS_H2_CONNECTING;
    c->conn_deadline = js_msec() + 10000;
    js_h2_connected(c);
    for (i = 0; i < FUZZ_H2_ROUNDS && c->state == JS_H2_HANDSHAKE; i++) {
        (void) SSL_do_handshake(server);
        fuzz_h2_process(h);
    }
    if (c->state != JS_H2_READY) {
        abort();
    }

    /* the server's SETTINGS: the requests go out, streams 1, 3, 5, 7 */
    if (SSL_write(server, fuzz_h2_settings, sizeof(fuzz_h2_settings))
        != (int) sizeof(fuzz_h2_settings))
    {
        abort();
    }
    fuzz_h2_process(h);
    fuzz_h2_drain(server);
    if (size > 0 && SSL_write(server, data, (int) size) != (int) size) {
        abort();
    }
    for (i = 0; i < FUZZ_H2_ROUNDS && c->state == JS_H2_READY; i++) {
        fuzz_h2_process(h);
        fuzz_h2_drain(server);
    }

    /* the server goes: what is left is answered, or waits for another */
    (void) SSL_shutdown(server);
    SSL_free(server);
    close(sv[1]);
    fuzz_h2_process(h);
    js_h2_destroy(h, fuzz_h2_done, NULL);
    ERR_clear_error();

    for (i = 0; i < FUZZ_H2_REQUESTS; i++) {
        if (slots[i].answered != 1) {
            abort();
        }
    }
    return 0;
}
