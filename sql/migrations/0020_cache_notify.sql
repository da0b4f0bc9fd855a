-- 0020_cache_notify.sql — commits tell the API's response cache what
-- changed (ngx_module/ngx_http_jobscout_cache.c, README "Response cache").
--
-- Channel jobscout_cache, sent at commit (a rolled back change says
-- nothing), each distinct payload once per transaction:
--
--   ''        a listing may have changed: jobs (not when an UPDATE only
--             touched bookkeeping columns), companies, job_skills (what
--             GET /jobs, /companies/{slug}/jobs, /jobs/{id} and the jobs
--             shown inside alerts read)
--   <uuid>    that user's own data: users, user_job_alerts, logged_jobs,
--             user_cvs (GET /users/me, GET /alerts); '' when a statement
--             changed the rows of more than 64 users
--
-- Statement-level triggers: a bulk insert of a scrape or of the matcher's
-- alerts costs one short query per statement, not a trigger per row.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE FUNCTION cache_notify_public() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('jobscout_cache', '');
    RETURN NULL;
END
$$;

-- TG_ARGV[0]: the column naming the user; rows in the transition table
-- "changed" (the new rows, or the old ones of a DELETE).  A statement
-- touching many users (the matcher's alerts of a new job: thousands) says
-- '' once instead: every cached answer goes stale, as the job's own
-- insert makes them anyway, and no listener reads a flood.
CREATE FUNCTION cache_notify_users() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    users text[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT %I::text) FROM changed',
                   TG_ARGV[0])
       INTO users;
    IF cardinality(users) > 64 THEN
        PERFORM pg_notify('jobscout_cache', '');
    ELSE
        PERFORM pg_notify('jobscout_cache', u) FROM unnest(users) u;
    END IF;
    RETURN NULL;
END
$$;

-- A scrape touches every job it sees again (last_seen_at, missed_scrapes),
-- the matcher marks what it queued: columns no answer shows.  An UPDATE of
-- jobs notifies only when some row changed in another column.
CREATE FUNCTION cache_notify_jobs_update() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF EXISTS (SELECT FROM changed n JOIN before o USING (id)
                WHERE to_jsonb(n) - '{last_seen_at,missed_scrapes,match_queued_at,updated_at}'::text[]
                      IS DISTINCT FROM
                      to_jsonb(o) - '{last_seen_at,missed_scrapes,match_queued_at,updated_at}'::text[])
    THEN
        PERFORM pg_notify('jobscout_cache', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_cache_notify
    AFTER INSERT OR DELETE OR TRUNCATE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_public();
CREATE TRIGGER jobs_cache_notify_upd
    AFTER UPDATE ON jobs
    REFERENCING OLD TABLE AS before NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_jobs_update();
CREATE TRIGGER companies_cache_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON companies
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_public();
CREATE TRIGGER job_skills_cache_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON job_skills
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_public();

-- A user's rows: a trigger per event, as a transition table is per event.
-- An UPDATE that moves a row to another user is not made by any part of
-- Job Scout (user_id is never updated); TRUNCATE flushes everything.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('users', 'id'),
                                   ('user_job_alerts', 'user_id'),
                                   ('logged_jobs', 'user_id'),
                                   ('user_cvs', 'user_id')) v (tab, col)
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I'
                       '  REFERENCING NEW TABLE AS changed'
                       '  FOR EACH STATEMENT'
                       '  EXECUTE FUNCTION cache_notify_users(%L)',
                       t.tab || '_cache_notify_ins', t.tab, t.col);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I'
                       '  REFERENCING NEW TABLE AS changed'
                       '  FOR EACH STATEMENT'
                       '  EXECUTE FUNCTION cache_notify_users(%L)',
                       t.tab || '_cache_notify_upd', t.tab, t.col);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I'
                       '  REFERENCING OLD TABLE AS changed'
                       '  FOR EACH STATEMENT'
                       '  EXECUTE FUNCTION cache_notify_users(%L)',
                       t.tab || '_cache_notify_del', t.tab, t.col);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I'
                       '  FOR EACH STATEMENT'
                       '  EXECUTE FUNCTION cache_notify_public()',
                       t.tab || '_cache_notify_truncate', t.tab);
    END LOOP;
END
$$;
