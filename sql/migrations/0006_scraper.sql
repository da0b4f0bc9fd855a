-- The scraper (jobscoutd's scraper role, workers/lib/jobstore.c): what it
-- needs to upsert, expire and deduplicate jobs and to hand new ones to the
-- notifier exactly once per job.

-- Aggregator boards (remotive, adzuna) list other companies' jobs: a job
-- keeps its source, but its company is the hiring one (found or created by
-- slug), so the composite FK pinning a job to its source's company goes.
ALTER TABLE jobs DROP CONSTRAINT jobs_source_company_fkey;
ALTER TABLE jobs ADD CONSTRAINT jobs_source_id_fkey
    FOREIGN KEY (source_id) REFERENCES job_sources (id);

ALTER TABLE jobs
    -- touched by every successful scrape that lists the job
    ADD COLUMN last_seen_at    timestamptz NOT NULL DEFAULT now(),
    -- successful scrapes in a row that did not list it; at the configured
    -- count the job goes inactive, and comes back when listed again
    ADD COLUMN missed_scrapes  integer     NOT NULL DEFAULT 0
                                           CHECK (missed_scrapes >= 0),
    -- the same job seen first on another source: never alerted twice
    ADD COLUMN duplicate_of    uuid        REFERENCES jobs (id)
                                           ON DELETE SET NULL,
    -- normalized "title|company|location", and a 64-bit SimHash of the
    -- description, for cross-source dedup
    ADD COLUMN canonical_key   text,
    ADD COLUMN simhash         bigint,
    -- salary_min/max are per this period (NULL: as the provider gave it)
    ADD COLUMN salary_period   text        CHECK (salary_period IN
                                   ('hour', 'day', 'week', 'month', 'year')),
    -- set once the job's id went on the match queue; NULL means the
    -- notifier has yet to hear of it (a crash between the commit and the
    -- LPUSH is caught up by the next run of the source)
    ADD COLUMN match_queued_at timestamptz;

COMMENT ON COLUMN jobs.salary_min IS 'Gross amount per salary_period in salary_currency';
COMMENT ON COLUMN jobs.salary_max IS 'Gross amount per salary_period in salary_currency';

-- Jobs stored before the scraper existed are not news.
UPDATE jobs SET match_queued_at = discovered_at;

CREATE INDEX idx_jobs_canonical_key ON jobs (canonical_key)
    WHERE canonical_key IS NOT NULL AND duplicate_of IS NULL;
CREATE INDEX idx_jobs_match_pending ON jobs (source_id)
    WHERE match_queued_at IS NULL;
CREATE INDEX idx_jobs_duplicate_of ON jobs (duplicate_of)
    WHERE duplicate_of IS NOT NULL;
