/*
 * FCM HTTP v1: the service account and its assertion (RFC 7523), the
 * messages, and what an answer means.  The client that sends them:
 * fcm_client.c.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fcm.h"
#include "log.h"
#include "util.h"

/* Cuts of js_fcm_message(), in bytes. */
#define JS_FCM_TITLE_MAX      150
#define JS_FCM_COMPANY_MAX    80
#define JS_FCM_LOCATION_MAX   80
#define JS_FCM_TYPE_MAX       20


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

/* p past JSON's whitespace, up to end */
static const char *
js_fcm_skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
    }
    return p;
}

/*
 * A 200's body as FCM writes it, {"name": "..."} and nothing else, the
 * name without escapes: its name, without building a JSON tree for each
 * message.  1, or 0 for anything else (then read by jansson).
 */
static int
js_fcm_plain_name(const char *p, size_t len, char *name, size_t size)
{
    size_t       n;
    const char  *end = p + len, *q;

    p = js_fcm_skip_ws(p, end);
    if (p == end || *p++ != '{') {
        return 0;
    }
    p = js_fcm_skip_ws(p, end);
    if (end - p < 6 || memcmp(p, "\"name\"", 6) != 0) {
        return 0;
    }
    p = js_fcm_skip_ws(p + 6, end);
    if (p == end || *p++ != ':') {
        return 0;
    }
    p = js_fcm_skip_ws(p, end);
    if (p == end || *p++ != '"') {
        return 0;
    }
    for (q = p; q < end && *q != '"'; q++) {
        if (*q == '\\' || (unsigned char) *q < 0x20) {
            return 0;
        }
    }
    n = (size_t) (q - p);
    if (q == end || n >= size) {
        return 0;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    q = js_fcm_skip_ws(q + 1, end);
    if (q == end || *q++ != '}') {
        return 0;
    }
    return js_fcm_skip_ws(q, end) == end;
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

    if (status == 200 && body != NULL
        && js_fcm_plain_name(body, len, r->name, sizeof(r->name)))
    {
        r->outcome = JS_FCM_ACCEPTED;
        return;
    }

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
