-- 0004_job_listing.sql — what GET /jobs needs: a "newest" order that
-- pages by keyset, and an index behind every filter (seed 001 #14, seed
-- 004 jobs filters and full-text search).
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

-- Trigram indexes serve case-insensitive substring matches (ILIKE '%x%').
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- "Newest" is when a job was posted, as its source says; never later than
-- when a scraper found it (a wrong or future date cannot pin a job to the
-- top), and the discovery time when the source gives no date.  Stored, so
-- that it can be indexed and compared as a plain column.
ALTER TABLE jobs ADD COLUMN listed_at timestamptz
    GENERATED ALWAYS AS (least(posted_at, discovered_at)) STORED;

-- The listing: active jobs, newest first.  The id breaks ties, so that
-- (listed_at, id) is unique and the keyset "(listed_at, id) < cursor" walks
-- every row once.  Partial: only active jobs are ever listed.
CREATE INDEX idx_jobs_active_listed
    ON jobs (listed_at DESC, id DESC) WHERE is_active;

-- company=slug and /companies/{slug}/jobs, in listing order.
CREATE INDEX idx_jobs_active_company_listed
    ON jobs (company_id, listed_at DESC, id DESC) WHERE is_active;

-- location_type needs none: three values, each common, so the listing's
-- index with a filter finds a page at once.

-- location=<substring>, case-insensitive.
CREATE INDEX idx_jobs_active_location_trgm
    ON jobs USING gin (location gin_trgm_ops) WHERE is_active;

-- salary_min=N: the top of a job's range (or its only figure) reaches N.
-- Not partial: the planner keeps statistics of an expression only for a
-- whole-table index, and needs them to see when few jobs pay that much.
CREATE INDEX idx_jobs_salary_top
    ON jobs ((coalesce(salary_max, salary_min)));

-- skill=name: jobs by skill, case-insensitive (the primary key leads with
-- job_id and cannot serve it).
CREATE INDEX idx_job_skills_lower_name
    ON job_skills (lower(skill_name), job_id);
