-- demo.sql — demo data for a fresh Job Scout database (seed 001 #15): the
-- companies and sources of make run's local demo board (conf/demo/board.py)
-- and the demo users.  No job, alert or scrape log is invented here: the
-- first scrape of the board fills them in.
--
--   psql -X -v ON_ERROR_STOP=1 -v board_url=http://127.0.0.1:8091 \
--        -d "<conninfo>" -f sql/seed/demo.sql
--
-- board_url is where the demo board listens (conf/stack.sh passes it).
-- Without it (the Docker image has no board) only the users are loaded.
--
-- Idempotent: fixed UUIDs / natural keys + ON CONFLICT, so it can be re-run
-- at any time.  It never overwrites a row that already exists, except the
-- board's address in its companies and sources, which follows board_url.
--
-- Demo logins (development only; never load this into production):
--   demo@jobscout.dev   / jobscout-demo    (verified user, a phone, e-mail
--                                           alerts at once)
--   admin@jobscout.dev  / jobscout-admin   (is_admin)
-- Hashes are bcrypt cost 12, generated once with crypt(3) ($2b$).

BEGIN;

-- Users ----------------------------------------------------------------------
-- The demo user's preferences take every posting the demo board publishes
-- (its titles all say engineer or developer; its places are these four),
-- so each new posting is a push to the demo phone's token (to make run's
-- FCM stand-in) and an e-mail (to make run's SMTP sink).
INSERT INTO users (id, email, hashed_password, full_name, preferences,
                   fcm_token, is_admin, email_verified, email_verified_at)
VALUES
    ('a0000000-0000-4000-8000-000000000001', 'demo@jobscout.dev',
     '$2b$12$yj7n5qBTMlGsh14f/67ujODQlTydd1sL4S0suJOegq.hCFiDqHdbW',
     'Wanjiku Demo',
     '{"roles": ["engineer", "developer"],
       "locations": ["nairobi", "kampala", "kigali", "remote"],
       "notifications": {"push": true, "email": true,
                         "email_digest": "instant"}}',
     'demo-phone-wanjiku', false, true, now()),
    ('a0000000-0000-4000-8000-000000000002', 'admin@jobscout.dev',
     '$2b$12$tdMDKwcZln5yi0C2XHW85.qYlPXWazQFFChtSK7OZ.EnDx1nQ/KoS',
     'Job Scout Admin', '{}', NULL,
     true, true, now())
-- users_fcm_token_key is deferrable, which ON CONFLICT cannot take as an
-- arbiter: name the natural key.
ON CONFLICT ((lower(email))) DO NOTHING;

-- under the taxonomy's names (0017), as the API stores them
INSERT INTO user_skills (user_id, skill_name, proficiency, years_experience)
SELECT u.id, coalesce(skill_canonical(s.skill_name), s.skill_name),
       s.proficiency, s.years
FROM users u,
     (VALUES ('python', 'advanced', 4.0),
             ('postgresql', 'advanced', 4.0),
             ('go', 'intermediate', 1.5),
             ('docker', 'intermediate', 3.0),
             ('redis', 'intermediate', 2.0),
             ('kafka', 'beginner', 0.5)) AS s (skill_name, proficiency, years)
WHERE lower(u.email) = 'demo@jobscout.dev'
ON CONFLICT DO NOTHING;

COMMIT;

\if :{?board_url}

BEGIN;

-- The demo board's companies ------------------------------------------------
-- The employers its RSS feed names are created by the scraper, as for any
-- job board's feed.
INSERT INTO companies AS c (id, name, slug, careers_url) VALUES
    ('c0000000-0000-4000-8000-0000000000d1', 'Savanna Pay', 'savanna-pay',
     :'board_url' || '/v1/boards/savanna-pay/jobs'),
    ('c0000000-0000-4000-8000-0000000000d2', 'Kilima Health', 'kilima-health',
     :'board_url' || '/v0/postings/kilima-health'),
    ('c0000000-0000-4000-8000-0000000000d3', 'Mawingu Cloud', 'mawingu-cloud',
     :'board_url' || '/careers/mawingu-cloud'),
    ('c0000000-0000-4000-8000-0000000000d4', 'Tech Jobs East Africa',
     'tech-jobs-east-africa',
     :'board_url' || '/feeds/tech-jobs-east-africa.xml')
ON CONFLICT (id) DO UPDATE
    SET careers_url = EXCLUDED.careers_url, updated_at = now()
    WHERE c.careers_url IS DISTINCT FROM EXCLUDED.careers_url;

-- The demo board's sources --------------------------------------------------
-- One per format, with the adapter that reads it (workers/adapters/
-- catalogue.c).  Priority high and an operator-pinned interval of 20 s: the
-- board is polled often enough that a posting is a push within a minute.
INSERT INTO job_sources AS s (id, company_id, scraper_class, source_url,
                              config, priority, scrape_interval_seconds)
SELECT v.id, c.id, v.scraper_class, v.source_url, v.config, 'high', 20
FROM (VALUES
    ('5a000000-0000-4000-8000-0000000000d1'::uuid, 'savanna-pay',
     'greenhouse', 'savanna-pay',
     jsonb_build_object('api_base', :'board_url')),
    ('5a000000-0000-4000-8000-0000000000d2', 'kilima-health',
     'lever', 'kilima-health',
     jsonb_build_object('api_base', :'board_url')),
    ('5a000000-0000-4000-8000-0000000000d3', 'mawingu-cloud',
     'jsonld', :'board_url' || '/careers/mawingu-cloud', '{}'),
    ('5a000000-0000-4000-8000-0000000000d4', 'tech-jobs-east-africa',
     'rss', :'board_url' || '/feeds/tech-jobs-east-africa.xml', '{}')
) AS v (id, company_slug, scraper_class, source_url, config)
JOIN companies c ON c.slug = v.company_slug
ON CONFLICT (id) DO UPDATE
    SET source_url = EXCLUDED.source_url, config = EXCLUDED.config,
        updated_at = now()
    WHERE (s.source_url, s.config)
          IS DISTINCT FROM (EXCLUDED.source_url, EXCLUDED.config);

COMMIT;

\endif
