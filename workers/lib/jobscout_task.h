/*
 * Job Scout tasks on Redis: the one header that jobscoutd and the nginx
 * module both include to enqueue.  Macros only: nginx's build compiles
 * the module with nothing else of workers/.
 *
 * A task is a JSON object, compact, UTF-8:
 *
 *   {"id": "<32 hex>", "kind": "<kind>", "args": {...}, "attempt": 0,
 *    "enqueued_at": <unix ms>}
 *
 *   id           16 random bytes in lower-case hex; also the Message-ID
 *                of a mail, so a receiver can drop a repeated delivery
 *   kind         one of the JOBSCOUT_TASK_* names below
 *   args         the kind's arguments (below)
 *   attempt      failed attempts so far: producers write 0
 *   enqueued_at  when the producer queued it, Unix time in ms
 *
 * jobscoutd adds two fields when a task fails, which producers never
 * write and consumers ignore:
 *
 *   queue        the queue it came from, so it can go back there
 *   error        the last error, for whoever reads the dead letters
 *   failed_at    (dead letters only) Unix time in ms
 *
 * Life of a task (delivery is at-least-once: handlers are idempotent):
 *
 *   producer   LPUSH JOBSCOUT_QUEUE_<name> <task>
 *   consumer   BLMOVE <queue> JOBSCOUT_PROCESSING_PREFIX<consumer>
 *                  RIGHT LEFT 1               (first in, first out)
 *              ... work, then commit what it writes ...
 *              LREM <processing> 1 <task>     (acknowledge)
 *   failure    the task, attempt + 1, goes to JOBSCOUT_DELAYED with
 *              score = due time in Unix ms (exponential backoff with
 *              jitter), or after the configured number of attempts to
 *              JOBSCOUT_DEAD (LPUSH), in one script with the LREM
 *   promoter   moves due tasks of JOBSCOUT_DELAYED back onto their queue
 *   consumer   registers in the hash JOBSCOUT_CONSUMERS (field
 *              <consumer> = its queue) and keeps the key
 *              JOBSCOUT_HEARTBEAT_PREFIX<consumer> alive with a TTL
 *   reaper     puts the processing list of a consumer whose heartbeat
 *              expired back onto its queue, then forgets the consumer
 *
 * <consumer> is "<hostname>:<pid>", the heartbeat convention of
 * jobscoutd's heartbeat role.
 *
 * The tasks no Redis loss may take (mails) are not LPUSHed by their
 * producer: it writes them to PostgreSQL's task_outbox in the transaction
 * of the change (sql/migrations/0014), and jobscoutd's relay role LPUSHes
 * them, again when the row outlives its lease or when
 * JOBSCOUT_OUTBOX_MARKER is gone (Redis lost its data).  Their consumer
 * deletes the row with its commit, and drops repeats by task id.
 */

/* Set by the relay; gone when Redis lost everything it held. */
#define JOBSCOUT_OUTBOX_MARKER              "jobscout:outbox:marker"

/*
 * What the relay registers as in JOBSCOUT_CONSUMERS: a queue nobody
 * pushes to, in the queue prefix that reapers require.
 */
#define JOBSCOUT_OUTBOX                     "jobscout:queue:outbox"

#ifndef JOBSCOUT_TASK_H
#define JOBSCOUT_TASK_H

#define JOBSCOUT_QUEUE_PREFIX               "jobscout:queue:"
#define JOBSCOUT_QUEUE_MAIL                 "jobscout:queue:mail"

/* + "<consumer>": the tasks a consumer has taken and not yet acked. */
#define JOBSCOUT_PROCESSING_PREFIX          "jobscout:processing:"

/* Sorted set of tasks waiting for a retry; score = due time, Unix ms. */
#define JOBSCOUT_DELAYED                    "jobscout:delayed"

/* List of tasks that failed for good, newest first, with "error". */
#define JOBSCOUT_DEAD                       "jobscout:dead"

/* Hash: consumer id -> the queue it consumes. */
#define JOBSCOUT_CONSUMERS                  "jobscout:consumers"

/* + "<hostname>:<pid>": a JSON value with a TTL, per live process. */
#define JOBSCOUT_HEARTBEAT_PREFIX           "jobscoutd:heartbeat:"

/*
 * Mail tasks, on JOBSCOUT_QUEUE_MAIL.  args:
 *
 *   {"to": "<e-mail>", "name": "<full name>", "token": "<raw token>"}
 *
 * The token is URL-safe ([A-Za-z0-9_-], the module sends 64 hex): the
 * mailer puts it as is in {public_base_url}/verify-email?token=... or
 * {public_base_url}/reset-password?token=..., and refuses any other.
 */
#define JOBSCOUT_TASK_MAIL_VERIFY_EMAIL     "mail.verify_email"
#define JOBSCOUT_TASK_MAIL_RESET_PASSWORD   "mail.reset_password"

/*
 * Written by the module to the task outbox, for JOBSCOUT_QUEUE_MAIL, when
 * failed logins for an account use up its budget (jobscout_login_throttle).
 * args:
 *
 *   {"to": "<e-mail>", "name": "<full name>", "token": null}
 *
 * No token (null or absent): the mail links to
 * {public_base_url}/forgot-password.
 */
#define JOBSCOUT_TASK_MAIL_LOGIN_THROTTLED  "mail.login_throttled"

/*
 * Job mails, queued by the notifier role on JOBSCOUT_QUEUE_MAIL: the
 * jobs of one match at once (job_alert), or an hour's or a day's in one
 * digest (job_digest), as the user's preferences.notifications say.
 * args:
 *
 *   {"to": "<e-mail>", "name": "<full name>",
 *    "period": "instant" | "hourly" | "daily",
 *    "jobs": [{"job_id": "<uuid>", "title": "...", "company": "...",
 *              "location": "...", "location_type": "...",
 *              "match_score": 0..100}, ...],      best first, 1 to 50
 *    "more": <matched jobs not listed>}
 *
 * The task id is derived from the alerts the mail reports, so a mail
 * queued twice keeps its Message-ID.  Links go to
 * {public_base_url}/jobs/<job_id>.
 */
#define JOBSCOUT_TASK_MAIL_JOB_ALERT        "mail.job_alert"
#define JOBSCOUT_TASK_MAIL_JOB_DIGEST       "mail.job_digest"

/*
 * Scrape tasks, queued by the scheduler on the queue of the source's
 * priority, and by the module on scrape:high for a run an admin or a
 * webhook asked for; consumed by the scraper role.  args:
 *
 *   {"source_id": "<uuid>",
 *    "trigger": "manual" | "webhook"}    scrape_logs.trigger; absent:
 *                                        "schedule"
 */
#define JOBSCOUT_QUEUE_SCRAPE_HIGH          "jobscout:queue:scrape:high"
#define JOBSCOUT_QUEUE_SCRAPE_NORMAL        "jobscout:queue:scrape:normal"
#define JOBSCOUT_TASK_SCRAPE_SOURCE         "scrape.source"

/*
 * Dry runs ("test a source before saving it"), queued by the module and
 * taken by the scraper role before any other scrape task.  A dry run
 * fetches as a run does (robots.txt, the per-host delay, the same
 * User-Agent and timeouts; no ETag), parses up to max_pages pages and
 * stores nothing.  args:
 *
 *   {"source": {"id": "<uuid>" | null, "company_name": "...",
 *               "company_slug": "...", "scraper_class": "...",
 *               "source_url": "...", "config": {...}},
 *    "reply": JOBSCOUT_SCRAPE_TEST_REPLY_PREFIX "<task id>",
 *    "deadline": <Unix ms>,        past it, the task is dropped unrun
 *    "max_pages": 1..5}            default 1
 *
 * The answer, LPUSHed on "reply" (then EXPIREd in
 * JOBSCOUT_SCRAPE_TEST_REPLY_TTL seconds):
 *
 *   {"ok": true | false, "error": null | "...", "duration_ms": N,
 *    "pages": [{"url": "...", "status": 200 | null, "bytes": N,
 *               "duration_ms": N, "error": null | "..."}],
 *    "jobs": [{"external_id", "title", "company", "location",
 *              "location_type", "employment_type", "apply_url",
 *              "description", "salary_min", "salary_max",
 *              "salary_currency", "salary_period",
 *              "posted_at": ISO 8601 | null, "skills": [...]}],
 *    "warnings": ["no jobs parsed", "robots.txt forbids <url>",
 *                 "config.<key>: <reason>", ...]}
 *
 * "jobs" lists the first JOBSCOUT_SCRAPE_TEST_JOBS_MAX jobs (a warning
 * says how many there were).
 */
#define JOBSCOUT_QUEUE_SCRAPE_TEST          "jobscout:queue:scrape:test"
#define JOBSCOUT_TASK_SCRAPE_TEST           "scrape.test"
#define JOBSCOUT_SCRAPE_TEST_REPLY_PREFIX   "jobscout:scrape:test:reply:"
#define JOBSCOUT_SCRAPE_TEST_REPLY_TTL      120
#define JOBSCOUT_SCRAPE_TEST_MAX_PAGES      5
#define JOBSCOUT_SCRAPE_TEST_JOBS_MAX       100

/*
 * + "<source uuid>": set (NX, for JOBSCOUT_SCRAPE_PENDING_TTL seconds) by
 * whoever queues a run of the source (the scheduler; the module, for runs
 * on demand and by webhook), deleted by the scraper once the run is
 * stored: a source is never queued twice, nor while it is being scraped.
 * The TTL bounds how long a lost task (all of Redis restarted empty) can
 * hold a source back.  The scheduler spreads its tasks by putting them in
 * JOBSCOUT_DELAYED (with "queue") for a random jitter.
 */
#define JOBSCOUT_SCRAPE_PENDING_PREFIX      "jobscout:scrape:pending:"
#define JOBSCOUT_SCRAPE_PENDING_TTL         "3600"

/*
 * Match tasks: the scraper queues one after the commit of a run that
 * stored new (non-duplicate) jobs; the notifier role matches them to
 * users and notifies.  args:
 *
 *   {"job_ids": ["<uuid>", ...]}
 */
#define JOBSCOUT_QUEUE_MATCH                "jobscout:queue:match"
#define JOBSCOUT_TASK_MATCH_JOBS            "match.jobs"

/*
 * CV tasks, written by the module and by triggers to the task outbox
 * (sql/migrations/0018) and relayed to JOBSCOUT_QUEUE_CV; consumed by
 * the cv role.  args:
 *
 *   cv.process  {"cv_id": "<uuid>", "file_path": "<user>/<sha256>"}
 *   cv.delete   {"file_path": "<user>/<sha256>"}
 */
#define JOBSCOUT_QUEUE_CV                   "jobscout:queue:cv"
#define JOBSCOUT_TASK_CV_PROCESS            "cv.process"
#define JOBSCOUT_TASK_CV_DELETE             "cv.delete"

#endif /* JOBSCOUT_TASK_H */
