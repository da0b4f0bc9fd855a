-- 0021_match_speed.sql — the push path's share of PostgreSQL cut (issue
-- 19).  Matching one new job against 100,000 users: 0019's
-- match_candidates() spent nine tenths of its time outside the index
-- scan, in two SQL-function calls per matched user, each run by the
-- SQL-function executor (a plan set up per call): match_score_parts() in
-- FROM (never inlined there), evaluated twice (once in the filter on
-- min_score, once for the output), and match_skills_fit() (a query with
-- FROM: never inlined) even for a job without skills, where it is NULL.
-- Same results, same formula, a third of the CPU:
--
--   * match_skills_fits() is match_skills_fit()'s query as a table
--     function, which PostgreSQL inlines into the caller's plan as a
--     subquery (an index lookup in user_skills when the job has skills,
--     nothing at all when it has none); match_skills_fit() is now that;
--   * the score's parts are computed once per pair, in a subquery kept
--     apart (OFFSET 0) so the planner does not copy the expression into
--     each place it is used, with match_score_parts() called as a scalar,
--     which PostgreSQL inlines into plain arithmetic.
--
-- And record_pushes(), called for every few dozen outcomes, costs a
-- tenth of what it did per call (below).
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

-- The share of a job's skills that the user has, by weight (0019's
-- match_skills_fit()): no row when either side has none.
CREATE FUNCTION match_skills_fits(uid uuid, required text[], nice text[])
    RETURNS TABLE (fit numeric)
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

CREATE OR REPLACE FUNCTION match_skills_fit(uid uuid, required text[],
                                            nice text[])
    RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT fit FROM match_skills_fits(uid, required, nice) $$;

-- 0019's, each pair's score computed once and inlined
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
               round(s.p[1] + s.p[2] + s.p[3])::smallint AS match_score
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
          LEFT JOIN LATERAL match_skills_fits(u.id, job.required_skills,
                                              job.nice_skills) k ON true
         CROSS JOIN LATERAL (
              SELECT match_score_parts(k.fit, u.match_roles = '{""}',
                                       found.words, job.title_terms,
                                       found.title_fit,
                                       u.match_locations <> '{""}'
                                           OR job.remote) AS p
              OFFSET 0) s
    )
    SELECT p.user_id, p.job_id, p.match_score, p.fcm_token, p.push,
           CASE WHEN p.email THEN match_email_due(p.digest, now()) END
      FROM pair p
     WHERE (p.push OR p.email OR only_user IS NOT NULL)
       AND p.match_score >= p.min_score
$$;

-- 0008's record_pushes(), its cost per call cut (the notifier calls it
-- for the few dozen outcomes that came while the previous call ran, so
-- what a call costs whatever its size counted for half its time): its
-- statements are static, planned once per connection rather than parsed
-- and planned on each call, and the users' update, which clears a token
-- FCM no longer knows (and whose setup alone, the generated columns of
-- users, cost more than the rest), runs only when such an answer came.
CREATE OR REPLACE FUNCTION record_pushes(ids uuid[], attempts integer[],
                                         statuses text[], ats timestamptz[],
                                         names text[], errors text[],
                                         retry_ms integer[], tokens text[],
                                         done bigint[])
    RETURNS integer
    LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS
$$
DECLARE
    recorded  integer;
BEGIN
    IF 'unregistered' = ANY (statuses) THEN
        UPDATE users u
           SET fcm_token = NULL
          FROM unnest(ids, statuses, tokens) AS r (id, status, token),
               user_job_alerts a
         WHERE r.status = 'unregistered' AND a.id = r.id
           AND u.id = a.user_id AND u.fcm_token = r.token;
    END IF;

    WITH r AS (
        SELECT r.*,
               CASE WHEN r.status = 'released' THEN 'pending'
                    ELSE r.status END AS new_status
          FROM unnest(ids, attempts, statuses, ats, names, errors, retry_ms)
                   AS r (id, attempt, status, at, name, error, retry)
    ),
    rec AS (
        UPDATE user_job_alerts a
           SET push_status = r.new_status,
               push_due_at = CASE WHEN r.new_status = 'pending'
                                  THEN now() + coalesce(r.retry, 0)
                                               * interval '1 ms' END,
               push_attempts = CASE WHEN r.status = 'released'
                                    THEN greatest(a.push_attempts - 1, 0)
                                    ELSE a.push_attempts END,
               pushed_at = CASE WHEN r.status = 'accepted' THEN r.at END,
               fcm_message_id = CASE WHEN r.status = 'accepted'
                                     THEN r.name END,
               push_error = CASE WHEN r.status = 'accepted' THEN NULL
                                 WHEN r.status = 'released'
                                 THEN a.push_error
                                 ELSE r.error END,
               notified_at = CASE WHEN r.status = 'accepted'
                                  THEN coalesce(a.notified_at, r.at)
                                  ELSE a.notified_at END
          FROM r
         WHERE a.id = r.id AND a.push_attempts = r.attempt
        RETURNING a.id, a.push_status, a.push_due_at
    ),
    requeued AS (
        INSERT INTO push_queue (due_at, alert_ids)
        SELECT rec.push_due_at, array_agg(rec.id)
          FROM rec
         WHERE rec.push_status = 'pending'
         GROUP BY rec.push_due_at
    ),
    finished AS (
        DELETE FROM push_queue q WHERE q.id = ANY (done)
    )
    SELECT count(*)::integer INTO recorded FROM rec;

    RETURN recorded;
END;
$$;
