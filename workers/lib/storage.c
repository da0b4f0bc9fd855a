#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "storage.h"

void
js_storage_init(js_storage_t *s, const char *dir)
{
    s->dir = dir;
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

int
js_storage_path(const js_storage_t *s, const char *key, char *path,
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

int
js_storage_remove(const js_storage_t *s, const char *key, char *err,
    size_t errlen)
{
    char  path[4096];

    if (js_storage_path(s, key, path, sizeof(path), err, errlen) != 0) {
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
