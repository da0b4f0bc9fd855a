-- 0008_push_queue.sql — the notifier's hot path, made cheaper per alert:
-- a new job matching 10,000 users means 10,000 alerts inserted and 10,000
-- push outcomes recorded within a second (issue: p95 < 1 s from the
-- job's commit to FCM's answer).
--
--   * The queue of pushes to send moves off user_job_alerts into
--     push_queue.  Until now every pending or sending push was in a
--     partial index of user_job_alerts (idx_alerts_push_due), so the
--     update recording its outcome took it out of that index and could
--     not be a HOT update: each outcome wrote a new entry in every index
--     of the table.  Now no index of user_job_alerts covers a push column,
--     and with room left on each page (fillfactor) an outcome is a HOT
--     update of the row alone.
--   * Two indexes fewer for every alert inserted: the unread count is
--     answered by the (user_id, job_id) key, which now carries is_read,
--     and only logged applications (logged_job_id set) enter the index of
--     their key.
--   * The references of an alert to its user and its job are checked
--     once per statement, on the set of new alerts, instead of by two
--     foreign key triggers per alert: the foreign keys were half the cost
--     of inserting an alert.
--   * Matching and scoring are one pass (match_candidates()): the index
--     scan that finds the users scores them from the rows it reads, with
--     what depends on the job alone computed once per job; 0007 read each
--     matched user a second time, by its key, to score it per chunk.
--
-- The functions that write run their statement with EXECUTE: planned on
-- every call, for the sizes of the call's arrays and of the tables then.
-- A plan cached for the session would be the one made for its first
-- calls, when the tables may have been nearly empty (a new database, a
-- deploy): a sequential scan of user_job_alerts per push once it holds
-- millions of rows.  (Not plan_cache_mode = force_custom_plan on the
-- function: that would replan each foreign key check, per row.)
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

------------------------------------------------------------------------------
-- push_queue: where to look for pushes to send
--
-- A push's state stays on its alert (push_status, push_due_at, the
-- truth); a queue row only lists alerts to look at from due_at on:
--
--   * the alerts of one insert_alerts() call, due at once ('pending') or
--     at the end of the inserting notifier's lease ('sending');
--   * the pushes one claim_pushes() call took, due when its lease ends;
--   * a push to retry (record_pushes()), due when the retry is.
--
-- Invariant: every alert whose push is pending or sending is listed by a
-- row due no later than its push_due_at.  So a notifier that dies leaves
-- rows that come due when its leases end, and any notifier claims them;
-- a claim takes the rows it looked at out of the queue, so a row is only
-- ever one notifier's; the notifier that took a row deletes it once each
-- of its pushes has an outcome (record_pushes(done)).  An alert a row
-- lists but whose push is not due (a retry later, or already answered) is
-- left alone: another row lists it, or it needs none.
------------------------------------------------------------------------------

CREATE TABLE push_queue (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    due_at     timestamptz NOT NULL,
    alert_ids  uuid[]      NOT NULL CHECK (cardinality(alert_ids) > 0)
);

CREATE INDEX idx_push_queue_due ON push_queue (due_at);

INSERT INTO push_queue (due_at, alert_ids)
SELECT push_due_at, ARRAY[id]
  FROM user_job_alerts
 WHERE push_status IN ('pending', 'sending');

DROP INDEX idx_alerts_push_due;

-- Room on each page for the row versions of the outcomes: an alert gets
-- one (or a few) updates after its insert, and a HOT update needs the new
-- version on the old one's page.  Pages written from now on.
ALTER TABLE user_job_alerts SET (fillfactor = 40);

ALTER TABLE user_job_alerts DROP CONSTRAINT user_job_alerts_user_job_key;
CREATE UNIQUE INDEX user_job_alerts_user_job_key
    ON user_job_alerts (user_id, job_id) INCLUDE (is_read);
ALTER TABLE user_job_alerts
    ADD CONSTRAINT user_job_alerts_user_job_key
        UNIQUE USING INDEX user_job_alerts_user_job_key;
DROP INDEX idx_alerts_user_unread;

ALTER TABLE user_job_alerts DROP CONSTRAINT user_job_alerts_logged_job_key;
CREATE UNIQUE INDEX user_job_alerts_logged_job_key
    ON user_job_alerts (logged_job_id) WHERE logged_job_id IS NOT NULL;

------------------------------------------------------------------------------
-- user_job_alerts.user_id and .job_id: 0001's foreign keys, per statement
--
-- The same rules as the foreign keys (ON DELETE CASCADE), enforced on sets:
--
--   * inserted alerts must name existing users and jobs (job_id may be
--     NULL: a logged application), else foreign_key_violation, with the
--     name of the foreign key it replaces;
--   * an alert keeps its user and its job, and users and jobs keep their
--     ids;
--   * deleting (or truncating) users or jobs deletes their alerts, in one
--     statement.
--
-- A foreign key also locks each row it checks (FOR KEY SHARE) until the
-- inserting transaction ends, so that the row cannot be deleted under
-- it.  Here a statement deleting users or jobs first takes a SHARE ROW
-- EXCLUSIVE lock on user_job_alerts, which waits for the transactions
-- writing alerts and makes new ones wait: either an alert committed
-- before the deletion, and the deletion's cascade sees it and deletes
-- it, or the insert's check runs once the deletion committed (a new
-- snapshot: the writers of alerts run at READ COMMITTED) and refuses it.
-- Users are deleted by the hourly purge, jobs by hand: the lock is rare
-- and short.
------------------------------------------------------------------------------

ALTER TABLE user_job_alerts
    DROP CONSTRAINT user_job_alerts_user_id_fkey,
    DROP CONSTRAINT user_job_alerts_job_id_fkey;

CREATE FUNCTION user_job_alerts_check_refs() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    col      text;
    missing  uuid;
    fkey     text;
BEGIN
    -- planned for each statement's rows (EXECUTE), as a set
    EXECUTE $q$
        SELECT 'user_id', n.user_id
          FROM new_alerts n
         WHERE NOT EXISTS (SELECT FROM users u WHERE u.id = n.user_id)
        UNION ALL
        SELECT 'job_id', n.job_id
          FROM new_alerts n
         WHERE n.job_id IS NOT NULL
           AND NOT EXISTS (SELECT FROM jobs j WHERE j.id = n.job_id)
         LIMIT 1
    $q$ INTO col, missing;

    IF col IS NOT NULL THEN
        fkey := 'user_job_alerts_' || col || '_fkey';
        RAISE foreign_key_violation USING
            MESSAGE = format('insert or update on table "user_job_alerts" '
                             'violates foreign key constraint "%s"', fkey),
            DETAIL = format('Key (%s)=(%s) is not present.', col, missing),
            CONSTRAINT = fkey, TABLE = 'user_job_alerts';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_job_alerts_check_refs
    AFTER INSERT ON user_job_alerts
    REFERENCING NEW TABLE AS new_alerts
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_check_refs();

CREATE FUNCTION refuse_reference_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE foreign_key_violation USING
        MESSAGE = format('%s of table "%s" are referenced: they do not change',
                         TG_ARGV[0], TG_TABLE_NAME),
        TABLE = TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER user_job_alerts_keep_refs
    BEFORE UPDATE OF user_id, job_id ON user_job_alerts
    FOR EACH ROW
    WHEN (NEW.user_id IS DISTINCT FROM OLD.user_id
          OR NEW.job_id IS DISTINCT FROM OLD.job_id)
    EXECUTE FUNCTION refuse_reference_change('user_id and job_id');
CREATE TRIGGER users_keep_id
    BEFORE UPDATE OF id ON users
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION refuse_reference_change('ids');
CREATE TRIGGER jobs_keep_id
    BEFORE UPDATE OF id ON jobs
    FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
    EXECUTE FUNCTION refuse_reference_change('ids');

CREATE FUNCTION user_job_alerts_lock() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    LOCK TABLE user_job_alerts IN SHARE ROW EXCLUSIVE MODE;
    RETURN NULL;
END;
$$;

-- TG_ARGV[0]: the column of user_job_alerts that references the table.
CREATE FUNCTION user_job_alerts_cascade() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE user_job_alerts CASCADE;
    ELSE
        EXECUTE format('DELETE FROM user_job_alerts a USING gone g'
                       ' WHERE a.%I = g.id', TG_ARGV[0]);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_alerts_lock
    BEFORE DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_lock();
CREATE TRIGGER users_alerts_delete
    AFTER DELETE ON users
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_cascade('user_id');
CREATE TRIGGER users_alerts_truncate
    AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_cascade('user_id');
CREATE TRIGGER jobs_alerts_lock
    BEFORE DELETE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_lock();
CREATE TRIGGER jobs_alerts_delete
    AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_cascade('job_id');
CREATE TRIGGER jobs_alerts_truncate
    AFTER TRUNCATE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION user_job_alerts_cascade('job_id');

------------------------------------------------------------------------------
-- Matching and scoring in one pass: match_candidates(job_ids, lo, hi)
--
-- 0007 matched (match_users(): the GIN index scan, the users' rows), then
-- read each matched user again by its key, chunk by chunk, to score it
-- (match_scores(), called by insert_alerts()).  Now the scan that finds
-- the users scores them too, from the rows it has just read, and
-- insert_alerts() inserts what it is given.  The score is 0007's, to the
-- same figures, with what depends on the job alone computed once per job:
--
--   fits   for each of the title's role keys (match_title_keys()): its
--          similarity() to the title, and its words as a bit mask over
--          the title's terms (its distinct words among the first 40,
--          where role keys are: at most 40 bits)
--
-- so that a user's found keywords are a few lookups in the job's fits:
-- the best similarity, and the title words they cover, OR-ing masks.
--
-- match_candidates(job_ids, lo, hi) returns the users to alert, among
-- those with lo <= id < hi (NULL: no bound; ids are random UUIDs, so a
-- range of them is that share of the users): matched, reachable now
-- (push: a device token and push on; e-mail: a verified address and
-- e-mail on), and whose min_score the score reaches.  Read-only.  Every
-- join is driven by the jobs (few): the index scan of users per job,
-- then per user lookups, whatever the planner expects of the counts.
------------------------------------------------------------------------------

-- The bits, among a title's terms, of a keyword's words.
CREATE FUNCTION match_key_mask(terms text[], keyword text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT bit_or(1::bigint << (array_position(terms, w) - 1))
      FROM unnest(string_to_array(keyword, ' ')) w
$$;

CREATE FUNCTION match_candidates(job_ids uuid[], lo uuid DEFAULT NULL,
                                 hi uuid DEFAULT NULL)
    RETURNS TABLE (user_id uuid, job_id uuid, match_score smallint,
                   fcm_token text, push boolean, email_due_at timestamptz)
    LANGUAGE sql STABLE AS
$$
    WITH job AS MATERIALIZED (
        SELECT j.*,
               (SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(
                           similarity(k, j.title_words),
                           match_key_mask(j.terms, k))), '{}')
                  FROM unnest(j.role_keys) k
                 WHERE k <> '') AS fits
          FROM (SELECT j.id, ARRAY[c.slug, ''] AS company_keys,
                       match_title_keys(j.title) AS role_keys,
                       match_job_location_keys(j.location, j.location_type)
                           AS location_keys,
                       match_words(j.title) AS title_words,
                       ARRAY(SELECT DISTINCT w
                               FROM unnest((string_to_array(nullif(
                                        match_words(j.title), ''),
                                        ' '))[1:40]) w) AS terms,
                       (SELECT count(DISTINCT w)
                          FROM unnest(string_to_array(
                                   nullif(match_words(j.title), ''), ' ')) w)
                           AS title_terms,
                       ARRAY(SELECT DISTINCT lower(s.skill_name)
                               FROM job_skills s WHERE s.job_id = j.id)
                           AS skills,
                       j.location_type = 'remote' AS remote
                  FROM jobs j
                  JOIN companies c ON c.id = j.company_id
                 WHERE j.id = ANY (job_ids) AND j.is_active) j
    ),
    pair AS (
        SELECT u.id AS user_id, job.id AS job_id, u.fcm_token,
               u.fcm_token IS NOT NULL
                   AND match_pref_flag(u.preferences, 'push', true) AS push,
               u.email_verified
                   AND match_pref_flag(u.preferences, 'email', false)
                   AS email,
               match_email_digest(u.preferences) AS digest,
               match_min_score(u.preferences) AS min_score,
               round(40 * CASE WHEN skills.fit IS NOT NULL THEN skills.fit
                               WHEN u.match_roles = '{""}'
                                    OR job.title_terms = 0 THEN 0.5
                               ELSE least(coalesce(found.words, 0)::numeric
                                          / job.title_terms, 1)
                               END
                     + 35 * CASE WHEN u.match_roles = '{""}' THEN 0.5
                                 ELSE coalesce(found.title_fit, 0) END
                     + 25 * CASE WHEN u.match_locations <> '{""}'
                                      OR job.remote
                                 THEN 1 ELSE 0.5 END
                    )::smallint AS match_score
          FROM job
          JOIN users u
            ON u.is_active AND u.deleted_at IS NULL
           AND u.match_companies && job.company_keys
           AND u.match_roles && job.role_keys
           AND u.match_locations && job.location_keys
           AND (lo IS NULL OR u.id >= lo) AND (hi IS NULL OR u.id < hi)
         CROSS JOIN LATERAL (
              SELECT max((job.fits -> r ->> 0)::real) AS title_fit,
                     bit_count(bit_or((job.fits -> r ->> 1)::bigint)::bit(64))
                         AS words
                FROM unnest(u.match_roles) r
               WHERE job.fits ? r) found
          LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE lower(us.skill_name)
                                            = ANY (job.skills))::numeric
                     / cardinality(job.skills) AS fit
                FROM user_skills us
               WHERE us.user_id = u.id AND cardinality(job.skills) > 0
              HAVING count(*) > 0) skills ON true
    )
    SELECT p.user_id, p.job_id, p.match_score, p.fcm_token, p.push,
           CASE WHEN p.email THEN match_email_due(p.digest, now()) END
      FROM pair p
     WHERE (p.push OR p.email) AND p.match_score >= p.min_score
$$;

------------------------------------------------------------------------------
-- Inserting alerts, pushes: 0007's functions on push_queue.
------------------------------------------------------------------------------

DROP FUNCTION match_new_jobs(uuid[]);
DROP FUNCTION insert_alerts(uuid[], uuid[], interval);
DROP FUNCTION match_scores(uuid[], uuid[]);
DROP FUNCTION match_users(uuid[]);
DROP FUNCTION claim_pushes(integer, interval);
DROP FUNCTION record_pushes(uuid[], text[], timestamptz[], text[], text[],
                            integer[], text[]);

-- Inserts the alerts of candidates (parallel arrays, as
-- match_candidates() returned them) and returns the ones really
-- inserted, k the index of each in the arrays (1 for the first).  ON
-- CONFLICT DO NOTHING: a job matched again (a retried task, a restarted
-- notifier) creates nothing, and only the alerts returned are ever
-- notified.  Their pushes are queued in one row, queue_id; with a lease
-- they are inserted already 'sending', for the inserting notifier to
-- send at once and to delete the row once they are all answered;
-- without, they wait as 'pending' for any notifier.
CREATE FUNCTION insert_alerts(user_ids uuid[], job_ids uuid[],
                              scores smallint[], pushes boolean[],
                              email_due_ats timestamptz[], lease interval)
    RETURNS TABLE (alert_id uuid, k integer, push boolean, email boolean,
                   queue_id bigint)
    LANGUAGE plpgsql AS
$$
BEGIN
    -- $1 user_ids, $2 job_ids, $3 scores, $4 pushes, $5 email_due_ats,
    -- $6 lease
    RETURN QUERY EXECUTE $q$
    WITH c AS (
        SELECT *
          FROM unnest($1, $2, $3, $4, $5)
                   WITH ORDINALITY AS c (user_id, job_id, score, push,
                                         email_due_at, k)
         WHERE c.push OR c.email_due_at IS NOT NULL
    ),
    inserted AS (
        INSERT INTO user_job_alerts AS a
               (user_id, job_id, match_score, push_status, push_due_at,
                push_attempts, email_status, email_due_at)
        SELECT c.user_id, c.job_id, c.score,
               CASE WHEN c.push AND $6 IS NULL THEN 'pending'
                    WHEN c.push THEN 'sending' END,
               CASE WHEN c.push THEN now() + coalesce($6, '0') END,
               CASE WHEN c.push AND $6 IS NOT NULL THEN 1 ELSE 0 END,
               CASE WHEN c.email_due_at IS NOT NULL THEN 'pending' END,
               c.email_due_at
          FROM c
        ON CONFLICT (user_id, job_id) DO NOTHING
        RETURNING a.id, a.user_id, a.job_id,
                  a.push_status IS NOT NULL AS push,
                  a.email_status IS NOT NULL AS email
    ),
    queued AS (
        INSERT INTO push_queue AS q (due_at, alert_ids)
        SELECT now() + coalesce($6, '0'), array_agg(i.id)
          FROM inserted i
         WHERE i.push
        HAVING count(*) > 0
        RETURNING q.id
    )
    SELECT i.id, c.k::integer, i.push, i.email,
           CASE WHEN i.push THEN (SELECT q.id FROM queued q) END
      FROM inserted i
      JOIN c ON c.user_id = i.user_id AND c.job_id = i.job_id
    $q$ USING user_ids, job_ids, scores, pushes, email_due_ats, lease;
END;
$$;

-- Both at once, every push pending: for tests and hand-run matching.
CREATE FUNCTION match_new_jobs(job_ids uuid[])
    RETURNS TABLE (alert_id uuid, user_id uuid, job_id uuid, push boolean,
                   email boolean)
    LANGUAGE sql AS
$$
    WITH c AS MATERIALIZED (
        SELECT row_number() OVER () AS k, c.*
          FROM match_candidates(job_ids) c
    )
    SELECT i.alert_id, c.user_id, c.job_id, i.push, i.email
      FROM (SELECT array_agg(c.user_id ORDER BY c.k) AS u,
                   array_agg(c.job_id ORDER BY c.k) AS j,
                   array_agg(c.match_score ORDER BY c.k) AS s,
                   array_agg(c.push ORDER BY c.k) AS p,
                   array_agg(c.email_due_at ORDER BY c.k) AS e
              FROM c) a
     CROSS JOIN insert_alerts(a.u, a.j, a.s, a.p, a.e, NULL) i
      JOIN c ON c.k = i.k
$$;

-- Takes up to n due pushes for lease: the queue rows due first, oldest
-- first, as far as they hold n pushes (the last one in part: it keeps
-- the rest); their pushes that are due (pending ones whose time has
-- come, and sending ones whose lease ran out: their notifier died) are
-- 'sending' until the lease ends, one queue row, queue_id, listing them.
-- Pushes whose user has no device token any more, or no live account,
-- are cancelled instead and not returned.  SKIP LOCKED: notifiers side
-- by side take different rows.
CREATE FUNCTION claim_pushes(n integer, lease interval)
    RETURNS TABLE (alert_id uuid, user_id uuid, job_id uuid, fcm_token text,
                   title text, company text, location text,
                   location_type text, attempts integer,
                   discovered_ms bigint, queue_id bigint)
    LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS
$$
BEGIN
    -- $1 n, $2 lease
    RETURN QUERY EXECUTE $q$
    WITH due AS (
        SELECT q.id, q.due_at, q.alert_ids
          FROM push_queue q
         WHERE q.due_at <= now()
         ORDER BY q.due_at, q.id
         LIMIT $1
           FOR UPDATE SKIP LOCKED
    ),
    taken AS (
        SELECT d.id, d.alert_ids, d.before
          FROM (SELECT d.*,
                       sum(cardinality(d.alert_ids))
                           OVER (ORDER BY d.due_at, d.id)
                       - cardinality(d.alert_ids) AS before
                  FROM due d) d
         WHERE d.before < $1
    ),
    listed AS (
        SELECT t.id AS queue_id, x.alert_id, t.before + x.i AS k
          FROM taken t
         CROSS JOIN LATERAL unnest(t.alert_ids) WITH ORDINALITY
                                                  AS x (alert_id, i)
    ),
    kept AS (
        UPDATE push_queue q
           SET alert_ids = r.ids
          FROM (SELECT l.queue_id, array_agg(l.alert_id ORDER BY l.k) AS ids
                  FROM listed l
                 WHERE l.k > $1
                 GROUP BY l.queue_id) r
         WHERE q.id = r.queue_id
    ),
    gone AS (
        DELETE FROM push_queue q
         WHERE q.id IN (SELECT t.id FROM taken t)
           AND q.id NOT IN (SELECT l.queue_id FROM listed l WHERE l.k > $1)
    ),
    claimed AS (
        UPDATE user_job_alerts a
           SET push_status = CASE WHEN u.fcm_token IS NULL OR NOT u.is_active
                                       OR u.deleted_at IS NOT NULL
                                  THEN 'cancelled' ELSE 'sending' END,
               push_due_at = CASE WHEN u.fcm_token IS NULL OR NOT u.is_active
                                       OR u.deleted_at IS NOT NULL
                                  THEN NULL ELSE now() + $2 END,
               push_attempts = a.push_attempts + 1
          FROM (SELECT DISTINCT l.alert_id FROM listed l WHERE l.k <= $1) l,
               users u
         WHERE a.id = l.alert_id AND u.id = a.user_id
           AND a.push_status IN ('pending', 'sending')
           AND a.push_due_at <= now()
        RETURNING a.id, a.user_id, a.job_id, a.push_status, a.push_attempts,
                  u.fcm_token
    ),
    queued AS (
        INSERT INTO push_queue AS q (due_at, alert_ids)
        SELECT now() + $2, array_agg(c.id)
          FROM claimed c
         WHERE c.push_status = 'sending'
        HAVING count(*) > 0
        RETURNING q.id
    )
    SELECT c.id, c.user_id, c.job_id, c.fcm_token, p.title, p.company,
           p.location, p.location_type, c.push_attempts::integer,
           p.discovered_ms, (SELECT q.id FROM queued q)
      FROM claimed c
      JOIN push_jobs(ARRAY(SELECT c2.job_id FROM claimed c2)) p
        ON p.job_id = c.job_id
     WHERE c.push_status = 'sending'
     ORDER BY p.discovered_ms
    $q$ USING n, lease;
END;
$$;

-- What came of pushes, in parallel arrays, one element per push (0007's
-- record_pushes(): accepted | pending | released | unregistered |
-- failed, ...), each of the attempt it says (its push_attempts when it
-- was sent): a push claimed again since (its lease over, its attempts
-- counted once more) is the new claimer's to record, not this one's.  A
-- push to retry (pending, released) gets a queue row due when it is;
-- done: the queue rows whose pushes all have their outcome now, deleted.
-- Returns the number of pushes recorded.
--
-- Every join here, and in claim_pushes(), reads rows by their keys, a
-- few hundred at a time; a hash join would read all of user_job_alerts
-- for them, which the planner takes for cheaper while the table is small
-- or its statistics old (tens of thousands of rows, read several times a
-- second): hash and merge joins are off in both.  (And the attempt is
-- matched against the row rather than push_status against 'sending': a
-- condition on push_status alone, which statistics may say no row has,
-- would make a scan for the few rows expected look cheapest too.)
CREATE FUNCTION record_pushes(ids uuid[], attempts integer[],
                              statuses text[], ats timestamptz[],
                              names text[], errors text[], retry_ms integer[],
                              tokens text[], done bigint[])
    RETURNS integer
    LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS
$$
DECLARE
    recorded  integer;
BEGIN
    -- $1 ids ... $8 tokens, $9 done
    EXECUTE $q$
    WITH r AS (
        SELECT r.*,
               CASE WHEN r.status = 'released' THEN 'pending'
                    ELSE r.status END AS new_status
          FROM unnest($1, $2, $3, $4, $5, $6, $7, $8)
                   AS r (id, attempt, status, at, name, error, retry, token)
    ),
    cleared AS (
        UPDATE users u
           SET fcm_token = NULL
          FROM r, user_job_alerts a
         WHERE r.status = 'unregistered' AND a.id = r.id
           AND u.id = a.user_id AND u.fcm_token = r.token
    ),
    rec AS (
        UPDATE user_job_alerts a
           SET push_status = r.new_status,
               push_due_at = CASE WHEN r.new_status = 'pending'
                                  THEN now() + coalesce(r.retry, 0)
                                               * interval '1 ms' END,
               push_attempts = CASE WHEN r.status = 'released'
                                    THEN greatest(a.push_attempts - 1, 0)
                                    ELSE a.push_attempts END,
               pushed_at = CASE WHEN r.status = 'accepted' THEN r.at END,
               fcm_message_id = CASE WHEN r.status = 'accepted'
                                     THEN r.name END,
               push_error = CASE WHEN r.status = 'accepted' THEN NULL
                                 WHEN r.status = 'released'
                                 THEN a.push_error
                                 ELSE r.error END,
               notified_at = CASE WHEN r.status = 'accepted'
                                  THEN coalesce(a.notified_at, r.at)
                                  ELSE a.notified_at END
          FROM r
         WHERE a.id = r.id AND a.push_attempts = r.attempt
        RETURNING a.id, a.push_status, a.push_due_at
    ),
    requeued AS (
        INSERT INTO push_queue (due_at, alert_ids)
        SELECT rec.push_due_at, array_agg(rec.id)
          FROM rec
         WHERE rec.push_status = 'pending'
         GROUP BY rec.push_due_at
    ),
    finished AS (
        DELETE FROM push_queue q WHERE q.id = ANY ($9)
    )
    SELECT count(*)::integer FROM rec
    $q$ INTO recorded
        USING ids, attempts, statuses, ats, names, errors, retry_ms, tokens,
              done;

    RETURN recorded;
END;
$$;
