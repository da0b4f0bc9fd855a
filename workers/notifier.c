/*
 * The notifier role: a new job on the user's phone in under a second.
 *
 * The scraper queues {"job_ids": [...]} on JOBSCOUT_QUEUE_MATCH (through
 * the task outbox and the relay role) after committing new jobs.  The
 * notifier takes such tasks, several at once, and:
 *
 *   1. asks PostgreSQL who matches them and how well, set-based
 *      (match_candidates(): one GIN index scan per job and the score of
 *      each user it finds, never a loop over users here), in two
 *      parts: the first JS_NT_PART_FIRST found, as they come, so that
 *      inserting starts while the rest is matched, then (unless that was
 *      all) every match, sorted by job and user, the order of the
 *      alerts' unique key, which each chunk then writes in a few pages,
 *      into a cursor WITH HOLD read JS_NT_PAGE rows at a time: memory
 *      holds two pages, whatever the number of matches (the first
 *      part's alerts are in it again: ON CONFLICT skips them, and what
 *      of the first part was not inserted yet is left to it);
 *   2. inserts the alerts in chunks, each chunk its own transaction
 *      (insert_alerts(): ON CONFLICT DO NOTHING), a small chunk first,
 *      then larger ones; the pushes of the alerts really inserted come
 *      back already claimed by this notifier for push_claim_timeout,
 *      listed by one push_queue row; a chunk's pushes go out as soon as
 *      it is committed, while the next chunk is inserted;
 *   3. acks the tasks once every chunk is committed, and deletes their
 *      outbox rows;
 *   4. sends the pushes to FCM, fcm_max_in_flight at a time, and records
 *      the outcomes on their alerts (record_pushes()): accepted, a retry
 *      later (429, 5xx: backoff, Retry-After honoured), the token cleared
 *      (UNREGISTERED), failed; with the last outcome of a push_queue
 *      row, the row goes;
 *   5. queues the e-mails, instant or hourly/daily digests, for the
 *      mailer (queue_emails(): in the task outbox, which the relay role
 *      copies to Redis), every digest_interval and right after a match
 *      that made some.
 *
 * Pushes are driven by durable state, never by memory alone: a push is
 * 'pending', or 'sending' under a lease, on its alert, and listed by a
 * push_queue row due no later, until FCM's answer is recorded.  A
 * notifier killed mid-batch leaves its rows; once their lease is over
 * any notifier claims them (claim_pushes()) and sends what they hold,
 * and its unacked match tasks are requeued by the queue reaper and
 * matched again, which inserts only the alerts still missing.  So every
 * matching user gets a push across crashes and restarts, and none gets
 * two, but for one window: FCM v1 has no idempotency key, so a notifier
 * killed after FCM accepted a message and before the UPDATE recording it
 * committed leaves a push that will be sent again.  Outcomes have a
 * connection of their own and are recorded as soon as it is free, the
 * ones that came meanwhile together (js_nt_record_due()), and a push
 * keeps its place among the fcm_max_in_flight from its send until its
 * outcome is recorded (js_nt_room()): a kill -9 sends at most
 * fcm_max_in_flight pushes twice, however slow PostgreSQL is.  We
 * chose a rare duplicate there over a lost alert, and the message's
 * Android tag and APNs collapse id (the job's) make the phone show a
 * repeat in place of the first.
 *
 * QUIT stops a batch where it is (its tasks handed back, unacked, to
 * be matched again), releases the pushes not sent yet ('pending', due
 * now), waits JS_NT_QUIT_GRACE ms for the sends in flight, releases
 * those still unanswered, records the outcomes and goes: within
 * JS_NT_QUIT_MAX ms.
 *
 * One process, one loop: three PostgreSQL connections (libpq,
 * non-blocking: one matches, one inserts, one records outcomes and
 * claims work), libcurl's multi handle, and the Redis queue, which
 * blocks (a second at most) only when there is nothing else to do.
 * Without fcm_service_account the notifier still matches and e-mails;
 * its pushes wait as 'pending'.
 */

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fcm.h"
#include "jobscout_task.h"
#include "log.h"
#include "pg.h"
#include "queue.h"
#include "roles.h"
#include "util.h"

#define JS_NT_TASKS_MAX      32      /* match tasks merged in one batch */
#define JS_NT_JOBS_MAX       1000    /* ... until they hold this many jobs */
#define JS_NT_CHUNK_FIRST    250     /* alerts inserted per transaction, */
#define JS_NT_CHUNK_MAX      1000    /* ... doubling from the first */
#define JS_NT_PART_FIRST     1500    /* the match: that many found first, */
#define JS_NT_PAGE           1000    /* ... then all, by pages of a cursor */
#define JS_NT_BACKLOG        10      /* x fcm_max_in_flight: pushes queued
                                      * to send, before the next chunk */
#define JS_NT_RECORD_MAX     1000    /* outcomes recorded per statement */
#define JS_NT_CLAIM_EVERY    1000    /* ms between looks for due pushes */
#define JS_NT_EMAILS_MAX     200     /* users' mails claimed at once */
#define JS_NT_POLL_QUEUE     10      /* ms between LMOVEs while busy */
#define JS_NT_REPORT_EVERY   10000   /* ms between push statistics */
#define JS_NT_PG_TIMEOUT     30000   /* ms per statement */
#define JS_NT_QUOTA_BACKOFF  60000   /* ms: QUOTA_EXCEEDED's minimum */
#define JS_NT_QUIT_GRACE     3000    /* ms: QUIT waits that long for FCM, */
#define JS_NT_QUIT_MAX       4500    /* ... and that long in all */

/* The match queue's own retries: PostgreSQL down, mostly. */
#define JS_NT_MATCH_ATTEMPTS 10
#define JS_NT_MATCH_BACKOFF_MIN  1000
#define JS_NT_MATCH_BACKOFF_MAX  60000

typedef struct js_nt_push_s  js_nt_push_t;

/*
 * A push_queue row this notifier took (inserted or claimed): deleted
 * with the outcome of the last of its pushes, unless one of them was
 * left to its lease, which the row then brings back.
 */
typedef struct {
    char            id[24];
    int             open;           /* its pushes without an outcome */
    int             kept;           /* one was left to the lease */
} js_nt_row_t;

struct js_nt_push_s {
    char            alert_id[40];
    char           *token;
    char           *body;           /* the FCM message until it is sent */
    int             attempts;       /* this one included */
    int64_t         lease_end;      /* monotonic ms */
    int64_t         discovered_ms;  /* the job's discovery, Unix ms */
    js_nt_row_t    *row;
    js_nt_push_t   *next;
};

typedef struct {
    char            alert_id[40];
    int             attempt;        /* the alert's push_attempts for it */
    const char     *status;
    char            at[32];
    char            name[160];      /* FCM's message name, when accepted */
    char           *error;          /* otherwise */
    char           *token;          /* when unregistered */
    int             retry_ms;
    char            done[24];       /* the row its push was the last of */
} js_nt_outcome_t;

enum {
    JS_NT_IDLE = 0,
    JS_NT_JOBS,           /* push_jobs() to ask */
    JS_NT_INSERT          /* the match's parts to ask, chunks to insert */
};

/* The cursor of a match's second part. */
enum {
    JS_NT_CURSOR_NONE = 0,
    JS_NT_CURSOR_DECLARING,
    JS_NT_CURSOR_OPEN,    /* pages to fetch */
    JS_NT_CURSOR_DONE     /* every page fetched */
};

typedef struct {
    int              state;
    js_task_t        tasks[JS_NT_TASKS_MAX];
    int              ntasks;
    js_pg_array_t    job_ids;
    int              njobs;
    PGresult        *jobs;          /* push_jobs() */
    int             *job_rows;      /* its rows by job id */
    char           **rests;         /* per row: js_fcm_message_rest() */
    PGresult        *cands;         /* match_candidates() being inserted:
                                     * the first part, then each page */
    PGresult        *ahead;         /* the page after, fetched meanwhile */
    int              end;           /* candidates of cands to insert */
    int              asked;         /* the first part asked for */
    int              cursor;        /* JS_NT_CURSOR_* */
    int              whole;         /* every candidate received */
    int              matches;       /* candidates received */
    int              failed;        /* tasks failed, results dropped */
    int              abandoned;     /* QUIT: tasks handed back unacked */
    int              next;          /* first candidate of cands not
                                     * inserted */
    int              chunk;         /* candidates in the chunk in flight */
    int              chunk_size;    /* of the next chunk */
    int              alerts;
    int              pushes;
    int              emails;
    int64_t          started;
    int64_t          matched_in;    /* ms until every part came */
    int64_t          first_in;      /* ms until the first chunk's alerts */
} js_nt_match_t;

typedef struct {
    js_worker_t        *w;
    const js_conf_t    *cf;
    js_queue_t          q;
    js_pg_t             pgm;         /* matching */
    js_pg_t             pg;          /* inserting */
    js_pg_t             pgw;         /* outcomes, claims, e-mails */
    js_fcm_t           *fcm;         /* NULL: push disabled */
    char                lease[32];
    int                 cursor_open; /* on pgm, to close */
    int64_t             quit_at;     /* when QUIT came */

    js_nt_match_t       m;

    js_nt_push_t       *sendq;
    js_nt_push_t       *sendq_tail;
    int                 nsendq;

    js_nt_outcome_t    *out;
    int                 nout;
    int                 out_size;
    int                 recording;   /* outcomes in a record_pushes() */
    int                 last_recorded;


    int64_t             claim_at;
    int64_t             email_at;
    js_pg_array_t       done;        /* match tasks done: outbox rows */
    int                 ndone;
    int64_t             take_at;
    int                 claiming;

    /* what happened to pushes since the last report */
    int64_t             report_at;
    int64_t            *latency;
    int                 nlatency;
    int                 latency_size;
    long                accepted;
    long                retried;
    long                failed;
    long                unregistered;
} js_nt_t;

static void js_nt_pushed(void *ctx, void *data, const js_fcm_result_t *r);


static int64_t
js_nt_wall_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
js_nt_random(void)
{
    uint32_t  r;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
        r = (uint32_t) getpid() * 2654435761u ^ (uint32_t) js_msec();
    }
    return r;
}

static int
js_nt_is_uuid(const char *s)
{
    int  i;

    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        } else if (s[i] == '\0'
                   || strchr("0123456789abcdefABCDEF", s[i]) == NULL)
        {
            return 0;
        }
    }
    return s[36] == '\0';
}


/* --- pushes ---------------------------------------------------------- */

/* The row of the pushes of one result (insert_alerts(), claim_pushes()). */
static js_nt_row_t *
js_nt_row(const char *id)
{
    js_nt_row_t  *row;

    row = calloc(1, sizeof(*row));
    if (row == NULL) {
        return NULL;
    }
    snprintf(row->id, sizeof(row->id), "%s", id);
    /* One open push until they are all added: none ends it meanwhile. */
    row->open = 1;
    return row;
}

/*
 * A push is over for this notifier: answered (o, its outcome, to record),
 * or, o NULL, left 'sending' to its lease.  The last push of a row whose
 * pushes were all answered carries the row's deletion.
 */
static void
js_nt_row_leave(js_nt_row_t *row, js_nt_outcome_t *o)
{
    if (row == NULL) {
        return;
    }

    if (o == NULL) {
        row->kept = 1;
    }

    if (--row->open > 0) {
        return;
    }

    if (!row->kept && o != NULL) {
        snprintf(o->done, sizeof(o->done), "%s", row->id);
    }
    free(row);
}

/* The pushes of the row are all added: from now on, theirs. */
static void
js_nt_row_added(js_nt_row_t *row)
{
    if (row != NULL && --row->open == 0) {
        /* None of its pushes is here: the row brings them back. */
        free(row);
    }
}

static void
js_nt_push_free(js_nt_push_t *p, js_nt_outcome_t *o)
{
    js_nt_row_leave(p->row, o);
    free(p->token);
    free(p->body);
    free(p);
}

/*
 * A push to send: its message is built now, from its job's (rest:
 * js_fcm_message_rest()) and the device token.  A push that cannot be
 * had stays 'sending': its row comes back when its lease is over.
 */
static void
js_nt_push_add(js_nt_t *nt, js_nt_row_t *row, const char *alert_id,
    const char *token, int attempts, const char *rest,
    int64_t discovered_ms)
{
    js_nt_push_t  *p;

    p = calloc(1, sizeof(*p));
    if (p != NULL) {
        if (row != NULL) {
            row->open++;
        }
        p->row = row;
        snprintf(p->alert_id, sizeof(p->alert_id), "%s", alert_id);
        p->token = strdup(token);
        p->body = rest ? js_fcm_message_for(rest, token) : NULL;
        p->attempts = attempts;
        p->lease_end = js_msec() + nt->cf->push_claim_timeout;
        p->discovered_ms = discovered_ms;
    }

    if (p == NULL || row == NULL || p->token == NULL || p->body == NULL) {
        js_log(JS_LOG_ALERT, "out of memory, push left to its lease",
               JS_KS("alert", alert_id));
        if (p != NULL) {
            js_nt_push_free(p, NULL);
        } else if (row != NULL) {
            row->kept = 1;
        }
        return;
    }

    if (nt->sendq_tail != NULL) {
        nt->sendq_tail->next = p;
    } else {
        nt->sendq = p;
    }
    nt->sendq_tail = p;
    nt->nsendq++;
}

/* What came of push p, to record; p is freed. */
static void
js_nt_outcome(js_nt_t *nt, js_nt_push_t *p, const char *status,
    const char *name, const char *error, int retry_ms)
{
    js_nt_outcome_t  *o;

    if (nt->nout == nt->out_size) {
        o = realloc(nt->out, (nt->out_size ? nt->out_size * 2 : 256)
                             * sizeof(js_nt_outcome_t));
        if (o == NULL) {
            js_log(JS_LOG_ALERT, "out of memory, outcome left to the "
                   "lease", JS_KS("alert", p->alert_id));
            js_nt_push_free(p, NULL);
            return;
        }
        nt->out = o;
        nt->out_size = nt->out_size ? nt->out_size * 2 : 256;
    }

    o = &nt->out[nt->nout++];
    memset(o, 0, sizeof(*o));
    snprintf(o->alert_id, sizeof(o->alert_id), "%s", p->alert_id);
    o->attempt = p->attempts;
    o->status = status;
    js_iso_time(o->at, sizeof(o->at));
    snprintf(o->name, sizeof(o->name), "%s", name ? name : "");
    o->error = error ? strdup(error) : NULL;
    o->token = strcmp(status, "unregistered") == 0 ? strdup(p->token) : NULL;
    o->retry_ms = retry_ms;

    js_nt_push_free(p, o);
}

static void
js_nt_outcome_free(js_nt_outcome_t *o)
{
    free(o->error);
    free(o->token);
}

/* FCM answered one message (or gave up on it). */
static void
js_nt_pushed(void *ctx, void *data, const js_fcm_result_t *r)
{
    int               delay;
    char              err[600];
    js_nt_t          *nt = ctx;
    js_nt_push_t     *p = data;
    const js_conf_t  *cf = nt->cf;

    switch (r->outcome) {

    case JS_FCM_ACCEPTED:
        nt->accepted++;

        if (nt->nlatency == nt->latency_size) {
            int64_t  *l = realloc(nt->latency, (nt->latency_size
                                                ? nt->latency_size * 2
                                                : 1024) * sizeof(int64_t));
            if (l != NULL) {
                nt->latency = l;
                nt->latency_size = nt->latency_size ? nt->latency_size * 2
                                                    : 1024;
            }
        }
        if (nt->nlatency < nt->latency_size) {
            nt->latency[nt->nlatency++] = js_nt_wall_ms() - p->discovered_ms;
        }

        js_nt_outcome(nt, p, "accepted", r->name, NULL, 0);
        break;

    case JS_FCM_UNREGISTERED:
        nt->unregistered++;
        js_log(JS_LOG_INFO, "device token gone, cleared",
               JS_KS("alert", p->alert_id), JS_KS("err", r->error));
        js_nt_outcome(nt, p, "unregistered", NULL, r->error, 0);
        break;

    case JS_FCM_RETRY:
        if (p->attempts >= cf->fcm_max_attempts) {
            snprintf(err, sizeof(err), "%d attempts, the last: %s",
                     p->attempts, r->error);
            nt->failed++;
            js_log(JS_LOG_WARN, "push failed", JS_KS("alert", p->alert_id),
                   JS_KS("err", err));
            js_nt_outcome(nt, p, "failed", NULL, err, 0);
            break;
        }

        delay = (int) js_queue_backoff(p->attempts, cf->fcm_backoff_min,
                                       cf->fcm_backoff_max, js_nt_random());
        if (r->retry_after >= 0 && r->retry_after * 1000 > delay) {
            delay = (int) r->retry_after * 1000;
        } else if (r->quota && r->retry_after < 0
                   && delay < JS_NT_QUOTA_BACKOFF)
        {
            delay = JS_NT_QUOTA_BACKOFF;
        }

        nt->retried++;
        js_log(JS_LOG_INFO, "push to retry", JS_KS("alert", p->alert_id),
               JS_KI("attempts", p->attempts), JS_KI("delay_ms", delay),
               JS_KS("err", r->error));
        js_nt_outcome(nt, p, "pending", NULL, r->error, delay);

        /* Claimed when due (a little after: PostgreSQL's clock). */
        if (js_msec() + delay + 20 < nt->claim_at) {
            nt->claim_at = js_msec() + delay + 20;
        }
        break;

    case JS_FCM_ABANDONED:
        /* On exit: whether FCM got it is unknown; another try, now. */
        js_nt_outcome(nt, p, "released", NULL, NULL, 0);
        break;

    default:
        nt->failed++;
        /* THIRD_PARTY_AUTH_ERROR and the like need an operator. */
        js_log(r->status == 401 || r->status == 403 ? JS_LOG_ERR
                                                    : JS_LOG_WARN,
               "push refused", JS_KS("alert", p->alert_id),
               JS_KS("err", r->error));
        js_nt_outcome(nt, p, "failed", NULL, r->error, 0);
    }
}

/*
 * Sends that may start: a push holds its place among the
 * fcm_max_in_flight from its send until its outcome is recorded.  So
 * the pushes a kill -9 would have sent twice (accepted, not recorded
 * yet, or in flight) are never more than fcm_max_in_flight, however
 * slow PostgreSQL is to take the outcomes.
 */
static int
js_nt_room(js_nt_t *nt)
{
    return js_fcm_room(nt->fcm) - nt->nout;
}

/* Starts what the send queue holds, as far as there is room. */
static void
js_nt_send(js_nt_t *nt)
{
    int64_t        now;
    js_nt_push_t  *p;

    if (nt->sendq == NULL || js_nt_room(nt) <= 0
        || js_fcm_token(nt->fcm) != 0)
    {
        return;
    }

    now = js_msec();

    while (nt->sendq != NULL && js_nt_room(nt) > 0) {
        p = nt->sendq;
        nt->sendq = p->next;
        if (nt->sendq == NULL) {
            nt->sendq_tail = NULL;
        }
        nt->nsendq--;
        p->next = NULL;

        /*
         * Too late to be sure to answer within the lease: another
         * notifier may claim it meanwhile.  Leave it to that claim.
         */
        if (p->lease_end - now < 2 * nt->cf->fcm_timeout) {
            js_log(JS_LOG_WARN, "push lease too short to send, left to "
                   "the next claim", JS_KS("alert", p->alert_id));
            js_nt_push_free(p, NULL);
            continue;
        }

        if (js_fcm_send(nt->fcm, p->body, p) != 0) {
            p->body = NULL;
            js_nt_outcome(nt, p, "released", NULL, NULL, 0);
            continue;
        }
        p->body = NULL;
    }
}

/* Every push not sent yet goes back to 'pending', due now. */
static void
js_nt_release_sendq(js_nt_t *nt)
{
    js_nt_push_t  *p;

    while ((p = nt->sendq) != NULL) {
        nt->sendq = p->next;
        js_nt_outcome(nt, p, "released", NULL, NULL, 0);
    }
    nt->sendq_tail = NULL;
    nt->nsendq = 0;
}

static int
js_nt_cmp_i64(const void *a, const void *b)
{
    int64_t  x = *(const int64_t *) a, y = *(const int64_t *) b;

    return x < y ? -1 : x > y;
}

/* Every JS_NT_REPORT_EVERY ms, or at once when final. */
static void
js_nt_report(js_nt_t *nt, int final)
{
    int64_t  p50 = 0, p95 = 0, p99 = 0, max = 0, now = js_msec();

    if (!final && now < nt->report_at) {
        return;
    }
    nt->report_at = now + JS_NT_REPORT_EVERY;

    if (nt->accepted + nt->retried + nt->failed + nt->unregistered == 0) {
        return;
    }

    if (nt->nlatency > 0) {
        qsort(nt->latency, nt->nlatency, sizeof(int64_t), js_nt_cmp_i64);
        p50 = nt->latency[(nt->nlatency - 1) * 50 / 100];
        p95 = nt->latency[(nt->nlatency - 1) * 95 / 100];
        p99 = nt->latency[(nt->nlatency - 1) * 99 / 100];
        max = nt->latency[nt->nlatency - 1];
    }

    js_log(JS_LOG_INFO, "pushes", JS_KI("accepted", nt->accepted),
           JS_KI("retried", nt->retried), JS_KI("failed", nt->failed),
           JS_KI("unregistered", nt->unregistered),
           JS_KI("latency_p50_ms", p50), JS_KI("latency_p95_ms", p95),
           JS_KI("latency_p99_ms", p99), JS_KI("latency_max_ms", max));

    nt->accepted = nt->retried = nt->failed = nt->unregistered = 0;
    nt->nlatency = 0;
}


/* --- PostgreSQL ------------------------------------------------------ */

static void
js_nt_recorded(void *ctx, PGresult *res, const char *err)
{
    int       i;
    js_nt_t  *nt = ctx;

    if (res == NULL) {
        /* Kept, to record once PostgreSQL is back. */
        js_log(JS_LOG_ERR, "push outcomes not recorded, will retry",
               JS_KI("outcomes", nt->recording), JS_KS("err", err));
        nt->recording = 0;
        return;
    }
    PQclear(res);

    for (i = 0; i < nt->recording; i++) {
        js_nt_outcome_free(&nt->out[i]);
    }
    memmove(nt->out, nt->out + nt->recording,
            (nt->nout - nt->recording) * sizeof(js_nt_outcome_t));
    nt->nout -= nt->recording;
    nt->recording = 0;
}

static int
js_nt_record(js_nt_t *nt)
{
    int               i, n, rc = -1;
    char              retry[16], attempt[16];
    const char       *values[9];
    js_pg_array_t     a[9];
    js_nt_outcome_t  *o;

    static const char  sql[] =
        "SELECT record_pushes($1::uuid[], $2::integer[], $3::text[],"
        " $4::timestamptz[], $5::text[], $6::text[], $7::integer[],"
        " $8::text[], $9::bigint[])";

    memset(a, 0, sizeof(a));
    n = nt->nout < JS_NT_RECORD_MAX ? nt->nout : JS_NT_RECORD_MAX;

    for (i = 0; i < n; i++) {
        o = &nt->out[i];
        snprintf(attempt, sizeof(attempt), "%d", o->attempt);
        snprintf(retry, sizeof(retry), "%d", o->retry_ms);
        js_pg_array_add(&a[0], o->alert_id);
        js_pg_array_add(&a[1], attempt);
        js_pg_array_add(&a[2], o->status);
        js_pg_array_add(&a[3], o->at);
        js_pg_array_add(&a[4], o->name[0] ? o->name : NULL);
        js_pg_array_add(&a[5], o->error);
        js_pg_array_add(&a[6], retry);
        js_pg_array_add(&a[7], o->token);
        if (o->done[0] != '\0') {
            js_pg_array_add(&a[8], o->done);
        }
    }

    for (i = 0; i < 9; i++) {
        if (js_pg_array_end(&a[i]) != 0) {
            goto done;
        }
        values[i] = a[i].data;
    }

    if (js_pg_send(&nt->pgw, "record_pushes", sql, 9, values,
                   JS_NT_PG_TIMEOUT, js_nt_recorded, nt) == 0)
    {
        nt->recording = n;
        rc = 0;
    }

done:

    for (i = 0; i < 9; i++) {
        js_pg_array_free(&a[i]);
    }
    return rc;
}

static void
js_nt_claimed(void *ctx, PGresult *res, const char *err)
{
    int             i, n;
    char           *rest;
    js_nt_t        *nt = ctx;
    js_nt_row_t    *row;
    js_fcm_alert_t  alert;

    nt->claiming = 0;
    nt->claim_at = js_msec() + JS_NT_CLAIM_EVERY;

    if (res == NULL) {
        js_log(JS_LOG_ERR, "claiming pushes failed", JS_KS("err", err));
        return;
    }

    /* alert_id, user_id, job_id, fcm_token, title, company, location,
     * location_type, attempts, discovered_ms, queue_id */
    n = PQntuples(res);
    row = n > 0 ? js_nt_row(PQgetvalue(res, 0, 10)) : NULL;

    for (i = 0; i < n; i++) {
        alert.token = PQgetvalue(res, i, 3);
        alert.job_id = PQgetvalue(res, i, 2);
        alert.title = PQgetvalue(res, i, 4);
        alert.company = PQgetvalue(res, i, 5);
        alert.location = PQgetvalue(res, i, 6);
        alert.location_type = PQgetvalue(res, i, 7);

        rest = js_fcm_message_rest(&alert);
        js_nt_push_add(nt, row, PQgetvalue(res, i, 0), alert.token,
                       atoi(PQgetvalue(res, i, 8)), rest,
                       atoll(PQgetvalue(res, i, 9)));
        free(rest);
    }
    js_nt_row_added(row);

    if (n > 0) {
        js_log(JS_LOG_INFO, "pushes claimed", JS_KI("pushes", n));
        /*
         * More may be due right away, a full batch or not: a row's
         * pushes answered already are not claimed again, and leave
         * the batch short.  The claim that finds none waits.
         */
        nt->claim_at = js_msec();
    }

    PQclear(res);
}

static int
js_nt_claim(js_nt_t *nt)
{
    char         n[16];
    const char  *values[2];

    snprintf(n, sizeof(n), "%d", js_fcm_room(nt->fcm));
    values[0] = n;
    values[1] = nt->lease;

    if (js_pg_send(&nt->pgw, "claim_pushes",
                   "SELECT * FROM claim_pushes($1::integer, $2::interval)",
                   2, values, JS_NT_PG_TIMEOUT, js_nt_claimed, nt) != 0)
    {
        return -1;
    }

    nt->claiming = 1;
    return 0;
}


/* --- e-mails --------------------------------------------------------- */

/* queue_emails() claimed the due mails and put them in the outbox. */
static void
js_nt_emails_queued(void *ctx, PGresult *res, const char *err)
{
    js_nt_t  *nt = ctx;

    if (res == NULL) {
        /* Nothing changed (a row locked too long, say): soon again. */
        js_log(JS_LOG_ERR, "queueing e-mails failed", JS_KS("err", err));
        nt->email_at = js_msec() + JS_NT_CLAIM_EVERY;
        return;
    }

    nt->email_at = js_msec() + nt->cf->digest_interval;

    if (strcmp(PQgetvalue(res, 0, 0), "0") != 0) {
        js_log(JS_LOG_INFO, "e-mails queued",
               JS_KS("mails", PQgetvalue(res, 0, 0)),
               JS_KS("alerts", PQgetvalue(res, 0, 1)));
    }

    PQclear(res);
}

static int
js_nt_queue_emails(js_nt_t *nt)
{
    char         n[16];
    const char  *values[1];

    snprintf(n, sizeof(n), "%d", JS_NT_EMAILS_MAX);
    values[0] = n;

    return js_pg_send(&nt->pgw, "queue_emails",
                      "SELECT mails, alerts FROM queue_emails($1::integer)",
                      1, values, JS_NT_PG_TIMEOUT, js_nt_emails_queued, nt);
}


/*
 * The outbox rows of the match tasks done go (sql/migrations/0014); one
 * left by a failure is relayed again after its lease and matched again,
 * which inserts nothing new.
 */
static void
js_nt_tasks_deleted(void *ctx, PGresult *res, const char *err)
{
    js_nt_t  *nt = ctx;

    if (res == NULL) {
        js_log(JS_LOG_ERR, "outbox rows of done tasks not deleted",
               JS_KS("err", err));
    } else {
        PQclear(res);
    }

    js_pg_array_free(&nt->done);
    nt->ndone = 0;
}

static int
js_nt_delete_tasks(js_nt_t *nt)
{
    const char  *values[1];

    if (js_pg_array_end(&nt->done) != 0) {
        js_pg_array_free(&nt->done);
        nt->ndone = 0;
        return -1;
    }

    values[0] = nt->done.data;

    if (js_pg_send(&nt->pgw, "outbox_done",
                   "DELETE FROM task_outbox WHERE id = ANY ($1::text[])",
                   1, values, JS_NT_PG_TIMEOUT, js_nt_tasks_deleted, nt)
        != 0)
    {
        js_nt_tasks_deleted(nt, NULL, "not sent");
        return -1;
    }

    return 0;
}


/* --- matching -------------------------------------------------------- */

static void
js_nt_match_reset(js_nt_t *nt)
{
    int             i;
    js_nt_match_t  *m = &nt->m;

    for (i = 0; i < m->ntasks; i++) {
        js_task_free(&m->tasks[i]);
    }
    js_pg_array_free(&m->job_ids);
    if (m->cands != NULL) {
        PQclear(m->cands);
    }
    if (m->ahead != NULL) {
        PQclear(m->ahead);
    }
    for (i = 0; m->rests != NULL && i < PQntuples(m->jobs); i++) {
        free(m->rests[i]);
    }
    free(m->rests);
    free(m->job_rows);
    if (m->jobs != NULL) {
        PQclear(m->jobs);
    }

    memset(m, 0, sizeof(*m));
}

/*
 * The batch failed (PostgreSQL): its tasks are retried later.  A query
 * of it may still be running on the other connection: the batch is
 * reset once none is, and what comes meanwhile is dropped (the pushes
 * of a chunk inserted meanwhile come back with their lease).
 */
static void
js_nt_match_failed(js_nt_t *nt, const char *err)
{
    int  i;

    if (nt->m.failed) {
        return;
    }

    js_log(JS_LOG_ERR, "matching failed", JS_KI("tasks", nt->m.ntasks),
           JS_KS("err", err));

    for (i = 0; i < nt->m.ntasks; i++) {
        (void) js_queue_fail(&nt->q, &nt->m.tasks[i], err, 0);
    }
    nt->m.failed = 1;
}

/*
 * QUIT: the batch stops where it is.  Its tasks stay unacked, for
 * js_queue_close() to hand back (matched again, the alerts inserted
 * already are skipped); the matching query is dropped with its
 * connection, read-only; the chunk being inserted is waited for, its
 * pushes released like the rest of the send queue.
 */
static void
js_nt_match_abandon(js_nt_t *nt)
{
    js_nt_match_t  *m = &nt->m;

    if (m->state == JS_NT_IDLE || m->failed) {
        return;
    }

    js_log(JS_LOG_INFO, "matching stopped, tasks handed back",
           JS_KI("tasks", m->ntasks), JS_KI("alerts", m->alerts));

    m->failed = 1;
    m->abandoned = 1;

    if (nt->pgm.busy) {
        js_pg_close(&nt->pgm);
        nt->cursor_open = 0;
    }
}

/* Every match received, every candidate inserted. */
static int
js_nt_match_complete(const js_nt_match_t *m)
{
    return m->whole && m->ahead == NULL && m->next >= m->end
           && m->chunk == 0;
}

static void
js_nt_match_done(js_nt_t *nt)
{
    int             i;
    js_nt_match_t  *m = &nt->m;

    for (i = 0; i < m->ntasks; i++) {
        (void) js_queue_ack(&nt->q, &m->tasks[i]);
        js_pg_array_add(&nt->done, m->tasks[i].id);
        nt->ndone++;
    }

    js_log(JS_LOG_INFO, "jobs matched", JS_KI("tasks", m->ntasks),
           JS_KI("jobs", m->njobs), JS_KI("matches", m->matches),
           JS_KI("alerts", m->alerts), JS_KI("pushes", m->pushes),
           JS_KI("emails", m->emails), JS_KI("match_ms", m->matched_in),
           JS_KI("first_ms", m->first_in),
           JS_KI("total_ms", js_msec() - m->started));

    if (m->emails > 0) {
        nt->email_at = 0;
    }

    js_nt_match_reset(nt);
}

static PGresult  *js_nt_sort_res;

static int
js_nt_cmp_job(const void *a, const void *b)
{
    return strcmp(PQgetvalue(js_nt_sort_res, *(const int *) a, 0),
                  PQgetvalue(js_nt_sort_res, *(const int *) b, 0));
}

/* The push_jobs() row of a job, or -1. */
static int
js_nt_job_row(js_nt_t *nt, const char *job_id)
{
    int  lo = 0, hi = PQntuples(nt->m.jobs) - 1, mid, c;

    while (lo <= hi) {
        mid = (lo + hi) / 2;
        c = strcmp(PQgetvalue(nt->m.jobs, nt->m.job_rows[mid], 0), job_id);
        if (c == 0) {
            return nt->m.job_rows[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return -1;
}

/* A result of the batch: NULL (the result freed) once the batch failed. */
static PGresult *
js_nt_match_result(js_nt_t *nt, PGresult *res, const char *err)
{
    if (nt->m.failed || res == NULL) {
        if (res != NULL) {
            PQclear(res);
        }
        js_nt_match_failed(nt, err);
        return NULL;
    }
    return res;
}

static void
js_nt_jobs_found(void *ctx, PGresult *res, const char *err)
{
    int             i, n;
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    n = PQntuples(res);
    m->jobs = res;
    m->job_rows = malloc((n ? n : 1) * sizeof(int));
    m->rests = calloc(n ? n : 1, sizeof(char *));
    if (m->job_rows == NULL || m->rests == NULL) {
        js_nt_match_failed(nt, "out of memory");
        return;
    }

    for (i = 0; i < n; i++) {
        m->job_rows[i] = i;
    }
    js_nt_sort_res = res;
    qsort(m->job_rows, n, sizeof(int), js_nt_cmp_job);

    /*
     * A small first chunk, for the first pushes to go out soon, then
     * larger ones, which cost PostgreSQL less per alert (a statement
     * and a transaction each).
     */
    m->chunk_size = JS_NT_CHUNK_FIRST;
    m->state = JS_NT_INSERT;
}

static void
js_nt_match_received(js_nt_match_t *m)
{
    m->whole = 1;
    m->matched_in = js_msec() - m->started;
}

/*
 * The first part of the match came: its candidates are inserted while
 * the rest is matched.  Short of its limit, it is the whole match.
 */
static void
js_nt_first_found(void *ctx, PGresult *res, const char *err)
{
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    m->cands = res;
    m->end = PQntuples(res);
    m->matches = m->end;

    if (m->end < JS_NT_PART_FIRST) {
        js_nt_match_received(m);
        if (js_nt_match_complete(m)) {
            js_nt_match_done(nt);
        }
    }
}

/*
 * The whole match is in the cursor, sorted by job and user, the order
 * of the alerts' unique key, which each chunk then writes in a few
 * pages.  What of the first part is not inserted yet is in it again:
 * dropped, since a chunk holding a user twice would insert one alert
 * and push it twice.
 */
static void
js_nt_declared(void *ctx, PGresult *res, const char *err)
{
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (res != NULL) {
        PQclear(res);
        nt->cursor_open = 1;
    }

    if (m->failed || res == NULL) {
        js_nt_match_failed(nt, err);
        return;
    }

    m->cursor = JS_NT_CURSOR_OPEN;
    m->matches = 0;
    m->end = m->next + m->chunk;
}

/* A page of the cursor: inserted once cands is. */
static void
js_nt_page_fetched(void *ctx, PGresult *res, const char *err)
{
    int             n;
    js_nt_t        *nt = ctx;
    js_nt_match_t  *m = &nt->m;

    if (js_nt_match_result(nt, res, err) == NULL) {
        return;
    }

    n = PQntuples(res);
    m->matches += n;

    if (n < JS_NT_PAGE) {
        m->cursor = JS_NT_CURSOR_DONE;
        js_nt_match_received(m);
    }

    if (n == 0) {
        PQclear(res);
        if (js_nt_match_complete(m)) {
            js_nt_match_done(nt);
        }
        return;
    }

    m->ahead = res;
}

static void
js_nt_cursor_closed(void *ctx, PGresult *res, const char *err)
{
    js_nt_t  *nt = ctx;

    /* An error too: the connection it was on is gone. */
    (void) err;
    if (res != NULL) {
        PQclear(res);
    }
    nt->cursor_open = 0;
}

static void
js_nt_inserted(void *ctx, PGresult *res, const char *err)
{
    int             i, n, job, cand;
    js_nt_t        *nt = ctx;
    js_nt_row_t    *row = NULL;
    js_nt_match_t  *m = &nt->m;
    js_fcm_alert_t  alert;

    /* Abandoned on QUIT, the chunk's pushes are still this notifier's. */
    if ((m->failed && !m->abandoned) || res == NULL) {
        if (res != NULL) {
            PQclear(res);
        }
        js_nt_match_failed(nt, err);
        return;
    }

    /* alert_id, k (1 for the chunk's first candidate), push, email,
     * queue_id (the same for every push: they were inserted 'sending',
     * for us) */
    n = PQntuples(res);

    for (i = 0; i < n; i++) {
        m->alerts++;

        if (PQgetvalue(res, i, 3)[0] == 't') {
            m->emails++;
        }

        if (PQgetvalue(res, i, 2)[0] != 't') {
            continue;
        }
        m->pushes++;

        if (nt->fcm == NULL) {
            continue;
        }

        if (row == NULL) {
            row = js_nt_row(PQgetvalue(res, i, 4));
        }

        /* match_candidates(): user_id, job_id, match_score, fcm_token, ... */
        cand = m->next + atoi(PQgetvalue(res, i, 1)) - 1;
        job = cand >= m->next && cand < m->next + m->chunk
              ? js_nt_job_row(nt, PQgetvalue(m->cands, cand, 1)) : -1;
        if (job < 0) {
            /* Gone meanwhile (no push_jobs() row): left to its lease. */
            if (row != NULL) {
                row->kept = 1;
            }
            continue;
        }

        /* The job's part of the message, made once for all its users. */
        if (m->rests[job] == NULL) {
            alert.token = "";
            alert.job_id = PQgetvalue(m->jobs, job, 0);
            alert.title = PQgetvalue(m->jobs, job, 1);
            alert.company = PQgetvalue(m->jobs, job, 2);
            alert.location = PQgetvalue(m->jobs, job, 3);
            alert.location_type = PQgetvalue(m->jobs, job, 4);
            m->rests[job] = js_fcm_message_rest(&alert);
        }

        js_nt_push_add(nt, row, PQgetvalue(res, i, 0),
                       PQgetvalue(m->cands, cand, 3), 1, m->rests[job],
                       atoll(PQgetvalue(m->jobs, job, 5)));
    }
    js_nt_row_added(row);

    PQclear(res);

    if (m->first_in == 0) {
        m->first_in = js_msec() - m->started;
    }
    m->next += m->chunk;
    m->chunk = 0;
    m->chunk_size = m->chunk_size * 2 < JS_NT_CHUNK_MAX ? m->chunk_size * 2
                                                        : JS_NT_CHUNK_MAX;

    if (!m->failed && js_nt_match_complete(m)) {
        js_nt_match_done(nt);
    }
}

/* The next chunk of candidates: their alerts, in one transaction. */
static int
js_nt_insert_chunk(js_nt_t *nt)
{
    int             i, col, end, rc = -1;
    const char     *values[6];
    js_pg_array_t   a[5];
    js_nt_match_t  *m = &nt->m;

    /* insert_alerts()'s arrays from match_candidates()'s user_id, job_id,
     * match_score, fcm_token, push, email_due_at: all but the token */
    static const int   cols[5] = { 0, 1, 2, 4, 5 };

    static const char  sql[] =
        "SELECT alert_id, k, push, email, queue_id"
        " FROM insert_alerts($1::uuid[], $2::uuid[], $3::smallint[],"
        " $4::boolean[], $5::timestamptz[], $6::interval)";

    memset(a, 0, sizeof(a));
    end = m->next + m->chunk_size;
    if (end > m->end) {
        end = m->end;
    }

    for (i = m->next; i < end; i++) {
        for (col = 0; col < 5; col++) {
            js_pg_array_add(&a[col], PQgetisnull(m->cands, i, cols[col])
                                     ? NULL
                                     : PQgetvalue(m->cands, i, cols[col]));
        }
    }

    for (i = 0; i < 5; i++) {
        if (js_pg_array_end(&a[i]) != 0) {
            goto done;
        }
        values[i] = a[i].data;
    }
    /* Without FCM, pushes wait as 'pending' for a notifier that has it. */
    values[5] = nt->fcm != NULL ? nt->lease : NULL;

    if (js_pg_send(&nt->pg, "insert_alerts", sql, 6, values,
                   JS_NT_PG_TIMEOUT, js_nt_inserted, nt) == 0)
    {
        m->chunk = end - m->next;
        rc = 0;
    }

done:

    for (i = 0; i < 5; i++) {
        js_pg_array_free(&a[i]);
    }
    return rc;
}

/*
 * Adds a taken task to the batch: 0, or -1 when the task was refused
 * (dead-lettered or acked: nothing to match).
 */
static int
js_nt_batch_add(js_nt_t *nt, js_task_t *t)
{
    size_t          i;
    json_t         *ids, *id;
    const char     *s;
    js_nt_match_t  *m = &nt->m;

    if (strcmp(t->kind, JOBSCOUT_TASK_MATCH_JOBS) != 0) {
        (void) js_queue_fail(&nt->q, t, "not a match.jobs task", 1);
        return -1;
    }

    ids = json_object_get(t->args, "job_ids");
    if (!json_is_array(ids)) {
        (void) js_queue_fail(&nt->q, t, "args \"job_ids\" is not a list", 1);
        return -1;
    }

    json_array_foreach(ids, i, id) {
        s = json_string_value(id);
        if (s == NULL || !js_nt_is_uuid(s)) {
            (void) js_queue_fail(&nt->q, t, "args \"job_ids\" holds "
                                 "something else than UUIDs", 1);
            return -1;
        }
    }

    if (json_array_size(ids) == 0) {
        (void) js_queue_ack(&nt->q, t);
        return -1;
    }

    json_array_foreach(ids, i, id) {
        js_pg_array_add(&m->job_ids, json_string_value(id));
        m->njobs++;
    }

    m->tasks[m->ntasks++] = *t;
    return 0;
}

/*
 * Takes match tasks: the first blocking up to block ms, then whatever
 * else is queued, up to the batch limits.
 */
static void
js_nt_take(js_nt_t *nt, int block)
{
    js_task_t       t;
    js_nt_match_t  *m = &nt->m;

    while (m->ntasks < JS_NT_TASKS_MAX && m->njobs < JS_NT_JOBS_MAX) {
        if (js_queue_take_wait(&nt->q, &t, m->ntasks == 0 ? block : 0)
            != 1)
        {
            break;
        }

        if (js_nt_batch_add(nt, &t) != 0) {
            js_task_free(&t);
        }
    }

    if (m->ntasks == 0) {
        return;
    }

    if (js_pg_array_end(&m->job_ids) != 0) {
        js_nt_match_failed(nt, "out of memory");
        return;
    }

    m->state = JS_NT_JOBS;
    m->started = js_msec();
}

/* match_candidates(): the first part, then all, into a cursor. */
#define JS_NT_CANDIDATES_SQL                                                 \
    "SELECT user_id, job_id, match_score, fcm_token, push, email_due_at"     \
    " FROM match_candidates($1::uuid[])"

#define JS_NT_CURSOR  "js_nt_matches"

/*
 * The matching connection: the jobs, the first part of the match, then
 * the whole match into a cursor WITH HOLD (PostgreSQL keeps it, sorted,
 * past the statement: no transaction stays open), fetched a page at a
 * time, the next while the current one is inserted.  So memory holds
 * two pages at most, whatever the backlog.
 */
static void
js_nt_match_ask(js_nt_t *nt)
{
    int             rc = 0;
    char            limit[16], fetch[64];
    const char     *values[2];
    js_nt_match_t  *m = &nt->m;

    static const char  first[] = JS_NT_CANDIDATES_SQL " LIMIT $2";
    static const char  declare[] =
        "DECLARE " JS_NT_CURSOR " NO SCROLL CURSOR WITH HOLD FOR "
        JS_NT_CANDIDATES_SQL " ORDER BY job_id, user_id";

    values[0] = m->job_ids.data;
    snprintf(limit, sizeof(limit), "%d", JS_NT_PART_FIRST);
    values[1] = limit;
    snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM " JS_NT_CURSOR,
             JS_NT_PAGE);

    if (m->state == JS_NT_JOBS) {
        rc = js_pg_send(&nt->pgm, "push_jobs",
                        "SELECT * FROM push_jobs($1::uuid[])", 1, values,
                        JS_NT_PG_TIMEOUT, js_nt_jobs_found, nt);

    } else if (!m->asked) {
        rc = js_pg_send(&nt->pgm, "match_candidates", first, 2, values,
                        JS_NT_PG_TIMEOUT, js_nt_first_found, nt);
        m->asked = rc == 0;

    } else if (m->cands == NULL || m->whole) {
        return;

    } else if (m->cursor == JS_NT_CURSOR_NONE) {
        rc = js_pg_send(&nt->pgm, "match_candidates", declare, 1, values,
                        JS_NT_PG_TIMEOUT, js_nt_declared, nt);
        m->cursor = rc == 0 ? JS_NT_CURSOR_DECLARING : m->cursor;

    } else if (m->cursor == JS_NT_CURSOR_OPEN && m->ahead == NULL) {
        rc = js_pg_send(&nt->pgm, "fetch", fetch, 0, NULL,
                        JS_NT_PG_TIMEOUT, js_nt_page_fetched, nt);
    }

    if (rc != 0) {
        js_nt_match_failed(nt, "cannot send a query");
    }
}

/*
 * The matching connection's next query: a cursor left open (its match
 * fetched, or failed) is closed first, then the match goes on.
 */
static void
js_nt_match_next(js_nt_t *nt)
{
    if (nt->cursor_open && nt->m.cursor != JS_NT_CURSOR_OPEN) {
        if (js_pg_send(&nt->pgm, "close", "CLOSE " JS_NT_CURSOR, 0, NULL,
                       JS_NT_PG_TIMEOUT, js_nt_cursor_closed, nt) != 0)
        {
            js_pg_close(&nt->pgm);
            nt->cursor_open = 0;
        }
        return;
    }

    if (nt->m.state != JS_NT_IDLE && !nt->m.failed) {
        js_nt_match_ask(nt);
    }
}

/*
 * The inserting connection: the next chunk, one at a time, and only as
 * fast as pushes go out: about a second of sends waiting at most (a
 * message in 100 ms), for leases not to be spent waiting.  Once its
 * candidates are all inserted, the page fetched meanwhile takes their
 * place.
 */
static void
js_nt_insert_next(js_nt_t *nt)
{
    js_nt_match_t  *m = &nt->m;

    if (m->state != JS_NT_INSERT || m->failed || m->chunk != 0) {
        return;
    }

    if (m->next >= m->end && m->ahead != NULL) {
        PQclear(m->cands);
        m->cands = m->ahead;
        m->ahead = NULL;
        m->next = 0;
        m->end = PQntuples(m->cands);
    }

    if (m->cands != NULL && m->next < m->end
        && nt->nsendq < m->chunk_size
        && nt->nsendq < JS_NT_BACKLOG * nt->cf->fcm_max_in_flight
        && js_nt_insert_chunk(nt) != 0)
    {
        js_nt_match_failed(nt, "cannot send a query");
    }
}

/*
 * Outcomes to record now: whenever some wait and none is being
 * recorded.  Until recorded, an accepted push is sent again if this
 * notifier dies, and it keeps its place among the sends in flight
 * (js_nt_room()): the sooner recorded, the sooner the next goes.  The
 * outcomes that come during a statement go together in the next one.
 */
static int
js_nt_record_due(js_nt_t *nt)
{
    return nt->nout > 0 && !nt->recording;
}

/*
 * The other connection: outcomes first, but taking turns with the rest,
 * which a stream of answers would starve.
 */
static void
js_nt_work_next(js_nt_t *nt)
{
    int  record;

    record = js_nt_record_due(nt);
    if (record && (!nt->last_recorded || nt->nout >= JS_NT_RECORD_MAX)) {
        nt->last_recorded = 1;
        (void) js_nt_record(nt);
        return;
    }
    nt->last_recorded = 0;

    if (nt->ndone > 0 && js_nt_delete_tasks(nt) == 0) {
        return;
    }

    /*
     * No claim while outcomes wait to be recorded: once their lease is
     * over (a record held up by a lock), the claim would take this
     * notifier's own pushes back, and send again those FCM accepted.
     */
    if (!js_worker_exiting() && nt->fcm != NULL && !nt->claiming
        && js_msec() >= nt->claim_at && nt->nsendq == 0 && nt->nout == 0
        && js_fcm_room(nt->fcm) > 0)
    {
        if (js_fcm_token(nt->fcm) != 0) {
            /* No access token to send with: no claim before the retry. */
            nt->claim_at = js_fcm_retry_at(nt->fcm);

        } else if (js_nt_claim(nt) == 0) {
            return;
        }
    }

    if (!js_worker_exiting() && js_msec() >= nt->email_at) {
        if (js_nt_queue_emails(nt) == 0) {
            return;
        }
        nt->email_at = js_msec() + 1000;
    }

    if (record) {
        (void) js_nt_record(nt);
    }
}


/* --- the loop -------------------------------------------------------- */

static int
js_nt_busy(js_nt_t *nt)
{
    return nt->pgm.busy || nt->pg.busy || nt->pgw.busy
           || nt->m.state != JS_NT_IDLE
           || nt->nsendq > 0
           || nt->nout > 0 || nt->ndone > 0
           || (nt->fcm != NULL && js_fcm_busy(nt->fcm));
}

/* Waits up to timeout ms for PostgreSQL or FCM, then serves them. */
static void
js_nt_wait(js_nt_t *nt, int timeout)
{
    int                 i, n = 0, fd;
    short               events;
    js_pg_t            *pgs[3] = { &nt->pgm, &nt->pg, &nt->pgw };
    struct pollfd       pfd[3];
    struct curl_waitfd  extra[3];

    for (i = 0; i < 3; i++) {
        fd = js_pg_fd(pgs[i], &events);
        if (fd < 0) {
            continue;
        }
        pfd[n].fd = fd;
        pfd[n].events = events;
        extra[n].fd = fd;
        extra[n].events = ((events & POLLIN) ? CURL_WAIT_POLLIN : 0)
                          | ((events & POLLOUT) ? CURL_WAIT_POLLOUT : 0);
        extra[n].revents = 0;
        n++;
    }

    if (nt->fcm != NULL) {
        (void) js_fcm_wait(nt->fcm, n ? extra : NULL, n, timeout);
    } else if (n > 0) {
        (void) poll(pfd, n, timeout);
    } else {
        (void) js_worker_sleep(timeout);
    }

    for (i = 0; i < 3; i++) {
        js_pg_process(pgs[i]);
    }

    /* A token that came: the pushes it held up are claimed now. */
    if (nt->fcm != NULL && js_fcm_perform(nt->fcm, js_nt_pushed, nt)) {
        nt->claim_at = js_msec();
    }
}

/* ms until the next timed work, within 1..max */
static int
js_nt_until(js_nt_t *nt, int64_t now, int max)
{
    int64_t  next = now + max;

    if (nt->fcm != NULL && nt->claim_at < next) {
        next = nt->claim_at;
    }
    if (nt->email_at < next) {
        next = nt->email_at;
    }
    return next - now < 1 ? 1 : (int) (next - now);
}

static void
js_nt_loop(js_nt_t *nt)
{
    int      redis_ok, busy;
    int64_t  now;

    for ( ;; ) {
        js_worker_service();
        now = js_msec();

        if (js_worker_terminating()) {
            break;
        }

        /*
         * QUIT: the batch stops where it is, its tasks handed back;
         * pushes not sent yet go back to 'pending' for the next
         * notifier; the sends in flight are waited for JS_NT_QUIT_GRACE
         * ms, then released too; the outcomes are recorded, and the
         * notifier goes within JS_NT_QUIT_MAX ms, whatever is left
         * (then to the leases).
         */
        if (js_worker_exiting()) {
            if (nt->quit_at == 0) {
                nt->quit_at = now;
                js_nt_match_abandon(nt);
            }
            js_nt_release_sendq(nt);

            if (nt->fcm != NULL && js_fcm_busy(nt->fcm)
                && now - nt->quit_at >= JS_NT_QUIT_GRACE)
            {
                js_fcm_destroy(nt->fcm, js_nt_pushed, nt);
                nt->fcm = NULL;
            }

            if (!js_nt_busy(nt) || now - nt->quit_at >= JS_NT_QUIT_MAX) {
                break;
            }
        }

        redis_ok = js_queue_tick(&nt->q) == 0;
        busy = js_nt_busy(nt);

        if (redis_ok && nt->m.state == JS_NT_IDLE && !js_worker_exiting()
            && (!busy || now >= nt->take_at))
        {
            nt->take_at = now + JS_NT_POLL_QUEUE;
            js_nt_take(nt, busy ? 0 : js_nt_until(nt, now, 1000));
        }

        if (nt->m.failed && !nt->pgm.busy && !nt->pg.busy) {
            js_nt_match_reset(nt);
        }

        if ((nt->m.state != JS_NT_IDLE || nt->cursor_open)
            && !js_worker_exiting() && js_pg_ready(&nt->pgm))
        {
            js_nt_match_next(nt);
        }
        if (nt->m.state != JS_NT_IDLE && js_pg_ready(&nt->pg)) {
            js_nt_insert_next(nt);
        }

        if (js_pg_ready(&nt->pgw)) {
            js_nt_work_next(nt);
        }

        if (nt->fcm != NULL) {
            js_nt_send(nt);
        }

        js_nt_report(nt, 0);

        if (js_nt_busy(nt)) {
            js_nt_wait(nt, 20);

        } else if (!redis_ok) {
            /* No Redis: due pushes and e-mails still go out. */
            now = js_msec();
            js_nt_wait(nt, js_nt_until(nt, now,
                                       (int) (nt->q.retry_at - now > 0
                                              ? nt->q.retry_at - now : 1)));
        }
    }
}

/* TERM: what is queued goes back to 'pending', in flight too. */
static void
js_nt_abandon(js_nt_t *nt)
{
    js_nt_release_sendq(nt);

    if (nt->fcm != NULL) {
        js_fcm_destroy(nt->fcm, js_nt_pushed, nt);
        nt->fcm = NULL;
    }

    js_pg_close(&nt->pgm);
    js_pg_close(&nt->pg);
    if (nt->pgw.busy) {
        js_pg_close(&nt->pgw);
        nt->recording = 0;
    }

    /* One last try, briefly: else the leases bring them back. */
    if (nt->nout > 0 && js_pg_ready(&nt->pgw)
        && js_nt_record(nt) == 0)
    {
        while (nt->pgw.busy) {
            js_nt_wait(nt, 100);
        }
    }
}

int
js_notifier_run(js_worker_t *w)
{
    int                 i, rc = 0;
    char                err[512];
    js_nt_t             nt;
    js_queue_policy_t   policy;
    const js_conf_t    *cf = w->conf;

    memset(&nt, 0, sizeof(nt));
    nt.w = w;
    nt.cf = cf;
    snprintf(nt.lease, sizeof(nt.lease), "%d milliseconds",
             cf->push_claim_timeout);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        js_log(JS_LOG_ALERT, "cannot initialize libcurl");
        return 1;
    }

    if (cf->fcm_service_account == NULL) {
        js_log(JS_LOG_WARN, "push disabled: no fcm_service_account; "
               "alerts are matched and e-mailed, their pushes wait");
    } else {
        nt.fcm = js_fcm_create(cf, err, sizeof(err));
        if (nt.fcm == NULL) {
            js_log(JS_LOG_ALERT, "push disabled: cannot use the service "
                   "account", JS_KS("err", err));
        } else {
            /* Its request now: the first job's pushes need not wait. */
            (void) js_fcm_token(nt.fcm);
        }
    }

    policy.max_attempts = JS_NT_MATCH_ATTEMPTS;
    policy.backoff_min = JS_NT_MATCH_BACKOFF_MIN;
    policy.backoff_max = JS_NT_MATCH_BACKOFF_MAX;

    js_queue_init(&nt.q, cf, JOBSCOUT_QUEUE_MATCH, w->role, &policy);
    js_pg_init(&nt.pgm, cf->postgres);
    js_pg_init(&nt.pg, cf->postgres);
    js_pg_init(&nt.pgw, cf->postgres);

    js_log(JS_LOG_INFO, "notifier started", JS_KS("queue", nt.q.queue),
           JS_KS("consumer", nt.q.consumer),
           JS_KS("push", nt.fcm != NULL ? cf->fcm_base_url : "disabled"),
           JS_KI("max_in_flight", cf->fcm_max_in_flight),
           JS_KI("lease_ms", cf->push_claim_timeout));

    nt.report_at = js_msec() + JS_NT_REPORT_EVERY;

    js_nt_loop(&nt);

    if (js_worker_terminating()) {
        js_nt_abandon(&nt);
    }

    js_nt_report(&nt, 1);

    /* An unfinished batch: its tasks go back on the queue. */
    js_nt_match_reset(&nt);
    js_queue_close(&nt.q);

    js_nt_release_sendq(&nt);
    js_fcm_destroy(nt.fcm, NULL, NULL);
    js_pg_close(&nt.pgm);
    js_pg_close(&nt.pg);
    js_pg_close(&nt.pgw);

    for (i = 0; i < nt.nout; i++) {
        js_nt_outcome_free(&nt.out[i]);
    }
    if (nt.nout > 0) {
        js_log(JS_LOG_WARN, "push outcomes not recorded, left to the "
               "leases", JS_KI("outcomes", nt.nout));
    }
    free(nt.out);
    free(nt.latency);
    js_pg_array_free(&nt.done);

    js_log(JS_LOG_INFO, "notifier stopped",
           JS_KS("reason", js_worker_terminating() ? "terminate" : "quit"));

    curl_global_cleanup();
    return rc;
}
