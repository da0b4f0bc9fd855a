/*
 * The mailer role: sends the e-mails queued on JOBSCOUT_QUEUE_MAIL,
 * by the nginx module (verify-email, reset-password) and the notifier
 * (job alerts and digests), over SMTP with libcurl.
 *
 * One mail is the unit of work: QUIT lets the current one finish (and
 * be acked), TERM aborts the SMTP transaction and puts the task back on
 * the queue.  A failed send is retried with backoff through the delayed
 * set; a task that cannot succeed (bad address, unknown kind) goes to
 * the dead letters at once.
 *
 * Each Message-ID (the task id) is sent once: before the SMTP transaction
 * the mailer claims it in PostgreSQL's mail_deliveries for a lease, and
 * records it sent, deleting the task's outbox row (sql/migrations/0014),
 * before the ack.  A repeat of a sent mail (the relay relays a task again
 * when Redis may have lost it) is acked and dropped; one claimed by
 * another mailer waits its turn through the delayed set.  The one window
 * left: the server took the mail and PostgreSQL could not record it
 * within the lease; the repeat then has the same Message-ID.
 *
 * Logs name the task id and kind, never the address or the token: the
 * dead-letter list keeps the full task for whoever must investigate.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "jobscout_task.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "pg.h"
#include "queue.h"
#include "roles.h"
#include "util.h"
#include "unsubscribe.h"

#define JS_MAILER_PG_TIMEOUT  10000      /* ms per statement */

enum {
    JS_MAILER_CLAIMED = 0,
    JS_MAILER_SENT,                      /* a repeat: drop it */
    JS_MAILER_BUSY,                      /* another mailer is on it */
    JS_MAILER_PG_DOWN
};

typedef struct {
    js_worker_t        *w;
    js_queue_t          q;
    js_pg_t             pg;
    char                lease[32];       /* the claim's, as an interval */
    CURL               *curl;
    char                curl_err[CURL_ERROR_SIZE];

    const char         *body;     /* the message being uploaded */
    size_t              body_len;
    size_t              body_off;
    int                 aborted;  /* by TERM, not by the server */
} js_mailer_t;

static size_t
js_mailer_read(char *buf, size_t size, size_t nitems, void *data)
{
    size_t        n;
    js_mailer_t  *m = data;

    n = m->body_len - m->body_off;
    if (n > size * nitems) {
        n = size * nitems;
    }

    memcpy(buf, m->body + m->body_off, n);
    m->body_off += n;
    return n;
}

/*
 * Called by libcurl at least once a second during a transfer: keeps
 * our heartbeat alive through a slow server (else the reaper would
 * requeue the task we are sending), and aborts on TERM.
 */
static int
js_mailer_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
    js_mailer_t  *m = data;

    (void) dltotal;
    (void) dlnow;
    (void) ultotal;
    (void) ulnow;

    js_worker_service();

    if (js_worker_terminating()) {
        m->aborted = 1;
        return 1;
    }

    js_queue_keepalive(&m->q);
    return 0;
}

static int
js_mailer_curl_init(js_mailer_t *m)
{
    const js_conf_t  *cf = m->w->conf;
    CURL             *c;

    c = curl_easy_init();
    if (c == NULL) {
        return -1;
    }
    m->curl = c;

    /* Options that hold for every mail; the easy handle keeps them. */
    if (curl_easy_setopt(c, CURLOPT_URL, cf->smtp_url) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_READFUNCTION, js_mailer_read)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_READDATA, m) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, js_mailer_progress)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_XFERINFODATA, m) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_ERRORBUFFER, m->curl_err)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                            (long) cf->smtp_connect_timeout) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long) cf->smtp_timeout)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_MAIL_FROM, cf->smtp_from_addr)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_USE_SSL,
               cf->smtp_starttls == JS_SMTP_STARTTLS_ON ? (long) CURLUSESSL_ALL
               : cf->smtp_starttls == JS_SMTP_STARTTLS_TRY
                 ? (long) CURLUSESSL_TRY : (long) CURLUSESSL_NONE)
           != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER,
                            cf->smtp_tls_verify ? 1L : 0L) != CURLE_OK
        || curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST,
                            cf->smtp_tls_verify ? 2L : 0L) != CURLE_OK)
    {
        return -1;
    }

    if (cf->smtp_user != NULL
        && (curl_easy_setopt(c, CURLOPT_USERNAME, cf->smtp_user) != CURLE_OK
            || curl_easy_setopt(c, CURLOPT_PASSWORD,
                                cf->smtp_password ? cf->smtp_password : "")
               != CURLE_OK))
    {
        return -1;
    }

    return 0;
}

/* Returns 0 when the server took the mail, else -1 with err set. */
static int
js_mailer_send(js_mailer_t *m, const char *to, const char *msg, char *err,
    size_t errlen)
{
    long                rcode = 0;
    char                rcpt[JS_MAIL_ADDR_MAX + 3];
    CURLcode            rc;
    struct curl_slist  *list;

    snprintf(rcpt, sizeof(rcpt), "<%s>", to);
    list = curl_slist_append(NULL, rcpt);
    if (list == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    m->body = msg;
    m->body_len = strlen(msg);
    m->body_off = 0;
    m->curl_err[0] = '\0';
    m->aborted = 0;

    if (curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, list) != CURLE_OK
        || curl_easy_setopt(m->curl, CURLOPT_INFILESIZE_LARGE,
                            (curl_off_t) m->body_len) != CURLE_OK)
    {
        curl_slist_free_all(list);
        snprintf(err, errlen, "curl_easy_setopt() failed");
        return -1;
    }

    rc = curl_easy_perform(m->curl);

    /* The handle must not keep a pointer to the freed list. */
    (void) curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(list);
    m->body = NULL;

    if (rc == CURLE_OK) {
        return 0;
    }

    (void) curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &rcode);
    snprintf(err, errlen, "smtp: %s%s%s (curl %d, smtp %ld)",
             curl_easy_strerror(rc), m->curl_err[0] ? ": " : "",
             m->curl_err, (int) rc, rcode);
    return -1;
}

static const char *
js_mailer_arg(js_task_t *t, const char *name)
{
    return json_string_value(json_object_get(t->args, name));
}

/*
 * The jobs of a job mail, from args.jobs: NULL with err when they are
 * not a list of 1..JS_MAIL_JOBS_MAX objects with the fields it needs.
 */
static js_mail_job_t *
js_mailer_jobs(js_task_t *t, size_t *njobs, char *err, size_t errlen)
{
    size_t          i;
    json_t         *list, *j, *score;
    js_mail_job_t  *jobs;

    list = json_object_get(t->args, "jobs");
    *njobs = json_array_size(list);

    if (!json_is_array(list) || *njobs == 0 || *njobs > JS_MAIL_JOBS_MAX) {
        snprintf(err, errlen, "args \"jobs\" is not a list of 1..%d jobs",
                 JS_MAIL_JOBS_MAX);
        return NULL;
    }

    jobs = calloc(*njobs, sizeof(js_mail_job_t));
    if (jobs == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }

    json_array_foreach(list, i, j) {
        score = json_object_get(j, "match_score");
        jobs[i].job_id = json_string_value(json_object_get(j, "job_id"));
        jobs[i].title = json_string_value(json_object_get(j, "title"));
        jobs[i].company = json_string_value(json_object_get(j, "company"));
        jobs[i].location = json_string_value(json_object_get(j, "location"));
        jobs[i].location_type = json_string_value(json_object_get(j,
                                                      "location_type"));
        jobs[i].match_score = json_is_integer(score)
                              ? (int) json_integer_value(score) : -1;

        if (jobs[i].job_id == NULL || jobs[i].title == NULL
            || jobs[i].company == NULL || jobs[i].location == NULL
            || jobs[i].location_type == NULL)
        {
            snprintf(err, errlen, "args \"jobs\"[%zu] lacks a string "
                     "field", i);
            free(jobs);
            return NULL;
        }
    }

    return jobs;
}

/*
 * The claim's lease outlasts the SMTP transaction, after which a claim
 * left by a mailer that died is anybody's.
 */
static const char  js_mailer_claim_sql[] =
    "WITH c AS ("
    "  INSERT INTO mail_deliveries (message_id, claimed_until)"
    "  VALUES ($1, now() + $2::interval)"
    "  ON CONFLICT (message_id) DO UPDATE"
    "     SET claimed_until = excluded.claimed_until"
    "   WHERE mail_deliveries.sent_at IS NULL"
    "     AND mail_deliveries.claimed_until < now()"
    "  RETURNING 1"
    ")"
    " SELECT CASE WHEN EXISTS (SELECT FROM c) THEN 'claimed'"
    "        WHEN EXISTS (SELECT FROM mail_deliveries"
    "                      WHERE message_id = $1 AND sent_at IS NOT NULL)"
    "        THEN 'sent' ELSE 'busy' END";

static const char  js_mailer_sent_sql[] =
    "WITH s AS ("
    "  UPDATE mail_deliveries SET sent_at = now(), claimed_until = NULL"
    "   WHERE message_id = $1"
    ")"
    " DELETE FROM task_outbox WHERE id = $1";

/*
 * Given up (dead letters): the outbox row goes.  A claim is either
 * released already or another mailer's, whose copy lives on.
 */
static const char  js_mailer_dead_sql[] =
    "DELETE FROM task_outbox WHERE id = $1";

static const char  js_mailer_release_sql[] =
    "DELETE FROM mail_deliveries WHERE message_id = $1 AND sent_at IS NULL";

static int
js_mailer_claim(js_mailer_t *m, js_task_t *t)
{
    int          rc;
    char         err[512];
    PGresult    *res;
    const char  *values[2], *state;

    if (!js_pg_ready(&m->pg)) {
        return JS_MAILER_PG_DOWN;
    }

    values[0] = t->id;
    values[1] = m->lease;
    res = js_pg_exec(&m->pg, "mail_claim", js_mailer_claim_sql, 2, values,
                     JS_MAILER_PG_TIMEOUT, err, sizeof(err));
    if (res == NULL) {
        js_log(JS_LOG_ERR, "mail not claimed", JS_KS("id", t->id),
               JS_KS("err", err));
        return JS_MAILER_PG_DOWN;
    }

    state = PQgetvalue(res, 0, 0);
    rc = strcmp(state, "claimed") == 0 ? JS_MAILER_CLAIMED
         : strcmp(state, "sent") == 0 ? JS_MAILER_SENT : JS_MAILER_BUSY;
    PQclear(res);
    return rc;
}

/* A statement on the task's id, whose failure is only logged. */
static void
js_mailer_record(js_mailer_t *m, js_task_t *t, const char *what,
    const char *sql)
{
    char         err[512];
    PGresult    *res;
    const char  *values[1];

    values[0] = t->id;
    res = js_pg_ready(&m->pg)
          ? js_pg_exec(&m->pg, what, sql, 1, values, JS_MAILER_PG_TIMEOUT,
                       err, sizeof(err))
          : NULL;

    if (res == NULL) {
        js_log(JS_LOG_ERR, "mail state not recorded", JS_KS("id", t->id),
               JS_KS("what", what));
        return;
    }
    PQclear(res);
}

/* js_queue_fail(), and for a task given up, its PostgreSQL state. */
static void
js_mailer_fail(js_mailer_t *m, js_task_t *t, const char *error,
    int permanent)
{
    if (js_queue_fail(&m->q, t, error, permanent) == 2) {
        js_mailer_record(m, t, "mail_dead", js_mailer_dead_sql);
    }
}

static void
js_mailer_handle(js_mailer_t *m, js_task_t *t)
{
    char              err[1024], *msg;
    json_t           *more;
    const char       *to, *name, *token, *period;
    char              unsubscribe[JS_UNSUB_TOKEN_MAX];
    js_mail_t         mail;
    js_mail_job_t    *jobs = NULL;
    const js_conf_t  *cf = m->w->conf;

    if (js_mail_subject(t->kind) == NULL) {
        snprintf(err, sizeof(err), "unknown kind \"%.64s\" on the mail "
                 "queue", t->kind);
        js_mailer_fail(m, t, err, 1);
        return;
    }

    memset(&mail, 0, sizeof(mail));

    to = js_mailer_arg(t, "to");
    name = js_mailer_arg(t, "name");
    token = js_mailer_arg(t, "token");

    if (to == NULL || (token == NULL && js_mail_needs_token(t->kind))) {
        js_mailer_fail(m, t, "args lack a string \"to\" or "
                             "\"token\"", 1);
        return;
    }

    if (js_mail_is_job_kind(t->kind)) {
        jobs = js_mailer_jobs(t, &mail.njobs, err, sizeof(err));
        if (jobs == NULL) {
            js_mailer_fail(m, t, err, 1);
            return;
        }

        period = js_mailer_arg(t, "period");
        more = json_object_get(t->args, "more");
        mail.jobs = jobs;
        mail.period = period != NULL && strcmp(period, "hourly") == 0
                      ? "hourly" : "daily";
        mail.more = json_is_integer(more) && json_integer_value(more) > 0
                    && json_integer_value(more) < 1000000
                    ? (size_t) json_integer_value(more) : 0;

        /* an address too long to sign goes without the link */
        if (cf->mail_link_key_set
            && js_unsubscribe_sign(cf->mail_link_key, to, unsubscribe) == 0)
        {
            mail.unsubscribe = unsubscribe;
        }
    }

    mail.kind = t->kind;
    mail.id = t->id;
    mail.to = to;
    mail.name = name ? name : "";
    mail.token = token;
    mail.from = cf->smtp_from;
    mail.base_url = cf->public_base_url;
    mail.now = time(NULL);

    /* A bad address or name stays bad: no retry can make it safe. */
    msg = js_mail_render(&mail, err, sizeof(err));
    free(jobs);
    if (msg == NULL) {
        js_mailer_fail(m, t, err, 1);
        return;
    }

    switch (js_mailer_claim(m, t)) {

    case JS_MAILER_CLAIMED:
        break;

    case JS_MAILER_SENT:
        free(msg);
        js_log(JS_LOG_NOTICE, "mail already sent, repeat dropped",
               JS_KS("id", t->id), JS_KS("kind", t->kind));
        (void) js_queue_ack(&m->q, t);
        return;

    case JS_MAILER_BUSY:
        free(msg);
        js_mailer_fail(m, t, "another mailer is sending it", 0);
        return;

    default:
        free(msg);
        js_mailer_fail(m, t, "postgres: cannot claim the Message-ID", 0);
        return;
    }

    if (js_mailer_send(m, to, msg, err, sizeof(err)) != 0) {
        free(msg);
        js_metrics_add(JS_METRICS_MAILS_FAILED, 1);
        js_mailer_record(m, t, "mail_release", js_mailer_release_sql);

        if (m->aborted) {
            /* Left in the processing list: js_queue_close() requeues. */
            js_log(JS_LOG_NOTICE, "mail abandoned on terminate",
                   JS_KS("id", t->id));
            return;
        }

        js_mailer_fail(m, t, err, 0);
        return;
    }

    free(msg);
    js_mailer_record(m, t, "mail_sent", js_mailer_sent_sql);
    js_metrics_add(JS_METRICS_MAILS_SENT, 1);

    js_log(JS_LOG_INFO, "mail sent", JS_KS("id", t->id),
           JS_KS("kind", t->kind), JS_KI("attempt", t->attempt));

    (void) js_queue_ack(&m->q, t);
}

int
js_mailer_run(js_worker_t *w)
{
    int                rc = 0;
    int64_t            wait;
    js_task_t          t;
    js_mailer_t        m;
    js_queue_policy_t  policy;
    const js_conf_t   *cf = w->conf;

    memset(&m, 0, sizeof(m));
    m.w = w;

    policy.max_attempts = cf->mail_max_attempts;
    policy.backoff_min = cf->mail_backoff_min;
    policy.backoff_max = cf->mail_backoff_max;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK
        || js_mailer_curl_init(&m) != 0)
    {
        js_log(JS_LOG_ALERT, "cannot initialize libcurl");
        rc = 1;
        goto done;
    }

    js_queue_init(&m.q, cf, JOBSCOUT_QUEUE_MAIL, w->role, &policy);
    js_pg_init(&m.pg, cf->postgres);
    snprintf(m.lease, sizeof(m.lease), "%d milliseconds",
             cf->smtp_connect_timeout + cf->smtp_timeout + 60000);

    js_log(JS_LOG_INFO, "mailer started", JS_KS("queue", m.q.queue),
           JS_KS("consumer", m.q.consumer), JS_KS("smtp", cf->smtp_url),
           JS_KI("max_attempts", policy.max_attempts));

    while (!js_worker_exiting()) {
        js_worker_service();

        if (js_queue_tick(&m.q) != 0) {
            wait = m.q.retry_at - js_msec();
            if (js_worker_sleep(wait > 10 ? (int) wait : 10) != 0) {
                break;
            }
            continue;
        }

        if (js_queue_take(&m.q, &t) != 1) {
            continue;
        }

        js_mailer_handle(&m, &t);
        js_task_free(&t);
    }

    js_queue_close(&m.q);
    js_pg_close(&m.pg);

    js_log(JS_LOG_INFO, "mailer stopped",
           JS_KS("reason", js_worker_terminating() ? "terminate" : "quit"));

done:

    if (m.curl != NULL) {
        curl_easy_cleanup(m.curl);
    }
    curl_global_cleanup();

    return rc;
}
