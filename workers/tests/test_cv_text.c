/*
 * CV text (lib/cv_text.c) on documents made here: a PDF written by hand,
 * DOCX written with libzip; what is refused and why; the child's answer
 * through its pipe and exit status, and its abort by the caller's tick
 * (kills by the limits: t/111_cv_worker.t); storage keys (lib/storage.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "cv_text.h"
#include "storage.h"
#include "tap.h"

static char  dir[] = "/tmp/test_cv_text.XXXXXX";

static int
stop_now(void *data)
{
    (void) data;
    return 1;
}

static const char *
write_file(const char *name, const char *data, size_t len)
{
    static char  path[512];
    FILE        *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        return NULL;
    }
    return path;
}

/* one page showing text with Helvetica, with a correct xref */
static size_t
make_pdf(char *out, size_t size, const char *text)
{
    int     n;
    char    content[512];
    size_t  len, off[6], xref;

    snprintf(content, sizeof(content), "BT /F1 12 Tf 72 720 Td (%s) Tj ET",
             text);

    len = (size_t) snprintf(out, size, "%%PDF-1.4\n");
    off[1] = len;
    len += snprintf(out + len, size - len,
                    "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = len;
    len += snprintf(out + len, size - len,
                    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
                    "endobj\n");
    off[3] = len;
    len += snprintf(out + len, size - len,
                    "3 0 obj\n<< /Type /Page /Parent 2 0 R"
                    " /MediaBox [0 0 612 792] /Resources << /Font"
                    " << /F1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n");
    off[4] = len;
    len += snprintf(out + len, size - len,
                    "4 0 obj\n<< /Type /Font /Subtype /Type1"
                    " /BaseFont /Helvetica >>\nendobj\n");
    off[5] = len;
    len += snprintf(out + len, size - len,
                    "5 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\n"
                    "endobj\n", strlen(content), content);
    xref = len;
    len += snprintf(out + len, size - len, "xref\n0 6\n0000000000 65535 f \n");
    for (n = 1; n <= 5; n++) {
        len += snprintf(out + len, size - len, "%010zu 00000 n \n", off[n]);
    }
    len += snprintf(out + len, size - len,
                    "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n"
                    "%%%%EOF\n", xref);
    return len;
}

/* a zip of the given parts ({name, content, ..., NULL}: an array, as
 * a NULL after variadic arguments is not portable) */
static const char *
make_zip(const char *name, const char *const *parts)
{
    static char   path[512];
    int           err;
    zip_t        *z;
    zip_source_t *src;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (z == NULL) {
        return NULL;
    }

    for ( /* void */ ; *parts != NULL; parts += 2) {
        src = zip_source_buffer(z, parts[1], strlen(parts[1]), 0);
        if (src == NULL || zip_file_add(z, parts[0], src, 0) < 0) {
            zip_discard(z);
            return NULL;
        }
    }

    return zip_close(z) == 0 ? path : NULL;
}

#define DOCUMENT(body)                                                       \
    "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas."           \
    "openxmlformats.org/wordprocessingml/2006/main\"><w:body>" body          \
    "</w:body></w:document>"

int
main(void)
{
    char             pdf[4096], *text = NULL, detail[64];
    size_t           len, n;
    const char      *path;
    js_cv_limits_t   lim;

    if (mkdtemp(dir) == NULL) {
        printf("Bail out! mkdtemp\n");
        return 1;
    }

    /* PDF */
    n = make_pdf(pdf, sizeof(pdf), "Skills: Kubernetes and PostgreSQL");
    path = write_file("cv.pdf", pdf, n);
    is_int(js_cv_text(path, JS_CV_PDF, &text, &len), JS_CV_OK, "pdf: text");
    like_str(text, "Kubernetes and PostgreSQL", "pdf: the page's words");
    ok(len == strlen(text), "pdf: its length");
    free(text);

    n = make_pdf(pdf, sizeof(pdf), "   ");
    path = write_file("blank.pdf", pdf, n);
    is_int(js_cv_text(path, JS_CV_PDF, &text, &len), JS_CV_NO_TEXT,
           "pdf: blanks only are no text (a scan)");

    path = write_file("empty.pdf", "", 0);
    is_int(js_cv_text(path, JS_CV_PDF, &text, &len), JS_CV_CORRUPT,
           "pdf: zero bytes are damaged");

    path = write_file("png.pdf", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    is_int(js_cv_text(path, JS_CV_PDF, &text, &len), JS_CV_CORRUPT,
           "pdf: a PNG is damaged");

    is_int(js_cv_text("/nonexistent/cv.pdf", JS_CV_PDF, &text, &len),
           JS_CV_MISSING, "pdf: a missing file");

    /* DOCX */
    path = make_zip("cv.docx", (const char *[]) {
                    "[Content_Types].xml", "<Types/>",
                    "word/document.xml",
                    DOCUMENT("<w:p><w:r><w:t>Data analyst</w:t></w:r></w:p>"
                             "<w:p><w:r><w:t>SQL</w:t><w:tab/>"
                             "<w:t>Tableau</w:t></w:r></w:p>"), NULL });
    ok(path != NULL, "docx: written with libzip");
    is_int(js_cv_text(path, JS_CV_DOCX, &text, &len), JS_CV_OK, "docx: text");
    is_str(text, "Data analyst\nSQL\tTableau\n",
           "docx: paragraphs as lines, tabs kept");
    free(text);

    path = make_zip("nodoc.docx",
                    (const char *[]) { "[Content_Types].xml", "<Types/>",
                                       NULL });
    is_int(js_cv_text(path, JS_CV_DOCX, &text, &len), JS_CV_CORRUPT,
           "docx: no word/document.xml is damaged");

    path = make_zip("badxml.docx",
                    (const char *[]) { "word/document.xml", "<w:document>",
                                       NULL });
    is_int(js_cv_text(path, JS_CV_DOCX, &text, &len), JS_CV_CORRUPT,
           "docx: broken XML is damaged");

    path = make_zip("entity.docx", (const char *[]) {
                    "word/document.xml",
                    "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM"
                    " \"file:///etc/passwd\">]><d><t>&x;</t></d>", NULL });
    ok(js_cv_text(path, JS_CV_DOCX, &text, &len) != JS_CV_OK
       || strstr(text, "root:") == NULL,
       "docx: an external entity is not read");

    is_int(js_cv_text(path, "image/png", &text, &len), JS_CV_UNSUPPORTED,
           "another type is unsupported");

    /* in a child, under limits */
    n = make_pdf(pdf, sizeof(pdf), "Go and Rust");
    path = write_file("child.pdf", pdf, n);
    memset(&lim, 0, sizeof(lim));
    lim.time_limit = 5000;
    lim.memory_limit = 512L * 1024 * 1024;
    is_int(js_cv_text_limited(path, JS_CV_PDF, &lim, &text, &len, detail,
                              sizeof(detail)), JS_CV_OK,
           "limited: a PDF's text through the pipe");
    like_str(text, "Go and Rust", "limited: the same text");
    free(text);

    path = make_zip("child.docx",
                    (const char *[]) { "[Content_Types].xml", "<Types/>",
                                       NULL });
    is_int(js_cv_text_limited(path, JS_CV_DOCX, &lim, &text, &len, detail,
                              sizeof(detail)), JS_CV_CORRUPT,
           "limited: the child's verdict as its exit status");

    lim.tick = stop_now;
    is_int(js_cv_text_limited(path, JS_CV_DOCX, &lim, &text, &len, detail,
                              sizeof(detail)), JS_CV_ERROR,
           "limited: a tick asking to stop kills the child");
    is_str(detail, "aborted", "limited: ... and says so");

    /* storage keys: nothing else names a path */
    ok(js_storage_key_valid("0b0e6a6e-6c5d-4f0e-9a4e-2f1d3c4b5a69/"
                            "0123456789abcdef0123456789abcdef"
                            "0123456789abcdef0123456789abcdef"),
       "key: <uuid>/<sha256>");
    ok(!js_storage_key_valid("../../etc/passwd"), "key: no path");
    ok(!js_storage_key_valid("0b0e6a6e-6c5d-4f0e-9a4e-2f1d3c4b5a69/"
                             "0123456789abcdef0123456789abcdef"
                             "0123456789abcdef0123456789abcdeF"),
       "key: lower-case hex only");
    ok(!js_storage_key_valid("0b0e6a6e-6c5d-4f0e-9a4e-2f1d3c4b5a69/"
                             "0123456789abcdef0123456789abcdef"
                             "0123456789abcdef0123456789abcdef/x"),
       "key: nothing after the hash");
    ok(!js_storage_key_valid(""), "key: not empty");

    like_str(js_cv_reason(JS_CV_ENCRYPTED), "encrypted", "reason: encrypted");
    like_str(js_cv_reason(JS_CV_KILLED), "limits", "reason: the limits");

    snprintf(pdf, sizeof(pdf), "rm -rf %s", dir);
    (void) system(pdf);
    return done_testing();
}
