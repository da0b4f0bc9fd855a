/*
 * E-mail messages of the mailer role: checks and rendering, no I/O, so
 * that unit tests need no SMTP server.
 *
 * Everything that reaches a header is checked first: a CR or LF in an
 * address or a name would let a task write headers of its own (Bcc:).
 */

#ifndef JS_MAIL_H
#define JS_MAIL_H

#include <stddef.h>
#include <time.h>

#define JS_MAIL_ADDR_MAX   254     /* RFC 5321 path limit */
#define JS_MAIL_NAME_MAX   256     /* bytes */
#define JS_MAIL_TOKEN_MAX  384     /* an unsubscribe token's 372 */

#define JS_MAIL_JOBS_MAX   50      /* jobs listed in one job mail */

/* A job of a job alert or digest (scraped text: cut and cleaned). */
typedef struct {
    const char  *job_id;      /* a UUID: links to {base}/jobs/{job_id} */
    const char  *title;
    const char  *company;
    const char  *location;    /* may be empty */
    const char  *location_type;
    int          match_score;
} js_mail_job_t;

typedef struct {
    const char  *kind;        /* JOBSCOUT_TASK_MAIL_* */
    const char  *id;          /* task id: Message-ID and MIME boundary */
    const char  *to;
    const char  *name;        /* may be empty */
    const char  *token;       /* verify / reset mails, else NULL */
    const char  *from;        /* header value, "Name <addr>" */
    const char  *base_url;    /* no trailing '/' */
    time_t       now;         /* the Date: header */

    /* job alerts and digests */
    const js_mail_job_t  *jobs;
    size_t                njobs;
    size_t                more;      /* matched jobs not listed */
    const char           *period;    /* digests: "hourly" or "daily" */
    const char           *unsubscribe;   /* its link's token, or NULL */
} js_mail_t;

/*
 * An addr-spec we are willing to send to: local@domain, printable
 * ASCII, no spaces, quotes, angle brackets, commas or other specials
 * that would change how a header or the SMTP envelope is read.
 * Returns 0 if valid, else -1 with a reason in err.
 */
int js_mail_addr_check(const char *addr, char *err, size_t errlen);

/* A display name: valid UTF-8, no control characters (CR, LF, ...). */
int js_mail_name_check(const char *name, char *err, size_t errlen);

/* A link token: 1..JS_MAIL_TOKEN_MAX of [A-Za-z0-9_-]: no URL escaping. */
int js_mail_token_check(const char *token, char *err, size_t errlen);

/*
 * "Name <addr>" or a bare "addr": checks it and returns the addr in a
 * malloc()ed string (the envelope sender), or NULL with err set.
 */
char *js_mail_from_addr(const char *from, char *err, size_t errlen);

/*
 * The subject of a kind, or NULL for a kind that is not a mail.  Job
 * mails name their job or count their jobs: a pattern is returned.
 */
const char *js_mail_subject(const char *kind);

/* A kind whose link carries the task's "token" (verify, reset). */
int js_mail_needs_token(const char *kind);

/* mail.job_alert or mail.job_digest: args hold jobs, not a token. */
int js_mail_is_job_kind(const char *kind);

/*
 * The whole message, headers and a multipart/alternative body (text
 * and HTML, quoted-printable), lines ending in CRLF, in a malloc()ed
 * string; NULL with err set when a field does not pass the checks.
 */
char *js_mail_render(const js_mail_t *m, char *err, size_t errlen);

#endif
