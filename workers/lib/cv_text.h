/*
 * The text of a CV: a PDF (poppler-glib) or a DOCX (libzip and libxml2),
 * extracted in a child process under limits, so that a hostile document
 * (a decompression bomb, a parser crash, a loop) kills the child, never
 * the worker:
 *
 *   RLIMIT_AS   memory_limit bytes
 *   RLIMIT_CPU  the time limit, in seconds (SIGXCPU, then SIGKILL)
 *   a deadline  the time limit again, wall clock: the parent kills it
 *
 * and bounds of its own: at most JS_CV_MAX_PAGES pages, a document.xml
 * of at most JS_CV_MAX_XML bytes inflated, JS_CV_MAX_TEXT bytes of text.
 */

#ifndef JS_CV_TEXT_H
#define JS_CV_TEXT_H

#include <stddef.h>

#define JS_CV_PDF   "application/pdf"
#define JS_CV_DOCX  \
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#define JS_CV_MAX_PAGES  50
#define JS_CV_MAX_XML    (16 * 1024 * 1024)
#define JS_CV_MAX_TEXT   (1024 * 1024)

/* what became of a document; JS_CV_KILLED may be worth another try */
typedef enum {
    JS_CV_OK = 0,
    JS_CV_ENCRYPTED,
    JS_CV_NO_TEXT,
    JS_CV_CORRUPT,
    JS_CV_TOO_LARGE,
    JS_CV_UNSUPPORTED,
    JS_CV_MISSING,
    JS_CV_KILLED,
    JS_CV_ERROR
} js_cv_result_t;

typedef struct {
    int      time_limit;      /* ms */
    size_t   memory_limit;    /* bytes */

    /* called about once a second while the child works: non-zero kills
     * it (JS_CV_ERROR, "aborted"); NULL: none */
    int    (*tick)(void *data);
    void    *data;
} js_cv_limits_t;

/*
 * In this process, no limits: the text of the document at path, of type
 * (JS_CV_PDF or JS_CV_DOCX), malloc()ed into *text (NUL-terminated, at
 * most JS_CV_MAX_TEXT bytes).  For the child, and for tests.
 */
js_cv_result_t js_cv_text(const char *path, const char *type, char **text,
    size_t *len);

/*
 * The same in a child under lim: *text set only with JS_CV_OK.  detail
 * says how a killed child died ("signal 24", "time limit").
 */
js_cv_result_t js_cv_text_limited(const char *path, const char *type,
    const js_cv_limits_t *lim, char **text, size_t *len, char *detail,
    size_t detail_len);

/* The failure_reason of a result, for the user. */
const char *js_cv_reason(js_cv_result_t rc);

#endif
