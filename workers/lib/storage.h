/*
 * Where the CV files are: the storage the nginx module writes
 * (jobscout_cv_storage) and the cv role reads and cleans.  A file's key
 * is "<user id>/<sha256 of the content>" (user_cvs.file_path); anything
 * else is refused, so that no key from a task can name another path.
 *
 * The local backend: "<dir>/<key>", the user's directory removed with
 * its last file.
 */

#ifndef JS_STORAGE_H
#define JS_STORAGE_H

#include <stddef.h>

typedef struct {
    const char  *dir;          /* absolute, no trailing '/' */
} js_storage_t;

void js_storage_init(js_storage_t *s, const char *dir);

/* Non-zero when key is "<uuid>/<64 lower-case hex digits>". */
int js_storage_key_valid(const char *key);

/*
 * A path of the file of key that can be opened and read, into path
 * (len bytes); 0, or -1 with err set (an invalid key, a path too long).
 */
int js_storage_path(const js_storage_t *s, const char *key, char *path,
    size_t len, char *err, size_t errlen);

/* Removes the file of key: 0 when it is gone (or was not there). */
int js_storage_remove(const js_storage_t *s, const char *key, char *err,
    size_t errlen);

#endif
