-- 0024_push_receipts.sql — FCM's acceptances are written as receipts, one
-- row per record_pushes() call, and folded into the alerts afterwards
-- (issue 19).  Updating each accepted alert cost PostgreSQL about 9 µs a
-- push (the row found by its key, a new version of a wide row, the text
-- of three arrays read), a fifth of all the CPU a push takes, spent
-- while the same job's other pushes wait for the two cores.  A receipt
-- costs under 1 µs a push; the fold, the same update as before, runs
-- when the notifier is idle, before it claims due pushes.
--
-- Nothing is lost or sent twice: a receipt commits with the deletion of
-- its push_queue row, as the update did; claim_pushes() folds every
-- receipt before it claims, so a push FCM accepted is never claimed
-- again.  Until folded, an accepted alert reads 'sending' (its lease,
-- push_due_at, still ahead): push_status, pushed_at, notified_at and
-- fcm_message_id lag FCM's answer by the rest of the burst.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE TABLE push_receipts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_ids  uuid[] NOT NULL,
    attempts   integer[] NOT NULL,
    ats        timestamptz[] NOT NULL,
    names      text[] NOT NULL,
    CHECK (cardinality(alert_ids) > 0
           AND cardinality(attempts) = cardinality(alert_ids)
           AND cardinality(ats) = cardinality(alert_ids)
           AND cardinality(names) = cardinality(alert_ids))
);
-- Written once, read once: compressing them would cost more than it saves.
ALTER TABLE push_receipts ALTER alert_ids SET STORAGE EXTERNAL,
                          ALTER attempts SET STORAGE EXTERNAL,
                          ALTER ats SET STORAGE EXTERNAL,
                          ALTER names SET STORAGE EXTERNAL;

-- Folds every receipt there is into its alerts: what 0021's
-- record_pushes() wrote for an accepted push, on the alert of that
-- attempt only (a later attempt's outcome is the alert's), the names
-- kept NULL where FCM gave none.  Receipts
-- another transaction is folding are left to it.  The number of alerts
-- updated.
CREATE FUNCTION settle_push_receipts() RETURNS integer
    LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS
$$
DECLARE
    r        record;
    n        integer;
    settled  integer := 0;
BEGIN
    -- one receipt at a time: each update planned on its own arrays, the
    -- alerts found by key
    FOR r IN DELETE FROM public.push_receipts p
              WHERE p.id IN (SELECT t.id FROM public.push_receipts t
                              ORDER BY t.id FOR UPDATE SKIP LOCKED)
             RETURNING p.alert_ids, p.attempts, p.ats, p.names
    LOOP
        UPDATE public.user_job_alerts a
           SET push_status = 'accepted',
               push_due_at = NULL,
               pushed_at = o.at,
               fcm_message_id = o.name,
               push_error = NULL,
               notified_at = coalesce(a.notified_at, o.at)
          FROM unnest(r.alert_ids, r.attempts, r.ats, r.names)
                   AS o (id, attempt, at, name)
         WHERE a.id = o.id AND a.push_attempts = o.attempt;
        GET DIAGNOSTICS n = ROW_COUNT;
        settled := settled + n;
    END LOOP;

    RETURN settled;
END;
$$;

-- 0021's record_pushes(), the same call: accepted outcomes become one
-- receipt; the others (retries, failures, gone tokens, releases) update
-- their alerts at once, as before, being few and changing what is sent.
CREATE OR REPLACE FUNCTION record_pushes(ids uuid[], attempts integer[],
                                         statuses text[], ats timestamptz[],
                                         names text[], errors text[],
                                         retry_ms integer[], tokens text[],
                                         done bigint[])
    RETURNS integer
    LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS
$$
DECLARE
    accepted  integer;
    recorded  integer := 0;
BEGIN
    SELECT count(*) INTO accepted FROM unnest(statuses) s
     WHERE s = 'accepted';

    IF accepted > 0 THEN
        INSERT INTO public.push_receipts (alert_ids, attempts, ats, names)
        SELECT array_agg(r.id), array_agg(r.attempt), array_agg(r.at),
               array_agg(r.name)
          FROM unnest(ids, attempts, statuses, ats, names)
                   AS r (id, attempt, status, at, name)
         WHERE r.status = 'accepted';
    END IF;

    IF 'unregistered' = ANY (statuses) THEN
        UPDATE public.users u
           SET fcm_token = NULL
          FROM unnest(ids, statuses, tokens) AS r (id, status, token),
               public.user_job_alerts a
         WHERE r.status = 'unregistered' AND a.id = r.id
           AND u.id = a.user_id AND u.fcm_token = r.token;
    END IF;

    IF accepted < cardinality(statuses) THEN
        WITH r AS (
            SELECT r.*,
                   CASE WHEN r.status = 'released' THEN 'pending'
                        ELSE r.status END AS new_status
              FROM unnest(ids, attempts, statuses, ats, names, errors,
                          retry_ms)
                       AS r (id, attempt, status, at, name, error, retry)
             WHERE r.status <> 'accepted'
        ),
        rec AS (
            UPDATE public.user_job_alerts a
               SET push_status = r.new_status,
                   push_due_at = CASE WHEN r.new_status = 'pending'
                                      THEN now() + coalesce(r.retry, 0)
                                                   * interval '1 ms' END,
                   push_attempts = CASE WHEN r.status = 'released'
                                        THEN greatest(a.push_attempts - 1, 0)
                                        ELSE a.push_attempts END,
                   pushed_at = NULL,
                   fcm_message_id = NULL,
                   push_error = CASE WHEN r.status = 'released'
                                     THEN a.push_error
                                     ELSE r.error END
              FROM r
             WHERE a.id = r.id AND a.push_attempts = r.attempt
            RETURNING a.id, a.push_status, a.push_due_at
        ),
        requeued AS (
            INSERT INTO public.push_queue (due_at, alert_ids)
            SELECT rec.push_due_at, array_agg(rec.id)
              FROM rec
             WHERE rec.push_status = 'pending'
             GROUP BY rec.push_due_at
        )
        SELECT count(*)::integer INTO recorded FROM rec;
    END IF;

    DELETE FROM public.push_queue q WHERE q.id = ANY (done);

    RETURN accepted + recorded;
END;
$$;

-- 0008's claim_pushes(), after the receipts are folded: a push FCM
-- accepted is 'sending' until then, and would be claimed again once its
-- lease is over.
ALTER FUNCTION claim_pushes(integer, interval) RENAME TO claim_due_pushes;

CREATE FUNCTION claim_pushes(n integer, lease interval)
    RETURNS TABLE (alert_id uuid, user_id uuid, job_id uuid, fcm_token text,
                   title text, company text, location text,
                   location_type text, attempts integer,
                   discovered_ms bigint, queue_id bigint)
    LANGUAGE plpgsql
    SET lock_timeout = '1s' AS
$$
BEGIN
    PERFORM public.settle_push_receipts();
    RETURN QUERY SELECT * FROM public.claim_due_pushes(n, lease);
END;
$$;
