#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fcm.h"
#include "log.h"
#include "util.h"

#define JS_FCM_ANSWER_MAX     (64 * 1024)   /* bytes of an answer kept */
#define JS_FCM_RENEW_BEFORE   300           /* s before expiry */
#define JS_FCM_TOKEN_RETRY    1000          /* ms, first wait after a
                                               failed token request */
#define JS_FCM_TOKEN_RETRY_MAX 60000

/* Cuts of js_fcm_message(), in bytes. */
#define JS_FCM_TITLE_MAX      150
#define JS_FCM_COMPANY_MAX    80
#define JS_FCM_LOCATION_MAX   80
#define JS_FCM_TYPE_MAX       20

typedef struct {
    char    *data;
    size_t   len;
    size_t   size;
} js_fcm_buf_t;

typedef struct js_fcm_xfer_s  js_fcm_xfer_t;

struct js_fcm_xfer_s {
    CURL                *easy;
    char                *body;
    void                *data;
    unsigned             token_gen;    /* the access token it went with */
    int                  auth_retried;
    js_fcm_buf_t         answer;
    char                 curl_err[CURL_ERROR_SIZE];
    js_fcm_xfer_t       *next;         /* free list */
};

struct js_fcm_s {
    js_fcm_account_t     account;
    char                *send_url;
    const char          *ca_file;      /* NULL: the system's CAs */
    int                  timeout;      /* ms */
    int                  max_in_flight;
    int                  in_flight;

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
    js_fcm_buf_t         token_answer;
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


/* --- service account ---------------------------------------------- */

static char *
js_fcm_json_strdup(json_t *o, const char *key)
{
    const char  *s = json_string_value(json_object_get(o, key));

    return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

int
js_fcm_account_parse(js_fcm_account_t *a, const char *json, size_t len,
    char *err, size_t errlen)
{
    BIO           *bio;
    json_t        *o;
    const char    *pem, *type, *missing = NULL;
    json_error_t   je;

    memset(a, 0, sizeof(*a));

    o = json_loadb(json, len, 0, &je);
    if (o == NULL || !json_is_object(o)) {
        snprintf(err, errlen, "service account is not a JSON object%s%s",
                 o ? "" : ": ", o ? "" : je.text);
        json_decref(o);
        return -1;
    }

    type = json_string_value(json_object_get(o, "type"));
    if (type != NULL && strcmp(type, "service_account") != 0) {
        snprintf(err, errlen, "service account \"type\" is \"%.64s\", not "
                 "\"service_account\"", type);
        json_decref(o);
        return -1;
    }

    a->project_id = js_fcm_json_strdup(o, "project_id");
    a->client_email = js_fcm_json_strdup(o, "client_email");
    a->private_key_id = js_fcm_json_strdup(o, "private_key_id");
    a->token_uri = js_fcm_json_strdup(o, "token_uri");
    pem = json_string_value(json_object_get(o, "private_key"));

    if (a->project_id == NULL) {
        missing = "project_id";
    } else if (a->client_email == NULL) {
        missing = "client_email";
    } else if (a->token_uri == NULL) {
        missing = "token_uri";
    } else if (pem == NULL) {
        missing = "private_key";
    }

    if (missing != NULL) {
        snprintf(err, errlen, "service account has no string \"%s\"",
                 missing);
        goto failed;
    }

    /* The project id goes into a URL path: Google's ids are [a-z0-9-]. */
    if (strspn(a->project_id, "abcdefghijklmnopqrstuvwxyz0123456789-")
        != strlen(a->project_id))
    {
        snprintf(err, errlen, "service account \"project_id\" is not "
                 "[a-z0-9-]");
        goto failed;
    }

    if (strncmp(a->token_uri, "https://", 8) != 0
        && strncmp(a->token_uri, "http://", 7) != 0)
    {
        snprintf(err, errlen, "service account \"token_uri\" is not an "
                 "http(s) URL");
        goto failed;
    }

    bio = BIO_new_mem_buf(pem, -1);
    if (bio != NULL) {
        a->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }

    if (a->key == NULL || EVP_PKEY_base_id(a->key) != EVP_PKEY_RSA) {
        snprintf(err, errlen, "service account \"private_key\" is not an "
                 "RSA private key in PEM");
        goto failed;
    }

    json_decref(o);
    return 0;

failed:

    json_decref(o);
    js_fcm_account_free(a);
    return -1;
}

int
js_fcm_account_load(js_fcm_account_t *a, const char *path, char *err,
    size_t errlen)
{
    int     rc;
    long    n;
    char   *buf;
    FILE   *f;

    memset(a, 0, sizeof(*a));

    f = fopen(path, "re");
    if (f == NULL) {
        snprintf(err, errlen, "open() \"%s\" failed (%d: %s)", path, errno,
                 strerror(errno));
        return -1;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 65536
        || fseek(f, 0, SEEK_SET) != 0)
    {
        snprintf(err, errlen, "cannot read \"%s\" (or it exceeds 64 KiB)",
                 path);
        fclose(f);
        return -1;
    }

    buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        snprintf(err, errlen, "cannot read \"%s\"", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);

    rc = js_fcm_account_parse(a, buf, n, err, errlen);

    /* The buffer held the private key. */
    OPENSSL_cleanse(buf, n);
    free(buf);
    return rc;
}

void
js_fcm_account_free(js_fcm_account_t *a)
{
    free(a->project_id);
    free(a->client_email);
    free(a->private_key_id);
    free(a->token_uri);
    EVP_PKEY_free(a->key);
    memset(a, 0, sizeof(*a));
}


/* --- the assertion -------------------------------------------------- */

/* base64url without padding (RFC 7515 §2); malloc()ed */
static char *
js_fcm_b64url(const unsigned char *s, size_t n)
{
    int     len;
    char   *out, *p;

    out = malloc(4 * ((n + 2) / 3) + 1);
    if (out == NULL) {
        return NULL;
    }

    len = EVP_EncodeBlock((unsigned char *) out, s, (int) n);

    while (len > 0 && out[len - 1] == '=') {
        len--;
    }
    out[len] = '\0';

    for (p = out; *p; p++) {
        if (*p == '+') {
            *p = '-';
        } else if (*p == '/') {
            *p = '_';
        }
    }

    return out;
}

static char *
js_fcm_b64url_json(json_t *o)
{
    char  *s, *b;

    if (o == NULL) {
        return NULL;
    }

    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (s == NULL) {
        return NULL;
    }

    b = js_fcm_b64url((const unsigned char *) s, strlen(s));
    free(s);
    return b;
}

char *
js_fcm_assertion(const js_fcm_account_t *a, time_t now, char *err,
    size_t errlen)
{
    char           *head = NULL, *claims = NULL, *input = NULL;
    char           *sig64 = NULL, *jwt = NULL;
    size_t          siglen = 0;
    json_t         *h;
    EVP_MD_CTX     *md = NULL;
    unsigned char  *sig = NULL;

    h = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
    if (h != NULL && a->private_key_id != NULL) {
        json_object_set_new(h, "kid", json_string(a->private_key_id));
    }
    head = js_fcm_b64url_json(h);

    claims = js_fcm_b64url_json(
                 json_pack("{s:s, s:s, s:s, s:I, s:I}",
                           "iss", a->client_email,
                           "scope", JS_FCM_SCOPE,
                           "aud", a->token_uri,
                           "iat", (json_int_t) now,
                           "exp", (json_int_t) now + JS_FCM_ASSERTION_TTL));

    if (head == NULL || claims == NULL
        || asprintf(&input, "%s.%s", head, claims) < 0)
    {
        input = NULL;
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    md = EVP_MD_CTX_new();
    if (md == NULL
        || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->key) != 1
        || EVP_DigestSign(md, NULL, &siglen,
                          (const unsigned char *) input, strlen(input)) != 1
        || (sig = malloc(siglen)) == NULL
        || EVP_DigestSign(md, sig, &siglen,
                          (const unsigned char *) input, strlen(input)) != 1)
    {
        snprintf(err, errlen, "RS256 signature failed");
        goto done;
    }

    sig64 = js_fcm_b64url(sig, siglen);
    if (sig64 == NULL || asprintf(&jwt, "%s.%s", input, sig64) < 0) {
        jwt = NULL;
        snprintf(err, errlen, "out of memory");
    }

done:

    EVP_MD_CTX_free(md);
    free(sig);
    free(sig64);
    free(input);
    free(head);
    free(claims);
    return jwt;
}


/* --- the message ---------------------------------------------------- */

/*
 * s cut to max bytes on a character boundary, "…" added when cut, and
 * control characters (line breaks of scraped titles) made spaces.
 */
static char *
js_fcm_field(const char *s, size_t max)
{
    char    *out, *p;
    size_t   len;

    len = strlen(s);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char) s[len] & 0xc0) == 0x80) {
            len--;
        }
    }

    out = malloc(len + sizeof("\xe2\x80\xa6"));
    if (out == NULL) {
        return NULL;
    }

    memcpy(out, s, len);
    out[len] = '\0';
    if (len < strlen(s)) {
        strcat(out, "\xe2\x80\xa6");
    }

    for (p = out; *p; p++) {
        if ((unsigned char) *p < ' ' || *p == 0x7f) {
            *p = ' ';
        }
    }

    return out;
}

char *
js_fcm_message_rest(const js_fcm_alert_t *m)
{
    char    *title, *company, *location, *type, *s = NULL;
    char    *notif_title = NULL, *body = NULL, *apns_title = NULL;
    char    *apns_body = NULL;
    json_t  *msg, *notification;

    title = js_fcm_field(m->title, JS_FCM_TITLE_MAX);
    company = js_fcm_field(m->company, JS_FCM_COMPANY_MAX);
    location = js_fcm_field(m->location ? m->location : "",
                            JS_FCM_LOCATION_MAX);
    type = js_fcm_field(m->location_type ? m->location_type : "",
                        JS_FCM_TYPE_MAX);

    if (title == NULL || company == NULL || location == NULL || type == NULL
        || asprintf(&notif_title, "New %s at %s", title, company) < 0
        || asprintf(&apns_title, "New %s", title) < 0
        || asprintf(&apns_body, "at %s", company) < 0
        || asprintf(&body, "%s%s%s", location,
                    location[0] && type[0] ? " \xe2\x80\xa2 " : "", type) < 0)
    {
        goto done;
    }

    notification = json_pack("{s:s}", "title", notif_title);
    if (notification != NULL && body[0] != '\0') {
        json_object_set_new(notification, "body", json_string(body));
    }

    /*
     * The Android tag and the APNs collapse id are the job's: should a
     * message go twice (FCM has no idempotency key: a notifier killed
     * before recording an accepted push sends it again), the second
     * replaces the first on the phone rather than showing beside it.
     */
    msg = json_pack("{s:o, s:{s:s, s:s, s:s},"
                    " s:{s:s, s:s, s:{s:s}},"
                    " s:{s:{s:s, s:s}, s:{s:{s:{s:s, s:s}, s:s, s:i}}}}",
                    "notification", notification,
                    "data",
                      "job_id", m->job_id,
                      "type", "new_job",
                      "click_action", "OPEN_JOB_DETAIL",
                    "android",
                      "priority", "HIGH",
                      "ttl", "3600s",
                      "notification", "tag", m->job_id,
                    "apns",
                      "headers", "apns-priority", "10",
                                 "apns-collapse-id", m->job_id,
                      "payload",
                        "aps",
                          "alert", "title", apns_title, "body", apns_body,
                          "sound", "default",
                          "badge", 1);

    if (msg != NULL) {
        s = json_dumps(msg, JSON_COMPACT);
        json_decref(msg);
    }

done:

    free(title);
    free(company);
    free(location);
    free(type);
    free(notif_title);
    free(body);
    free(apns_title);
    free(apns_body);
    return s;
}

char *
js_fcm_message_for(const char *rest, const char *token)
{
    char                *out, *p;
    size_t               n, len;
    const unsigned char *t;
    static const char    head[] = "{\"message\":{\"token\":\"";
    static const char    hex[] = "0123456789abcdef";

    /* rest: "{...}" of the other fields; a token's escape is 6 bytes */
    len = strlen(rest);
    n = strlen(token);
    if (len < 2 || n > (SIZE_MAX - len) / 6 - sizeof(head) - 8) {
        return NULL;
    }

    out = malloc(sizeof(head) + 6 * n + 2 + len + 2);
    if (out == NULL) {
        return NULL;
    }

    p = out;
    memcpy(p, head, sizeof(head) - 1);
    p += sizeof(head) - 1;

    for (t = (const unsigned char *) token; *t; t++) {
        if (*t == '"' || *t == '\\') {
            *p++ = '\\';
            *p++ = (char) *t;
        } else if (*t < 0x20 || *t == 0x7f) {
            p += sprintf(p, "\\u00%c%c", hex[*t >> 4], hex[*t & 15]);
        } else {
            *p++ = (char) *t;
        }
    }

    *p++ = '"';
    *p++ = ',';
    memcpy(p, rest + 1, len - 1);
    p += len - 1;
    *p++ = '}';
    *p = '\0';
    return out;
}

char *
js_fcm_message(const js_fcm_alert_t *m)
{
    char  *rest, *s;

    rest = js_fcm_message_rest(m);
    if (rest == NULL) {
        return NULL;
    }
    s = js_fcm_message_for(rest, m->token);
    free(rest);
    return s;
}


/* --- answers -------------------------------------------------------- */

long
js_fcm_retry_after(const char *value, time_t now)
{
    char        *end;
    long         n;
    time_t       t;
    struct tm    tm;
    const char  *p;

    if (value == NULL) {
        return -1;
    }

    while (*value == ' ' || *value == '\t') {
        value++;
    }

    if (*value >= '0' && *value <= '9') {
        errno = 0;
        n = strtol(value, &end, 10);
        while (*end == ' ' || *end == '\t') {
            end++;
        }
        if (*end != '\0' || errno != 0) {
            return -1;
        }
        return n > 86400 ? 86400 : n;
    }

    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7) */
    memset(&tm, 0, sizeof(tm));
    p = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (p == NULL || *p != '\0') {
        return -1;
    }

    t = timegm(&tm);
    if (t == (time_t) -1) {
        return -1;
    }
    if (t <= now) {
        return 0;
    }
    return t - now > 86400 ? 86400 : (long) (t - now);
}

/* The errorCode of an FcmError detail, and whether message.token was
 * the field a google.rpc.BadRequest detail names. */
static const char *
js_fcm_error_code(json_t *error, int *token_field)
{
    size_t       i, k;
    json_t      *d, *v;
    const char  *type, *code = NULL, *field;

    *token_field = 0;

    json_array_foreach(json_object_get(error, "details"), i, d) {
        type = json_string_value(json_object_get(d, "@type"));
        if (type == NULL) {
            continue;
        }

        if (strstr(type, "google.firebase.fcm.v1.FcmError") != NULL) {
            code = json_string_value(json_object_get(d, "errorCode"));

        } else if (strstr(type, "google.rpc.BadRequest") != NULL) {
            json_array_foreach(json_object_get(d, "fieldViolations"), k, v) {
                field = json_string_value(json_object_get(v, "field"));
                if (field != NULL && strcmp(field, "message.token") == 0) {
                    *token_field = 1;
                }
            }
        }
    }

    return code;
}

void
js_fcm_classify(long status, const char *body, size_t len,
    js_fcm_result_t *r)
{
    int           token_field;
    json_t       *o, *error;
    const char   *code = NULL, *msg = NULL, *name;
    json_error_t  je;

    r->status = status;
    r->quota = 0;
    r->name[0] = '\0';
    r->error[0] = '\0';

    o = body != NULL && len > 0 ? json_loadb(body, len, 0, &je) : NULL;
    error = json_object_get(o, "error");

    if (status == 200) {
        r->outcome = JS_FCM_ACCEPTED;
        name = json_string_value(json_object_get(o, "name"));
        snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
        json_decref(o);
        return;
    }

    if (json_is_object(error)) {
        code = js_fcm_error_code(error, &token_field);
        msg = json_string_value(json_object_get(error, "message"));
    } else {
        token_field = 0;
    }

    snprintf(r->error, sizeof(r->error), "HTTP %ld%s%s%s%.300s", status,
             code ? " " : "", code ? code : "", msg ? ": " : "",
             msg ? msg : "");

    if (code != NULL && strcmp(code, "UNREGISTERED") == 0) {
        r->outcome = JS_FCM_UNREGISTERED;

    } else if (status == 400
               && (token_field
                   || (msg != NULL
                       && strstr(msg, "valid FCM registration token"))))
    {
        /*
         * INVALID_ARGUMENT about message.token, named as a field or only
         * in the message ("... is not a valid FCM registration token"):
         * the token is bad.
         */
        r->outcome = JS_FCM_UNREGISTERED;

    } else if (status == 429 || (code && strcmp(code, "QUOTA_EXCEEDED") == 0))
    {
        r->outcome = JS_FCM_RETRY;
        r->quota = code != NULL && strcmp(code, "QUOTA_EXCEEDED") == 0;

    } else if (status >= 500 || (code && (strcmp(code, "UNAVAILABLE") == 0
                                         || strcmp(code, "INTERNAL") == 0)))
    {
        r->outcome = JS_FCM_RETRY;

    } else if (status == 401 && code == NULL) {
        r->outcome = JS_FCM_AUTH;

    } else {
        /* INVALID_ARGUMENT, SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR,
         * APNS_AUTH_ERROR, a 404 without UNREGISTERED (a wrong project):
         * no retry makes these succeed. */
        r->outcome = JS_FCM_FAILED;
    }

    json_decref(o);
}


/* --- the sender ----------------------------------------------------- */

static size_t
js_fcm_write(char *ptr, size_t size, size_t nmemb, void *data)
{
    char          *p;
    size_t         n = size * nmemb, want;
    js_fcm_buf_t  *b = data;

    /* An answer is small; keep the start of an absurd one. */
    if (b->len + n > JS_FCM_ANSWER_MAX) {
        n = JS_FCM_ANSWER_MAX - b->len;
    }

    if (b->len + n + 1 > b->size) {
        want = b->size ? b->size * 2 : 1024;
        while (want < b->len + n + 1) {
            want *= 2;
        }
        p = realloc(b->data, want);
        if (p == NULL) {
            return 0;
        }
        b->data = p;
        b->size = want;
    }

    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return size * nmemb;
}

static int
js_fcm_easy_common(js_fcm_t *f, CURL *c, js_fcm_buf_t *answer, char *errbuf)
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
    f->token_answer.len = 0;
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
    js_fcm_buf_t  *answer = &f->token_answer;

    (void) curl_easy_getinfo(f->token_easy, CURLINFO_RESPONSE_CODE, &status);

    if (cc != CURLE_OK) {
        snprintf(err, sizeof(err), "%s%s%s", curl_easy_strerror(cc),
                 f->token_curl_err[0] ? ": " : "", f->token_curl_err);
        js_fcm_token_failed(f, err);
        return -1;
    }

    o = answer->len ? json_loadb(answer->data, answer->len, 0, &je) : NULL;
    token = json_string_value(json_object_get(o, "access_token"));
    type = json_string_value(json_object_get(o, "token_type"));
    ttl = (long) json_integer_value(json_object_get(o, "expires_in"));

    if (status != 200 || token == NULL || token[0] == '\0'
        || strcspn(token, "\r\n") != strlen(token)
        || (type != NULL && strcasecmp(type, "Bearer") != 0) || ttl <= 0)
    {
        snprintf(err, sizeof(err), "HTTP %ld: %.300s", status,
                 answer->len ? answer->data : "(no body)");
        json_decref(o);
        js_fcm_token_failed(f, err);
        return -1;
    }

    free(f->access_token);
    free(f->bearer);
    f->access_token = strdup(token);
    json_decref(o);

    if (f->access_token == NULL
        || asprintf(&f->bearer, "Authorization: Bearer %s", f->access_token)
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
    return f->in_flight > 0 || f->fetching;
}

static void
js_fcm_xfer_release(js_fcm_t *f, js_fcm_xfer_t *x)
{
    free(x->body);
    x->body = NULL;
    x->data = NULL;
    x->answer.len = 0;
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
    h = h ? curl_slist_append(h, "Content-Type: application/json; "
                              "charset=UTF-8") : NULL;
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

    h = js_fcm_headers(f);
    if (h == NULL) {
        return -1;
    }
    x->token_gen = f->token_gen;
    x->answer.len = 0;
    x->curl_err[0] = '\0';

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
    int  numfds;

    return curl_multi_poll(f->multi, extra, n, timeout, &numfds) == CURLM_OK
           ? 0 : -1;
}

/* The Retry-After header of a finished transfer, in seconds, or -1. */
static long
js_fcm_xfer_retry_after(js_fcm_xfer_t *x)
{
    struct curl_header  *h;

    if (curl_easy_header(x->easy, "Retry-After", 0, CURLH_HEADER, -1, &h)
        != CURLHE_OK)
    {
        return -1;
    }

    return js_fcm_retry_after(h->value, time(NULL));
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

static void
js_fcm_finished(js_fcm_t *f, js_fcm_xfer_t *x, CURLcode cc,
    js_fcm_done_pt done, void *ctx)
{
    long             status = 0;
    js_fcm_result_t  r;

    (void) curl_multi_remove_handle(f->multi, x->easy);

    memset(&r, 0, sizeof(r));
    r.retry_after = -1;

    if (cc != CURLE_OK) {
        /* Timed out or cut: FCM may or may not have the message. */
        r.outcome = JS_FCM_RETRY;
        snprintf(r.error, sizeof(r.error), "%s%s%s",
                 curl_easy_strerror(cc), x->curl_err[0] ? ": " : "",
                 x->curl_err);
        js_fcm_report(f, x, &r, done, ctx);
        return;
    }

    (void) curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    js_fcm_classify(status, x->answer.data, x->answer.len, &r);
    if (r.outcome == JS_FCM_RETRY) {
        r.retry_after = js_fcm_xfer_retry_after(x);
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

int
js_fcm_perform(js_fcm_t *f, js_fcm_done_pt done, void *ctx)
{
    int              running, left, renewed = 0;
    CURLMsg         *m;
    js_fcm_xfer_t   *x;

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
            js_fcm_finished(f, x, m->data.result, done, ctx);
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

    for (i = 0; f->xfers != NULL && i < f->max_in_flight; i++) {
        x = &f->xfers[i];

        if (x->body != NULL) {
            (void) curl_multi_remove_handle(f->multi, x->easy);
            data = x->data;
            js_fcm_xfer_release(f, x);
            if (done != NULL) {
                done(ctx, data, &r);
            }
        }

        if (x->easy != NULL) {
            curl_easy_cleanup(x->easy);
        }
        free(x->answer.data);
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
    free(f->token_answer.data);
    free(f->xfers);
    free(f->send_url);
    free(f->access_token);
    free(f->bearer);
    js_fcm_account_free(&f->account);
    free(f);
}
