-- 0019_profile.sql — the user's profile (seed 004): skills that say where
-- they came from, education and work experience; the match score's parts
-- (seed 004: 40 skills, 35 title, 25 the rest) from one function that the
-- matcher and the API share; what GET /jobs/recommended ranks by.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

------------------------------------------------------------------------------
-- user_skills.source: who said the user has the skill.
--
--   user  the user, through the API (POST or PATCH /users/me/skills); also
--         every row older than this migration (no extractor wrote any)
--   cv    the cv worker, from the user's current CV
--
-- THE CONTRACT OF THE CV WORKER (and of anything else that extracts):
-- the user's edits win.  An extractor writes user_skills only through
-- cv_skills_store() below, which inserts and updates 'cv' rows and never
-- touches a 'user' row: not its years, not its proficiency, not its
-- existence.  A PATCH of a 'cv' row makes it 'user' for good.  A skill
-- the user deleted comes back only if a later CV states it again (a new
-- upload is the user speaking too).  Deleting the CV removes its 'cv'
-- rows: cv_skills_store(user, '{}', '{}').
--
-- Names are canonical (skill_canonical(), 0017) or, for a skill the
-- taxonomy does not know, as the user wrote it; one row per name whatever
-- its case.
------------------------------------------------------------------------------

ALTER TABLE user_skills
    ADD COLUMN source text NOT NULL DEFAULT 'user'
        CHECK (source IN ('user', 'cv'));

-- case twins written before the API canonicalized: the newest stays
DELETE FROM user_skills s
 USING user_skills t
 WHERE t.user_id = s.user_id AND lower(t.skill_name) = lower(s.skill_name)
   AND (t.updated_at, t.skill_name) > (s.updated_at, s.skill_name);

CREATE UNIQUE INDEX user_skills_user_lower_name
    ON user_skills (user_id, lower(skill_name));

-- The extracted skills of the user's current CV, canonical names with
-- their years (NULL: not stated), replacing the previous CV's: 'user'
-- rows are left alone (see the contract above).  Returns how many 'cv'
-- rows it wrote.
CREATE FUNCTION cv_skills_store(uid uuid, names text[], years numeric[])
    RETURNS integer
    LANGUAGE sql AS
$$
    WITH given AS (
        SELECT DISTINCT ON (lower(btrim(n))) btrim(n) AS name,
               least(greatest(y, 0), 99)::numeric(4, 1) AS years
          FROM unnest(names, years) AS g (n, y)
         WHERE btrim(n) <> ''
         ORDER BY lower(btrim(n)), y DESC NULLS LAST
    ),
    gone AS (
        DELETE FROM user_skills s
         WHERE s.user_id = uid AND s.source = 'cv'
           AND lower(s.skill_name) NOT IN (SELECT lower(name) FROM given)
    ),
    stored AS (
        INSERT INTO user_skills AS s (user_id, skill_name, years_experience,
                                      source)
        SELECT uid, g.name, g.years, 'cv' FROM given g
        ON CONFLICT (user_id, lower(skill_name)) DO UPDATE
           SET years_experience = excluded.years_experience
         WHERE s.source = 'cv'
        RETURNING 1
    )
    SELECT count(*)::integer FROM stored
$$;

------------------------------------------------------------------------------
-- Education and work experience (seed 004's profile).  Dates are days;
-- end_date NULL: ongoing (or not given, for education).  Bounds as the
-- API validates them, kept here too for any other writer.
------------------------------------------------------------------------------

CREATE TABLE user_education (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    institution     text        NOT NULL CHECK (length(institution) BETWEEN 1 AND 200),
    degree          text        CHECK (length(degree) <= 200),
    field_of_study  text        CHECK (length(field_of_study) <= 200),
    grade           text        CHECK (length(grade) <= 50),
    start_date      date,
    end_date        date,
    description     text        CHECK (length(description) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_education_dates_chk CHECK (end_date >= start_date)
);

CREATE INDEX idx_user_education_user ON user_education (user_id);

CREATE TRIGGER user_education_set_updated_at BEFORE UPDATE ON user_education
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE user_experience (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company         text        NOT NULL CHECK (length(company) BETWEEN 1 AND 200),
    title           text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    location        text        CHECK (length(location) <= 200),
    employment_type text        CHECK (employment_type IN ('full_time',
                                    'part_time', 'contract', 'internship',
                                    'temporary')),
    start_date      date        NOT NULL,
    end_date        date,
    description     text        CHECK (length(description) <= 4000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_experience_dates_chk CHECK (end_date >= start_date)
);

CREATE INDEX idx_user_experience_user ON user_experience (user_id);

CREATE TRIGGER user_experience_set_updated_at BEFORE UPDATE ON user_experience
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

------------------------------------------------------------------------------
-- The match score's parts.  match_score_parts() is the formula of 0007
-- (README "The score"), now in one place, its skills part weighted as
-- the skill gap's coverage (a nice-to-have skill counts half a required
-- one; 0007 counted them alike: the same when a job lists only required
-- skills, as most do): 0012's
-- match_candidates() is replaced below to call it, and match_parts()
-- gives an alert's parts to the API.  The parts are weighted: skills out
-- of 40, title out of 35, other (location) out of 25; the score is their
-- sum, rounded.
--
--   skills_fit    the share of the job's skills that are the user's,
--                 required ones counting double (match_skills_fit()),
--                 when both have skills (NULL otherwise)
--   any_role      the user has no role keywords
--   words         how many of the title's words the found keywords cover
--   title_terms   how many distinct words the title has
--   title_fit     the best similarity() of a found keyword to the title
--   location_fit  the user's location filter matched, or the job is remote
------------------------------------------------------------------------------

CREATE FUNCTION match_score_parts(skills_fit numeric, any_role boolean,
                                  words bigint, title_terms bigint,
                                  title_fit real, location_fit boolean)
    RETURNS numeric[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT ARRAY[
        40 * CASE WHEN skills_fit IS NOT NULL THEN skills_fit
                  WHEN any_role OR title_terms = 0 THEN 0.5
                  ELSE least(coalesce(words, 0)::numeric / title_terms, 1)
                  END,
        35 * CASE WHEN any_role THEN 0.5
                  ELSE coalesce(title_fit, 0)::numeric END,
        25 * CASE WHEN location_fit THEN 1 ELSE 0.5 END]
$$;

-- What a job's skill weighs in its coverage: a required one double.
CREATE FUNCTION skill_weight(required boolean) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN required THEN 2 ELSE 1 END $$;

-- The share of a job's skills that the user has, by weight (README
-- "Skill gap": the coverage, / 100): required and nice are the job's
-- skills, lower case.  NULL when either side has none.
CREATE FUNCTION match_skills_fit(uid uuid, required text[], nice text[])
    RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE AS
$$
    SELECT (skill_weight(true)
                * count(*) FILTER (WHERE lower(us.skill_name) = ANY (required))
            + skill_weight(false)
                * count(*) FILTER (WHERE lower(us.skill_name) = ANY (nice)))
               ::numeric
           / (skill_weight(true) * cardinality(required)
              + skill_weight(false) * cardinality(nice))
      FROM user_skills us
     WHERE us.user_id = uid
       AND cardinality(required) + cardinality(nice) > 0
    HAVING count(*) > 0
$$;

-- a job's skills, lower case: the required ones, or the others
CREATE FUNCTION match_job_skills(jid uuid, required boolean)
    RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS
$$
    SELECT ARRAY(SELECT DISTINCT lower(s.skill_name) FROM job_skills s
                  WHERE s.job_id = jid AND s.is_required = required)
$$;

-- An alert's parts as the API shows them ({skills, title, other}, one
-- decimal), for the user's profile and the job as they are now: the
-- stored match_score is the sum when the alert was made.
CREATE FUNCTION match_parts(uid uuid, jid uuid) RETURNS json
    LANGUAGE sql STABLE AS
$$
    SELECT json_build_object('skills', round(p[1], 1),
                             'title', round(p[2], 1),
                             'other', round(p[3], 1))
      FROM users u, jobs j,
           LATERAL (SELECT match_words(j.title) AS title_words,
                           (string_to_array(nullif(match_words(j.title), ''),
                                            ' '))[1:40] AS first) w,
           LATERAL (SELECT w.title_words,
                           ARRAY(SELECT DISTINCT x FROM unnest(w.first) x)
                               AS terms,
                           ' ' || array_to_string(w.first, ' ') || ' '
                               AS runs) t,
           -- a keyword is a key of the title (match_title_keys(): a run
           -- of its first 40 words) when it is a run of those words;
           -- found so, without making every key of the title
           LATERAL (SELECT max(similarity(r, t.title_words)) AS title_fit,
                           bit_count(bit_or(match_key_mask(t.terms, r))
                                     ::bit(64)) AS words
                      FROM unnest(u.match_roles) r
                     WHERE r <> '' AND strpos(t.runs, ' ' || r || ' ') > 0
                   ) found,
           match_score_parts(
               match_skills_fit(u.id, match_job_skills(j.id, true),
                                match_job_skills(j.id, false)),
               u.match_roles = '{""}', found.words,
               (SELECT count(DISTINCT w)
                  FROM unnest(string_to_array(nullif(t.title_words, ''), ' '))
                       w),
               found.title_fit,
               u.match_locations <> '{""}' OR j.location_type = 'remote') p
     WHERE u.id = uid AND j.id = jid
$$;

-- 0012's, its score now from match_score_parts() and match_skills_fit()
CREATE OR REPLACE FUNCTION match_candidates(job_ids uuid[],
                                            lo uuid DEFAULT NULL,
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
                       match_job_skills(j.id, true) AS required_skills,
                       match_job_skills(j.id, false) AS nice_skills,
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
               (SELECT round(p[1] + p[2] + p[3])
                  FROM match_score_parts(
                           match_skills_fit(u.id, job.required_skills,
                                            job.nice_skills),
                           u.match_roles = '{""}', found.words,
                           job.title_terms, found.title_fit,
                           u.match_locations <> '{""}' OR job.remote) p
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
    )
    SELECT p.user_id, p.job_id, p.match_score, p.fcm_token, p.push,
           CASE WHEN p.email THEN match_email_due(p.digest, now()) END
      FROM pair p
     WHERE (p.push OR p.email OR only_user IS NOT NULL)
       AND p.match_score >= p.min_score
$$;

------------------------------------------------------------------------------
-- Coverage: how much of a job's skills the user has, 0-100, required
-- skills counting double (GET /jobs/{id}/skill-gap; README "Skill gap"),
-- the score's skills part x 100 / 40:
--
--   coverage = 100 x (2 x required matched + nice-to-have matched)
--                  / (2 x required + nice-to-have)
--
-- NULL for a job that lists no skills.
--
-- Recommendations (GET /jobs/recommended, its statement in
-- ngx_http_jobscout_recommended.c): the active jobs that share a skill
-- with the user and pass the user's filtering preferences, by coverage
-- (computed for all of them at once, by skill_weight()), then newest.
-- profile_hash() is what the API's Redis cache of the ranking is keyed
-- by: it changes with any skill or filtering preference.
------------------------------------------------------------------------------

CREATE FUNCTION skill_coverage(uid uuid, jid uuid) RETURNS integer
    LANGUAGE sql STABLE AS
$$
    SELECT CASE WHEN cardinality(r) + cardinality(n) > 0
                THEN round(100 * coalesce(match_skills_fit(uid, r, n), 0))
                END::integer
      FROM match_job_skills(jid, true) r, match_job_skills(jid, false) n
$$;

CREATE FUNCTION profile_hash(uid uuid) RETURNS text
    LANGUAGE sql STABLE AS
$$
    SELECT md5(match_filters(u.preferences)::text || '|'
               || coalesce((SELECT string_agg(lower(s.skill_name), '|'
                                              ORDER BY lower(s.skill_name))
                              FROM user_skills s WHERE s.user_id = u.id),
                           ''))
      FROM users u
     WHERE u.id = uid AND u.is_active AND u.deleted_at IS NULL
$$;

