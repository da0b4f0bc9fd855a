-- 0026_alerts_in_id_order.sql — the notifier's alerts inserted under ids it
-- makes in increasing order, and without ON CONFLICT unless the job
-- already has alerts among the chunk's users (issue 19).
--
-- Inserting an alert was the largest part of PostgreSQL's work on the
-- way to a push.  Two parts of it bought nothing on a new job:
--
--   the key, gen_random_uuid(): each row went down to a random leaf of
--     the primary key, and split it once full.  The notifier now makes
--     UUIDv7s (js_uuid7(): Unix milliseconds, a counter, random bits),
--     each greater than its last, so its rows go to the right edge of the
--     index, the leaf a B-tree keeps at hand for such keys (its fast
--     path).  About 5 µs an alert: 17 to 12 µs for a bare INSERT of a
--     job's 11,224 alerts into the bench's 330,000.
--   ON CONFLICT (user_id, job_id) DO NOTHING: a speculative insertion, the
--     unique index searched before and confirmed after, for a conflict
--     that only a job matched again can have.  One probe of that index
--     per chunk now tells: no alert of the job between the chunk's
--     first and last user, and a plain INSERT; else 0023's function,
--     which inserts only what is missing, under ids of its own (the way
--     of a retried task, or of a job some of whose users have its alert
--     already).  About 3.5 µs an alert.  A notifier inserting the same
--     job's alerts at that moment (a task handed back while its first
--     taker still ran) makes the plain INSERT fail on the unique index:
--     nothing is written, the task is retried and takes the other way.
--
-- The answer is 0023's (alert_id, k, push, email, queue_id), made from
-- the arguments instead of RETURNING and a join back to them.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE FUNCTION insert_matched_alerts(ids uuid[], user_ids uuid[],
                                      job uuid, scores smallint[],
                                      pushes boolean[], digests text[],
                                      lease interval)
    RETURNS TABLE (alert_id uuid, k integer, push boolean, email boolean,
                   queue_id bigint)
    LANGUAGE plpgsql AS
$$
DECLARE
    queued  bigint;
BEGIN
    IF EXISTS (SELECT FROM public.user_job_alerts a
                WHERE a.job_id = job
                  AND a.user_id
                      BETWEEN (SELECT u FROM unnest(user_ids) u
                                ORDER BY u LIMIT 1)
                          AND (SELECT u FROM unnest(user_ids) u
                                ORDER BY u DESC LIMIT 1))
    THEN
        RETURN QUERY
        SELECT *
          FROM public.insert_matched_alerts(user_ids,
                   array_fill(job, ARRAY[cardinality(user_ids)]),
                   scores, pushes, digests, lease);
        RETURN;
    END IF;

    INSERT INTO public.user_job_alerts
           (id, user_id, job_id, match_score, push_status, push_due_at,
            push_attempts, email_status, email_due_at)
    SELECT c.id, c.user_id, job, c.score,
           CASE WHEN c.push AND lease IS NULL THEN 'pending'
                WHEN c.push THEN 'sending' END,
           CASE WHEN c.push THEN now() + coalesce(lease, '0') END,
           CASE WHEN c.push AND lease IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN c.digest IS NOT NULL THEN 'pending' END,
           CASE WHEN c.digest IS NOT NULL
                THEN public.match_email_due(c.digest, now()) END
      FROM unnest(ids, user_ids, scores, pushes, digests)
               AS c (id, user_id, score, push, digest)
     WHERE c.push OR c.digest IS NOT NULL;

    INSERT INTO public.push_queue AS q (due_at, alert_ids)
    SELECT now() + coalesce(lease, '0'), array_agg(c.id)
      FROM unnest(ids, pushes) AS c (id, push)
     WHERE c.push
    HAVING count(*) > 0
    RETURNING q.id INTO queued;

    RETURN QUERY
    SELECT c.id, c.k::integer, c.push, c.digest IS NOT NULL,
           CASE WHEN c.push THEN queued END
      FROM unnest(ids, pushes, digests) WITH ORDINALITY
               AS c (id, push, digest, k)
     WHERE c.push OR c.digest IS NOT NULL;
END;
$$;
