-- 0009_alert_keys.sql — one index fewer to write per alert, and the rest
-- written in key order: inserting alerts was still the larger part of
-- PostgreSQL's time per push (issue: p95 < 1 s from a job's commit to
-- FCM's answer, with 10,000 matching users).
--
--   * The unique key of an alert is (job_id, user_id), no longer
--     (user_id, job_id): the same rule (ON CONFLICT (user_id, job_id)
--     finds it), and it also finds a job's alerts, which idx_alerts_job_id
--     was kept for (the cascade when a job is deleted, the latency view).
--     A job's alerts are inserted together, so they go into one region of
--     this index, in order when the notifier inserts them sorted by user:
--     a few leaf pages per chunk instead of one page per alert anywhere.
--   * What asks for a user's alerts uses idx_alerts_user_created, now over
--     all of them (a user's logged applications too: the export, "mark all
--     read", the cascade when a user goes) and carrying is_read and
--     job_id, so that the unread count still reads the index alone.
--   * The check of an insert's references probes each job once, not once
--     per alert.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE UNIQUE INDEX user_job_alerts_job_user_key
    ON user_job_alerts (job_id, user_id);
ALTER TABLE user_job_alerts DROP CONSTRAINT user_job_alerts_user_job_key;
ALTER TABLE user_job_alerts
    ADD CONSTRAINT user_job_alerts_job_user_key
        UNIQUE USING INDEX user_job_alerts_job_user_key;
DROP INDEX idx_alerts_job_id;

-- GET /alerts: a user's alerts, newest first; the id breaks ties, so the
-- keyset "(created_at, id) < cursor" walks every row once.
DROP INDEX idx_alerts_user_created;
CREATE INDEX idx_alerts_user_created
    ON user_job_alerts (user_id, created_at DESC, id DESC)
    INCLUDE (is_read, job_id);

CREATE OR REPLACE FUNCTION user_job_alerts_check_refs() RETURNS trigger
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
          FROM (SELECT DISTINCT job_id FROM new_alerts
                 WHERE job_id IS NOT NULL) n
         WHERE NOT EXISTS (SELECT FROM jobs j WHERE j.id = n.job_id)
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
