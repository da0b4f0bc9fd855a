#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <poppler.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#include "cv_text.h"
#include "util.h"

typedef struct {
    char    *data;
    size_t   len;
    size_t   size;
    int      full;             /* JS_CV_MAX_TEXT reached: the rest cut */
} js_cv_buf_t;

static int
js_cv_append(js_cv_buf_t *b, const char *s, size_t n)
{
    char    *p;
    size_t   size;

    if (n > JS_CV_MAX_TEXT - b->len) {
        n = JS_CV_MAX_TEXT - b->len;
        b->full = 1;
    }

    if (b->len + n + 1 > b->size) {
        size = b->size ? b->size : 16384;
        while (size < b->len + n + 1) {
            size *= 2;
        }

        p = realloc(b->data, size);
        if (p == NULL) {
            return -1;
        }
        b->data = p;
        b->size = size;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

/* Non-zero when the text holds a letter or digit: a scan holds none. */
static int
js_cv_has_text(const js_cv_buf_t *b)
{
    size_t  i;

    for (i = 0; i < b->len; i++) {
        if ((unsigned char) b->data[i] >= 0x80
            || (b->data[i] >= '0' && b->data[i] <= '9')
            || ((b->data[i] | 0x20) >= 'a' && (b->data[i] | 0x20) <= 'z'))
        {
            return 1;
        }
    }

    return 0;
}

static js_cv_result_t
js_cv_pdf(const char *path, js_cv_buf_t *b)
{
    int               i, n, fd;
    char             *text;
    GError           *error = NULL;
    js_cv_result_t    rc = JS_CV_OK;
    PopplerPage      *page;
    PopplerDocument  *doc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return errno == ENOENT ? JS_CV_MISSING : JS_CV_ERROR;
    }

    /* the document owns fd from here */
    doc = poppler_document_new_from_fd(fd, NULL, &error);

    if (doc == NULL) {
        rc = error != NULL && error->domain == POPPLER_ERROR
             && error->code == POPPLER_ERROR_ENCRYPTED
             ? JS_CV_ENCRYPTED : JS_CV_CORRUPT;
        g_clear_error(&error);
        return rc;
    }

    n = poppler_document_get_n_pages(doc);

    if (n > JS_CV_MAX_PAGES) {
        rc = JS_CV_TOO_LARGE;
    }

    for (i = 0; rc == JS_CV_OK && i < n && !b->full; i++) {
        page = poppler_document_get_page(doc, i);
        if (page == NULL) {
            continue;
        }

        text = poppler_page_get_text(page);

        if (text != NULL
            && (js_cv_append(b, text, strlen(text)) != 0
                || js_cv_append(b, "\n", 1) != 0))
        {
            rc = JS_CV_ERROR;
        }

        g_free(text);
        g_object_unref(page);
    }

    g_object_unref(doc);
    return rc;
}

/* w:t runs, a tab for w:tab, a line for w:br, w:cr and each w:p */
static int
js_cv_docx_walk(xmlNode *node, js_cv_buf_t *b)
{
    xmlChar  *content;

    for ( ; node != NULL && !b->full; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (xmlStrcmp(node->name, BAD_CAST "t") == 0) {
            content = xmlNodeGetContent(node);
            if (content != NULL
                && js_cv_append(b, (char *) content,
                                strlen((char *) content)) != 0)
            {
                xmlFree(content);
                return -1;
            }
            xmlFree(content);
            continue;
        }

        if (xmlStrcmp(node->name, BAD_CAST "tab") == 0) {
            if (js_cv_append(b, "\t", 1) != 0) {
                return -1;
            }
            continue;
        }

        if (xmlStrcmp(node->name, BAD_CAST "br") == 0
            || xmlStrcmp(node->name, BAD_CAST "cr") == 0)
        {
            if (js_cv_append(b, "\n", 1) != 0) {
                return -1;
            }
            continue;
        }

        if (js_cv_docx_walk(node->children, b) != 0) {
            return -1;
        }

        if (xmlStrcmp(node->name, BAD_CAST "p") == 0
            && js_cv_append(b, "\n", 1) != 0)
        {
            return -1;
        }
    }

    return 0;
}

static js_cv_result_t
js_cv_docx(const char *path, js_cv_buf_t *b)
{
    int              zerr;
    char            *xml;
    xmlDoc          *doc;
    zip_t           *zip;
    zip_file_t      *zf;
    zip_int64_t      idx, n, got;
    zip_stat_t       st;
    js_cv_result_t   rc;

    zip = zip_open(path, ZIP_RDONLY, &zerr);
    if (zip == NULL) {
        return zerr == ZIP_ER_NOENT || zerr == ZIP_ER_OPEN ? JS_CV_MISSING
                                                           : JS_CV_CORRUPT;
    }

    idx = zip_name_locate(zip, "word/document.xml", 0);

    if (idx < 0 || zip_stat_index(zip, idx, 0, &st) != 0) {
        zip_close(zip);
        return JS_CV_CORRUPT;
    }

    if (zip_get_num_entries(zip, 0) > 10000
        || ((st.valid & ZIP_STAT_SIZE) && st.size > JS_CV_MAX_XML))
    {
        zip_close(zip);
        return JS_CV_TOO_LARGE;
    }

    zf = zip_fopen_index(zip, idx, 0);
    xml = malloc(JS_CV_MAX_XML + 1);

    if (zf == NULL || xml == NULL) {
        rc = zf == NULL ? JS_CV_CORRUPT : JS_CV_ERROR;
        goto done;
    }

    /* the stated size is the sender's word: read no more than the cap */
    for (n = 0; n <= JS_CV_MAX_XML; n += got) {
        got = zip_fread(zf, xml + n, JS_CV_MAX_XML + 1 - n);
        if (got <= 0) {
            break;
        }
    }

    if (got < 0) {
        rc = JS_CV_CORRUPT;
        goto done;
    }

    if (n > JS_CV_MAX_XML) {
        rc = JS_CV_TOO_LARGE;
        goto done;
    }

    /* no network, no external entities, libxml2's entity limits kept */
    doc = xmlReadMemory(xml, (int) n, "document.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR
                        | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        rc = JS_CV_CORRUPT;
        goto done;
    }

    rc = js_cv_docx_walk(xmlDocGetRootElement(doc), b) == 0 ? JS_CV_OK
                                                            : JS_CV_ERROR;
    xmlFreeDoc(doc);

done:

    free(xml);
    if (zf != NULL) {
        zip_fclose(zf);
    }
    zip_close(zip);
    return rc;
}

js_cv_result_t
js_cv_text(const char *path, const char *type, char **text, size_t *len)
{
    js_cv_buf_t     b;
    js_cv_result_t  rc;

    memset(&b, 0, sizeof(b));

    if (strcmp(type, JS_CV_PDF) == 0) {
        rc = js_cv_pdf(path, &b);

    } else if (strcmp(type, JS_CV_DOCX) == 0) {
        rc = js_cv_docx(path, &b);

    } else {
        rc = JS_CV_UNSUPPORTED;
    }

    if (rc == JS_CV_OK && !js_cv_has_text(&b)) {
        rc = JS_CV_NO_TEXT;
    }

    if (rc != JS_CV_OK) {
        free(b.data);
        return rc;
    }

    *text = b.data;
    *len = b.len;
    return JS_CV_OK;
}

/* The child: limits, the text to fd, the result as the exit status. */
static void
js_cv_child(int fd, const char *path, const char *type,
    const js_cv_limits_t *lim)
{
    char            *text;
    size_t           len, off;
    ssize_t          n;
    struct rlimit    rl;
    js_cv_result_t   rc;

#ifndef __SANITIZE_ADDRESS__
    /* AddressSanitizer reserves terabytes of address space up front */
    rl.rlim_cur = rl.rlim_max = lim->memory_limit;
    (void) setrlimit(RLIMIT_AS, &rl);
#endif
    rl.rlim_cur = (lim->time_limit + 999) / 1000;
    rl.rlim_max = rl.rlim_cur + 1;
    (void) setrlimit(RLIMIT_CPU, &rl);
    rl.rlim_cur = rl.rlim_max = 0;
    (void) setrlimit(RLIMIT_CORE, &rl);
    (void) setrlimit(RLIMIT_FSIZE, &rl);

    rc = js_cv_text(path, type, &text, &len);

    for (off = 0; rc == JS_CV_OK && off < len; off += n) {
        n = write(fd, text + off, len - off);
        if (n <= 0) {
            rc = JS_CV_ERROR;
            break;
        }
    }

    _exit(rc);
}

js_cv_result_t
js_cv_text_limited(const char *path, const char *type,
    const js_cv_limits_t *lim, char **text, size_t *len, char *detail,
    size_t detail_len)
{
    int            fds[2], status, timed_out, aborted;
    char           chunk[65536];
    pid_t          pid;
    ssize_t        n;
    int64_t        deadline, left;
    js_cv_buf_t    b;
    struct pollfd  pfd;

    detail[0] = '\0';

    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(detail, detail_len, "pipe: %s", strerror(errno));
        return JS_CV_ERROR;
    }

    pid = fork();

    if (pid == -1) {
        snprintf(detail, detail_len, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return JS_CV_ERROR;
    }

    if (pid == 0) {
        close(fds[0]);
        js_cv_child(fds[1], path, type, lim);
    }

    close(fds[1]);
    memset(&b, 0, sizeof(b));
    timed_out = 0;
    aborted = 0;
    deadline = js_msec() + lim->time_limit + 1000;

    pfd.fd = fds[0];
    pfd.events = POLLIN;

    for ( ;; ) {
        left = deadline - js_msec();
        if (left <= 0) {
            timed_out = 1;
            break;
        }

        if (lim->tick != NULL && lim->tick(lim->data) != 0) {
            aborted = 1;
            break;
        }

        if (poll(&pfd, 1, left > 1000 ? 1000 : (int) left) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }

        if (pfd.revents == 0) {
            continue;
        }

        n = read(fds[0], chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }

        if (js_cv_append(&b, chunk, (size_t) n) != 0) {
            aborted = 1;
            break;
        }
    }

    close(fds[0]);

    if (timed_out || aborted) {
        (void) kill(pid, SIGKILL);
    }

    while (waitpid(pid, &status, 0) == -1 && errno == EINTR) {
        /* again */
    }

    if (aborted) {
        snprintf(detail, detail_len, "aborted");
        free(b.data);
        return JS_CV_ERROR;
    }

    if (timed_out || WIFSIGNALED(status)) {
        if (timed_out) {
            snprintf(detail, detail_len, "time limit");
        } else {
            snprintf(detail, detail_len, "signal %d", WTERMSIG(status));
        }
        free(b.data);
        return JS_CV_KILLED;
    }

    if (WEXITSTATUS(status) != JS_CV_OK) {
        free(b.data);
        return (js_cv_result_t) WEXITSTATUS(status);
    }

    if (b.data == NULL) {
        free(b.data);
        return JS_CV_NO_TEXT;
    }

    *text = b.data;
    *len = b.len;
    return JS_CV_OK;
}

const char *
js_cv_reason(js_cv_result_t rc)
{
    switch (rc) {
    case JS_CV_OK:
        return "";
    case JS_CV_ENCRYPTED:
        return "the PDF is encrypted (password-protected): upload it "
               "without a password";
    case JS_CV_NO_TEXT:
        return "the document has no text (a scan or an image?): upload "
               "a PDF or DOCX with selectable text";
    case JS_CV_CORRUPT:
        return "the document is damaged or not a valid PDF or DOCX";
    case JS_CV_TOO_LARGE:
        return "the document is too large to process (over 50 pages or "
               "16 MB of text)";
    case JS_CV_UNSUPPORTED:
        return "the document type is not supported";
    case JS_CV_MISSING:
        return "the file is missing: upload it again";
    case JS_CV_KILLED:
        return "the document exceeded the processing limits (time or "
               "memory)";
    default:
        return "the document could not be processed";
    }
}
