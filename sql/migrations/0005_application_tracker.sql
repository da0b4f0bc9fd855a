-- 0005_application_tracker.sql — alerts and the application tracker
-- (seed 001 #6, seed 004): the status graph, applications logged for jobs
-- found elsewhere, notes, and the indexes of the alert and application
-- lists.
--
-- Every application, whichever kind, is a user_job_alerts row, so both
-- kinds share one status column, one transition check, one trigger-written
-- history and one set of dashboard queries:
--   * an alert the user applied to points at a scraped job (job_id);
--   * an application logged for a job found elsewhere points at a private
--     logged_jobs row (logged_job_id) owned by the same user.
-- A logged job is deliberately NOT a row of jobs: jobs and companies are
-- public (GET /jobs, GET /companies, search, the matcher), and a private
-- row there would stay private only as long as every query, present and
-- future, remembered to filter it out.  Kept apart, it cannot leak.
-- (0001 left jobs.source_id nullable for such jobs; no code writes one.)

------------------------------------------------------------------------------
-- the status graph
------------------------------------------------------------------------------

-- The statuses an application may move to from `current` (NULL: not an
-- application yet).  Rejected and Withdrawn are final.  The one way back,
-- to NULL ("not applied after all"), is allowed from Applied only and is
-- checked by the trigger below, since a NULL is no element of an array.
CREATE FUNCTION application_next_statuses(current text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE
        WHEN current IS NULL THEN ARRAY['Applied']
        WHEN current = 'Applied' THEN ARRAY['Interviewing', 'Rejected', 'Withdrawn']
        WHEN current = 'Interviewing' THEN ARRAY['Offer', 'Rejected', 'Withdrawn']
        WHEN current = 'Offer' THEN ARRAY['Rejected', 'Withdrawn']
        ELSE '{}'::text[]
    END
$$;

-- Every change of application_status, by any writer, passes here: a change
-- off the graph raises SQLSTATE JSA01, which the API answers with 409.
-- An INSERT may start anywhere (imports, the demo seed): only changes of an
-- existing row are transitions.  applied_at follows the status.
CREATE FUNCTION check_application_status() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    allowed text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.applied_at := coalesce(NEW.applied_at, NEW.created_at);
        RETURN NEW;
    END IF;

    allowed := application_next_statuses(OLD.application_status);

    IF NEW.application_status IS NULL AND OLD.application_status = 'Applied'
       OR NEW.application_status = ANY (allowed)
    THEN
        NEW.applied_at := CASE
            WHEN NEW.application_status IS NULL THEN NULL
            WHEN OLD.application_status IS NULL THEN now()
            ELSE OLD.applied_at
        END;
        RETURN NEW;
    END IF;

    IF OLD.application_status = 'Applied' THEN
        allowed := allowed || 'not applied'::text;
    END IF;

    RAISE EXCEPTION 'cannot change an application from % to % (allowed: %)',
                    coalesce(OLD.application_status, 'not applied'),
                    coalesce(NEW.application_status, 'not applied'),
                    coalesce(nullif(array_to_string(allowed, ', '), ''),
                             'none, it is final')
        USING ERRCODE = 'JSA01';
END;
$$;

------------------------------------------------------------------------------
-- logged_jobs: a job the user found elsewhere and applied to (seed 004)
------------------------------------------------------------------------------
CREATE TABLE logged_jobs (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       text        NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 300),
    -- As the user wrote it; company_id is the known company of that name,
    -- if there is one (only read: a logged job never creates a company).
    company     text        NOT NULL CHECK (btrim(company) <> '' AND length(company) <= 200),
    company_id  uuid        REFERENCES companies (id),
    url         text        CHECK (url ~ '^https?://[^[:space:]]+$' AND length(url) <= 2048),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Target of the alerts' composite FK: an application and its logged job
    -- always belong to the same user.
    CONSTRAINT logged_jobs_id_user_key UNIQUE (id, user_id)
);

CREATE INDEX idx_logged_jobs_user ON logged_jobs (user_id);
CREATE INDEX idx_logged_jobs_company ON logged_jobs (company_id)
    WHERE company_id IS NOT NULL;

------------------------------------------------------------------------------
-- user_job_alerts: either kind of row
------------------------------------------------------------------------------
ALTER TABLE user_job_alerts
    ALTER COLUMN job_id DROP NOT NULL,
    ADD COLUMN logged_job_id uuid
        CONSTRAINT user_job_alerts_logged_job_key UNIQUE,
    ADD COLUMN notes text
        CONSTRAINT user_job_alerts_notes_chk CHECK (length(notes) <= 2000),
    -- When the status left NULL (set by check_application_status()).
    ADD COLUMN applied_at timestamptz,
    ADD CONSTRAINT user_job_alerts_logged_job_fkey
        FOREIGN KEY (logged_job_id, user_id)
        REFERENCES logged_jobs (id, user_id) ON DELETE CASCADE,
    -- A scraped job or a logged one, never both, never neither.
    ADD CONSTRAINT user_job_alerts_one_job_chk
        CHECK (num_nonnulls(job_id, logged_job_id) = 1),
    -- A logged job is nothing but an application: it always has a status,
    -- and it is never a pending push (the user told us about it).
    ADD CONSTRAINT user_job_alerts_logged_applied_chk
        CHECK (logged_job_id IS NULL
               OR (application_status IS NOT NULL AND notified_at IS NOT NULL));

-- Rows that were applied to before this migration: the first history entry
-- says when, else the alert's creation.
UPDATE user_job_alerts a
   SET applied_at = coalesce((SELECT min(h.changed_at)
                                FROM application_status_history h
                               WHERE h.alert_id = a.id),
                             a.created_at)
 WHERE a.application_status IS NOT NULL;

ALTER TABLE user_job_alerts
    ADD CONSTRAINT user_job_alerts_applied_at_chk
        CHECK ((applied_at IS NULL) = (application_status IS NULL));

CREATE TRIGGER user_job_alerts_check_status_insert
    BEFORE INSERT ON user_job_alerts
    FOR EACH ROW WHEN (NEW.application_status IS NOT NULL)
    EXECUTE FUNCTION check_application_status();

CREATE TRIGGER user_job_alerts_check_status_update
    BEFORE UPDATE OF application_status ON user_job_alerts
    FOR EACH ROW
    WHEN (OLD.application_status IS DISTINCT FROM NEW.application_status)
    EXECUTE FUNCTION check_application_status();

-- GET /alerts: a user's matched alerts, newest first; the id breaks ties,
-- so the keyset "(created_at, id) < cursor" walks every row once.
CREATE INDEX idx_alerts_user_created
    ON user_job_alerts (user_id, created_at DESC, id DESC)
    WHERE job_id IS NOT NULL;

-- GET /applications and the dashboard: a user's applications, newest first.
CREATE INDEX idx_alerts_user_applied
    ON user_job_alerts (user_id, applied_at DESC, id DESC)
    WHERE application_status IS NOT NULL;
