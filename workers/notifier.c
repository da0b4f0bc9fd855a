/*
 * The notifier role: a new job on the user's phone in under a second.
 *
 * The scraper queues {"job_ids": [...]} on JOBSCOUT_QUEUE_MATCH (through
 * the task outbox and the relay role) after committing new jobs.  The
 * notifier takes such tasks, several at once, and:
 *
 *   1. matches each job in memory (matcher.h): the notifier keeps every
 *      reachable user's matching profile, read from PostgreSQL
 *      (match_profiles) at start and read again as PostgreSQL notifies
 *      changes, and asks PostgreSQL only for what depends on the job,
 *      once per job (match_job_facts()); a job's users come sorted by
 *      id, the order of the alerts' unique key, which each chunk then
 *      writes in a few pages, and memory holds one job's at a time;
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

#include "notifier.h"

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

    values[0] = nt->done.p;

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


/*
 * Outcomes to record now: some wait, none is being recorded, and either
 * no more answers are on their way, or a third of fcm_max_in_flight
 * wait, or the first has waited JS_NT_RECORD_WAIT ms.  Until recorded,
 * an accepted push is sent again if this notifier dies, and it keeps its
 * place among the sends in flight (js_nt_room()): the sooner recorded,
 * the sooner the next goes.  But a statement costs PostgreSQL some
 * 150 µs whatever it holds, and an outcome 1.5 µs: recorded as soon as
 * the connection was free, a burst's statements held 50, 4.5 µs each.
 */
static int
js_nt_record_due(js_nt_t *nt)
{
    return nt->nout > 0 && !nt->recording
           && (nt->fcm == NULL || !js_fcm_busy(nt->fcm)
               || nt->nout * 3 >= nt->cf->fcm_max_in_flight
               || js_msec() - nt->out[0].since >= JS_NT_RECORD_WAIT
               || js_worker_exiting());
}

/*
 * ms to wait for events: 20, or less when outcomes wait that the idle
 * connection is to take at JS_NT_RECORD_WAIT (a busy one wakes us once
 * done, a lost one is retried at its own pace).
 */
static int
js_nt_wait_ms(js_nt_t *nt)
{
    int64_t  left;

    if (nt->nout == 0 || nt->recording || nt->pgw.busy
        || nt->pgw.conn == NULL)
    {
        return 20;
    }
    left = nt->out[0].since + JS_NT_RECORD_WAIT - js_msec();
    return left < 1 ? 1 : left > 20 ? 20 : (int) left;
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

    if (nt->unsettled && nt->nout == 0 && nt->nsendq == 0
        && nt->m.state == JS_NT_IDLE && js_nt_settle(nt) == 0)
    {
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

            if ((!js_nt_busy(nt) && !nt->unsettled)
                || now - nt->quit_at >= JS_NT_QUIT_MAX)
            {
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

        if ((nt->m.state != JS_NT_IDLE || js_nt_profiles_due(nt))
            && !js_worker_exiting() && js_pg_ready(&nt->pgm))
        {
            js_nt_match_next(nt);
        } else if (nt->m.state == JS_NT_IDLE && !nt->pgm.busy) {
            js_nt_profiles_notified(nt);
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
            js_nt_wait(nt, js_nt_wait_ms(nt));

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

    nt.mt = js_matcher_create();
    if (nt.mt == NULL) {
        js_log(JS_LOG_ALERT, "cannot create the matcher: out of memory");
        curl_global_cleanup();
        return 1;
    }

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
    js_pg_array_free(&nt.changed);
    js_pg_array_free(&nt.asked);
    js_matcher_destroy(nt.mt);

    js_log(JS_LOG_INFO, "notifier stopped",
           JS_KS("reason", js_worker_terminating() ? "terminate" : "quit"));

    curl_global_cleanup();
    return rc;
}
