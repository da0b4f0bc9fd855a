/*
 * The notifier role (notifier.c), in three parts that share its state:
 * notifier.c, the loop, the e-mails and the turns of the connection
 * for outcomes; notifier_match.c, matching and inserting alerts;
 * notifier_push.c, sending pushes, recording their outcomes, claiming
 * due ones.
 */

#ifndef JS_NOTIFIER_H
#define JS_NOTIFIER_H

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
#include "matcher.h"
#include "pg.h"
#include "queue.h"
#include "roles.h"
#include "util.h"

#define JS_NT_TASKS_MAX      32      /* match tasks merged in one batch */
#define JS_NT_JOBS_MAX       1000    /* ... until they hold this many jobs */
#define JS_NT_CHUNK_FIRST    250     /* alerts inserted per transaction, */
#define JS_NT_CHUNK_MAX      2000    /* ... doubling from the first */
#define JS_NT_CHANGED_MAX    10000   /* users changed: past this many, all
                                      * are read again */
#define JS_NT_BACKLOG        10      /* x fcm_max_in_flight: pushes queued
                                      * to send, before the next chunk */
#define JS_NT_RECORD_MAX     1000    /* outcomes recorded per statement */
#define JS_NT_RECORD_WAIT    2       /* ms an outcome may wait for more */
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
    int64_t         since;          /* js_msec() when it came */
} js_nt_outcome_t;

enum {
    JS_NT_IDLE = 0,
    JS_NT_JOBS,           /* push_jobs() to ask */
    JS_NT_FACTS,          /* match_job_facts() to ask */
    JS_NT_INSERT          /* jobs to match, chunks to insert */
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
    PGresult        *facts;         /* match_job_facts(): one row a job */
    int              fact;          /* the next row to match */
    js_match_job_t  *job;           /* the job whose alerts are inserted */
    int              job_row;       /* its push_jobs() row, or -1 */
    js_match_hit_t  *hits;          /* its users, by id */
    int              nhits;
    int              matches;       /* users matched, all jobs */
    int              failed;        /* tasks failed, results dropped */
    int              abandoned;     /* QUIT: tasks handed back unacked */
    int              next;          /* first hit not inserted */
    int              chunk;         /* hits in the chunk in flight */
    int              chunk_size;    /* of the next chunk */
    int              alerts;
    int              pushes;
    int              emails;
    int64_t          started;
    int64_t          matched_in;    /* ms matching (the matcher's part) */
    int64_t          first_in;      /* ms until the first chunk's alerts */
} js_nt_match_t;

typedef struct {
    js_worker_t        *w;
    const js_conf_t    *cf;
    js_queue_t          q;
    js_pg_t             pgm;         /* matching: the jobs, the profiles */
    js_pg_t             pg;          /* inserting */
    js_pg_t             pgw;         /* outcomes, claims, e-mails */
    js_fcm_t           *fcm;         /* NULL: push disabled */
    char                lease[32];

    js_matcher_t       *mt;
    unsigned            listening;   /* pgm.connects LISTENed on, loaded */
    int                 reload;      /* every profile to read again */
    unsigned            reload_epoch;    /* ... from the first: a page
                                          * asked before is dropped */
    unsigned            page_epoch;
    int64_t             reload_started;
    char                after[40];   /* ... those after this id next */
    js_pg_array_t       changed;     /* users notified, to read again */
    int                 nchanged;
    js_pg_array_t       asked;       /* ... being read */
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
    int                 unsettled;   /* receipts written, not folded */

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

/* notifier_push.c */
int js_nt_claim(js_nt_t *nt);
void js_nt_outcome_free(js_nt_outcome_t *o);
void js_nt_push_add(js_nt_t *nt, js_nt_row_t *row, const char *alert_id,
    const char *token, int attempts, const char *rest,
    int64_t discovered_ms);
void js_nt_pushed(void *ctx, void *data, const js_fcm_result_t *r);
int js_nt_record(js_nt_t *nt);
void js_nt_release_sendq(js_nt_t *nt);
void js_nt_report(js_nt_t *nt, int final);
js_nt_row_t *js_nt_row(const char *id);
void js_nt_row_added(js_nt_row_t *row);
void js_nt_send(js_nt_t *nt);
int js_nt_settle(js_nt_t *nt);

/* notifier_match.c */
void js_nt_insert_next(js_nt_t *nt);
void js_nt_match_abandon(js_nt_t *nt);
void js_nt_match_next(js_nt_t *nt);
int js_nt_profiles_due(js_nt_t *nt);
void js_nt_profiles_notified(js_nt_t *nt);
void js_nt_match_reset(js_nt_t *nt);
void js_nt_take(js_nt_t *nt, int block);

#endif /* JS_NOTIFIER_H */
