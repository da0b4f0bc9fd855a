/*
 * The notifier's pushes: the send queue, FCM's answers, their record
 * (record_pushes()) and the claims of due pushes (claim_pushes()).
 * See notifier.c.
 */

#include "metrics.h"
#include "notifier.h"

static uint32_t
js_nt_random(void)
{
    uint32_t  r;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
        r = (uint32_t) getpid() * 2654435761u ^ (uint32_t) js_msec();
    }
    return r;
}

/* --- pushes ---------------------------------------------------------- */

/* The row of the pushes of one result (insert_alerts(), claim_pushes()). */
js_nt_row_t *
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
void
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
void
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

    js_metrics_push(status, js_wall_msec() - p->discovered_ms);
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
    o->since = js_msec();

    js_nt_push_free(p, o);
}

void
js_nt_outcome_free(js_nt_outcome_t *o)
{
    free(o->error);
    free(o->token);
}

/* FCM answered one message (or gave up on it). */
void
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
            nt->latency[nt->nlatency++] = js_wall_msec() - p->discovered_ms;
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
void
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
void
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
void
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
    int       i, settle = 0;
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
        settle |= strcmp(nt->out[i].status, "accepted") == 0;
        js_nt_outcome_free(&nt->out[i]);
    }

    /* Acceptances are receipts until folded (js_nt_settle()). */
    nt->unsettled |= settle;
    memmove(nt->out, nt->out + nt->recording,
            (nt->nout - nt->recording) * sizeof(js_nt_outcome_t));
    nt->nout -= nt->recording;
    nt->recording = 0;
}

int
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
        values[i] = a[i].p;
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
js_nt_settled(void *ctx, PGresult *res, const char *err)
{
    (void) ctx;

    if (res == NULL) {
        /* Left to the next claim, which folds them first. */
        js_log(JS_LOG_WARN, "push receipts not folded",
               JS_KS("err", err));
        return;
    }
    PQclear(res);
}

/*
 * The receipts of accepted pushes (0024) folded into their alerts, once
 * the notifier has nothing else to do: a burst's pushes go first, and
 * their alerts read 'accepted' right after.  A claim folds them too.
 */
int
js_nt_settle(js_nt_t *nt)
{
    if (js_pg_send(&nt->pgw, "settle_push_receipts",
                   "SELECT settle_push_receipts()", 0, NULL,
                   JS_NT_PG_TIMEOUT, js_nt_settled, nt) != 0)
    {
        return -1;
    }

    nt->unsettled = 0;
    return 0;
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

int
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
    nt->unsettled = 0;
    return 0;
}


