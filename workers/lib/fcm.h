/*
 * Firebase Cloud Messaging, HTTP v1: the OAuth2 access token from a
 * service account (JWT-bearer grant, RS256 with OpenSSL), the job-alert
 * message, and many sends in flight on one libcurl multi handle
 * (HTTP/2 streams where the server offers HTTP/2, parallel HTTP/1.1
 * connections otherwise).
 *
 *   f = js_fcm_create(cf, err, sizeof(err));     loads the account
 *   if (js_fcm_token(f) == 0) {                  a valid access token
 *       js_fcm_send(f, body, data);              (its request started
 *   }                                            when due)
 *   js_fcm_wait(f, extra_fds, n, timeout);       curl_multi_poll()
 *   js_fcm_perform(f, done, ctx);                done() per answer
 *
 * The access token is fetched once and reused by every message until
 * 5 minutes (or half its life, if shorter) before it expires.  Its
 * request goes on the multi handle like the messages: nothing blocks on
 * it, and the old token serves until the new one comes.  A failed
 * request is tried again after a backoff (1 s, doubling to a minute).
 * A 401 without an FCM error code means an expired or revoked token:
 * one request renews it for all the messages that got one, which are
 * then sent again; a second 401, or no token, is a failure to retry
 * later.
 *
 * The pure parts (assertion, message, answers, Retry-After) are unit
 * tested without a network: tests/test_fcm.c.
 */

#ifndef JS_FCM_H
#define JS_FCM_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "config.h"

#define JS_FCM_SCOPE                                                          \
    "https://www.googleapis.com/auth/firebase.messaging"
#define JS_FCM_GRANT_TYPE    "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define JS_FCM_ASSERTION_TTL 3600       /* s: Google's maximum */
#define JS_FCM_BODY_MAX      4096       /* FCM's payload limit */

/* The service-account JSON file of the Firebase project. */
typedef struct {
    char      *project_id;
    char      *client_email;
    char      *private_key_id;          /* NULL when absent */
    char      *token_uri;
    EVP_PKEY  *key;
} js_fcm_account_t;

int js_fcm_account_load(js_fcm_account_t *a, const char *path, char *err,
    size_t errlen);
int js_fcm_account_parse(js_fcm_account_t *a, const char *json,
    size_t len, char *err, size_t errlen);
void js_fcm_account_free(js_fcm_account_t *a);

/*
 * The signed JWT of the grant: header {"alg":"RS256","typ":"JWT",
 * "kid":<private_key_id>}, claims iss = client_email, scope, aud =
 * token_uri, iat = now, exp = now + 1 h.  malloc()ed; NULL with err.
 */
char *js_fcm_assertion(const js_fcm_account_t *a, time_t now, char *err,
    size_t errlen);

/* What a job alert says (seed 000 §5.3). */
typedef struct {
    const char  *token;              /* the device's registration token */
    const char  *job_id;
    const char  *title;
    const char  *company;
    const char  *location;           /* NULL or "" when unknown */
    const char  *location_type;      /* idem */
} js_fcm_alert_t;

/*
 * The body of messages:send: notification "New {title} at {company}" /
 * "{location} • {type}", data job_id, type, click_action (strings), Android
 * priority HIGH and ttl 3600s, APNs alert, sound and badge.  Long fields
 * are cut (on a UTF-8 boundary, with "…") to stay far below 4096 bytes;
 * control characters become spaces.  malloc()ed; NULL when out of memory.
 */
char *js_fcm_message(const js_fcm_alert_t *m);

/*
 * The same in two steps, for many devices and one job: the fields but
 * the token, once per job ("{...}", token ignored), then the message of
 * each device.  malloc()ed; NULL when out of memory.
 */
char *js_fcm_message_rest(const js_fcm_alert_t *m);
char *js_fcm_message_for(const char *rest, const char *token);

/*
 * A Retry-After value (delta-seconds or an HTTP-date) as seconds from
 * now, 0 for a date already past; -1 when absent or invalid.  Capped at
 * a day: a server does not get to park a message for longer.
 */
long js_fcm_retry_after(const char *value, time_t now);

enum {
    JS_FCM_ACCEPTED = 0,
    JS_FCM_RETRY,            /* 429, 5xx, network: later, with backoff */
    JS_FCM_UNREGISTERED,     /* the token is gone or invalid: clear it */
    JS_FCM_FAILED,           /* refused for good */
    JS_FCM_AUTH,             /* 401 without an FCM code: renew the token */
    JS_FCM_ABANDONED         /* no answer: given up by js_fcm_destroy() */
};

typedef struct {
    int    outcome;
    long   status;           /* HTTP status, 0 when there was no answer */
    long   retry_after;      /* s, from Retry-After; -1 when none */
    int    quota;            /* 429 QUOTA_EXCEEDED: back off >= 1 min */
    char   name[256];        /* accepted: the message's name */
    char   error[512];       /* otherwise: what went wrong */
} js_fcm_result_t;

/* Sorts an answer of messages:send by its errorCode (FcmError), not by
 * its HTTP status alone, as the FCM documentation asks. */
void js_fcm_classify(long status, const char *body, size_t len,
    js_fcm_result_t *r);


typedef struct js_fcm_s  js_fcm_t;

/* Called once per message sent, with the data given to js_fcm_send(). */
typedef void (*js_fcm_done_pt)(void *ctx, void *data,
    const js_fcm_result_t *r);

/* From fcm_service_account, fcm_base_url, fcm_max_in_flight, fcm_timeout. */
js_fcm_t *js_fcm_create(const js_conf_t *cf, char *err, size_t errlen);

/*
 * 0 when an access token is there to send with, -1 when not (yet); a
 * request for one is started when due.  js_fcm_retry_at(): when to ask
 * again, unless js_fcm_perform() says a token came first.
 */
int js_fcm_token(js_fcm_t *f);
int64_t js_fcm_retry_at(js_fcm_t *f);

/* How many more messages may be sent now. */
int js_fcm_room(js_fcm_t *f);
int js_fcm_in_flight(js_fcm_t *f);

/* Messages or a token request on their way: js_fcm_perform() is due. */
int js_fcm_busy(js_fcm_t *f);

/*
 * Starts sending body (a js_fcm_message(), which the call takes over):
 * 0, or -1 when there is no room or no access token (body is freed).
 */
int js_fcm_send(js_fcm_t *f, char *body, void *data);

/* Waits for the transfers and the extra descriptors, timeout ms at most. */
int js_fcm_wait(js_fcm_t *f, struct curl_waitfd *extra, unsigned n,
    int timeout);

/* Moves the transfers on and reports each message that finished: 1 when
 * a new access token came meanwhile, else 0. */
int js_fcm_perform(js_fcm_t *f, js_fcm_done_pt done, void *ctx);

/*
 * Abandons every transfer in flight, each reported to done() with
 * outcome JS_FCM_ABANDONED (whether FCM got it is unknown), and frees all.
 */
void js_fcm_destroy(js_fcm_t *f, js_fcm_done_pt done, void *ctx);

#endif
