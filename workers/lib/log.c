#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define JS_LOG_LINE_MAX  4096

int  js_log_level = JS_LOG_INFO;

static int          js_log_fd = STDERR_FILENO;
static int          js_log_format = JS_LOG_FORMAT_KV;
static int          js_log_stderr_redirected;
static char        *js_log_path;
static const char  *js_log_role = "master";

static const char  *js_log_levels[] = {
    "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"
};

typedef struct {
    char    buf[JS_LOG_LINE_MAX];
    size_t  len;
} js_log_buf_t;

int
js_log_level_parse(const char *name)
{
    size_t  i;

    for (i = 0; i < JS_ARRAY_SIZE(js_log_levels); i++) {
        if (strcmp(name, js_log_levels[i]) == 0) {
            return (int) i;
        }
    }
    return -1;
}

const char *
js_log_level_name(int level)
{
    if (level < 0 || (size_t) level >= JS_ARRAY_SIZE(js_log_levels)) {
        return "unknown";
    }
    return js_log_levels[level];
}

void
js_log_set_role(const char *role)
{
    js_log_role = role;
}

static int
js_log_open_file(const char *path, char *err, size_t errlen)
{
    int  fd;

    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1) {
        snprintf(err, errlen, "open() \"%s\" failed (%d: %s)",
                 path, errno, strerror(errno));
    }
    return fd;
}

int
js_log_open(const char *path, int level, int format, char *err,
    size_t errlen)
{
    int    fd;
    char  *copy = NULL;

    fd = STDERR_FILENO;

    if (path != NULL) {
        fd = js_log_open_file(path, err, errlen);
        if (fd == -1) {
            return -1;
        }
        copy = strdup(path);
        if (copy == NULL) {
            snprintf(err, errlen, "out of memory");
            close(fd);
            return -1;
        }
    }

    if (js_log_fd != STDERR_FILENO) {
        close(js_log_fd);
    }

    free(js_log_path);
    js_log_path = copy;
    js_log_fd = fd;
    js_log_level = level;
    js_log_format = format;

    if (js_log_stderr_redirected) {
        js_log_redirect_stderr();
    }
    return 0;
}

int
js_log_reopen(char *err, size_t errlen)
{
    int  fd;

    if (js_log_path == NULL) {
        return 0;
    }

    fd = js_log_open_file(js_log_path, err, errlen);
    if (fd == -1) {
        return -1;
    }

    /*
     * dup2() keeps the descriptor number, so nothing that cached it (fd 2
     * included, after the redirect) keeps writing to the rotated file.
     */
    if (dup2(fd, js_log_fd) == -1) {
        snprintf(err, errlen, "dup2() failed (%d: %s)", errno,
                 strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);

    if (js_log_stderr_redirected) {
        dup2(js_log_fd, STDERR_FILENO);
    }
    return 0;
}

void
js_log_redirect_stderr(void)
{
    js_log_stderr_redirected = 1;

    if (js_log_fd != STDERR_FILENO) {
        dup2(js_log_fd, STDERR_FILENO);
    }
}

void
js_log_close(void)
{
    if (js_log_fd != STDERR_FILENO) {
        close(js_log_fd);
        js_log_fd = STDERR_FILENO;
    }
    free(js_log_path);
    js_log_path = NULL;
}

static void
js_log_append(js_log_buf_t *b, const char *s, size_t n)
{
    /* Keep one byte for the trailing newline. */
    size_t  room = sizeof(b->buf) - 1 - b->len;

    if (n > room) {
        n = room;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void
js_log_puts(js_log_buf_t *b, const char *s)
{
    js_log_append(b, s, strlen(s));
}

static void
js_log_json_string(js_log_buf_t *b, const char *s)
{
    char                  esc[8];
    const unsigned char  *p;

    js_log_append(b, "\"", 1);

    for (p = (const unsigned char *) s; *p; p++) {
        switch (*p) {
        case '"':  js_log_append(b, "\\\"", 2); break;
        case '\\': js_log_append(b, "\\\\", 2); break;
        case '\n': js_log_append(b, "\\n", 2); break;
        case '\r': js_log_append(b, "\\r", 2); break;
        case '\t': js_log_append(b, "\\t", 2); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", *p);
                js_log_puts(b, esc);
            } else {
                js_log_append(b, (const char *) p, 1);
            }
        }
    }

    js_log_append(b, "\"", 1);
}

/* Bare when safe, otherwise quoted like JSON, so lines stay one line. */
static void
js_log_kv_value(js_log_buf_t *b, const char *s)
{
    const char  *p;

    if (*s == '\0') {
        js_log_append(b, "\"\"", 2);
        return;
    }

    for (p = s; *p; p++) {
        if ((unsigned char) *p <= ' ' || *p == '"' || *p == '='
            || *p == '\\' || (unsigned char) *p == 0x7f)
        {
            js_log_json_string(b, s);
            return;
        }
    }

    js_log_puts(b, s);
}

void
js_log_write(int level, const js_kv_t *kv)
{
    int           saved_errno = errno;
    char          ts[32], num[32];
    ssize_t       n;
    js_log_buf_t  b;

    b.len = 0;
    js_iso_time(ts, sizeof(ts));

    if (js_log_format == JS_LOG_FORMAT_JSON) {
        js_log_puts(&b, "{\"ts\":\"");
        js_log_puts(&b, ts);
        js_log_puts(&b, "\",\"level\":\"");
        js_log_puts(&b, js_log_level_name(level));
        snprintf(num, sizeof(num), "\",\"pid\":%ld,\"role\":",
                 (long) getpid());
        js_log_puts(&b, num);
        js_log_json_string(&b, js_log_role);

        for (; kv->type != JS_KV_END; kv++) {
            js_log_append(&b, ",", 1);
            js_log_json_string(&b, kv->key);
            js_log_append(&b, ":", 1);

            if (kv->type == JS_KV_INT) {
                snprintf(num, sizeof(num), "%lld", kv->i);
                js_log_puts(&b, num);
            } else {
                js_log_json_string(&b, kv->s ? kv->s : "");
            }
        }

        /* A truncated line must still close its object. */
        if (b.len > sizeof(b.buf) - 3) {
            b.len = sizeof(b.buf) - 3;
            js_log_append(&b, "\"", 1);
        }
        js_log_append(&b, "}", 1);

    } else {
        snprintf(num, sizeof(num), " %ld ", (long) getpid());
        js_log_puts(&b, ts);
        js_log_append(&b, " ", 1);
        js_log_puts(&b, js_log_level_name(level));
        js_log_puts(&b, num);
        js_log_puts(&b, js_log_role);

        for (; kv->type != JS_KV_END; kv++) {
            js_log_append(&b, " ", 1);
            js_log_puts(&b, kv->key);
            js_log_append(&b, "=", 1);

            if (kv->type == JS_KV_INT) {
                snprintf(num, sizeof(num), "%lld", kv->i);
                js_log_puts(&b, num);
            } else {
                js_log_kv_value(&b, kv->s ? kv->s : "");
            }
        }
    }

    b.buf[b.len++] = '\n';

    do {
        n = write(js_log_fd, b.buf, b.len);
    } while (n == -1 && errno == EINTR);

    errno = saved_errno;
}
