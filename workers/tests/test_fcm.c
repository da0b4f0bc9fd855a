/*
 * Unit tests for lib/fcm.c without a network: the service account, the
 * RS256 assertion (decoded and verified with the public key), the
 * message, Retry-After, the sorting of FCM's answers; and the notifier's
 * directives in lib/config.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "config.h"
#include "fcm.h"
#include "tap.h"

static EVP_PKEY  *key;
static char      *account_json;
static char       dir[] = "/tmp/js_test_fcm.XXXXXX";

static char *
pem_of(EVP_PKEY *k)
{
    BIO     *bio = BIO_new(BIO_s_mem());
    char    *data, *s;
    long     n;

    if (bio == NULL || !PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0,
                                                 NULL, NULL))
    {
        printf("Bail out! cannot write a PEM key\n");
        exit(255);
    }
    n = BIO_get_mem_data(bio, &data);
    s = strndup(data, n);
    BIO_free(bio);
    return s;
}

static char *
account_with(const char *pem, const char *project, const char *email)
{
    char    *s;
    json_t  *o;

    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
                  "type", "service_account",
                  "project_id", project,
                  "private_key_id", "0123abcd",
                  "private_key", pem,
                  "client_email", email,
                  "token_uri", "https://oauth2.googleapis.com/token");
    s = json_dumps(o, 0);
    json_decref(o);
    return s;
}

/* base64url to bytes; NUL-terminated for JSON parts */
static unsigned char *
b64url_decode(const char *s, size_t len, size_t *out)
{
    size_t          i, n = len + 4;
    char           *b;
    unsigned char  *r;
    int             got;

    b = calloc(n + 1, 1);
    r = calloc(n + 1, 1);
    for (i = 0; i < len; i++) {
        b[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    }
    while (i % 4) {
        b[i++] = '=';
    }
    got = EVP_DecodeBlock(r, (unsigned char *) b, (int) i);
    free(b);
    if (got < 0) {
        free(r);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    *out = got - (len % 4 == 2 ? 2 : len % 4 == 3 ? 1 : 0);
    return r;
}

static void
test_account(void)
{
    char              err[512] = "", *pem, *json, path[600];
    FILE             *f;
    EVP_PKEY         *ec = NULL;
    js_fcm_account_t  a;

    ok(js_fcm_account_parse(&a, account_json, strlen(account_json), err,
                            sizeof(err)) == 0, "a service account parses");
    is_str(a.project_id, "jobscout-prod", "project_id");
    is_str(a.client_email, "fcm@jobscout-prod.iam.gserviceaccount.com",
           "client_email");
    is_str(a.private_key_id, "0123abcd", "private_key_id");
    is_str(a.token_uri, "https://oauth2.googleapis.com/token", "token_uri");
    ok(a.key != NULL, "the RSA key");
    js_fcm_account_free(&a);

    snprintf(path, sizeof(path), "%s/sa.json", dir);
    f = fopen(path, "w");
    fputs(account_json, f);
    fclose(f);
    ok(js_fcm_account_load(&a, path, err, sizeof(err)) == 0,
       "and loads from a file");
    js_fcm_account_free(&a);

    ok(js_fcm_account_load(&a, "/nonexistent/sa.json", err, sizeof(err))
       == -1, "a missing file is refused");
    like_str(err, "open()", "... naming the open() failure");

    ok(js_fcm_account_parse(&a, "{nope", 5, err, sizeof(err)) == -1,
       "not JSON: refused");
    like_str(err, "not a JSON object", "... saying so");

    json = account_with("x", "jobscout-prod", "a@b.c");
    ok(js_fcm_account_parse(&a, json, strlen(json), err, sizeof(err)) == -1,
       "a private_key that is no PEM: refused");
    like_str(err, "not an RSA private key", "... saying so");
    free(json);

    pem = pem_of(key);
    json = account_with(pem, "Bad/Project", "a@b.c");
    ok(js_fcm_account_parse(&a, json, strlen(json), err, sizeof(err)) == -1,
       "a project id that would change the URL: refused");
    like_str(err, "project_id", "... naming it");
    free(json);
    free(pem);

    ec = EVP_EC_gen("P-256");
    pem = pem_of(ec);
    json = account_with(pem, "p", "a@b.c");
    ok(js_fcm_account_parse(&a, json, strlen(json), err, sizeof(err)) == -1,
       "an EC key: refused (RS256 needs RSA)");
    free(json);
    free(pem);
    EVP_PKEY_free(ec);

    json = "{\"type\":\"service_account\",\"project_id\":\"p\","
           "\"private_key\":\"x\",\"token_uri\":\"https://t\"}";
    ok(js_fcm_account_parse(&a, json, strlen(json), err, sizeof(err)) == -1,
       "no client_email: refused");
    like_str(err, "client_email", "... naming it");
}

static void
test_assertion(void)
{
    char              err[512], *jwt, *dot1, *dot2;
    size_t            n;
    json_t           *h, *c;
    time_t            now = 1735689600;
    EVP_MD_CTX       *md;
    unsigned char    *head, *claims, *sig;
    js_fcm_account_t  a;

    js_fcm_account_parse(&a, account_json, strlen(account_json), err,
                         sizeof(err));
    jwt = js_fcm_assertion(&a, now, err, sizeof(err));
    ok(jwt != NULL, "an assertion is made");
    if (jwt == NULL) {
        js_fcm_account_free(&a);
        return;
    }

    dot1 = strchr(jwt, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    ok(dot1 != NULL && dot2 != NULL && strchr(dot2 + 1, '.') == NULL,
       "three base64url parts");
    if (dot1 == NULL || dot2 == NULL) {
        free(jwt);
        js_fcm_account_free(&a);
        return;
    }
    ok(strpbrk(jwt, "+/=") == NULL, "no '+', '/' or padding");

    head = b64url_decode(jwt, dot1 - jwt, &n);
    claims = b64url_decode(dot1 + 1, dot2 - dot1 - 1, &n);
    h = json_loads((char *) head, 0, NULL);
    c = json_loads((char *) claims, 0, NULL);

    is_str(json_string_value(json_object_get(h, "alg")), "RS256",
           "header alg RS256");
    is_str(json_string_value(json_object_get(h, "typ")), "JWT", "typ JWT");
    is_str(json_string_value(json_object_get(h, "kid")), "0123abcd",
           "kid = private_key_id");
    is_str(json_string_value(json_object_get(c, "iss")),
           "fcm@jobscout-prod.iam.gserviceaccount.com", "iss = client_email");
    is_str(json_string_value(json_object_get(c, "scope")),
           "https://www.googleapis.com/auth/firebase.messaging",
           "scope = firebase.messaging");
    is_str(json_string_value(json_object_get(c, "aud")),
           "https://oauth2.googleapis.com/token", "aud = token_uri");
    is_int(json_integer_value(json_object_get(c, "iat")), now, "iat = now");
    is_int(json_integer_value(json_object_get(c, "exp")), now + 3600,
           "exp = iat + 1 h, Google's maximum");

    sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &n);
    is_int(n, 256, "a 2048-bit RSA signature");
    md = EVP_MD_CTX_new();
    ok(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1
       && EVP_DigestVerify(md, sig, n, (unsigned char *) jwt,
                           dot2 - jwt) == 1,
       "the signature verifies with the public key (RSA-SHA256)");
    EVP_MD_CTX_free(md);

    /* One bit off and it must not. */
    md = EVP_MD_CTX_new();
    jwt[dot1 - jwt + 3] = jwt[dot1 - jwt + 3] == 'A' ? 'B' : 'A';
    ok(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1
       && EVP_DigestVerify(md, sig, n, (unsigned char *) jwt,
                           dot2 - jwt) != 1,
       "a tampered claim does not verify");
    EVP_MD_CTX_free(md);

    json_decref(h);
    json_decref(c);
    free(head);
    free(claims);
    free(sig);
    free(jwt);
    js_fcm_account_free(&a);
}

static json_t *
message(const char *title, const char *company, const char *location,
    const char *type, char **raw)
{
    json_t          *o;
    js_fcm_alert_t   m;

    m.token = "dev-token-1";
    m.job_id = "10000000-0000-4000-8000-000000000001";
    m.title = title;
    m.company = company;
    m.location = location;
    m.location_type = type;

    *raw = js_fcm_message(&m);
    o = *raw ? json_loads(*raw, 0, NULL) : NULL;
    return json_object_get(o, "message") ? o : NULL;
}

#define M(o, path)  json_string_value(json_object_get_path(o, path))

static json_t *
json_object_get_path(json_t *o, const char *path)
{
    char  buf[256], *p, *save;

    snprintf(buf, sizeof(buf), "%s", path);
    for (p = strtok_r(buf, ".", &save); p && o;
         p = strtok_r(NULL, ".", &save))
    {
        o = json_object_get(o, p);
    }
    return o;
}

static void
test_message(void)
{
    int      all_strings = 1;
    char    *raw, title[600];
    size_t   i;
    json_t  *o, *data, *v;
    const char  *k;

    o = message("Senior Backend Engineer", "Safaricom", "Nairobi, Kenya",
                "hybrid", &raw);
    ok(o != NULL, "the message is JSON with a \"message\"");
    is_str(M(o, "message.token"), "dev-token-1", "to the device token");
    ok(json_object_get_path(o, "message.topic") == NULL
       && json_object_get_path(o, "message.condition") == NULL,
       "and no topic or condition");
    is_str(M(o, "message.notification.title"),
           "New Senior Backend Engineer at Safaricom",
           "title: New {title} at {company}");
    is_str(M(o, "message.notification.body"),
           "Nairobi, Kenya \xe2\x80\xa2 hybrid", "body: {location} • {type}");
    is_str(M(o, "message.data.job_id"),
           "10000000-0000-4000-8000-000000000001", "data.job_id");
    is_str(M(o, "message.data.type"), "new_job", "data.type");
    is_str(M(o, "message.data.click_action"), "OPEN_JOB_DETAIL",
           "data.click_action");
    data = json_object_get_path(o, "message.data");
    json_object_foreach(data, k, v) {
        all_strings &= json_is_string(v);
    }
    ok(all_strings && json_object_size(data) == 3,
       "data holds strings only (FCM refuses anything else)");
    is_str(M(o, "message.android.priority"), "HIGH", "android priority HIGH");
    is_str(M(o, "message.android.ttl"), "3600s", "android ttl 3600s");
    is_str(M(o, "message.android.notification.tag"),
           "10000000-0000-4000-8000-000000000001",
           "android tag: the job, a repeat replaces the notification");
    is_str(M(o, "message.apns.headers.apns-priority"), "10",
           "apns-priority 10");
    is_str(M(o, "message.apns.headers.apns-collapse-id"),
           "10000000-0000-4000-8000-000000000001",
           "apns-collapse-id: the job, idem");
    is_str(M(o, "message.apns.payload.aps.alert.title"),
           "New Senior Backend Engineer", "aps alert title");
    is_str(M(o, "message.apns.payload.aps.alert.body"), "at Safaricom",
           "aps alert body");
    is_str(M(o, "message.apns.payload.aps.sound"), "default", "aps sound");
    is_int(json_integer_value(json_object_get_path(o,
                                  "message.apns.payload.aps.badge")), 1,
           "aps badge 1");
    json_decref(o);
    free(raw);

    {
        char            *m2;
        json_t          *o2;
        js_fcm_alert_t   a = { "tok\"en\\with\x01odd", "j", "T", "C", "", "" };

        m2 = js_fcm_message(&a);
        o2 = m2 ? json_loads(m2, 0, NULL) : NULL;
        is_str(M(o2, "message.token"), "tok\"en\\with\x01odd",
               "a token with quotes, backslashes, controls: escaped, intact");
        json_decref(o2);
        free(m2);
    }

    o = message("Data Scientist", "Andela", NULL, "remote", &raw);
    is_str(M(o, "message.notification.body"), "remote",
           "no location: the type alone");
    json_decref(o);
    free(raw);

    o = message("Data Scientist", "Andela", "", "", &raw);
    ok(json_object_get_path(o, "message.notification.body") == NULL,
       "neither: no body");
    json_decref(o);
    free(raw);

    /* 300 "é": 600 bytes of title, and a line break from a scraper */
    for (i = 0; i < 300; i++) {
        memcpy(title + 2 * i, "\xc3\xa9", 2);
    }
    title[600 - 1] = '\0';
    title[10] = '\n';
    title[11] = 'x';
    o = message(title, "Acme\r\nBcc: x", "Nairobi", "onsite", &raw);
    ok(o != NULL, "a 600-byte title still makes valid JSON (UTF-8 cut on "
       "a character boundary)");
    ok(raw != NULL && strlen(raw) < JS_FCM_BODY_MAX / 2,
       "far below FCM's 4096-byte limit");
    like_str(M(o, "message.notification.title"), "\xe2\x80\xa6 at Acme",
             "the title cut with an ellipsis");
    ok(strpbrk(M(o, "message.notification.title"), "\r\n") == NULL,
       "no control characters left");
    json_decref(o);
    free(raw);
}

static void
test_retry_after(void)
{
    time_t  now = 784111777;       /* Sun, 06 Nov 1994 08:49:37 GMT */

    is_int(js_fcm_retry_after("1", now), 1, "delta-seconds");
    is_int(js_fcm_retry_after(" 120 ", now), 120, "with blanks");
    is_int(js_fcm_retry_after("0", now), 0, "zero");
    is_int(js_fcm_retry_after("999999", now), 86400, "capped at a day");
    is_int(js_fcm_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), 30,
           "an HTTP-date 30 s ahead");
    is_int(js_fcm_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), 0,
           "an HTTP-date already past: 0");
    is_int(js_fcm_retry_after(NULL, now), -1, "absent: -1");
    is_int(js_fcm_retry_after("-5", now), -1, "negative: invalid");
    is_int(js_fcm_retry_after("5s", now), -1, "a unit: invalid");
    is_int(js_fcm_retry_after("tomorrow", now), -1, "words: invalid");
    is_int(js_fcm_retry_after("Sun, 06 Nov 1994 08:50:07 GMT junk", now), -1,
           "a date with trailing junk: invalid");
}

#define FCM_ERROR(status, canonical, code)                                   \
    "{\"error\":{\"code\":" #status ",\"message\":\"m\",\"status\":\""      \
    canonical "\",\"details\":[{\"@type\":\"type.googleapis.com/google."    \
    "firebase.fcm.v1.FcmError\",\"errorCode\":\"" code "\"}]}}"

static void
classify(long status, const char *body, js_fcm_result_t *r)
{
    js_fcm_classify(status, body, body ? strlen(body) : 0, r);
}

static void
test_classify(void)
{
    js_fcm_result_t  r;

    classify(200, "{\"name\":\"projects/p/messages/0:1500415314455276%31\"}",
             &r);
    is_int(r.outcome, JS_FCM_ACCEPTED, "200: accepted");
    is_str(r.name, "projects/p/messages/0:1500415314455276%31",
           "... with the message name");
    classify(200, "{\n  \"name\": \"projects/p/messages/1\"\n}\n", &r);
    is_str(r.name, "projects/p/messages/1", "200 as FCM spaces it: the name");
    classify(200, "{\"name\":\"projects/p/messages/a\\u0062\"}", &r);
    is_str(r.name, "projects/p/messages/ab", "an escape in the name: decoded");
    classify(200, "{\"name\":\"projects/p/messages/2\",\"x\":1}", &r);
    is_str(r.name, "projects/p/messages/2", "another key after it: the name");
    classify(200, "{\"x\":{\"name\":\"no\"},\"name\":\"projects/p/m/3\"}",
             &r);
    is_str(r.name, "projects/p/m/3", "a nested \"name\" first: the top one");
    classify(200, "{\"name\":\"projects/p/messages/4\"", &r);
    ok(r.outcome == JS_FCM_ACCEPTED && r.name[0] == '\0',
       "cut short: accepted (200), no name");
    classify(200, "{\"name\":\"projects/p/messages/5\"} {", &r);
    ok(r.outcome == JS_FCM_ACCEPTED && r.name[0] == '\0',
       "something after it: accepted (200), no name");

    classify(404, FCM_ERROR(404, "NOT_FOUND", "UNREGISTERED"), &r);
    is_int(r.outcome, JS_FCM_UNREGISTERED, "404 UNREGISTERED: clear token");
    like_str(r.error, "UNREGISTERED", "... the error names it");

    classify(400, "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\","
             "\"message\":\"The registration token is not a valid FCM "
             "registration token\",\"details\":[{\"@type\":\"type."
             "googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\""
             ":\"INVALID_ARGUMENT\"},{\"@type\":\"type.googleapis.com/google"
             ".rpc.BadRequest\",\"fieldViolations\":[{\"field\":\"message."
             "token\",\"description\":\"Invalid registration token\"}]}]}}",
             &r);
    is_int(r.outcome, JS_FCM_UNREGISTERED,
           "400 INVALID_ARGUMENT on message.token: clear token");

    classify(400, "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\","
             "\"message\":\"The registration token is not a valid FCM "
             "registration token\",\"details\":[{\"@type\":\"type."
             "googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\""
             ":\"INVALID_ARGUMENT\"}]}}", &r);
    is_int(r.outcome, JS_FCM_UNREGISTERED,
           "400 INVALID_ARGUMENT naming the token in its message only: "
           "clear token");

    classify(400, "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\","
             "\"message\":\"Invalid value at 'message.data[0].value'\","
             "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
             "BadRequest\",\"fieldViolations\":[{\"field\":\"message.data[0]"
             ".value\"}]}]}}", &r);
    is_int(r.outcome, JS_FCM_FAILED,
           "400 on another field: failed, the token kept");

    classify(429, FCM_ERROR(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), &r);
    ok(r.outcome == JS_FCM_RETRY && r.quota,
       "429 QUOTA_EXCEEDED: retry, as a quota (>= 1 min)");

    classify(503, FCM_ERROR(503, "UNAVAILABLE", "UNAVAILABLE"), &r);
    is_int(r.outcome, JS_FCM_RETRY, "503 UNAVAILABLE: retry");
    classify(500, FCM_ERROR(500, "INTERNAL", "INTERNAL"), &r);
    is_int(r.outcome, JS_FCM_RETRY, "500 INTERNAL: retry");
    classify(502, "<html>Bad Gateway</html>", &r);
    is_int(r.outcome, JS_FCM_RETRY, "502 with an HTML body: retry");

    classify(401, "{\"error\":{\"code\":401,\"status\":\"UNAUTHENTICATED\","
             "\"message\":\"Request had invalid authentication "
             "credentials.\"}}", &r);
    is_int(r.outcome, JS_FCM_AUTH, "401 without an FCM code: renew token");

    classify(401, FCM_ERROR(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"),
             &r);
    is_int(r.outcome, JS_FCM_FAILED,
           "401 THIRD_PARTY_AUTH_ERROR (APNs credential): failed");
    classify(403, FCM_ERROR(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"),
             &r);
    is_int(r.outcome, JS_FCM_FAILED, "403 SENDER_ID_MISMATCH: failed");
    classify(404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\"}}", &r);
    is_int(r.outcome, JS_FCM_FAILED,
           "404 without UNREGISTERED (a wrong project): failed, token kept");
}

static void
test_config(void)
{
    char          err[1024], path[600], conf[1200];
    FILE         *f;
    js_conf_t     cf;
    const char   *roles[] = { "notifier", NULL };

    snprintf(path, sizeof(path), "%s/js.conf", dir);

    f = fopen(path, "w");
    fprintf(f, "postgres x;\nredis h:1;\nworkers notifier 1;\n");
    fclose(f);
    ok(js_conf_load(&cf, path, dir, roles, err, sizeof(err)) == 0,
       "a notifier without a service account is valid (push disabled)");
    ok(cf.fcm_service_account == NULL, "... none set");
    is_str(cf.fcm_base_url, "https://fcm.googleapis.com", "default base URL");
    is_int(cf.fcm_max_in_flight, 300, "default in flight");
    is_int(cf.fcm_timeout, 10000, "default timeout");
    is_int(cf.push_claim_timeout, 60000, "default lease");
    js_conf_free(&cf);

    f = fopen(path, "w");
    fprintf(f, "postgres x;\nredis h:1;\nworkers notifier 1;\n"
            "fcm_service_account sa.json;\nfcm_base_url http://127.0.0.1:9/;\n"
            "fcm_max_in_flight 500;\nfcm_timeout 2s;\nfcm_max_attempts 3;\n"
            "fcm_backoff 200ms 2s;\npush_claim_timeout 6s;\n"
            "digest_interval 1s;\n");
    fclose(f);
    ok(js_conf_load(&cf, path, dir, roles, err, sizeof(err)) == 0,
       "every notifier directive");
    snprintf(conf, sizeof(conf), "%s/sa.json", dir);
    is_str(cf.fcm_service_account, conf, "account path under the prefix");
    is_str(cf.fcm_base_url, "http://127.0.0.1:9", "trailing '/' dropped");
    ok(cf.fcm_max_in_flight == 500 && cf.fcm_timeout == 2000
       && cf.fcm_max_attempts == 3 && cf.fcm_backoff_min == 200
       && cf.fcm_backoff_max == 2000 && cf.push_claim_timeout == 6000
       && cf.digest_interval == 1000, "their values");
    js_conf_free(&cf);

    f = fopen(path, "w");
    fprintf(f, "postgres x;\nredis h:1;\nworkers notifier 1;\n"
            "fcm_timeout 10s;\npush_claim_timeout 20s;\n");
    fclose(f);
    ok(js_conf_load(&cf, path, dir, roles, err, sizeof(err)) == -1,
       "a lease shorter than 3 request timeouts is refused");
    like_str(err, "push_claim_timeout", "... naming it");
    like_str(err, "js.conf:3", "... at the workers line");

    f = fopen(path, "w");
    fprintf(f, "postgres x;\nredis h:1;\nworkers notifier 1;\n"
            "fcm_service_account missing.json;\n");
    fclose(f);
    ok(js_conf_load(&cf, path, dir, roles, err, sizeof(err)) == -1,
       "an unreadable service account fails -t");
    like_str(err, "fcm_service_account", "... naming the directive");

    f = fopen(path, "w");
    fprintf(f, "postgres x;\nredis h:1;\nfcm_base_url ftp://x;\n");
    fclose(f);
    ok(js_conf_load(&cf, path, dir, roles, err, sizeof(err)) == -1,
       "fcm_base_url must be http(s)");
    like_str(err, "js.conf:3", "... with its line");

    f = fopen(path, "w");
    fprintf(f, "postgres x;\nredis h:1;\nfcm_max_in_flight 0;\n");
    fclose(f);
    ok(js_conf_load(&cf, path, dir, roles, err, sizeof(err)) == -1,
       "fcm_max_in_flight 0 is refused");
    like_str(err, "1..10000", "... with the range");
}

int
main(void)
{
    char  *pem, path[600];
    FILE  *f;

    if (mkdtemp(dir) == NULL) {
        printf("Bail out! mkdtemp failed\n");
        return 255;
    }

    key = EVP_RSA_gen(2048);
    pem = pem_of(key);
    account_json = account_with(pem, "jobscout-prod",
                                "fcm@jobscout-prod.iam.gserviceaccount.com");
    free(pem);

    snprintf(path, sizeof(path), "%s/sa.json", dir);
    f = fopen(path, "w");
    fputs(account_json, f);
    fclose(f);

    test_account();
    test_assertion();
    test_message();
    test_retry_after();
    test_classify();
    test_config();

    snprintf(path, sizeof(path), "rm -rf %s", dir);
    if (system(path) != 0) {
        diag("could not remove the temporary directory");
    }

    free(account_json);
    EVP_PKEY_free(key);
    return done_testing();
}
