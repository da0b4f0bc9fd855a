-- Adaptive polling: each source's next check is estimated from what its
-- polls have shown (workers/lib/polling.h), and every poll says what it saw.

-- The estimator's state.  poll_changes and poll_hours are the polls that
-- found a change and the hours observed, both decayed (older evidence
-- counts less); poll_quiet counts the successful polls since the last
-- change.  next_check_at NULL: due at once (new, or never polled).
-- fetch_host is where the source's fetches really go (an adapter may
-- fetch an API host other than source_url's): sources sharing one host
-- share its request budget.
ALTER TABLE job_sources
    ADD COLUMN next_check_at     timestamptz,
    ADD COLUMN next_check_reason text,
    ADD COLUMN poll_changes      double precision NOT NULL DEFAULT 0
                                 CHECK (poll_changes >= 0),
    ADD COLUMN poll_hours        double precision NOT NULL DEFAULT 0
                                 CHECK (poll_hours >= 0),
    ADD COLUMN poll_quiet        integer NOT NULL DEFAULT 0
                                 CHECK (poll_quiet >= 0),
    ADD COLUMN last_success_at   timestamptz,
    ADD COLUMN last_changed_at   timestamptz,
    ADD COLUMN fetch_host        text;

-- A source polled before this migration is due at once: its estimate
-- starts from its next poll.
UPDATE job_sources SET last_success_at = last_scraped_at
 WHERE health_status = 'healthy';

CREATE INDEX idx_sources_next_check ON job_sources (next_check_at NULLS FIRST)
    WHERE is_active;
CREATE INDEX idx_sources_fetch_host ON job_sources (fetch_host)
    WHERE is_active;

-- What each poll saw: a change (new, updated or expired jobs), the same
-- jobs again, a 304, or a failure; and the bytes it read.
ALTER TABLE scrape_logs
    ADD COLUMN outcome  text CHECK (outcome IN ('changed', 'unchanged',
                                                'not_modified', 'failed')),
    ADD COLUMN bytes    bigint CHECK (bytes >= 0);

UPDATE scrape_logs
   SET outcome = CASE WHEN status = 'failed' THEN 'failed'
                      WHEN new_jobs + updated_jobs + expired_jobs > 0
                      THEN 'changed' ELSE 'unchanged' END;

-- A source whose adapter, address, config, priority or set interval
-- changes, or that is reactivated, is due at once: its next check was
-- estimated for what it was.
CREATE FUNCTION job_sources_reschedule() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF ROW(NEW.scraper_class, NEW.source_url, NEW.config, NEW.priority,
           NEW.scrape_interval_seconds)
       IS DISTINCT FROM ROW(OLD.scraper_class, OLD.source_url, OLD.config,
                            OLD.priority, OLD.scrape_interval_seconds)
       OR (NEW.is_active AND NOT OLD.is_active)
    THEN
        NEW.next_check_at := NULL;
        NEW.next_check_reason := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER job_sources_reschedule BEFORE UPDATE ON job_sources
    FOR EACH ROW EXECUTE FUNCTION job_sources_reschedule();

-- The whole wait, where the board says when a job was posted: posted ->
-- discovered (the poll interval, mostly) and posted -> pushed.  Boards
-- often give a date only: then the figures hold the rest of that day.
CREATE OR REPLACE VIEW alert_push_latency AS
SELECT a.id AS alert_id, a.user_id, a.job_id, j.discovered_at, a.pushed_at,
       extract(epoch FROM a.pushed_at - j.discovered_at) * 1000
           AS latency_ms,
       j.posted_at,
       extract(epoch FROM j.discovered_at - j.posted_at) * 1000
           AS discovery_ms,
       extract(epoch FROM a.pushed_at - j.posted_at) * 1000
           AS posted_to_push_ms
  FROM user_job_alerts a
  JOIN jobs j ON j.id = a.job_id
 WHERE a.push_status = 'accepted';
