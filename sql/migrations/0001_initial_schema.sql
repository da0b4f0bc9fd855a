-- 0001_initial_schema.sql — initial Job Scout schema (seed 000 §3).
--
-- Applied by sql/migrate.sh, which wraps this file in ONE transaction and
-- records it in schema_migrations: no BEGIN/COMMIT here, and never edit this
-- file once it has landed — add a new numbered migration instead.
--
-- Conventions:
--   * UUID keys from gen_random_uuid() (core since PG 13, no extension).
--   * Every timestamp is timestamptz; stored instants are unambiguous.
--   * Enumerations are text + CHECK rather than CREATE TYPE ... AS ENUM, so a
--     later migration can widen a list without ALTER TYPE's restrictions.
--   * Pure child rows (skills, logs, alerts, CVs) cascade with their parent.
--     Companies, sources and jobs are deactivated (is_active = false), not
--     deleted, so their FKs keep the default NO ACTION to protect history.
--   * Index names from seed 000 §3.3 are kept verbatim.

-- Keeps updated_at honest no matter which component writes the row.
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

------------------------------------------------------------------------------
-- users
------------------------------------------------------------------------------
CREATE TABLE users (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text        NOT NULL
                                   CHECK (email = btrim(email)
                                          AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    hashed_password    text        NOT NULL,     -- bcrypt "$2b$12$..."
    full_name          text,
    preferences        jsonb       NOT NULL DEFAULT '{}'
                                   CHECK (jsonb_typeof(preferences) = 'object'),
    fcm_token          text,
    is_active          boolean     NOT NULL DEFAULT true,
    is_admin           boolean     NOT NULL DEFAULT false,
    email_verified     boolean     NOT NULL DEFAULT false,
    email_verified_at  timestamptz,
    deleted_at         timestamptz,              -- soft delete (seed 001 #21)
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- A verified account must say when it was verified (seed 001 #10).
    CONSTRAINT users_email_verified_at_chk
        CHECK (NOT email_verified OR email_verified_at IS NOT NULL)
);

-- Case-insensitive uniqueness without citext; look users up by lower(email).
CREATE UNIQUE INDEX idx_users_email_lower ON users (lower(email));
-- Notification fan-out only cares about users that can receive a push.
CREATE INDEX idx_users_active_fcm ON users (is_active) WHERE fcm_token IS NOT NULL;
-- The 30-day GDPR purge job scans only soft-deleted rows.
CREATE INDEX idx_users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

------------------------------------------------------------------------------
-- companies
------------------------------------------------------------------------------
CREATE TABLE companies (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text        NOT NULL CHECK (btrim(name) <> ''),
    -- Slugs appear in URLs and in users.preferences->'companies'.
    slug         text        NOT NULL
                             CONSTRAINT companies_slug_key UNIQUE
                             CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    careers_url  text,
    logo_url     text,
    is_active    boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER companies_set_updated_at BEFORE UPDATE ON companies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

------------------------------------------------------------------------------
-- job_sources: one scrapeable endpoint of a company
------------------------------------------------------------------------------
CREATE TABLE job_sources (
    id                       uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id               uuid        NOT NULL REFERENCES companies (id),
    scraper_class            text        NOT NULL CHECK (btrim(scraper_class) <> ''),
    source_url               text        NOT NULL,
    config                   jsonb       NOT NULL DEFAULT '{}'
                                         CHECK (jsonb_typeof(config) = 'object'),
    priority                 text        NOT NULL DEFAULT 'normal'
                                         CHECK (priority IN ('high', 'normal')),
    -- NULL = use the scheduler's default for this priority (seed 001 #17).
    scrape_interval_seconds  integer     CHECK (scrape_interval_seconds > 0),
    health_status            text        NOT NULL DEFAULT 'healthy'
                                         CHECK (health_status IN ('healthy', 'degraded', 'failing')),
    consecutive_failures     integer     NOT NULL DEFAULT 0
                                         CHECK (consecutive_failures >= 0),
    last_error               text,       -- seed 000 §4.4 mark_failure()
    last_scraped_at          timestamptz,
    -- HTTP validators echoed back verbatim in conditional requests.
    etag                     text,
    last_modified            text,
    is_active                boolean     NOT NULL DEFAULT true,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    -- Target of jobs' composite FK, which pins a job to its source's company.
    CONSTRAINT job_sources_id_company_key UNIQUE (id, company_id)
);

CREATE INDEX idx_job_sources_company_id ON job_sources (company_id);
CREATE INDEX idx_sources_health ON job_sources (health_status, is_active);
CREATE INDEX idx_sources_due ON job_sources (last_scraped_at, is_active);

CREATE TRIGGER job_sources_set_updated_at BEFORE UPDATE ON job_sources
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

------------------------------------------------------------------------------
-- jobs
------------------------------------------------------------------------------
CREATE TABLE jobs (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id       uuid        NOT NULL REFERENCES companies (id),
    -- NULL for jobs a user logged from elsewhere (application tracker,
    -- seed 004); scraped jobs always carry the source's own id for dedup.
    source_id        uuid,
    external_id      text,
    title            text        NOT NULL CHECK (btrim(title) <> ''),
    description      text,
    location         text,
    location_type    text        CHECK (location_type IN ('remote', 'hybrid', 'onsite')),
    employment_type  text,
    salary_min       numeric(14, 2) CHECK (salary_min >= 0),
    salary_max       numeric(14, 2) CHECK (salary_max >= 0),
    salary_currency  char(3)     CHECK (salary_currency ~ '^[A-Z]{3}$'),  -- ISO 4217
    apply_url        text,
    posted_at        timestamptz,
    discovered_at    timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz,
    is_active        boolean     NOT NULL DEFAULT true,
    content_hash     text,       -- cross-board dedup (seed 001 #19)
    search           tsvector    GENERATED ALWAYS AS (
                         setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                         setweight(to_tsvector('english', coalesce(description, '')), 'B')
                     ) STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),

    -- Named after seed 000's index so that name exists; the constraint's
    -- unique index also serves as the source_id FK index. NULL source/external
    -- ids never collide, which is what manually logged jobs need.
    CONSTRAINT idx_jobs_source_external UNIQUE (source_id, external_id),
    -- A job's company must be its source's company (MATCH SIMPLE: skipped
    -- when source_id is NULL).
    CONSTRAINT jobs_source_company_fkey FOREIGN KEY (source_id, company_id)
        REFERENCES job_sources (id, company_id),
    CONSTRAINT jobs_scraped_has_external_id_chk
        CHECK (source_id IS NULL OR external_id IS NOT NULL),
    CONSTRAINT jobs_salary_range_chk
        CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max),
    -- An amount without a currency is meaningless.
    CONSTRAINT jobs_salary_currency_chk
        CHECK ((salary_min IS NULL AND salary_max IS NULL) OR salary_currency IS NOT NULL)
);

COMMENT ON COLUMN jobs.salary_min IS 'Annual gross amount in salary_currency';
COMMENT ON COLUMN jobs.salary_max IS 'Annual gross amount in salary_currency';

CREATE INDEX idx_jobs_discovered_at ON jobs (discovered_at DESC);
CREATE INDEX idx_jobs_company_active ON jobs (company_id, is_active);
CREATE INDEX idx_jobs_search ON jobs USING gin (search);
CREATE INDEX idx_jobs_content_hash ON jobs (content_hash) WHERE content_hash IS NOT NULL;

CREATE TRIGGER jobs_set_updated_at BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

------------------------------------------------------------------------------
-- job_skills
------------------------------------------------------------------------------
CREATE TABLE job_skills (
    job_id       uuid    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    skill_name   text    NOT NULL CHECK (skill_name = btrim(skill_name) AND skill_name <> ''),
    is_required  boolean NOT NULL DEFAULT true,
    min_years    numeric(4, 1) CHECK (min_years >= 0),
    PRIMARY KEY (job_id, skill_name)
);

------------------------------------------------------------------------------
-- scrape_logs
------------------------------------------------------------------------------
CREATE TABLE scrape_logs (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    source_id      uuid        NOT NULL REFERENCES job_sources (id) ON DELETE CASCADE,
    status         text        NOT NULL CHECK (status IN ('success', 'partial', 'failed')),
    jobs_found     integer     NOT NULL DEFAULT 0 CHECK (jobs_found >= 0),
    new_jobs       integer     NOT NULL DEFAULT 0 CHECK (new_jobs >= 0),
    duration_ms    integer     CHECK (duration_ms >= 0),
    error_message  text,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    CONSTRAINT scrape_logs_new_le_found_chk CHECK (new_jobs <= jobs_found),
    CONSTRAINT scrape_logs_finished_after_started_chk
        CHECK (finished_at IS NULL OR finished_at >= started_at)
);

-- Per-source log page (seed 001 #7) and the system-wide admin feed (#16).
CREATE INDEX idx_scrape_logs_source_started ON scrape_logs (source_id, started_at DESC);
CREATE INDEX idx_scrape_logs_started_at ON scrape_logs (started_at DESC);

------------------------------------------------------------------------------
-- user_job_alerts: a job matched to (or logged by) a user
------------------------------------------------------------------------------
CREATE TABLE user_job_alerts (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id              uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    match_score         smallint    CHECK (match_score BETWEEN 0 AND 100),
    notified_at         timestamptz,
    is_read             boolean     NOT NULL DEFAULT false,
    is_saved            boolean     NOT NULL DEFAULT false,
    is_applied          boolean     NOT NULL DEFAULT false,
    -- Seed 001 #1 suggested DEFAULT 'Applied', but most alerts are matches the
    -- user never applied to; they have no application status, so it stays
    -- NULL until the user applies (seed 001 #6 sets it via PATCH).
    application_status  text        CHECK (application_status IN
                                        ('Applied', 'Interviewing', 'Offer', 'Rejected', 'Withdrawn')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_job_alerts_user_job_key UNIQUE (user_id, job_id),
    -- The flag and the status must tell the same story; "mark applied" sets
    -- both (is_applied = true, application_status = 'Applied').
    CONSTRAINT user_job_alerts_applied_status_chk
        CHECK (is_applied = (application_status IS NOT NULL))
);

-- Leading user_id also covers the user_id FK.
CREATE INDEX idx_alerts_user_unread ON user_job_alerts (user_id, is_read);
CREATE INDEX idx_alerts_job_id ON user_job_alerts (job_id);
-- Push worker's queue: alerts created but not yet notified.
CREATE INDEX idx_alerts_pending_notify ON user_job_alerts (created_at) WHERE notified_at IS NULL;

------------------------------------------------------------------------------
-- application_status_history: activity trail of application_status changes
-- (seed 004 ApplicationLog). Written by trigger so no code path can skip it.
------------------------------------------------------------------------------
CREATE TABLE application_status_history (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    alert_id     uuid        NOT NULL REFERENCES user_job_alerts (id) ON DELETE CASCADE,
    from_status  text,       -- NULL: first status
    to_status    text,       -- NULL: application withdrawn from tracking
    changed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_application_status_history_alert
    ON application_status_history (alert_id, changed_at);

CREATE FUNCTION log_application_status() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.application_status IS NOT NULL THEN
            INSERT INTO application_status_history (alert_id, from_status, to_status)
            VALUES (NEW.id, NULL, NEW.application_status);
        END IF;
    ELSIF NEW.application_status IS DISTINCT FROM OLD.application_status THEN
        INSERT INTO application_status_history (alert_id, from_status, to_status)
        VALUES (NEW.id, OLD.application_status, NEW.application_status);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_job_alerts_log_status
    AFTER INSERT OR UPDATE OF application_status ON user_job_alerts
    FOR EACH ROW EXECUTE FUNCTION log_application_status();

------------------------------------------------------------------------------
-- user_skills
------------------------------------------------------------------------------
CREATE TABLE user_skills (
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    skill_name        text        NOT NULL CHECK (skill_name = btrim(skill_name) AND skill_name <> ''),
    proficiency       text        CHECK (proficiency IN ('beginner', 'intermediate', 'advanced', 'expert')),
    years_experience  numeric(4, 1) CHECK (years_experience >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, skill_name)
);

CREATE TRIGGER user_skills_set_updated_at BEFORE UPDATE ON user_skills
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

------------------------------------------------------------------------------
-- user_cvs
------------------------------------------------------------------------------
CREATE TABLE user_cvs (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_path         text        NOT NULL,   -- storage key; local path or object key
    original_name     text,
    content_type      text,
    size_bytes        bigint      CHECK (size_bytes >= 0),
    processed_at      timestamptz,            -- NULL until process_cv has run
    extracted_skills  text[],
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- "Latest CV" lookup (GET /users/me/cv); also the user_id FK index.
CREATE INDEX idx_user_cvs_user_created ON user_cvs (user_id, created_at DESC);
