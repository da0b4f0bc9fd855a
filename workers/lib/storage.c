#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage.h"

#define JS_STORAGE_MAX  (64L * 1024 * 1024)     /* an object fetched */

typedef struct {
    FILE    *out;
    size_t   got;
} js_storage_sink_t;

static int js_storage_remove_local(js_storage_t *s, const char *key,
    char *err, size_t errlen);

int
js_storage_init(js_storage_t *s, const js_conf_t *cf)
{
    memset(s, 0, sizeof(*s));
    s->dir = cf->cv_storage;

    if (cf->cv_s3_endpoint == NULL) {
        return 0;
    }

    s->endpoint = cf->cv_s3_endpoint;
    s->bucket = cf->cv_s3_bucket;
    s->timeout = 30000;
    snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", cf->cv_s3_region);
    snprintf(s->userpwd, sizeof(s->userpwd), "%s:%s", cf->cv_s3_access_key,
             cf->cv_s3_secret_key);

    s->curl = curl_easy_init();
    return s->curl != NULL ? 0 : -1;
}

void
js_storage_close(js_storage_t *s)
{
    if (s->curl != NULL) {
        curl_easy_cleanup(s->curl);
        s->curl = NULL;
    }
}

int
js_storage_key_valid(const char *key)
{
    size_t  i;

    /* 8-4-4-4-12 hex digits, '/', 64 hex digits */
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (key[i] != '-') {
                return 0;
            }
        } else if (!((key[i] >= '0' && key[i] <= '9')
                     || (key[i] >= 'a' && key[i] <= 'f')))
        {
            return 0;
        }
    }

    if (key[36] != '/') {
        return 0;
    }

    for (i = 37; i < 37 + 64; i++) {
        if (!((key[i] >= '0' && key[i] <= '9')
              || (key[i] >= 'a' && key[i] <= 'f')))
        {
            return 0;
        }
    }

    return key[37 + 64] == '\0';
}

static int
js_storage_local(const js_storage_t *s, const char *key, char *path,
    size_t len, char *err, size_t errlen)
{
    if (!js_storage_key_valid(key)) {
        snprintf(err, errlen, "invalid storage key");
        return -1;
    }

    if ((size_t) snprintf(path, len, "%s/%s", s->dir, key) >= len) {
        snprintf(err, errlen, "storage path too long");
        return -1;
    }

    return 0;
}

static size_t
js_storage_write(char *data, size_t size, size_t n, void *arg)
{
    js_storage_sink_t  *sink = arg;

    sink->got += size * n;
    if (sink->got > JS_STORAGE_MAX
        || (sink->out != NULL && fwrite(data, size, n, sink->out) != n))
    {
        return 0;
    }

    return size * n;
}

/*
 * One signed request on the object of key: method, the body to send
 * (NULL: none), where the answer's body goes (NULL: dropped).  The HTTP
 * status, or -1 with err set.
 */
static long
js_storage_s3(js_storage_t *s, const char *method, const char *key,
    const char *body, size_t body_len, const char *content_type,
    FILE *out, char *err, size_t errlen)
{
    char                url[2048], type[256];
    long                status = 0;
    CURL               *c = s->curl;
    CURLcode            rc;
    js_storage_sink_t   sink = { out, 0 };
    struct curl_slist  *headers = NULL;

    snprintf(url, sizeof(url), "%s/%s/%s", s->endpoint, s->bucket, key);
    curl_easy_reset(c);

    if (content_type != NULL) {
        snprintf(type, sizeof(type), "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, type);
    }

    if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https")
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) s->timeout)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, js_storage_write)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink) != CURLE_OK
        || (body != NULL
            && (curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK
                || curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                                    (curl_off_t) body_len) != CURLE_OK))
        || (strcmp(method, "HEAD") == 0
            && curl_easy_setopt(c, CURLOPT_NOBODY, 1L) != CURLE_OK))
    {
        curl_slist_free_all(headers);
        snprintf(err, errlen, "s3: curl_easy_setopt() failed");
        return -1;
    }

    rc = curl_easy_perform(c);
    curl_slist_free_all(headers);

    if (rc != CURLE_OK) {
        snprintf(err, errlen, "s3 %s %s: %s", method, key,
                 curl_easy_strerror(rc));
        return -1;
    }

    (void) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

int
js_storage_fetch(js_storage_t *s, const char *key, char *path, size_t len,
    int *temp, char *err, size_t errlen)
{
    int    fd;
    long   status;
    FILE  *out;

    *temp = 0;

    if (js_storage_local(s, key, path, len, err, errlen) != 0) {
        return -1;
    }

    if (access(path, R_OK) == 0) {
        return 0;
    }

    if (errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }

    if (s->endpoint == NULL) {
        return 1;
    }

    /* path holds "<dir>/<key>": "<dir>/tmp/fetch-XXXXXX" is shorter */
    strcpy(path + strlen(s->dir), "/tmp");
    /* shared with nginx's uploads: group bits as the module's (README) */
    (void) mkdir(path, 0770);
    strcpy(path + strlen(s->dir), "/tmp/fetch-XXXXXX");

    fd = mkstemp(path);
    if (fd == -1 || (out = fdopen(fd, "w")) == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd != -1) {
            close(fd);
            unlink(path);
        }
        return -1;
    }

    status = js_storage_s3(s, "GET", key, NULL, 0, NULL, out, err, errlen);

    if (fclose(out) != 0 && status == 200) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        status = -1;
    }

    if (status == 200) {
        *temp = 1;
        return 0;
    }

    unlink(path);

    if (status == 404) {
        return 1;
    }

    if (status > 0) {
        snprintf(err, errlen, "s3 GET %s: HTTP %ld", key, status);
    }

    return -1;
}

int
js_storage_publish(js_storage_t *s, const char *key,
    const char *content_type, char *err, size_t errlen)
{
    int          fd;
    char         path[4096], *body;
    long         status;
    struct stat  st;

    if (s->endpoint == NULL) {
        return 0;
    }

    if (js_storage_local(s, key, path, sizeof(path), err, errlen) != 0) {
        return -1;
    }

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        if (errno == ENOENT) {
            return 0;                   /* published already */
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }

    /* a CV is a few MB at most: signed as one body */
    body = NULL;
    if (fstat(fd, &st) != 0 || st.st_size > JS_STORAGE_MAX
        || (body = malloc(st.st_size + 1)) == NULL
        || read(fd, body, st.st_size) != st.st_size)
    {
        snprintf(err, errlen, "%s: cannot be read", path);
        free(body);
        close(fd);
        return -1;
    }

    close(fd);
    status = js_storage_s3(s, "PUT", key, body, (size_t) st.st_size,
                           content_type, NULL, err, errlen);
    free(body);

    if (status != 200) {
        if (status > 0) {
            snprintf(err, errlen, "s3 PUT %s: HTTP %ld", key, status);
        }
        return -1;
    }

    /* the store has it now: the directory's copy goes */
    return js_storage_remove_local(s, key, err, errlen);
}

static int
js_storage_remove_local(js_storage_t *s, const char *key, char *err,
    size_t errlen)
{
    char  path[4096];

    if (js_storage_local(s, key, path, sizeof(path), err, errlen) != 0) {
        return -1;
    }

    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "unlink %s: %s", path, strerror(errno));
        return -1;
    }

    /* the user's directory, once empty */
    path[strlen(s->dir) + 37] = '\0';
    (void) rmdir(path);

    return 0;
}

int
js_storage_remove(js_storage_t *s, const char *key, char *err,
    size_t errlen)
{
    long  status;

    if (js_storage_remove_local(s, key, err, errlen) != 0) {
        return -1;
    }

    if (s->endpoint == NULL) {
        return 0;
    }

    status = js_storage_s3(s, "DELETE", key, NULL, 0, NULL, NULL, err,
                           errlen);

    if (status == 200 || status == 204 || status == 404) {
        return 0;
    }

    if (status > 0) {
        snprintf(err, errlen, "s3 DELETE %s: HTTP %ld", key, status);
    }

    return -1;
}
