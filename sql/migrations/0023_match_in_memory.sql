-- 0023_match_in_memory.sql — matching moves into the notifier (issue 19).
-- match_candidates() spent about 80 ms a job against 100,000 users,
-- nine tenths of it per matched row (the user row, the JSON preferences'
-- flags, the title fit, the score's numeric arithmetic).  The notifier
-- now keeps each reachable user's matching profile in memory, indexed
-- by key (workers/lib/matcher.c), and asks PostgreSQL only for what
-- depends on the job, once per job: a few milliseconds a job.
--
-- PostgreSQL stays the one place the rules are written: the profile is
-- the generated match_* columns and 0007's flags, read as they are; the
-- job's facts are 0019/0021's (title keys, each key's similarity and
-- word mask, skills, pay); match_candidates() stays for the backfill and
-- as the reference the C matcher is checked against (t/090_match_memory.t
-- compares the two on every pair of a generated population).
--
-- The copy is kept current by notifications: a change of anything a
-- profile holds NOTIFYs match_profiles with the user's id (a TRUNCATE:
-- '*', everything), which the notifier applies before its next match;
-- a notifier that lost its connection reloads every profile.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

------------------------------------------------------------------------------
-- What the matcher holds of a user: live accounts with a channel only
-- (no other can be alerted).  Arrays and text as PostgreSQL derives them.
------------------------------------------------------------------------------

CREATE VIEW match_profiles AS
SELECT u.id AS user_id,
       u.match_companies AS companies,
       u.match_roles AS roles,
       u.match_locations AS locations,
       u.match_job_types AS job_types,
       u.match_workplace_types AS workplace_types,
       u.match_min_salary AS min_salary,
       u.match_salary_currency AS salary_currency,
       match_min_score(u.preferences) AS min_score,
       CASE WHEN u.fcm_token IS NOT NULL
                 AND match_pref_flag(u.preferences, 'push', true)
            THEN u.fcm_token END AS push_token,
       CASE WHEN u.email_verified
                 AND match_pref_flag(u.preferences, 'email', false)
            THEN match_email_digest(u.preferences) END AS email_digest,
       ARRAY(SELECT lower(s.skill_name) FROM user_skills s
              WHERE s.user_id = u.id) AS skills
  FROM users u
 WHERE u.is_active AND u.deleted_at IS NULL
   AND ((u.fcm_token IS NOT NULL
         AND match_pref_flag(u.preferences, 'push', true))
        OR (u.email_verified
            AND match_pref_flag(u.preferences, 'email', false)));

------------------------------------------------------------------------------
-- What matching needs of each job, computed once per job: the keys the
-- users' keys are looked up with (the company's slug, the title's runs
-- of words, the location the matcher takes substrings of), each title
-- key's similarity to the title (as numeric, as the score reads it) and
-- the title words it covers, the skills, the type and the yearly pay.
-- Active jobs only, as match_candidates().
------------------------------------------------------------------------------

CREATE FUNCTION match_job_facts(job_ids uuid[])
    RETURNS TABLE (job_id uuid, company_key text, location text,
                   remote boolean, title_terms bigint, role_keys text[],
                   role_fits numeric[], role_masks bigint[],
                   required_skills text[], nice_skills text[],
                   employment_type text, location_type text,
                   yearly_salary numeric, salary_currency text)
    LANGUAGE sql STABLE AS
$$
    SELECT j.id, c.slug, lower(left(coalesce(j.location, ''), 200)),
           j.location_type = 'remote',
           (SELECT count(DISTINCT w)
              FROM unnest(string_to_array(nullif(t.words, ''), ' ')) w),
           f.keys, f.fits, f.masks,
           match_job_skills(j.id, true), match_job_skills(j.id, false),
           j.employment_type, j.location_type,
           match_yearly_salary(j.salary_min, j.salary_max, j.salary_period),
           j.salary_currency::text
      FROM jobs j
      JOIN companies c ON c.id = j.company_id
     CROSS JOIN LATERAL (SELECT match_words(j.title) AS words) t
     CROSS JOIN LATERAL (
          SELECT ARRAY(SELECT DISTINCT w
                         FROM unnest((string_to_array(nullif(t.words, ''),
                                                      ' '))[1:40]) w)
                     AS terms) d
     CROSS JOIN LATERAL (
          SELECT coalesce(array_agg(k), '{}') AS keys,
                 coalesce(array_agg(similarity(k, t.words)::numeric),
                          '{}') AS fits,
                 coalesce(array_agg(match_key_mask(d.terms, k)), '{}')
                     AS masks
            FROM unnest(match_title_keys(j.title)) k
           WHERE k <> '') f
     WHERE j.id = ANY (job_ids) AND j.is_active
$$;

------------------------------------------------------------------------------
-- The alerts of the matcher's candidates: insert_alerts(), each e-mail
-- due as the user's digest says (NULL: no e-mail), from now().
------------------------------------------------------------------------------

CREATE FUNCTION insert_matched_alerts(user_ids uuid[], job_ids uuid[],
                                      scores smallint[], pushes boolean[],
                                      digests text[], lease interval)
    RETURNS TABLE (alert_id uuid, k integer, push boolean, email boolean,
                   queue_id bigint)
    LANGUAGE sql AS
$$
    SELECT *
      FROM insert_alerts(user_ids, job_ids, scores, pushes,
                         ARRAY(SELECT CASE WHEN d.digest IS NOT NULL
                                           THEN match_email_due(d.digest,
                                                                now()) END
                                 FROM unnest(digests) WITH ORDINALITY
                                          AS d (digest, n)
                                ORDER BY d.n),
                         lease)
$$;

------------------------------------------------------------------------------
-- The notifications that keep the notifiers' copies current.  Per row,
-- and only when something a profile holds changed (a login, a name or a
-- password change notifies nobody); PostgreSQL folds a transaction's
-- repeated notifications into one.
------------------------------------------------------------------------------

CREATE FUNCTION match_profile_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('match_profiles', '*');
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('match_profiles',
                          CASE TG_OP WHEN 'DELETE' THEN OLD.id
                                     ELSE NEW.id END::text);
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('match_profiles', OLD.user_id::text);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('match_profiles', NEW.user_id::text);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_match_profile_added_removed
    AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION match_profile_changed();

CREATE TRIGGER users_match_profile_updated
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN ((OLD.is_active, OLD.deleted_at, OLD.preferences, OLD.fcm_token,
           OLD.email_verified)
          IS DISTINCT FROM
          (NEW.is_active, NEW.deleted_at, NEW.preferences, NEW.fcm_token,
           NEW.email_verified))
    EXECUTE FUNCTION match_profile_changed();

CREATE TRIGGER users_match_profile_truncated
    AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION match_profile_changed();

CREATE TRIGGER user_skills_match_profile_changed
    AFTER INSERT OR UPDATE OR DELETE ON user_skills
    FOR EACH ROW EXECUTE FUNCTION match_profile_changed();

CREATE TRIGGER user_skills_match_profile_truncated
    AFTER TRUNCATE ON user_skills
    FOR EACH STATEMENT EXECUTE FUNCTION match_profile_changed();
