/*
 * MIME building (lib/mail.c): a task's fields, one per line (id, to,
 * name, token, from, base_url, then title, company and location of each
 * job), the first byte choosing the kind and the digest period.  As the
 * mailer does, the period is "hourly" or "daily" and the From: value is
 * one js_mail_from_addr accepts (it is checked once, at start-up).  A
 * message that renders must stay well-formed: CRLF lines only, none over
 * RFC 5322's 998, and no header injected before the body.
 */

#include <strings.h>

#include "fuzz.h"
#include "jobscout_task.h"
#include "mail.h"

static const char  *kinds[] = {
    JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, JOBSCOUT_TASK_MAIL_RESET_PASSWORD,
    JOBSCOUT_TASK_MAIL_LOGIN_THROTTLED, JOBSCOUT_TASK_MAIL_JOB_ALERT,
    JOBSCOUT_TASK_MAIL_JOB_DIGEST, "mail.unknown"
};

static void
js_fuzz_check_message(const char *msg)
{
    const char  *p, *nl;
    int          in_headers = 1;

    for (p = msg; *p != '\0'; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL || nl == p || nl[-1] != '\r' || nl - p - 1 > 998) {
            abort();
        }
        if (nl - p == 1) {
            in_headers = 0;
        } else if (in_headers && (strncasecmp(p, "Bcc:", 4) == 0
                                  || strncasecmp(p, "Cc:", 3) == 0))
        {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    js_mail_t      m;
    js_mail_job_t  jobs[JS_MAIL_JOBS_MAX];
    char          *s, *p, *msg, *from, err[256];

    if (size == 0) {
        return 0;
    }
    s = js_fuzz_str(data + 1, size - 1);
    p = s;

    memset(&m, 0, sizeof(m));
    m.kind = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
    m.id = js_fuzz_field(&p);
    m.to = js_fuzz_field(&p);
    m.name = js_fuzz_field(&p);
    m.token = js_fuzz_field(&p);
    m.from = js_fuzz_field(&p);
    m.base_url = js_fuzz_field(&p);
    m.period = data[0] & 0x80 ? "hourly" : "daily";
    m.now = 1735689600 + data[0];
    m.jobs = jobs;

    while (*p != '\0' && m.njobs < JS_MAIL_JOBS_MAX) {
        jobs[m.njobs].job_id = "00000000-0000-0000-0000-000000000001";
        jobs[m.njobs].title = js_fuzz_field(&p);
        jobs[m.njobs].company = js_fuzz_field(&p);
        jobs[m.njobs].location = js_fuzz_field(&p);
        jobs[m.njobs].location_type = "remote";
        jobs[m.njobs].match_score = (int) (m.njobs * 7 % 101);
        m.njobs++;
    }
    m.more = *p != '\0';

    from = js_mail_from_addr(m.from, err, sizeof(err));
    msg = from != NULL ? js_mail_render(&m, err, sizeof(err)) : NULL;
    if (msg != NULL) {
        js_fuzz_check_message(msg);
        free(msg);
    }
    free(from);
    free(s);
    return 0;
}
