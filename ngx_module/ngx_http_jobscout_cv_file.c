
/*
 * Job Scout: an uploaded CV, from the request body nginx wrote to a file
 * to the storage directory.  Runs in a thread of the pool: the body is
 * read with pread() in small blocks, never whole, and nothing of nginx
 * (pools, logs, the request) is touched.
 *
 *   multipart/form-data   the one part with a filename is the file
 *   anything else         the body is the file
 *
 * The file's type is told by its content: a PDF starts with "%PDF-" and
 * ends with "%%EOF"; a DOCX is a zip whose central directory lists
 * "[Content_Types].xml" and "word/document.xml".  Stored as
 * "<storage>/<user id>/<sha256>", written to "<storage>/tmp/" first,
 * synced, then linked in place: a file of that name is whole.
 */


#include "ngx_http_jobscout.h"

#include <openssl/evp.h>


#define NGX_HTTP_JOBSCOUT_CV_BLOCK      65536
#define NGX_HTTP_JOBSCOUT_CV_HEADERS    8192   /* a part's headers */
#define NGX_HTTP_JOBSCOUT_CV_PARTS      16
#define NGX_HTTP_JOBSCOUT_CV_EOF_TAIL   1024   /* where %%EOF may be */
#define NGX_HTTP_JOBSCOUT_ZIP_EOCD      22
#define NGX_HTTP_JOBSCOUT_ZIP_TAIL      (65535 + NGX_HTTP_JOBSCOUT_ZIP_EOCD)
#define NGX_HTTP_JOBSCOUT_ZIP_ENTRY     46


typedef struct {
    off_t       start;
    off_t       end;
} ngx_http_jobscout_cv_range_t;


static ngx_int_t ngx_http_jobscout_cv_refuse(ngx_http_jobscout_cv_file_t *f,
    ngx_uint_t status, const char *code, const char *message);
static off_t ngx_http_jobscout_cv_find(ngx_http_jobscout_cv_file_t *f,
    off_t from, off_t to, u_char *needle, size_t len);
static ngx_int_t ngx_http_jobscout_cv_multipart(
    ngx_http_jobscout_cv_file_t *f, ngx_http_jobscout_cv_range_t *file);
static ngx_int_t ngx_http_jobscout_cv_part(ngx_http_jobscout_cv_file_t *f,
    off_t at, off_t *body, ngx_uint_t *has_name);
static ngx_int_t ngx_http_jobscout_cv_sniff(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file);
static ngx_int_t ngx_http_jobscout_cv_docx(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file);
static ngx_int_t ngx_http_jobscout_cv_copy(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file);


void
ngx_http_jobscout_cv_file_store(ngx_http_jobscout_cv_file_t *f)
{
    ngx_http_jobscout_cv_range_t  file;

    f->status = 0;
    file.start = 0;
    file.end = f->size;

    if (f->boundary_len
        && ngx_http_jobscout_cv_multipart(f, &file) != NGX_OK)
    {
        return;
    }

    f->file_size = file.end - file.start;

    if (f->file_size == 0) {
        (void) ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "empty_file",
                   "the file is empty");
        return;
    }

    if (f->file_size > f->max_size) {
        (void) ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                   "the file is larger than the CV size limit");
        return;
    }

    if (ngx_http_jobscout_cv_sniff(f, &file) != NGX_OK) {
        return;
    }

    (void) ngx_http_jobscout_cv_copy(f, &file);
}


/* the stored file of key, when no row took it: one unlink() */

void
ngx_http_jobscout_cv_file_remove(ngx_http_jobscout_cv_file_t *f)
{
    char  path[NGX_MAX_PATH];

    if ((size_t) snprintf(path, sizeof(path), "%s/%s", f->storage, f->key)
        < sizeof(path))
    {
        (void) unlink(path);
    }
}


static ngx_int_t
ngx_http_jobscout_cv_refuse(ngx_http_jobscout_cv_file_t *f,
    ngx_uint_t status, const char *code, const char *message)
{
    f->status = status;
    f->code = code;
    f->message = message;

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_jobscout_cv_read(ngx_http_jobscout_cv_file_t *f, u_char *buf,
    size_t len, off_t at)
{
    ssize_t  n;

    n = pread(f->fd, buf, len, at);

    if (n != (ssize_t) len) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error",
                   "the upload cannot be read");
    }

    return NGX_OK;
}


/* the first needle in [from, to), read block by block; -1: none */

static off_t
ngx_http_jobscout_cv_find(ngx_http_jobscout_cv_file_t *f, off_t from,
    off_t to, u_char *needle, size_t len)
{
    u_char   *p;
    size_t    n;
    ssize_t   got;
    u_char    buf[NGX_HTTP_JOBSCOUT_CV_BLOCK];

    while (to - from >= (off_t) len) {
        n = ngx_min((off_t) sizeof(buf), to - from);

        got = pread(f->fd, buf, n, from);
        if (got != (ssize_t) n) {
            return -1;
        }

        p = memmem(buf, n, needle, len);

        if (p) {
            return from + (p - buf);
        }

        if (from + (off_t) n == to) {
            break;
        }

        /* a needle cut by the block's end is found in the next one */
        from += n - (len - 1);
    }

    return -1;
}


/*
 * RFC 7578: "--boundary" opens the first part, CRLF "--boundary" each
 * next one, and "--boundary--" closes the body.
 */

static ngx_int_t
ngx_http_jobscout_cv_multipart(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file)
{
    u_char      *delim, tail[2];
    off_t        at, body, next;
    size_t       dlen;
    ngx_uint_t   parts, files, has_name;

    static const char  malformed[] = "the multipart body is malformed";

    delim = f->delimiter;               /* CRLF "--" boundary */
    dlen = f->boundary_len + 4;

    if (f->size < (off_t) dlen - 2) {
        return ngx_http_jobscout_cv_refuse(f, NGX_HTTP_BAD_REQUEST,
                                           "bad_request", malformed);
    }

    /* the first delimiter: at the start, or after a preamble and CRLF */

    at = ngx_http_jobscout_cv_find(f, 0, f->size, delim + 2, dlen - 2);

    if (at > 0) {
        at = ngx_http_jobscout_cv_find(f, 0, f->size, delim, dlen);
        at = (at < 0) ? -1 : at + 2;
    }

    parts = 0;
    files = 0;

    for ( ;; ) {

        if (at < 0 || at + (off_t) dlen - 2 + 2 > f->size) {
            return ngx_http_jobscout_cv_refuse(f, NGX_HTTP_BAD_REQUEST,
                                               "bad_request", malformed);
        }

        at += dlen - 2;

        if (ngx_http_jobscout_cv_read(f, tail, 2, at) != NGX_OK) {
            return NGX_ERROR;
        }

        if (tail[0] == '-' && tail[1] == '-') {
            break;
        }

        if (++parts > NGX_HTTP_JOBSCOUT_CV_PARTS) {
            return ngx_http_jobscout_cv_refuse(f,
                       NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "validation_failed",
                       "the form has too many parts");
        }

        if (ngx_http_jobscout_cv_part(f, at, &body, &has_name) != NGX_OK) {
            return NGX_ERROR;
        }

        next = ngx_http_jobscout_cv_find(f, body, f->size, delim, dlen);

        if (has_name) {
            if (++files > 1) {
                return ngx_http_jobscout_cv_refuse(f,
                           NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                           "validation_failed",
                           "the form must hold one file, not several");
            }

            file->start = body;
            file->end = next;
        }

        at = (next < 0) ? -1 : next + 2;
    }

    if (files == 0) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "validation_failed",
                   "the form holds no file");
    }

    return NGX_OK;
}


/*
 * The headers of the part after the delimiter at "at": its body's
 * offset, and whether it is a file (a filename in Content-Disposition,
 * which becomes f->name).
 */

static ngx_int_t
ngx_http_jobscout_cv_part(ngx_http_jobscout_cv_file_t *f, off_t at,
    off_t *body, ngx_uint_t *has_name)
{
    u_char     *p, *end, *line, *eol;
    size_t      n;
    ngx_str_t   value;
    u_char      buf[NGX_HTTP_JOBSCOUT_CV_HEADERS];

    static const char  bad[] = "a part of the multipart body is malformed";

    n = ngx_min((off_t) sizeof(buf), f->size - at);

    if (ngx_http_jobscout_cv_read(f, buf, n, at) != NGX_OK) {
        return NGX_ERROR;
    }

    end = buf + n;
    p = buf;

    /* transport padding, then CRLF */

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (end - p < 2 || p[0] != CR || p[1] != LF) {
        return ngx_http_jobscout_cv_refuse(f, NGX_HTTP_BAD_REQUEST,
                                           "bad_request", bad);
    }

    p += 2;
    *has_name = 0;

    for ( ;; ) {
        line = p;
        eol = memmem(line, end - line, "\r\n", 2);

        if (eol == NULL) {
            return ngx_http_jobscout_cv_refuse(f, NGX_HTTP_BAD_REQUEST,
                                               "bad_request", bad);
        }

        p = eol + 2;

        if (eol == line) {
            break;
        }

        if (eol - line > 20
            && ngx_strncasecmp(line, (u_char *) "content-disposition:", 20)
               == 0)
        {
            value.data = line + 20;
            value.len = eol - line - 20;

            if (ngx_http_jobscout_cv_filename(&value, f->name,
                                              sizeof(f->name))
                == NGX_OK)
            {
                *has_name = 1;
            }
        }
    }

    *body = at + (p - buf);

    return NGX_OK;
}


/* NGX_OK: a PDF or a DOCX, f->type set; else refused */

static ngx_int_t
ngx_http_jobscout_cv_sniff(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file)
{
    off_t    n;
    u_char   head[5], tail[NGX_HTTP_JOBSCOUT_CV_EOF_TAIL];

    if (f->file_size >= 5) {
        if (ngx_http_jobscout_cv_read(f, head, 5, file->start) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_memcmp(head, "%PDF-", 5) == 0) {
            n = ngx_min(f->file_size, (off_t) sizeof(tail));

            if (ngx_http_jobscout_cv_read(f, tail, n, file->end - n)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            if (memmem(tail, n, "%%EOF", 5) == NULL) {
                return ngx_http_jobscout_cv_refuse(f,
                           NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "corrupt_file",
                           "the PDF is truncated: it has no %%EOF");
            }

            f->type = NGX_HTTP_JOBSCOUT_CV_PDF;
            return NGX_OK;
        }

        if (ngx_memcmp(head, "PK\3\4", 4) == 0) {
            return ngx_http_jobscout_cv_docx(f, file);
        }
    }

    return ngx_http_jobscout_cv_refuse(f, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                       "unsupported_media_type",
                                       "the file is neither a PDF nor a "
                                       "DOCX document");
}


/*
 * A zip's end of central directory record is in its last 64 KiB; the
 * central directory it points at must name both parts a Word document
 * cannot lack.  What the entries hold is the cv role's business.
 */

static ngx_int_t
ngx_http_jobscout_cv_docx(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file)
{
    u_char      *p, *eocd;
    off_t        n, dir, dir_end;
    size_t       name_len, skip;
    ngx_uint_t   i, entries, found;
    u_char       buf[NGX_HTTP_JOBSCOUT_ZIP_TAIL];
    u_char       entry[NGX_HTTP_JOBSCOUT_ZIP_ENTRY + 64];

    static const char  corrupt[] = "the DOCX is truncated or not a zip";

    n = ngx_min(f->file_size, (off_t) sizeof(buf));

    if (ngx_http_jobscout_cv_read(f, buf, n, file->end - n) != NGX_OK) {
        return NGX_ERROR;
    }

    eocd = NULL;

    for (p = buf + n - NGX_HTTP_JOBSCOUT_ZIP_EOCD; p >= buf; p--) {
        if (p[0] == 'P' && p[1] == 'K' && p[2] == 5 && p[3] == 6) {
            eocd = p;
            break;
        }
    }

    if (eocd == NULL) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "corrupt_file", corrupt);
    }

    entries = eocd[10] | eocd[11] << 8;
    dir = (off_t) (eocd[16] | eocd[17] << 8 | eocd[18] << 16
                   | (uint32_t) eocd[19] << 24);
    dir_end = dir + (off_t) (eocd[12] | eocd[13] << 8 | eocd[14] << 16
                             | (uint32_t) eocd[15] << 24);

    if (dir_end > f->file_size) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "corrupt_file", corrupt);
    }

    found = 0;

    for (i = 0; i < entries && dir + NGX_HTTP_JOBSCOUT_ZIP_ENTRY <= dir_end;
         i++)
    {
        n = ngx_min((off_t) sizeof(entry), dir_end - dir);

        if (ngx_http_jobscout_cv_read(f, entry, n, file->start + dir)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_memcmp(entry, "PK\1\2", 4) != 0) {
            break;
        }

        name_len = entry[28] | entry[29] << 8;
        skip = NGX_HTTP_JOBSCOUT_ZIP_ENTRY + name_len
               + (entry[30] | entry[31] << 8) + (entry[32] | entry[33] << 8);

        if (name_len == sizeof("[Content_Types].xml") - 1
            && NGX_HTTP_JOBSCOUT_ZIP_ENTRY + name_len <= (size_t) n
            && ngx_memcmp(entry + NGX_HTTP_JOBSCOUT_ZIP_ENTRY,
                          "[Content_Types].xml", name_len) == 0)
        {
            found |= 1;

        } else if (name_len == sizeof("word/document.xml") - 1
                   && NGX_HTTP_JOBSCOUT_ZIP_ENTRY + name_len <= (size_t) n
                   && ngx_memcmp(entry + NGX_HTTP_JOBSCOUT_ZIP_ENTRY,
                                 "word/document.xml", name_len) == 0)
        {
            found |= 2;
        }

        dir += skip;
    }

    if (i < entries) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_JOBSCOUT_UNPROCESSABLE, "corrupt_file", corrupt);
    }

    if (found != 3) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                   "the zip is not a Word (DOCX) document");
    }

    f->type = NGX_HTTP_JOBSCOUT_CV_DOCX;

    return NGX_OK;
}


/*
 * the file's bytes to "tmp/", hashed on the way, then linked in place;
 * the group bits let jobscoutd's cv role in when it runs as another
 * user of the directory's group (nginx's umask 0007, README)
 */

static ngx_int_t
ngx_http_jobscout_cv_copy(ngx_http_jobscout_cv_file_t *f,
    ngx_http_jobscout_cv_range_t *file)
{
    int            fd, ok;
    off_t          at;
    size_t         n;
    u_char        *p;
    ngx_uint_t     i;
    EVP_MD_CTX    *md;
    unsigned int   len;
    char           tmp[NGX_MAX_PATH], path[NGX_MAX_PATH];
    u_char         digest[EVP_MAX_MD_SIZE], rnd[16];
    u_char         buf[NGX_HTTP_JOBSCOUT_CV_BLOCK];

    static const char  failed[] = "the file cannot be stored";

    if (ngx_http_jobscout_random_hex(rnd, 8) != NGX_OK) {
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error", failed);
    }

    (void) snprintf(tmp, sizeof(tmp), "%s/tmp/%.16s", f->storage, rnd);
    (void) ngx_create_full_path((u_char *) tmp, 0770);

    fd = open(tmp, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0660);
    if (fd == -1) {
        f->err = errno;
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error", failed);
    }

    md = EVP_MD_CTX_new();
    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

    for (at = file->start; ok && at < file->end; at += n) {
        n = ngx_min((off_t) sizeof(buf), file->end - at);

        ok = pread(f->fd, buf, n, at) == (ssize_t) n
             && EVP_DigestUpdate(md, buf, n) == 1
             && write(fd, buf, n) == (ssize_t) n;
    }

    ok = ok && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == 32
         && fdatasync(fd) == 0;

    f->err = ok ? 0 : errno;
    EVP_MD_CTX_free(md);

    if (close(fd) != 0 || !ok) {
        (void) unlink(tmp);
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error", failed);
    }

    p = (u_char *) f->sha256;

    for (i = 0; i < 32; i++) {
        p = ngx_hex_dump(p, &digest[i], 1);
    }

    *p = '\0';

    (void) snprintf(f->key, sizeof(f->key), "%s/%s", f->user, f->sha256);
    (void) snprintf(path, sizeof(path), "%s/%s", f->storage, f->key);

    f->err = ngx_create_full_path((u_char *) path, 0770);

    if (f->err) {
        (void) unlink(tmp);
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error", failed);
    }

    /* the same content stored already: the same name, kept */

    f->created = (link(tmp, path) == 0);

    if (!f->created && errno != EEXIST) {
        f->err = errno;
        (void) unlink(tmp);
        return ngx_http_jobscout_cv_refuse(f,
                   NGX_HTTP_INTERNAL_SERVER_ERROR, "internal_error", failed);
    }

    (void) unlink(tmp);

    return NGX_OK;
}


/*
 * The parameter name of a header value ("form-data; name=x;
 * filename=\"cv.pdf\""), quoted or not, into param (pointing into
 * value): NGX_DECLINED when there is none.
 */

ngx_int_t
ngx_http_jobscout_cv_param(ngx_str_t *value, const char *name,
    ngx_str_t *param)
{
    u_char  *p, *end, *start;
    size_t   len;

    len = ngx_strlen(name);
    p = value->data;
    end = p + value->len;

    for ( ;; ) {
        p = ngx_strlcasestrn(p, end, (u_char *) name, len - 1);
        if (p == NULL) {
            return NGX_DECLINED;
        }

        /* the parameter itself, not the end of a longer name */
        if ((p == value->data || p[-1] == ';' || p[-1] == ' '
             || p[-1] == '\t')
            && p + len < end && p[len] == '=')
        {
            break;
        }

        p += len;
    }

    p += len + 1;

    if (p < end && *p == '"') {
        start = ++p;

        while (p < end && *p != '"') {
            p++;
        }

    } else {
        start = p;

        while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
            p++;
        }
    }

    param->data = start;
    param->len = p - start;

    return NGX_OK;
}


/*
 * The filename parameter of a Content-Disposition value, its path and
 * control characters dropped, into name (size bytes with the NUL):
 * NGX_DECLINED when there is none.  Bytes past 0x7f are kept only as
 * valid UTF-8 (PostgreSQL refuses anything else).
 */

ngx_int_t
ngx_http_jobscout_cv_filename(ngx_str_t *value, u_char *name, size_t size)
{
    u_char     *p, *last, *start, *q, ch;
    size_t      n;
    ngx_str_t   file;

    if (ngx_http_jobscout_cv_param(value, "filename", &file) != NGX_OK) {
        return NGX_DECLINED;
    }

    start = file.data;
    last = file.data + file.len;

    /* the last path segment: browsers of old sent whole Windows paths */

    for (p = start; p < last; p++) {
        if (*p == '/' || *p == '\\') {
            start = p + 1;
        }
    }

    q = name;

    for (p = start; p < last && (size_t) (q - name) < size - 1; p++) {
        ch = *p;

        if (ch < 0x20 || ch == 0x7f || ch == '"') {
            *q++ = '_';
            continue;
        }

        if (ch < 0x80) {
            *q++ = ch;
            continue;
        }

        start = p;

        if (ngx_utf8_decode(&p, last - p) > 0x10ffff) {
            *q++ = '_';
            p = start;
            continue;
        }

        n = p - start;
        p--;

        if ((size_t) (q - name) + n >= size) {
            break;
        }

        q = ngx_cpymem(q, start, n);
    }

    *q = '\0';

    return (q == name) ? NGX_DECLINED : NGX_OK;
}
