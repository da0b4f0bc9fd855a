/*
 * The sentry role: the reports of nginx and of jobscoutd's processes,
 * datagrams on "sentry_listen", sent on to "sentry_dsn" (lib/sentry.h).
 *
 * Its own process, so that a slow or dead Sentry delays nothing else:
 * one envelope at a time over libcurl with a short timeout, from a
 * bounded queue (an event that finds it full is dropped and counted).
 * A 429 stops all sending for its Retry-After (60 s when none is
 * given), as Sentry asks of its SDKs; what comes meanwhile waits in the
 * queue.  With SO_REUSEPORT the role of a new generation binds the port
 * while the old one stops after a reload (a graceful stop sends what
 * waits for JS_SENTRY_FLUSH at most).
 */

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "roles.h"
#include "sentry.h"
#include "util.h"

#define JS_SENTRY_QUEUE_MAX       100
#define JS_SENTRY_TIMEOUT         3000     /* ms, a whole request */
#define JS_SENTRY_CONNECT_TIMEOUT 2000
#define JS_SENTRY_RETRY_AFTER     60       /* s, a 429 without a header */
#define JS_SENTRY_RETRY_MAX       3600
#define JS_SENTRY_RECV_BATCH      64       /* datagrams per pass */
#define JS_SENTRY_FLUSH           2000     /* ms, a graceful stop's sending */

typedef struct {
    char    *data;
    size_t   len;
} js_sentry_envelope_t;

typedef struct {
    const js_conf_t       *conf;
    js_sentry_dsn_t        dsn;
    js_sentry_meta_t       meta;
    char                   host[256];
    js_sentry_rate_t       rate;

    int                    fd;
    CURL                  *curl;
    struct curl_slist     *headers;

    js_sentry_envelope_t   queue[JS_SENTRY_QUEUE_MAX];
    int                    head;
    int                    count;
    int64_t                paused_until;   /* after a 429, monotonic ms */

    long                   dropped;        /* invalid, limited, or full */
} js_sentry_t;

static int
js_sentry_bind(js_sentry_t *st)
{
    int                 on = 1;
    uint32_t            addr;
    uint16_t            port;
    struct sockaddr_in  sin;

    /* checked by js_conf_load() */
    (void) js_sentry_listen_parse(st->conf->sentry_listen, &addr, &port);

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = addr;
    sin.sin_port = port;

    st->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (st->fd == -1
        || setsockopt(st->fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on))
           != 0
        || bind(st->fd, (struct sockaddr *) &sin, sizeof(sin)) != 0)
    {
        js_log(JS_LOG_ALERT, "cannot listen for reports",
               JS_KS("listen", st->conf->sentry_listen),
               JS_KS("err", strerror(errno)));
        return -1;
    }

    return 0;
}

static size_t
js_sentry_discard(char *ptr, size_t size, size_t n, void *data)
{
    (void) ptr;
    (void) data;
    return size * n;
}

static int
js_sentry_curl(js_sentry_t *st)
{
    char  auth[512];

    st->curl = curl_easy_init();
    if (st->curl == NULL
        || js_sentry_auth_header(&st->dsn, auth, sizeof(auth)) < 0)
    {
        return -1;
    }

    st->headers = curl_slist_append(NULL, auth);
    if (st->headers != NULL) {
        st->headers = curl_slist_append(st->headers, "Content-Type: "
                                        "application/x-sentry-envelope");
    }
    if (st->headers == NULL) {
        return -1;
    }

    curl_easy_setopt(st->curl, CURLOPT_URL, st->dsn.endpoint);
    curl_easy_setopt(st->curl, CURLOPT_HTTPHEADER, st->headers);
    curl_easy_setopt(st->curl, CURLOPT_USERAGENT, "jobscout-sentry");
    curl_easy_setopt(st->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(st->curl, CURLOPT_TIMEOUT_MS, (long) JS_SENTRY_TIMEOUT);
    curl_easy_setopt(st->curl, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) JS_SENTRY_CONNECT_TIMEOUT);
    curl_easy_setopt(st->curl, CURLOPT_WRITEFUNCTION, js_sentry_discard);

    return 0;
}

static void
js_sentry_drop(js_sentry_t *st, const char *why, const char *err)
{
    st->dropped++;
    js_log(JS_LOG_WARN, "report dropped", JS_KS("why", why),
           JS_KS("err", err), JS_KI("dropped", st->dropped));
}

/* One datagram: checked, limited, made an envelope and queued. */
static void
js_sentry_receive(js_sentry_t *st, const char *buf, size_t len)
{
    char                   err[128], key[160], id[33], ts[32];
    json_t                *report, *event;
    js_sentry_envelope_t  *e;

    report = js_sentry_report_parse(buf, len, err, sizeof(err));
    if (report == NULL) {
        js_sentry_drop(st, "invalid", err);
        return;
    }

    if (!js_sentry_rate_allow(&st->rate,
                              js_sentry_rate_key(report, key, sizeof(key)),
                              js_msec()))
    {
        js_sentry_drop(st, "rate limited", key);
        json_decref(report);
        return;
    }

    if (st->count == JS_SENTRY_QUEUE_MAX) {
        js_sentry_drop(st, "queue full", key);
        json_decref(report);
        return;
    }

    js_sentry_event_id(id);
    js_iso_time(ts, sizeof(ts));

    event = js_sentry_event(report, &st->meta, id, ts);
    json_decref(report);

    e = &st->queue[(st->head + st->count) % JS_SENTRY_QUEUE_MAX];
    e->data = event ? js_sentry_envelope(st->conf->sentry_dsn, event, ts,
                                         &e->len)
                    : NULL;
    json_decref(event);

    if (e->data == NULL) {
        js_sentry_drop(st, "out of memory", key);
        return;
    }

    st->count++;
}

static void
js_sentry_drain(js_sentry_t *st)
{
    int      i;
    char     buf[JS_SENTRY_DATAGRAM_MAX + 1];
    ssize_t  n;

    for (i = 0; i < JS_SENTRY_RECV_BATCH; i++) {
        /* MSG_TRUNC: the real size, so that a larger one is refused */
        n = recv(st->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            return;
        }

        if ((size_t) n > JS_SENTRY_DATAGRAM_MAX) {
            js_sentry_drop(st, "invalid", "datagram too large");
            continue;
        }

        js_sentry_receive(st, buf, (size_t) n);
    }
}

/* The oldest envelope, sent once: Sentry's answer decides what follows. */
static void
js_sentry_send(js_sentry_t *st)
{
    long                   status = 0;
    CURLcode               rc;
    curl_off_t             retry = 0;
    js_sentry_envelope_t  *e = &st->queue[st->head];

    curl_easy_setopt(st->curl, CURLOPT_POSTFIELDS, e->data);
    curl_easy_setopt(st->curl, CURLOPT_POSTFIELDSIZE, (long) e->len);

    rc = curl_easy_perform(st->curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(st->curl, CURLINFO_RESPONSE_CODE, &status);
    }

    if (status == 429) {
        curl_easy_getinfo(st->curl, CURLINFO_RETRY_AFTER, &retry);
        if (retry <= 0) {
            retry = JS_SENTRY_RETRY_AFTER;
        }
        if (retry > JS_SENTRY_RETRY_MAX) {
            retry = JS_SENTRY_RETRY_MAX;
        }
        st->paused_until = js_msec() + (int64_t) retry * 1000;
        js_log(JS_LOG_WARN, "sentry rate limit, sending paused",
               JS_KI("retry_after_s", retry), JS_KI("queued", st->count));

    } else if (status >= 200 && status < 300) {
        js_log(JS_LOG_INFO, "report sent", JS_KI("status", status));

    } else {
        js_sentry_drop(st, rc != CURLE_OK ? "send failed" : "refused",
                       rc != CURLE_OK ? curl_easy_strerror(rc) : "status");
        js_log(JS_LOG_DEBUG, "sentry answer", JS_KI("status", status));
    }

    /* a 429 is Sentry dropping the event: it is not sent again */
    free(e->data);
    e->data = NULL;
    st->head = (st->head + 1) % JS_SENTRY_QUEUE_MAX;
    st->count--;
}

static void
js_sentry_free(js_sentry_t *st)
{
    while (st->count > 0) {
        free(st->queue[st->head].data);
        st->head = (st->head + 1) % JS_SENTRY_QUEUE_MAX;
        st->count--;
    }

    if (st->fd != -1) {
        close(st->fd);
    }
    curl_slist_free_all(st->headers);
    if (st->curl != NULL) {
        curl_easy_cleanup(st->curl);
    }
}

int
js_sentry_run(js_worker_t *w)
{
    int            wait;
    char           err[128];
    int64_t        now, deadline;
    js_sentry_t    st;
    struct pollfd  pfd;

    memset(&st, 0, sizeof(st));
    st.conf = w->conf;
    st.fd = -1;

    if (gethostname(st.host, sizeof(st.host) - 1) != 0) {
        strcpy(st.host, "localhost");
    }
    st.meta.release = w->conf->sentry_release;
    st.meta.environment = w->conf->sentry_environment;
    st.meta.server_name = st.host;

    /* js_conf_load() checked the DSN and implies this role only with one */
    if (js_sentry_dsn_parse(&st.dsn, w->conf->sentry_dsn, err, sizeof(err))
        != 0 || js_sentry_bind(&st) != 0 || js_sentry_curl(&st) != 0)
    {
        js_sentry_free(&st);
        return 1;
    }

    js_log(JS_LOG_NOTICE, "reporting errors",
           JS_KS("listen", w->conf->sentry_listen),
           JS_KS("endpoint", st.dsn.endpoint));

    while (!js_worker_exiting()) {
        js_worker_service();

        now = js_msec();
        wait = 1000;
        if (st.count > 0) {
            wait = now >= st.paused_until ? 0
                   : (int) (st.paused_until - now < 1000
                            ? st.paused_until - now : 1000);
        }

        pfd.fd = st.fd;
        pfd.events = POLLIN;
        pfd.revents = 0;

        if (poll(&pfd, 1, wait) > 0) {
            js_sentry_drain(&st);
        }

        if (st.count > 0 && js_msec() >= st.paused_until) {
            js_sentry_send(&st);
        }
    }

    /* a graceful stop (QUIT, a reload) sends what waits, for a while */
    deadline = js_msec() + JS_SENTRY_FLUSH;
    while (st.count > 0 && !js_worker_terminating()
           && js_msec() < deadline && js_msec() >= st.paused_until)
    {
        js_sentry_send(&st);
    }

    if (st.count > 0) {
        js_log(JS_LOG_NOTICE, "reports not sent at exit",
               JS_KI("queued", st.count));
    }

    js_sentry_free(&st);
    return 0;
}
