/*
 * Where the CV files are.  The nginx module writes each upload to the
 * local directory (jobscout_cv_storage, cv_storage here); with an
 * S3-compatible store configured (cv_s3_*), the cv role moves it there
 * (js_storage_publish()) and the module serves it from there.  A file's
 * key is "<user id>/<sha256 of the content>" (user_cvs.file_path), the
 * same in both; anything else is refused, so that no key from a task can
 * name another path.
 *
 *   local  "<dir>/<key>", the user's directory removed with its last file
 *   s3     "<endpoint>/<bucket>/<key>" (path style), every request signed
 *          with AWS Signature V4 (libcurl's CURLOPT_AWS_SIGV4)
 */

#ifndef JS_STORAGE_H
#define JS_STORAGE_H

#include <stddef.h>

#include <curl/curl.h>

#include "config.h"

typedef struct {
    const char  *dir;          /* absolute, no trailing '/' */

    /* S3: NULL endpoint when there is none */
    const char  *endpoint;
    const char  *bucket;
    char         sigv4[160];   /* "aws:amz:<region>:s3" */
    char         userpwd[512];
    CURL        *curl;
    int          timeout;      /* ms per request */
} js_storage_t;

/* 0, or -1 when libcurl cannot be set up. */
int js_storage_init(js_storage_t *s, const js_conf_t *cf);
void js_storage_close(js_storage_t *s);

/* Non-zero when key is "<uuid>/<64 lower-case hex digits>". */
int js_storage_key_valid(const char *key);

/*
 * A local file of key to read, into path (len bytes): the upload itself
 * while it is in the directory, else a copy fetched from S3 into the
 * directory's "tmp/" (*temp set: unlink it after use).  0; 1 when the
 * file is in neither; -1 with err set.
 */
int js_storage_fetch(js_storage_t *s, const char *key, char *path,
    size_t len, int *temp, char *err, size_t errlen);

/*
 * With S3: the upload of key in the directory is PUT there (with its
 * content type), then removed from the directory.  Without, or when it
 * is not in the directory: nothing to do.  0, or -1 with err set.
 */
int js_storage_publish(js_storage_t *s, const char *key,
    const char *content_type, char *err, size_t errlen);

/* Removes the file of key from both: 0 when it is gone (or was not). */
int js_storage_remove(js_storage_t *s, const char *key, char *err,
    size_t errlen);

#endif
