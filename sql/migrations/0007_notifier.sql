-- 0007_notifier.sql — matching new jobs to users (seed 000 §5.2), the match
-- score (seed 004), and the state of each alert's notifications: a push
-- through FCM, an e-mail through the mailer.  jobscoutd's notifier role
-- drives it: match_new_jobs() when the scraper queues new jobs, then
-- claim_pushes() / record_pushes() and claim_emails() / emails_queued().
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

------------------------------------------------------------------------------
-- Matching keys
--
-- A user matches a job when each of the three filters of seed 000 §5.2
-- passes: the company filter, the role filter and the location filter; an
-- empty or absent filter passes everything.  Each filter is turned into
-- two arrays of keys, one from the user's preferences, one from the job,
-- and it passes when they share a key (&&).  Each side carries the key ''
-- for "no filter": a user without a company filter has {''}, every job
-- has '' among its keys.  So matching is three array overlaps, which one
-- GIN index on users answers for 100,000 users in milliseconds, instead
-- of evaluating every user's preferences for every new job.
--
--   companies  user: the slugs;  job: {its company's slug, ''}
--   roles      user: each keyword as words;  job: every run of 1 to 32
--              consecutive words among the title's first 40, and ''.
--              Words are lower case, split on anything but letters,
--              digits, '+' and '#' ("_", spaces, punctuation), so
--              "backend_engineer" is the words "backend engineer", which
--              are a run of "Senior Backend Engineer" but not of "Backend
--              Software Engineer" or "Backendengineer"; "c++" and "c#"
--              stay words.  A keyword with no letter or digit names no
--              word and matches nothing.  (The API keeps keywords to 64
--              characters, so 32 words at most; a title of more than 40
--              words is no title.)
--   locations  user: each entry, lower case and trimmed;  job: every
--              substring, up to 64 characters long, of the first 200
--              characters of its lower-cased location, '', and 'remote'
--              when location_type is remote.  So an entry matches when it
--              is a case-insensitive substring of the location (seed 000
--              §5.2), and "remote" also matches remote jobs whatever their
--              location says.  (The bounds keep a job's keys to a few
--              thousand at worst, a hundred for "Nairobi, Kenya"; a place
--              name is shorter than 64 characters.)
------------------------------------------------------------------------------

-- Text as matching sees it: lower-case words separated by single spaces.
CREATE FUNCTION match_words(s text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT btrim(regexp_replace(lower(s), '[^[:alnum:]+#]+', ' ', 'g')) $$;

-- A list of strings from the preferences, or NULL when the filter is off
-- (absent, not a list, or empty).
CREATE FUNCTION match_pref_list(prefs jsonb, name text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT e
      FROM jsonb_array_elements_text(
               CASE WHEN jsonb_typeof(prefs -> name) = 'array'
                    THEN prefs -> name ELSE '[]' END) AS e
$$;

CREATE FUNCTION match_company_keys(prefs jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT coalesce(nullif(ARRAY(SELECT DISTINCT lower(c)
                                   FROM match_pref_list(prefs, 'companies') c),
                           '{}'),
                    '{""}')
$$;

CREATE FUNCTION match_role_keys(prefs jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN EXISTS (SELECT FROM match_pref_list(prefs, 'roles'))
                THEN ARRAY(SELECT DISTINCT match_words(r)
                             FROM match_pref_list(prefs, 'roles') r
                            WHERE match_words(r) <> '')
                ELSE '{""}' END
$$;

CREATE FUNCTION match_location_keys(prefs jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT coalesce(nullif(ARRAY(SELECT DISTINCT btrim(lower(l))
                                   FROM match_pref_list(prefs, 'locations') l),
                           '{}'),
                    '{""}')
$$;

CREATE FUNCTION match_title_keys(title text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT ARRAY(SELECT DISTINCT array_to_string(w.words[i:k], ' ')
                   FROM (SELECT (string_to_array(nullif(match_words(title), ''),
                                                 ' '))[1:40] AS words) w,
                        generate_series(1, coalesce(cardinality(w.words), 0)) i,
                        generate_series(i, least(cardinality(w.words), i + 31)) k)
           || '{""}'::text[]
$$;

CREATE FUNCTION match_job_location_keys(location text, location_type text)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT ARRAY(SELECT DISTINCT substr(s.l, i, n)
                   FROM (SELECT lower(left(coalesce(location, ''), 200)) AS l) s,
                        generate_series(1, length(s.l)) i,
                        generate_series(1, least(64, length(s.l) - i + 1)) n)
           || '{""}'::text[]
           || CASE WHEN location_type = 'remote' THEN '{remote}'::text[]
                   ELSE '{}'::text[] END
$$;

------------------------------------------------------------------------------
-- Channels and thresholds, read defensively: a value of the wrong type
-- (written around the API's validation) counts as absent, never as an
-- error that would stop the matching of everyone else.
------------------------------------------------------------------------------

CREATE FUNCTION match_pref_flag(prefs jsonb, name text, absent boolean)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN jsonb_typeof(prefs -> 'notifications' -> name) = 'boolean'
                THEN (prefs -> 'notifications' ->> name)::boolean
                ELSE absent END
$$;

-- 'instant', 'hourly' or 'daily'
CREATE FUNCTION match_email_digest(prefs jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN prefs -> 'notifications' ->> 'email_digest'
                     IN ('hourly', 'daily')
                THEN prefs -> 'notifications' ->> 'email_digest'
                ELSE 'instant' END
$$;

CREATE FUNCTION match_min_score(prefs jsonb) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN jsonb_typeof(prefs -> 'min_score') = 'number'
                THEN least(greatest((prefs ->> 'min_score')::numeric, 0),
                           100)::integer
                ELSE 0 END
$$;

-- When an e-mail of an alert created at t is due: at once, or when the
-- hour or the day (UTC) that holds t is over, for the digests.
CREATE FUNCTION match_email_due(digest text, t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE digest
           WHEN 'hourly' THEN date_trunc('hour', t, 'UTC') + interval '1 hour'
           WHEN 'daily'  THEN date_trunc('day', t, 'UTC') + interval '1 day'
           ELSE t END
$$;

------------------------------------------------------------------------------
-- Each user's keys are stored, derived from the preferences by PostgreSQL
-- itself (generated columns: no code path can forget to update them), and
-- indexed together in one GIN index, so the three overlaps are answered
-- by one index scan.  Only live accounts are in it.  fastupdate off: a
-- pending list would be scanned by every match; a preferences change pays
-- for its few keys at once instead.
------------------------------------------------------------------------------

ALTER TABLE users
    ADD COLUMN match_companies text[]
        GENERATED ALWAYS AS (match_company_keys(preferences)) STORED,
    ADD COLUMN match_roles text[]
        GENERATED ALWAYS AS (match_role_keys(preferences)) STORED,
    ADD COLUMN match_locations text[]
        GENERATED ALWAYS AS (match_location_keys(preferences)) STORED;

CREATE INDEX idx_users_match
    ON users USING gin (match_companies, match_roles, match_locations)
    WITH (fastupdate = off)
    WHERE is_active AND deleted_at IS NULL;

------------------------------------------------------------------------------
-- The notifications of an alert
--
--   push_status   NULL: no push (the user had push off, or no device)
--                 pending   to send when push_due_at comes
--                 sending   claimed by a notifier until push_due_at (the
--                           lease); past it, another notifier takes over
--                 accepted  FCM accepted it at pushed_at
--                 unregistered  FCM said the device token is gone (or
--                           invalid): the user's token was cleared
--                 failed    refused for good, or out of attempts
--                 cancelled the device token or the account went before
--                           the push was sent
--   email_status  NULL: no e-mail (off, or the address is not verified)
--                 pending   due at email_due_at (at once, or at the end
--                           of the hour or day of a digest)
--                 queueing  claimed until email_due_at (the lease)
--                 queued    handed to the mailer (mail queue) at emailed_at
--                 cancelled the account went before it was due
--
-- notified_at (0001) is when the alert first went out on any channel.
------------------------------------------------------------------------------

ALTER TABLE user_job_alerts
    ADD COLUMN push_status text
        CHECK (push_status IN ('pending', 'sending', 'accepted',
                               'unregistered', 'failed', 'cancelled')),
    ADD COLUMN push_due_at timestamptz,
    ADD COLUMN push_attempts smallint NOT NULL DEFAULT 0
        CHECK (push_attempts >= 0),
    ADD COLUMN push_error text,
    ADD COLUMN pushed_at timestamptz,
    ADD COLUMN fcm_message_id text,
    ADD COLUMN email_status text
        CHECK (email_status IN ('pending', 'queueing', 'queued',
                                'cancelled')),
    ADD COLUMN email_due_at timestamptz,
    ADD COLUMN emailed_at timestamptz,
    ADD CONSTRAINT user_job_alerts_push_due_chk
        CHECK ((push_status IN ('pending', 'sending'))
               = (push_due_at IS NOT NULL)),
    ADD CONSTRAINT user_job_alerts_email_due_chk
        CHECK ((email_status IN ('pending', 'queueing'))
               = (email_due_at IS NOT NULL));

-- The notifiers' work queues: due pushes (and expired leases), due mails.
-- They replace 0001's idx_alerts_pending_notify ("alerts created but not
-- yet notified", for the push worker), which every new alert entered,
-- and which no query uses.
CREATE INDEX idx_alerts_push_due ON user_job_alerts (push_due_at)
    WHERE push_status IN ('pending', 'sending');
CREATE INDEX idx_alerts_email_due ON user_job_alerts (email_due_at)
    WHERE email_status IN ('pending', 'queueing');
DROP INDEX idx_alerts_pending_notify;

-- The application status history trigger of 0001, the same, but not even
-- queued for an alert inserted without a status, or an update that does
-- not change it: the matcher inserts thousands of alerts at a time.
DROP TRIGGER user_job_alerts_log_status ON user_job_alerts;
CREATE TRIGGER user_job_alerts_log_status_insert
    AFTER INSERT ON user_job_alerts
    FOR EACH ROW WHEN (NEW.application_status IS NOT NULL)
    EXECUTE FUNCTION log_application_status();
CREATE TRIGGER user_job_alerts_log_status_update
    AFTER UPDATE OF application_status ON user_job_alerts
    FOR EACH ROW
    WHEN (NEW.application_status IS DISTINCT FROM OLD.application_status)
    EXECUTE FUNCTION log_application_status();

-- Commit-to-push latency of every accepted push: from the job's discovery
-- (the scraper's insert) to FCM accepting the message.
CREATE VIEW alert_push_latency AS
SELECT a.id AS alert_id, a.user_id, a.job_id, j.discovered_at, a.pushed_at,
       extract(epoch FROM a.pushed_at - j.discovered_at) * 1000
           AS latency_ms
  FROM user_job_alerts a
  JOIN jobs j ON j.id = a.job_id
 WHERE a.push_status = 'accepted';

------------------------------------------------------------------------------
-- Matching, in two steps, so that the notifier can push the first alerts
-- while it inserts the next ones:
--
--   match_users(job_ids)      who matches: every live user that one of
--                             these (active) jobs matches, with a channel
--                             to reach them (a device token and push on,
--                             or a verified address and e-mail on); one
--                             GIN index scan per job.  Read-only.
--   insert_alerts(users, jobs, lease)
--                             for a chunk of those pairs: the score, the
--                             user's min_score, the alerts inserted.
--
-- match_new_jobs(job_ids) does both at once.
------------------------------------------------------------------------------

CREATE FUNCTION match_users(job_ids uuid[])
    RETURNS TABLE (user_id uuid, job_id uuid)
    LANGUAGE sql STABLE AS
$$
    WITH job AS MATERIALIZED (
        SELECT j.id, ARRAY[c.slug, ''] AS company_keys,
               match_title_keys(j.title) AS role_keys,
               match_job_location_keys(j.location, j.location_type)
                   AS location_keys
          FROM jobs j
          JOIN companies c ON c.id = j.company_id
         WHERE j.id = ANY (job_ids) AND j.is_active
    )
    SELECT u.id, job.id
      FROM job
      JOIN users u
        ON u.is_active AND u.deleted_at IS NULL
       AND u.match_companies && job.company_keys
       AND u.match_roles && job.role_keys
       AND u.match_locations && job.location_keys
     WHERE (u.fcm_token IS NOT NULL
            AND match_pref_flag(u.preferences, 'push', true))
        OR (u.email_verified
            AND match_pref_flag(u.preferences, 'email', false))
$$;

------------------------------------------------------------------------------
-- match_scores(users, jobs): for matched pairs (parallel arrays), the
-- match score, 0-100 (seed 004: 40% keywords and skills, 35% title
-- similarity, 25% location), from the user's role keywords found in the
-- title ("found": the ones the role filter matched), and how to reach the
-- user now:
--
--   keywords  40 x the share of the job's skills (job_skills) that are
--             the user's skills (user_skills), when both list skills;
--             otherwise the share of the title's words that the found
--             keywords cover; 0.5 for a user without role keywords.
--   title     35 x the best pg_trgm similarity() between the title's
--             words and a found keyword: how much of the title it
--             covers (for "Senior Backend Engineer": "senior backend
--             engineer" 1, "backend engineer" 0.71, "engineer" 0.38);
--             0.5 for a user without role keywords.
--   location  25 x 1 when the user's location filter matched, or the job
--             is remote; 0.5 when the user has no location filter and the
--             job is not remote.
--
-- E.g. the demo user (role backend_engineer; skills python, go, ...;
-- locations nairobi, remote) and Andela's "Backend Engineer (Go)",
-- remote, skills go, postgresql and docker (all the demo user's):
-- 40 x 1 + 35 x 0.85 + 25 = 95.
------------------------------------------------------------------------------

CREATE FUNCTION match_scores(user_ids uuid[], job_ids uuid[])
    RETURNS TABLE (user_id uuid, job_id uuid, match_score smallint,
                   min_score integer, fcm_token text, push boolean,
                   email_due_at timestamptz)
    LANGUAGE sql STABLE AS
$$
    WITH pair AS (
        SELECT * FROM unnest(user_ids, job_ids) AS p (user_id, job_id)
    ),
    job AS MATERIALIZED (
        SELECT j.id, match_words(j.title) AS title_words,
               j.location_type = 'remote' AS remote,
               match_title_keys(j.title) AS role_keys,
               ARRAY(SELECT DISTINCT lower(s.skill_name)
                       FROM job_skills s WHERE s.job_id = j.id) AS skills,
               (SELECT count(DISTINCT w)
                  FROM unnest(string_to_array(
                           nullif(match_words(j.title), ''), ' ')) w)
                   AS title_terms
          FROM jobs j
         WHERE j.id IN (SELECT pair.job_id FROM pair)
    ),
    matched AS MATERIALIZED (
        SELECT u.id AS user_id, job.id AS job_id, u.fcm_token,
               u.fcm_token IS NOT NULL AND u.is_active
                   AND u.deleted_at IS NULL
                   AND match_pref_flag(u.preferences, 'push', true) AS push,
               u.email_verified AND u.is_active AND u.deleted_at IS NULL
                   AND match_pref_flag(u.preferences, 'email', false) AS email,
               match_email_digest(u.preferences) AS digest,
               match_min_score(u.preferences) AS min_score,
               u.match_roles = '{""}' AS any_role,
               u.match_locations <> '{""}' OR job.remote AS location_fit,
               found.title_fit, found.words, job.title_terms,
               skills.fit AS skills_fit
          FROM pair
          JOIN users u ON u.id = pair.user_id
          JOIN job ON job.id = pair.job_id
          CROSS JOIN LATERAL (
              SELECT max(similarity(r, job.title_words)) AS title_fit,
                     cardinality(ARRAY(SELECT DISTINCT w FROM unnest(
                         string_to_array(string_agg(r, ' '), ' ')) w))
                         AS words
                FROM unnest(u.match_roles) r
               WHERE r <> '' AND r = ANY (job.role_keys)) found
          LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE lower(us.skill_name)
                                            = ANY (job.skills))::numeric
                     / cardinality(job.skills) AS fit
                FROM user_skills us
               WHERE us.user_id = u.id AND cardinality(job.skills) > 0
              HAVING count(*) > 0) skills ON true
    )
    SELECT m.user_id, m.job_id,
           round(40 * CASE WHEN m.skills_fit IS NOT NULL THEN m.skills_fit
                           WHEN m.any_role OR m.title_terms = 0 THEN 0.5
                           ELSE least(m.words::numeric / m.title_terms, 1)
                           END
                 + 35 * CASE WHEN m.any_role THEN 0.5
                             ELSE coalesce(m.title_fit, 0) END
                 + 25 * CASE WHEN m.location_fit THEN 1 ELSE 0.5 END
                )::smallint,
           m.min_score, m.fcm_token, m.push,
           CASE WHEN m.email THEN match_email_due(m.digest, now()) END
      FROM matched m
$$;

-- Inserts the alerts of matched pairs (parallel arrays) whose score is at
-- least the user's min_score and who can still be reached, and returns
-- the ones really inserted.  ON CONFLICT DO NOTHING: a job matched again
-- (a retried task, a restarted notifier) creates nothing, and only the
-- alerts returned are ever notified.  With a lease, the pushes are
-- inserted already claimed ('sending'), for the notifier that inserts
-- them to send at once; without, they wait as 'pending' for any notifier.
CREATE FUNCTION insert_alerts(user_ids uuid[], job_ids uuid[],
                              lease interval)
    RETURNS TABLE (alert_id uuid, user_id uuid, job_id uuid,
                   fcm_token text, push boolean, email boolean)
    LANGUAGE sql AS
$$
    WITH s AS (
        SELECT *
          FROM match_scores(user_ids, job_ids) s
         WHERE (s.push OR s.email_due_at IS NOT NULL)
           AND s.match_score >= s.min_score
    ),
    inserted AS (
        INSERT INTO user_job_alerts AS a
               (user_id, job_id, match_score, push_status, push_due_at,
                push_attempts, email_status, email_due_at)
        SELECT s.user_id, s.job_id, s.match_score,
               CASE WHEN s.push AND lease IS NULL THEN 'pending'
                    WHEN s.push THEN 'sending' END,
               CASE WHEN s.push THEN now() + coalesce(lease, '0') END,
               CASE WHEN s.push AND lease IS NOT NULL THEN 1 ELSE 0 END,
               CASE WHEN s.email_due_at IS NOT NULL THEN 'pending' END,
               s.email_due_at
          FROM s
        ON CONFLICT (user_id, job_id) DO NOTHING
        RETURNING a.id, a.user_id, a.job_id,
                  a.push_status IS NOT NULL AS push,
                  a.email_status IS NOT NULL AS email
    )
    SELECT i.id, i.user_id, i.job_id, s.fcm_token, i.push, i.email
      FROM inserted i
      JOIN s ON s.user_id = i.user_id AND s.job_id = i.job_id
$$;

-- Both at once, every push pending: for tests and hand-run matching.
CREATE FUNCTION match_new_jobs(job_ids uuid[])
    RETURNS TABLE (alert_id uuid, user_id uuid, job_id uuid, push boolean,
                   email boolean)
    LANGUAGE sql AS
$$
    SELECT i.alert_id, i.user_id, i.job_id, i.push, i.email
      FROM (SELECT array_agg(m.user_id) AS u, array_agg(m.job_id) AS j
              FROM match_users(job_ids) m) m,
           insert_alerts(m.u, m.j, NULL) i
$$;

-- What a push message needs of its job.  discovered_ms: for the latency.
CREATE FUNCTION push_jobs(job_ids uuid[])
    RETURNS TABLE (job_id uuid, title text, company text, location text,
                   location_type text, discovered_ms bigint)
    LANGUAGE sql STABLE AS
$$
    SELECT j.id, j.title, c.name, j.location, j.location_type,
           (extract(epoch FROM j.discovered_at) * 1000)::bigint
      FROM jobs j
      JOIN companies c ON c.id = j.company_id
     WHERE j.id = ANY (job_ids)
$$;

------------------------------------------------------------------------------
-- Pushes
------------------------------------------------------------------------------

-- Takes up to n due pushes (pending ones whose time has come, and sending
-- ones whose lease expired: their notifier died), oldest first, for lease:
-- they are 'sending' until then.  Pushes whose user has no device token
-- any more, or no live account, are cancelled instead and not returned.
-- Returns what the FCM message needs.  SKIP LOCKED: notifiers running
-- side by side take different pushes.
CREATE FUNCTION claim_pushes(n integer, lease interval)
    RETURNS TABLE (alert_id uuid, user_id uuid, job_id uuid, fcm_token text,
                   title text, company text, location text,
                   location_type text, attempts integer,
                   discovered_ms bigint)
    LANGUAGE sql AS
$$
    WITH due AS (
        SELECT a.id
          FROM user_job_alerts a
         WHERE a.push_status IN ('pending', 'sending')
           AND a.push_due_at <= now()
         ORDER BY a.push_due_at
         LIMIT n
           FOR UPDATE SKIP LOCKED
    ),
    claimed AS (
        UPDATE user_job_alerts a
           SET push_status = CASE WHEN u.fcm_token IS NULL OR NOT u.is_active
                                       OR u.deleted_at IS NOT NULL
                                  THEN 'cancelled' ELSE 'sending' END,
               push_due_at = CASE WHEN u.fcm_token IS NULL OR NOT u.is_active
                                       OR u.deleted_at IS NOT NULL
                                  THEN NULL ELSE now() + lease END,
               push_attempts = a.push_attempts + 1
          FROM due, users u
         WHERE a.id = due.id AND u.id = a.user_id
        RETURNING a.id, a.user_id, a.job_id, a.push_status, a.push_attempts,
                  u.fcm_token
    )
    SELECT c.id, c.user_id, c.job_id, c.fcm_token, p.title, p.company,
           p.location, p.location_type, c.push_attempts, p.discovered_ms
      FROM claimed c
      JOIN push_jobs(ARRAY(SELECT job_id FROM claimed)) p
        ON p.job_id = c.job_id
     WHERE c.push_status = 'sending'
     ORDER BY p.discovered_ms
$$;

-- What came of pushes, in parallel arrays, one element per push:
--   status    accepted | pending (a retry, due in retry_ms) | released
--             (never sent: pending again, due now, the attempt not
--             counted) | unregistered | failed
--   at        when FCM answered (accepted: pushed_at)
--   name      FCM's message name (accepted)
--   error     the reason (other than accepted)
--   retry_ms  pending: in how long
--   token     the device token it went to: on unregistered, the user's
--             token is cleared if it is still that one (the app may have
--             registered a new one meanwhile)
-- Returns the number of pushes recorded.
CREATE FUNCTION record_pushes(ids uuid[], statuses text[], ats timestamptz[],
                              names text[], errors text[], retry_ms integer[],
                              tokens text[])
    RETURNS integer
    LANGUAGE sql AS
$$
    WITH r AS (
        SELECT r.*,
               CASE WHEN r.status = 'released' THEN 'pending'
                    ELSE r.status END AS new_status
          FROM unnest(ids, statuses, ats, names, errors, retry_ms, tokens)
                   AS r (id, status, at, name, error, retry, token)
    ),
    cleared AS (
        UPDATE users u
           SET fcm_token = NULL
          FROM r, user_job_alerts a
         WHERE r.status = 'unregistered' AND a.id = r.id
           AND u.id = a.user_id AND u.fcm_token = r.token
        RETURNING u.id
    ),
    recorded AS (
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
         WHERE a.id = r.id AND a.push_status = 'sending'
        RETURNING a.id
    )
    SELECT count(*)::integer FROM recorded
$$;

------------------------------------------------------------------------------
-- E-mails
------------------------------------------------------------------------------

-- Takes the due e-mails of up to n users, each user's due alerts making
-- one mail (an instant alert, or a digest), for lease.  One notifier at a
-- time (a transaction-level advisory lock), so that a user's digest is
-- never split between two notifiers; the others get nothing this time.
-- Each row is one mail task's id and args (the mailer's format, jobs best
-- first, at most 50 of them, "more" counting the rest) and its alerts.
-- The task id is derived from the alerts, so a mail queued twice (a crash
-- between queueing and emails_queued()) has the same Message-ID.
CREATE FUNCTION claim_emails(n integer, lease interval)
    RETURNS TABLE (task_id text, kind text, args jsonb, alert_ids uuid[])
    LANGUAGE plpgsql AS
$$
BEGIN
    -- "JobScout" + 1: the migration runner's lock key is "JobScout"
    IF NOT pg_try_advisory_xact_lock(5363613791511606645) THEN
        RETURN;
    END IF;

    RETURN QUERY
    WITH due AS (
        SELECT a.id, a.user_id, a.job_id, a.match_score
          FROM user_job_alerts a
         WHERE a.email_status IN ('pending', 'queueing')
           AND a.email_due_at <= now()
           AND a.user_id IN (SELECT DISTINCT d.user_id
                               FROM user_job_alerts d
                              WHERE d.email_status IN ('pending', 'queueing')
                                AND d.email_due_at <= now()
                              LIMIT n)
           FOR UPDATE OF a
    ),
    claimed AS (
        UPDATE user_job_alerts a
           SET email_status = CASE WHEN u.is_active AND u.deleted_at IS NULL
                                        AND u.email_verified
                                   THEN 'queueing' ELSE 'cancelled' END,
               email_due_at = CASE WHEN u.is_active AND u.deleted_at IS NULL
                                        AND u.email_verified
                                   THEN now() + lease END
          FROM due, users u
         WHERE a.id = due.id AND u.id = a.user_id
        RETURNING a.id, a.user_id, a.job_id, a.match_score, a.email_status
    ),
    ranked AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.user_id
                                       ORDER BY c.match_score DESC, j.discovered_at DESC)
                        AS rank,
               j.title, co.name AS company, j.location, j.location_type,
               j.discovered_at
          FROM claimed c
          JOIN jobs j ON j.id = c.job_id
          JOIN companies co ON co.id = j.company_id
         WHERE c.email_status = 'queueing'
    )
    SELECT md5(string_agg(r.id::text, ',' ORDER BY r.id)),
           CASE WHEN match_email_digest(u.preferences) = 'instant'
                THEN 'mail.job_alert' ELSE 'mail.job_digest' END,
           jsonb_build_object(
               'to', u.email,
               'name', coalesce(u.full_name, ''),
               'period', match_email_digest(u.preferences),
               'jobs', jsonb_agg(jsonb_build_object(
                           'job_id', r.job_id, 'title', r.title,
                           'company', r.company,
                           'location', coalesce(r.location, ''),
                           'location_type', coalesce(r.location_type, ''),
                           'match_score', r.match_score)
                       ORDER BY r.rank) FILTER (WHERE r.rank <= 50),
               'more', count(*) FILTER (WHERE r.rank > 50)),
           array_agg(r.id)
      FROM ranked r
      JOIN users u ON u.id = r.user_id
     GROUP BY u.id;
END;
$$;

-- The mails of these alerts are on the mail queue.
CREATE FUNCTION emails_queued(ids uuid[]) RETURNS integer
    LANGUAGE sql AS
$$
    WITH q AS (
        UPDATE user_job_alerts a
           SET email_status = 'queued', email_due_at = NULL,
               emailed_at = now(),
               notified_at = coalesce(a.notified_at, now())
         WHERE a.id = ANY (ids) AND a.email_status = 'queueing'
        RETURNING 1
    )
    SELECT count(*)::integer FROM q
$$;
