#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "jobscout_task.h"
#include "mail.h"

/* Encoded-words are at most 75 characters: 45 bytes make 60 of base64. */
#define JS_MAIL_EW_CHUNK   45

/* Quoted-printable lines are at most 76 characters, "=" included. */
#define JS_MAIL_QP_LINE    75

typedef struct {
    const char  *kind;
    const char  *subject;
    const char  *path;
    int          token;      /* the link carries the task's token */
    const char  *text;       /* %1$s name, %2$s link */
    const char  *html;       /* the same, HTML-escaped */
} js_mail_kind_t;

/*
 * Both bodies say the same.  The greeting is left out when the task has
 * no name ("Hello,"), hence the name is always followed by its own
 * separator in the arguments below.
 */
static const js_mail_kind_t  js_mail_kinds[] = {

    { JOBSCOUT_TASK_MAIL_VERIFY_EMAIL,
      "Confirm your e-mail address for Job Scout",
      "/verify-email", 1,

      "Hello%1$s,\n"
      "\n"
      "Welcome to Job Scout! Please confirm your e-mail address by "
      "opening this link:\n"
      "\n"
      "%2$s\n"
      "\n"
      "The link is valid for 24 hours. If you did not create a Job "
      "Scout account, ignore this e-mail: nothing happens without "
      "the confirmation.\n"
      "\n"
      "-- \n"
      "Job Scout\n",

      "<!DOCTYPE html>\n"
      "<html><head><meta charset=\"utf-8\">"
      "<title>Confirm your e-mail address</title></head>\n"
      "<body style=\"font-family: sans-serif; line-height: 1.5\">\n"
      "<p>Hello%1$s,</p>\n"
      "<p>Welcome to Job Scout! Please confirm your e-mail address:</p>\n"
      "<p><a href=\"%2$s\">Confirm my e-mail address</a></p>\n"
      "<p>Or open this link: %2$s</p>\n"
      "<p>The link is valid for 24 hours. If you did not create a Job "
      "Scout account, ignore this e-mail: nothing happens without the "
      "confirmation.</p>\n"
      "<p>Job Scout</p>\n"
      "</body></html>\n" },

    { JOBSCOUT_TASK_MAIL_RESET_PASSWORD,
      "Reset your Job Scout password",
      "/reset-password", 1,

      "Hello%1$s,\n"
      "\n"
      "Someone, hopefully you, asked to reset the password of your Job "
      "Scout account. Choose a new password here:\n"
      "\n"
      "%2$s\n"
      "\n"
      "The link is valid for 1 hour and works once. If you did not ask "
      "for it, ignore this e-mail: your password stays as it is.\n"
      "\n"
      "-- \n"
      "Job Scout\n",

      "<!DOCTYPE html>\n"
      "<html><head><meta charset=\"utf-8\">"
      "<title>Reset your password</title></head>\n"
      "<body style=\"font-family: sans-serif; line-height: 1.5\">\n"
      "<p>Hello%1$s,</p>\n"
      "<p>Someone, hopefully you, asked to reset the password of your "
      "Job Scout account.</p>\n"
      "<p><a href=\"%2$s\">Choose a new password</a></p>\n"
      "<p>Or open this link: %2$s</p>\n"
      "<p>The link is valid for 1 hour and works once. If you did not "
      "ask for it, ignore this e-mail: your password stays as it "
      "is.</p>\n"
      "<p>Job Scout</p>\n"
      "</body></html>\n" },

    { JOBSCOUT_TASK_MAIL_LOGIN_THROTTLED,
      "Failed sign-ins to your Job Scout account",
      "/forgot-password", 0,

      "Hello%1$s,\n"
      "\n"
      "Someone just tried to sign in to your Job Scout account with a "
      "wrong password many times. To protect it, sign-ins from new "
      "places are paused for a few minutes; the places you usually sign "
      "in from are not affected.\n"
      "\n"
      "If it was you, wait a few minutes and try again. If it was not, "
      "no one got in, but choose a new password to be safe:\n"
      "\n"
      "%2$s\n"
      "\n"
      "-- \n"
      "Job Scout\n",

      "<!DOCTYPE html>\n"
      "<html><head><meta charset=\"utf-8\">"
      "<title>Failed sign-ins</title></head>\n"
      "<body style=\"font-family: sans-serif; line-height: 1.5\">\n"
      "<p>Hello%1$s,</p>\n"
      "<p>Someone just tried to sign in to your Job Scout account with a "
      "wrong password many times. To protect it, sign-ins from new "
      "places are paused for a few minutes; the places you usually sign "
      "in from are not affected.</p>\n"
      "<p>If it was you, wait a few minutes and try again. If it was not, "
      "no one got in, but choose a new password to be safe:</p>\n"
      "<p><a href=\"%2$s\">Choose a new password</a></p>\n"
      "<p>Or open this link: %2$s</p>\n"
      "<p>Job Scout</p>\n"
      "</body></html>\n" },
};

static int
js_mail_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
js_mail_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int
js_mail_addr_check(const char *addr, char *err, size_t errlen)
{
    size_t       len;
    const char  *p, *at = NULL;

    len = strlen(addr);
    if (len == 0 || len > JS_MAIL_ADDR_MAX) {
        return js_mail_fail(err, errlen, "address length %zu is not "
                            "1..%d", len, JS_MAIL_ADDR_MAX);
    }

    for (p = addr; *p; p++) {
        if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f) {
            return js_mail_fail(err, errlen, "control, space or "
                                "non-ASCII byte in address");
        }
        if (strchr("<>()[],;:\\\"", *p) != NULL) {
            return js_mail_fail(err, errlen, "character '%c' in "
                                "address", *p);
        }
        if (*p == '@') {
            if (at != NULL) {
                return js_mail_fail(err, errlen, "two '@' in address");
            }
            at = p;
        }
    }

    if (at == NULL || at == addr || at[1] == '\0' || at[1] == '.'
        || addr[len - 1] == '.')
    {
        return js_mail_fail(err, errlen, "address is not local@domain");
    }

    return 0;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t
js_mail_utf8_len(const unsigned char *p)
{
    size_t    n, i;
    uint32_t  c, min;

    if (p[0] < 0x80) {
        return 1;
    } else if ((p[0] & 0xe0) == 0xc0) {
        n = 2; c = p[0] & 0x1f; min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3; c = p[0] & 0x0f; min = 0x800;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4; c = p[0] & 0x07; min = 0x10000;
    } else {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    return n;
}

int
js_mail_name_check(const char *name, char *err, size_t errlen)
{
    size_t               n, len;
    const unsigned char  *p;

    len = strlen(name);
    if (len > JS_MAIL_NAME_MAX) {
        return js_mail_fail(err, errlen, "name longer than %d bytes",
                            JS_MAIL_NAME_MAX);
    }

    for (p = (const unsigned char *) name; *p; p += n) {
        if (*p < ' ' || *p == 0x7f) {
            return js_mail_fail(err, errlen, "control character 0x%02x "
                                "in name", *p);
        }
        n = js_mail_utf8_len(p);
        if (n == 0) {
            return js_mail_fail(err, errlen, "name is not valid UTF-8");
        }
        /* C1 controls (U+0080..U+009F) are control characters too. */
        if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
            return js_mail_fail(err, errlen, "control character in name");
        }
    }

    return 0;
}

int
js_mail_token_check(const char *token, char *err, size_t errlen)
{
    size_t       len;
    const char  *p;

    len = strlen(token);
    if (len == 0 || len > JS_MAIL_TOKEN_MAX) {
        return js_mail_fail(err, errlen, "token length %zu is not 1..%d",
                            len, JS_MAIL_TOKEN_MAX);
    }

    for (p = token; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
        {
            return js_mail_fail(err, errlen, "token is not URL-safe");
        }
    }

    return 0;
}

char *
js_mail_from_addr(const char *from, char *err, size_t errlen)
{
    char        *addr;
    const char  *p, *lt, *gt;

    for (p = from; *p; p++) {
        if ((unsigned char) *p < ' ' || (unsigned char) *p >= 0x7f) {
            js_mail_fail(err, errlen, "control or non-ASCII byte in "
                         "\"smtp_from\"");
            return NULL;
        }
    }

    lt = strchr(from, '<');
    if (lt == NULL) {
        addr = strdup(from);
    } else {
        gt = strchr(lt, '>');
        if (gt == NULL || gt[1] != '\0' || strchr(lt + 1, '<') != NULL) {
            js_mail_fail(err, errlen, "\"smtp_from\" is not "
                         "\"Name <address>\" or \"address\"");
            return NULL;
        }
        addr = strndup(lt + 1, gt - lt - 1);
    }

    if (addr == NULL) {
        js_mail_fail(err, errlen, "out of memory");
        return NULL;
    }

    if (js_mail_addr_check(addr, err, errlen) != 0) {
        free(addr);
        return NULL;
    }

    return addr;
}

const char *
js_mail_subject(const char *kind)
{
    size_t  i;

    for (i = 0; i < sizeof(js_mail_kinds) / sizeof(js_mail_kinds[0]); i++) {
        if (strcmp(js_mail_kinds[i].kind, kind) == 0) {
            return js_mail_kinds[i].subject;
        }
    }

    if (strcmp(kind, JOBSCOUT_TASK_MAIL_JOB_ALERT) == 0) {
        return "New job: {title} at {company}";
    }
    if (strcmp(kind, JOBSCOUT_TASK_MAIL_JOB_DIGEST) == 0) {
        return "Your {period} Job Scout digest: {n} new jobs";
    }
    return NULL;
}

int
js_mail_needs_token(const char *kind)
{
    size_t  i;

    for (i = 0; i < sizeof(js_mail_kinds) / sizeof(js_mail_kinds[0]); i++) {
        if (strcmp(js_mail_kinds[i].kind, kind) == 0) {
            return js_mail_kinds[i].token;
        }
    }

    return 0;
}

int
js_mail_is_job_kind(const char *kind)
{
    return strcmp(kind, JOBSCOUT_TASK_MAIL_JOB_ALERT) == 0
           || strcmp(kind, JOBSCOUT_TASK_MAIL_JOB_DIGEST) == 0;
}

static void
js_mail_printf(js_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
js_mail_printf(js_buf_t *b, const char *fmt, ...)
{
    int       n;
    char     *s;
    va_list   ap;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);

    if (n < 0) {
        b->oom = 1;
        return;
    }
    js_buf_add(b, s, n);
    free(s);
}

static void
js_mail_base64(js_buf_t *b, const unsigned char *s, size_t n)
{
    char               out[4];
    size_t             i;
    uint32_t           v;
    static const char  tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    for (i = 0; i < n; i += 3) {
        v = (uint32_t) s[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t) s[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= s[i + 2];
        }
        out[0] = tab[(v >> 18) & 63];
        out[1] = tab[(v >> 12) & 63];
        out[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[3] = i + 2 < n ? tab[v & 63] : '=';
        js_buf_add(b, out, 4);
    }
}

static void js_mail_encoded_words(js_buf_t *b, const char *text);

/*
 * The display name of To:.  Printable ASCII goes in a quoted-string;
 * anything else in RFC 2047 encoded-words.
 */
static void
js_mail_display_name(js_buf_t *b, const char *name)
{
    const unsigned char  *p;

    for (p = (const unsigned char *) name; *p; p++) {
        if (*p >= 0x80) {
            break;
        }
    }

    if (*p == '\0') {
        js_buf_add(b, "\"", 1);
        for (p = (const unsigned char *) name; *p; p++) {
            if (*p == '"' || *p == '\\') {
                js_buf_add(b, "\\", 1);
            }
            js_buf_add(b, (const char *) p, 1);
        }
        js_buf_add(b, "\"", 1);
        return;
    }

    js_mail_encoded_words(b, name);
}

/*
 * RFC 2047 encoded-words of s (valid UTF-8: checked by the caller), split
 * on character boundaries and folded, so that no header line grows past
 * 78 characters.
 */
static void
js_mail_encoded_words(js_buf_t *b, const char *text)
{
    size_t                i, n, chunk;
    const unsigned char  *p, *s;

    s = (const unsigned char *) text;
    n = strlen(text);

    for (i = 0; i < n; i += chunk) {
        chunk = 0;
        while (i + chunk < n) {
            p = s + i + chunk;
            if (chunk + js_mail_utf8_len(p) > JS_MAIL_EW_CHUNK) {
                break;
            }
            chunk += js_mail_utf8_len(p);
        }

        if (i > 0) {
            js_buf_str(b, "\r\n ");
        }
        js_buf_str(b, "=?UTF-8?B?");
        js_mail_base64(b, s + i, chunk);
        js_buf_str(b, "?=");
    }
}

static void
js_mail_html_escape(js_buf_t *b, const char *s)
{
    for ( ; *s; s++) {
        switch (*s) {
        case '&':  js_buf_str(b, "&amp;"); break;
        case '<':  js_buf_str(b, "&lt;"); break;
        case '>':  js_buf_str(b, "&gt;"); break;
        case '"':  js_buf_str(b, "&quot;"); break;
        case '\'': js_buf_str(b, "&#39;"); break;
        default:   js_buf_add(b, s, 1);
        }
    }
}

/*
 * Quoted-printable (RFC 2045 6.7) of text with '\n' line ends: CRLF
 * out, '=' and non-ASCII escaped, trailing blanks escaped, soft breaks
 * before 76 characters.  It keeps every line short whatever a name
 * holds, and needs no 8BITMIME from the server.
 */
static void
js_mail_qp(js_buf_t *b, const char *s)
{
    int                  col = 0, w;
    char                 enc[4];
    unsigned char        c;
    static const char    hex[] = "0123456789ABCDEF";

    for ( ; *s; s++) {
        c = (unsigned char) *s;

        if (c == '\n') {
            js_buf_str(b, "\r\n");
            col = 0;
            continue;
        }

        if ((c >= 33 && c <= 126 && c != '=')
            || ((c == ' ' || c == '\t') && s[1] != '\n' && s[1] != '\0'))
        {
            enc[0] = (char) c;
            w = 1;
        } else {
            enc[0] = '=';
            enc[1] = hex[c >> 4];
            enc[2] = hex[c & 15];
            w = 3;
        }

        if (col + w > JS_MAIL_QP_LINE) {
            js_buf_str(b, "=\r\n");
            col = 0;
        }

        js_buf_add(b, enc, w);
        col += w;
    }
}

static char *
js_mail_strdup_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *
js_mail_strdup_printf(const char *fmt, ...)
{
    int       n;
    char     *s;
    va_list   ap;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);

    return n < 0 ? NULL : s;
}

/*
 * The text and HTML of an account mail (verification, reset, failed
 * sign-ins): a name and a link, with the token when the kind has one.
 */
static int
js_mail_token_bodies(const js_mail_t *m, const js_mail_kind_t *k,
    char **text, char **html)
{
    int             rc = -1;
    char           *link, *name_sp;
    js_buf_t   hname;

    memset(&hname, 0, sizeof(hname));

    link = k->token ? js_mail_strdup_printf("%s%s?token=%s", m->base_url,
                                            k->path, m->token)
                    : js_mail_strdup_printf("%s%s", m->base_url, k->path);
    name_sp = js_mail_strdup_printf("%s%s", m->name[0] ? " " : "",
                                    m->name);
    if (link == NULL || name_sp == NULL) {
        goto done;
    }

    js_mail_html_escape(&hname, name_sp);
    *text = js_mail_strdup_printf(k->text, name_sp, link);
    *html = js_mail_strdup_printf(k->html, hname.p ? hname.p : "",
                                  link);
    rc = *text != NULL && *html != NULL && !hname.oom ? 0 : -1;

done:

    free(link);
    free(name_sp);
    free(hname.p);
    return rc;
}

/* A job id goes into a link as is: a UUID and nothing else. */
static int
js_mail_uuid_check(const char *id)
{
    size_t  i;

    if (strlen(id) != 36) {
        return -1;
    }

    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (id[i] != '-') {
                return -1;
            }
        } else if (strchr("0123456789abcdefABCDEF", id[i]) == NULL
                   || id[i] == '\0')
        {
            return -1;
        }
    }
    return 0;
}

/*
 * Scraped text in a mail: at most max bytes (cut on a character
 * boundary, "..." added), control characters as spaces, and each byte
 * of an invalid UTF-8 sequence as '?': the task is JSON, so valid, but
 * the subject's encoded-words must never meet a byte they cannot step
 * over (found by make fuzz: the renderer looped for ever).
 */
static char *
js_mail_scraped(const char *s, size_t max)
{
    char    *out, *p;
    size_t   len, n;

    len = strlen(s);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char) s[len] & 0xc0) == 0x80) {
            len--;
        }
    }

    out = malloc(len + 4);
    if (out == NULL) {
        return NULL;
    }
    memcpy(out, s, len);
    memcpy(out + len, len < strlen(s) ? "..." : "", len < strlen(s) ? 4 : 1);

    for (p = out; *p; p += n) {
        n = js_mail_utf8_len((unsigned char *) p);
        if (n == 0) {
            *p = '?';
            n = 1;
        } else if ((unsigned char) *p < ' ' || *p == 0x7f) {
            *p = ' ';
        }
    }
    return out;
}

/* One job of a job mail, in the text and in the HTML. */
static int
js_mail_job(js_buf_t *text, js_buf_t *html, const js_mail_t *m,
    const js_mail_job_t *j)
{
    char  *title, *company, *location, *type, where[256];

    title = js_mail_scraped(j->title, 200);
    company = js_mail_scraped(j->company, 100);
    location = js_mail_scraped(j->location, 100);
    type = js_mail_scraped(j->location_type, 20);

    if (title == NULL || company == NULL || location == NULL
        || type == NULL)
    {
        free(title);
        free(company);
        free(location);
        free(type);
        return -1;
    }

    snprintf(where, sizeof(where), "%s%s%s", location,
             location[0] && type[0] ? " - " : "", type);

    js_mail_printf(text, "* %s at %s\n", title, company);
    if (where[0] != '\0') {
        js_mail_printf(text, "  %s\n", where);
    }
    js_mail_printf(text, "  Match: %d%%\n  %s/jobs/%s\n\n", j->match_score,
                   m->base_url, j->job_id);

    js_mail_printf(html, "<li><a href=\"%s/jobs/%s\">", m->base_url,
                   j->job_id);
    js_mail_html_escape(html, title);
    js_buf_str(html, "</a> at ");
    js_mail_html_escape(html, company);
    if (where[0] != '\0') {
        js_buf_str(html, "<br>");
        js_mail_html_escape(html, where);
    }
    js_mail_printf(html, "<br>Match: %d%%</li>\n", j->match_score);

    free(title);
    free(company);
    free(location);
    free(type);
    return 0;
}

/*
 * A job alert (the jobs of one match, sent at once) or a digest (the
 * hour's or the day's): the subject names the job when there is one,
 * else counts them.
 */
static int
js_mail_job_bodies(const js_mail_t *m, char **subject, char **text,
    char **html, char *err, size_t errlen)
{
    int             digest;
    char           *name_sp, *t, *c;
    size_t          i, total;
    js_buf_t   tb, hb;

    digest = strcmp(m->kind, JOBSCOUT_TASK_MAIL_JOB_DIGEST) == 0;
    total = m->njobs + m->more;

    /*
     * -1 spelt out below: the analyzer does not follow the variadic
     * js_mail_fail() and would take *subject as set on failure.
     */
    if (m->njobs == 0 || m->njobs > JS_MAIL_JOBS_MAX) {
        (void) js_mail_fail(err, errlen, "a job mail lists 1..%d jobs",
                            JS_MAIL_JOBS_MAX);
        return -1;
    }

    for (i = 0; i < m->njobs; i++) {
        if (js_mail_uuid_check(m->jobs[i].job_id) != 0) {
            (void) js_mail_fail(err, errlen, "job %zu: job_id is not a "
                                "UUID", i);
            return -1;
        }
        if (m->jobs[i].match_score < 0 || m->jobs[i].match_score > 100) {
            (void) js_mail_fail(err, errlen, "job %zu: match_score is not "
                                "0..100", i);
            return -1;
        }
    }

    if (total == 1 && !digest) {
        t = js_mail_scraped(m->jobs[0].title, 60);
        c = js_mail_scraped(m->jobs[0].company, 40);
        *subject = t && c ? js_mail_strdup_printf("New job: %s at %s", t, c)
                          : NULL;
        free(t);
        free(c);
    } else if (digest) {
        *subject = js_mail_strdup_printf("Your %s Job Scout digest: %zu new "
                                         "job%s", m->period, total,
                                         total == 1 ? "" : "s");
    } else {
        *subject = js_mail_strdup_printf("%zu new jobs match your "
                                         "preferences", total);
    }

    memset(&tb, 0, sizeof(tb));
    memset(&hb, 0, sizeof(hb));

    name_sp = js_mail_strdup_printf("%s%s", m->name[0] ? " " : "", m->name);
    if (*subject == NULL || name_sp == NULL) {
        free(name_sp);
        (void) js_mail_fail(err, errlen, "out of memory");
        return -1;
    }

    js_mail_printf(&tb, "Hello%s,\n\n%s", name_sp,
                   digest ? "" : total == 1 ? "A new job matches your "
                                              "preferences:\n\n"
                                            : "New jobs match your "
                                              "preferences:\n\n");
    if (digest) {
        js_mail_printf(&tb, "%zu new job%s matched your preferences in the "
                       "last %s:\n\n", total, total == 1 ? "" : "s",
                       strcmp(m->period, "hourly") == 0 ? "hour" : "day");
    }

    js_buf_str(&hb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                 "<title>Job Scout</title></head>\n"
                 "<body style=\"font-family: sans-serif; line-height: 1.5\">"
                 "\n<p>Hello");
    js_mail_html_escape(&hb, name_sp);
    js_buf_str(&hb, ",</p>\n<ul>\n");

    for (i = 0; i < m->njobs; i++) {
        if (js_mail_job(&tb, &hb, m, &m->jobs[i]) != 0) {
            tb.oom = 1;
        }
    }

    js_buf_str(&hb, "</ul>\n");

    if (m->more > 0) {
        js_mail_printf(&tb, "... and %zu more: %s/alerts\n\n", m->more,
                       m->base_url);
        js_mail_printf(&hb, "<p><a href=\"%s/alerts\">... and %zu more</a>"
                       "</p>\n", m->base_url, m->more);
    }

    js_mail_printf(&tb, "Choose what you receive, and how often: "
                   "%s/settings/notifications\n\n", m->base_url);
    js_mail_printf(&hb, "<p><a href=\"%s/settings/notifications\">Choose "
                   "what you receive, and how often</a></p>\n", m->base_url);
    if (m->unsubscribe != NULL) {
        js_mail_printf(&tb, "No more of these e-mails: "
                       "%s/unsubscribe?token=%s\n\n", m->base_url,
                       m->unsubscribe);
        js_mail_printf(&hb, "<p><a href=\"%s/unsubscribe?token=%s\">No "
                       "more of these e-mails</a></p>\n", m->base_url,
                       m->unsubscribe);
    }
    js_buf_str(&tb, "-- \nJob Scout\n");
    js_buf_str(&hb, "<p>Job Scout</p>\n</body></html>\n");

    free(name_sp);

    if (tb.oom || hb.oom) {
        free(tb.p);
        free(hb.p);
        (void) js_mail_fail(err, errlen, "out of memory");
        return -1;
    }

    *text = tb.p;
    *html = hb.p;
    return 0;
}

char *
js_mail_render(const js_mail_t *m, char *err, size_t errlen)
{
    char                  date[64], *text = NULL, *html = NULL;
    char                  *subject = NULL;
    size_t                i, dlen;
    const char            *domain, *p;
    struct tm             tm;
    js_buf_t         b;
    const js_mail_kind_t  *k = NULL;

    memset(&b, 0, sizeof(b));

    for (i = 0; i < sizeof(js_mail_kinds) / sizeof(js_mail_kinds[0]); i++) {
        if (strcmp(js_mail_kinds[i].kind, m->kind) == 0) {
            k = &js_mail_kinds[i];
        }
    }

    if (k == NULL && !js_mail_is_job_kind(m->kind)) {
        js_mail_fail(err, errlen, "unknown mail kind \"%.64s\"", m->kind);
        return NULL;
    }

    if (js_mail_addr_check(m->to, err, errlen) != 0
        || js_mail_name_check(m->name, err, errlen) != 0
        || (k != NULL && k->token
            && js_mail_token_check(m->token, err, errlen) != 0)
        || (m->unsubscribe != NULL
            && js_mail_token_check(m->unsubscribe, err, errlen) != 0))
    {
        return NULL;
    }

    /* The id names the boundary and the Message-ID: hex only. */
    if (m->id[0] == '\0' || strlen(m->id) > 64
        || strspn(m->id, "0123456789abcdefABCDEF") != strlen(m->id))
    {
        js_mail_fail(err, errlen, "task id is not hex");
        return NULL;
    }

    if (k != NULL) {
        if (js_mail_token_bodies(m, k, &text, &html) != 0) {
            goto oom;
        }
    } else if (js_mail_job_bodies(m, &subject, &text, &html, err, errlen)
               != 0)
    {
        goto failed;
    }

    /* The C locale: English day and month names, as RFC 5322 wants. */
    gmtime_r(&m->now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);

    /* Message-ID: <task id@sender's domain>, stable across retries. */
    domain = strrchr(m->from, '@');
    domain = domain ? domain + 1 : "jobscout.invalid";
    dlen = strcspn(domain, ">");

    js_mail_printf(&b, "Date: %s\r\n", date);
    js_mail_printf(&b, "From: %s\r\n", m->from);
    js_buf_str(&b, "To: ");
    if (m->name[0] != '\0') {
        js_mail_display_name(&b, m->name);
        js_buf_str(&b, " ");
    }
    js_mail_printf(&b, "<%s>\r\n", m->to);

    /*
     * A subject with a scraped title: encoded-words, which fold, unless
     * it is plain ASCII that fits the line.
     */
    p = k != NULL ? k->subject : subject;
    for (i = 0; p[i] != '\0' && (unsigned char) p[i] < 0x80; i++) {
        /* void */
    }
    if (i <= 78 - sizeof("Subject: ") + 1 && p[i] == '\0') {
        js_mail_printf(&b, "Subject: %s", p);
    } else {
        /* folded at once: "Subject: " and a whole word exceed 78 */
        js_buf_str(&b, "Subject:\r\n ");
        js_mail_encoded_words(&b, p);
    }
    js_buf_str(&b, "\r\n");

    js_mail_printf(&b, "Message-ID: <%s@%.*s>\r\n", m->id, (int) dlen,
                   domain);
    js_buf_str(&b, "Auto-Submitted: auto-generated\r\n");
    if (k == NULL && m->unsubscribe != NULL) {
        /* RFC 2369, and RFC 8058's one click: a POST, never a GET */
        js_mail_printf(&b, "List-Unsubscribe:\r\n <%s/api/v1/unsubscribe"
                       "?token=%s>\r\n", m->base_url, m->unsubscribe);
        js_buf_str(&b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
                     "\r\n");
    }
    js_buf_str(&b, "MIME-Version: 1.0\r\n");
    js_mail_printf(&b, "Content-Type: multipart/alternative;\r\n"
                   " boundary=\"=_js_%s\"\r\n", m->id);
    js_buf_str(&b, "\r\n");
    js_buf_str(&b, "This is a MIME message.\r\n");

    js_mail_printf(&b, "\r\n--=_js_%s\r\n", m->id);
    js_buf_str(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    js_mail_qp(&b, text);

    js_mail_printf(&b, "\r\n--=_js_%s\r\n", m->id);
    js_buf_str(&b, "Content-Type: text/html; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    js_mail_qp(&b, html);

    js_mail_printf(&b, "\r\n--=_js_%s--\r\n", m->id);

    if (b.oom) {
        goto oom;
    }

    free(subject);
    free(text);
    free(html);
    return b.p;

oom:

    js_mail_fail(err, errlen, "out of memory");

failed:

    free(subject);
    free(text);
    free(html);
    free(b.p);
    return NULL;
}
