-- 0012_prefs_backfill.sql — alerts are never empty: when a user sets or
-- changes the preferences that filter jobs, the matching jobs of the last
-- 14 days become alerts at once (backfilled, never pushed or mailed); and
-- preferences filter on pay, job type and workplace too.
--
--   min_salary       {"amount": n, "currency": "KES"}: a year's gross pay.
--                    A job whose top figure (salary_max, else salary_min),
--                    made yearly by its salary_period (hour x 2080, day x
--                    260, week x 52, month x 12; none: taken as yearly), is
--                    below it in the same currency does not match.  A job
--                    without a salary, or paying in another currency,
--                    is not excluded: we convert no currencies.
--   job_types        any of full_time, part_time, contract, internship,
--                    temporary (the adapters' jobs.employment_type); a job
--                    of another type does not match, one of unknown type
--                    does.
--   workplace_types  any of remote, hybrid, onsite (jobs.location_type);
--                    a job of another kind does not match, one of unknown
--                    kind does.
--
-- Absent (or null, or an empty list): no filter.  The API validates the
-- values; matching reads them defensively (a value of the wrong type is
-- no filter), like the other preferences.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

------------------------------------------------------------------------------
-- The new filters of a user, stored like 0007's keys (generated columns:
-- no code path can forget them), read by matching after the GIN index
-- scan found the candidates: a few comparisons per candidate.
------------------------------------------------------------------------------

-- A list of the preferences as a sorted set, NULL when the filter is off.
CREATE FUNCTION match_pref_set(prefs jsonb, name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT nullif(ARRAY(SELECT DISTINCT e
                          FROM match_pref_list(prefs, name) e ORDER BY e),
                  '{}')
$$;

CREATE FUNCTION match_min_salary(prefs jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN jsonb_typeof(prefs -> 'min_salary' -> 'amount')
                     = 'number'
                 AND jsonb_typeof(prefs -> 'min_salary' -> 'currency')
                     = 'string'
                THEN (prefs -> 'min_salary' ->> 'amount')::numeric END
$$;

CREATE FUNCTION match_salary_currency(prefs jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN match_min_salary(prefs) IS NOT NULL
                THEN prefs -> 'min_salary' ->> 'currency' END
$$;

ALTER TABLE users
    ADD COLUMN match_job_types text[]
        GENERATED ALWAYS AS (match_pref_set(preferences, 'job_types')) STORED,
    ADD COLUMN match_workplace_types text[]
        GENERATED ALWAYS AS (match_pref_set(preferences, 'workplace_types'))
        STORED,
    ADD COLUMN match_min_salary numeric
        GENERATED ALWAYS AS (match_min_salary(preferences)) STORED,
    ADD COLUMN match_salary_currency text
        GENERATED ALWAYS AS (match_salary_currency(preferences)) STORED;

-- A job's pay for a year: its top figure times the periods in a year.
CREATE FUNCTION match_yearly_salary(salary_min numeric, salary_max numeric,
                                    period text) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT coalesce(salary_max, salary_min)
           * CASE period WHEN 'hour' THEN 2080 WHEN 'day' THEN 260
                         WHEN 'week' THEN 52 WHEN 'month' THEN 12
                         ELSE 1 END
$$;

-- Whether a job passes a user's new filters; what the job does not say
-- (NULL) passes.
CREATE FUNCTION match_job_wanted(job_types text[], workplace_types text[],
                                 min_salary numeric, currency text,
                                 employment_type text, location_type text,
                                 yearly_salary numeric,
                                 salary_currency text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT (job_types IS NULL OR employment_type IS NULL
            OR employment_type = ANY (job_types))
       AND (workplace_types IS NULL OR location_type IS NULL
            OR location_type = ANY (workplace_types))
       AND (min_salary IS NULL OR yearly_salary IS NULL
            OR salary_currency IS DISTINCT FROM currency
            OR yearly_salary >= min_salary)
$$;

------------------------------------------------------------------------------
-- match_candidates(job_ids, lo, hi, only_user): 0008's, with the new
-- filters applied to the candidates the GIN index scan found; and, with
-- only_user, that user's matches alone, reachable now or not (the
-- backfill, which notifies nobody): with a constant only_user the scan
-- reads that user by its key, once per job, instead of the index.  One
-- function for both, so that live matching and the backfill cannot
-- drift apart.
------------------------------------------------------------------------------

DROP FUNCTION match_candidates(uuid[], uuid, uuid);

CREATE FUNCTION match_candidates(job_ids uuid[], lo uuid DEFAULT NULL,
                                 hi uuid DEFAULT NULL,
                                 only_user uuid DEFAULT NULL)
    RETURNS TABLE (user_id uuid, job_id uuid, match_score smallint,
                   fcm_token text, push boolean, email_due_at timestamptz)
    LANGUAGE sql STABLE AS
$$
    WITH job AS MATERIALIZED (
        SELECT j.*,
               (SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(
                           similarity(k, j.title_words),
                           match_key_mask(j.terms, k))), '{}')
                  FROM unnest(j.role_keys) k
                 WHERE k <> '') AS fits
          FROM (SELECT j.id, ARRAY[c.slug, ''] AS company_keys,
                       match_title_keys(j.title) AS role_keys,
                       match_job_location_keys(j.location, j.location_type)
                           AS location_keys,
                       match_words(j.title) AS title_words,
                       ARRAY(SELECT DISTINCT w
                               FROM unnest((string_to_array(nullif(
                                        match_words(j.title), ''),
                                        ' '))[1:40]) w) AS terms,
                       (SELECT count(DISTINCT w)
                          FROM unnest(string_to_array(
                                   nullif(match_words(j.title), ''), ' ')) w)
                           AS title_terms,
                       ARRAY(SELECT DISTINCT lower(s.skill_name)
                               FROM job_skills s WHERE s.job_id = j.id)
                           AS skills,
                       j.location_type = 'remote' AS remote,
                       j.employment_type, j.location_type,
                       match_yearly_salary(j.salary_min, j.salary_max,
                                           j.salary_period) AS yearly_salary,
                       j.salary_currency::text AS salary_currency
                  FROM jobs j
                  JOIN companies c ON c.id = j.company_id
                 WHERE j.id = ANY (job_ids) AND j.is_active) j
    ),
    pair AS (
        SELECT u.id AS user_id, job.id AS job_id, u.fcm_token,
               u.fcm_token IS NOT NULL
                   AND match_pref_flag(u.preferences, 'push', true) AS push,
               u.email_verified
                   AND match_pref_flag(u.preferences, 'email', false)
                   AS email,
               match_email_digest(u.preferences) AS digest,
               match_min_score(u.preferences) AS min_score,
               round(40 * CASE WHEN skills.fit IS NOT NULL THEN skills.fit
                               WHEN u.match_roles = '{""}'
                                    OR job.title_terms = 0 THEN 0.5
                               ELSE least(coalesce(found.words, 0)::numeric
                                          / job.title_terms, 1)
                               END
                     + 35 * CASE WHEN u.match_roles = '{""}' THEN 0.5
                                 ELSE coalesce(found.title_fit, 0) END
                     + 25 * CASE WHEN u.match_locations <> '{""}'
                                      OR job.remote
                                 THEN 1 ELSE 0.5 END
                    )::smallint AS match_score
          FROM job
          JOIN users u
            ON u.is_active AND u.deleted_at IS NULL
           AND u.match_companies && job.company_keys
           AND u.match_roles && job.role_keys
           AND u.match_locations && job.location_keys
           AND (lo IS NULL OR u.id >= lo) AND (hi IS NULL OR u.id < hi)
           AND (only_user IS NULL OR u.id = only_user)
           AND match_job_wanted(u.match_job_types, u.match_workplace_types,
                                u.match_min_salary, u.match_salary_currency,
                                job.employment_type, job.location_type,
                                job.yearly_salary, job.salary_currency)
         CROSS JOIN LATERAL (
              SELECT max((job.fits -> r ->> 0)::real) AS title_fit,
                     bit_count(bit_or((job.fits -> r ->> 1)::bigint)::bit(64))
                         AS words
                FROM unnest(u.match_roles) r
               WHERE job.fits ? r) found
          LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE lower(us.skill_name)
                                            = ANY (job.skills))::numeric
                     / cardinality(job.skills) AS fit
                FROM user_skills us
               WHERE us.user_id = u.id AND cardinality(job.skills) > 0
              HAVING count(*) > 0) skills ON true
    )
    SELECT p.user_id, p.job_id, p.match_score, p.fcm_token, p.push,
           CASE WHEN p.email THEN match_email_due(p.digest, now()) END
      FROM pair p
     WHERE (p.push OR p.email OR only_user IS NOT NULL)
       AND p.match_score >= p.min_score
$$;

------------------------------------------------------------------------------
-- Backfill
--
-- backfill_alerts(user) makes alerts of the user's matches among the jobs
-- of the last 14 days: active, not duplicates, listed (posted, or found
-- when the source gives no date: jobs.listed_at) within 14 days; the 200
-- newest of those not alerted yet, so that a broad preference costs one
-- request a bounded insert.  They are marked backfilled and have no push
-- and no e-mail (push_status and email_status NULL, no push_queue row):
-- the notifier never sees them; the app shows them in GET /alerts.
-- Alerts the user already has are left as they are (ON CONFLICT DO
-- NOTHING also covers a notifier inserting the same pair meanwhile).
-- Returns how many alerts it inserted.
--
-- Which jobs match is match_candidates()'s answer, newest jobs first, a
-- chunk at a time until there are enough.  It costs about a millisecond
-- a job (its keys: every run of words of the title, every substring of
-- the location; the similarity of each), too much for the 30,000 jobs of
-- two busy weeks; so the jobs are first narrowed by a cheaper test that
-- every match passes: the company keys and 0012's filters as matching
-- has them, and each role (location) of the user found as a substring of
-- the title's words (the location), which the exact test then asks of
-- the first 40 words as whole words (of the first 200 characters).  Only
-- the 1,000 newest jobs that pass it are matched (about a second at
-- worst, when few of them match, e.g. for a high min_score): the bound
-- of a request's work.
--
-- PATCH /users/me calls it in the statement that changes the filtering
-- preferences, after the update: a VOLATILE function's statements take a
-- snapshot of their own, which holds the new preferences.
------------------------------------------------------------------------------

ALTER TABLE user_job_alerts
    ADD COLUMN backfilled boolean NOT NULL DEFAULT false;

CREATE FUNCTION backfill_alerts(uid uuid, period interval DEFAULT '14 days',
                                n integer DEFAULT 200)
    RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    u         users;
    recent    uuid[];
    i         integer := 1;
    chunk     integer;
    inserted  integer := 0;
    more      integer;
BEGIN
    SELECT * INTO u FROM users
     WHERE id = uid AND is_active AND deleted_at IS NULL;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    SELECT array_agg(r.id ORDER BY r.listed_at DESC, r.id DESC) INTO recent
      FROM (SELECT j.id, j.listed_at
              FROM jobs j
              JOIN companies c ON c.id = j.company_id
             WHERE j.is_active AND j.duplicate_of IS NULL
               AND j.listed_at >= now() - period
               AND u.match_companies && ARRAY[c.slug, '']
               AND ('' = ANY (u.match_roles)
                    OR EXISTS (SELECT FROM unnest(u.match_roles) k
                                WHERE strpos(' ' || match_words(j.title) || ' ',
                                             ' ' || k || ' ') > 0))
               AND ('' = ANY (u.match_locations)
                    OR EXISTS (SELECT FROM unnest(u.match_locations) k
                                WHERE strpos(lower(j.location), k) > 0
                                   OR (k = 'remote'
                                       AND j.location_type = 'remote')))
               AND match_job_wanted(u.match_job_types,
                                    u.match_workplace_types,
                                    u.match_min_salary,
                                    u.match_salary_currency,
                                    j.employment_type, j.location_type,
                                    match_yearly_salary(j.salary_min,
                                                        j.salary_max,
                                                        j.salary_period),
                                    j.salary_currency)
               AND NOT EXISTS (SELECT FROM user_job_alerts a
                                WHERE a.user_id = uid AND a.job_id = j.id)
             ORDER BY j.listed_at DESC, j.id DESC
             LIMIT 1000) r;

    -- chunks about as large as the alerts still wanted: the cheap test is
    -- close, most of a chunk matches
    WHILE inserted < n AND i <= coalesce(cardinality(recent), 0) LOOP
        chunk := greatest(n - inserted, 100);

        -- planned for this user and these jobs (EXECUTE): the user read
        -- by its key per job
        EXECUTE $q$
        WITH c AS (
            SELECT c.user_id, c.job_id, c.match_score
              FROM match_candidates($2, NULL, NULL, $1) c
              JOIN jobs j ON j.id = c.job_id
             ORDER BY j.listed_at DESC, j.id DESC
             LIMIT $3
        ),
        i AS (
            INSERT INTO user_job_alerts AS a
                   (user_id, job_id, match_score, backfilled)
            SELECT c.user_id, c.job_id, c.match_score, true
              FROM c
             ORDER BY c.job_id
            ON CONFLICT (user_id, job_id) DO NOTHING
            RETURNING 1
        )
        SELECT count(*)::integer FROM i
        $q$ INTO more USING uid, recent[i : i + chunk - 1], n - inserted;

        inserted := inserted + more;
        i := i + chunk;
    END LOOP;

    RETURN inserted;
END;
$$;

-- The preferences that decide matches: all but the channels.  PATCH
-- /users/me backfills when they changed.
CREATE FUNCTION match_filters(prefs jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT prefs - 'notifications' $$;
