-- notify_seed.sql — the population of the notifier benchmark: :users
-- users with push on (each its own device token) and preferences drawn so
-- that a job of the generated kind matches about 10% of them, and the
-- companies and sources jobs come from.  Reproducible (setseed).  Its
-- rows: e-mails notify*@bench.invalid, companies notify-co-*.
--
--   psql -v users=100000 -f t/bench/notify_seed.sql
--
-- A user has 4 of the 20 roles (20% of titles), no company filter (60%)
-- or 5 of the 10 companies, no location filter (50%) or 2 of the 5 cities:
-- 0.2 x (0.6 + 0.4 x 0.5) x (0.5 + 0.5 x 0.4) = 11% of users per job.

SELECT setseed(0.42);

CREATE TEMP TABLE bench_roles (n int, role text);
INSERT INTO bench_roles
SELECT n - 1, r
  FROM unnest(ARRAY['backend_engineer', 'frontend_developer', 'data_scientist',
                    'devops_engineer', 'mobile_developer', 'qa_engineer',
                    'product_manager', 'security_engineer', 'data_engineer',
                    'ml_engineer', 'android_developer', 'ios_developer',
                    'site_reliability_engineer', 'database_administrator',
                    'cloud_architect', 'technical_writer', 'ux_designer',
                    'support_engineer', 'solutions_architect',
                    'embedded_engineer']) WITH ORDINALITY AS t (r, n);

INSERT INTO companies (name, slug)
SELECT 'Notify Bench ' || i, 'notify-co-' || i
  FROM generate_series(0, 9) i
ON CONFLICT DO NOTHING;

INSERT INTO job_sources (company_id, scraper_class, source_url)
SELECT c.id, 'bench', 'https://bench.invalid/' || c.slug
  FROM companies c
 WHERE c.slug LIKE 'notify-co-%'
   AND NOT EXISTS (SELECT FROM job_sources s WHERE s.company_id = c.id);

INSERT INTO users (email, hashed_password, full_name, preferences, fcm_token,
                   email_verified, email_verified_at)
SELECT 'notify' || i || '@bench.invalid', '!', 'Notify Bench ' || i,
       jsonb_build_object(
           'roles', (SELECT jsonb_agg(role) FROM (
                        SELECT role FROM bench_roles
                         ORDER BY random() + i * 0 LIMIT 4) r),
           'companies', CASE WHEN random() < 0.6 THEN '[]'::jsonb ELSE
                        (SELECT jsonb_agg('notify-co-' || c) FROM (
                            SELECT c FROM generate_series(0, 9) c
                             ORDER BY random() + i * 0 LIMIT 5) s) END,
           'locations', CASE WHEN random() < 0.5 THEN '[]'::jsonb ELSE
                        (SELECT jsonb_agg(l) FROM (
                            SELECT l FROM unnest(ARRAY['nairobi', 'mombasa',
                                'kisumu', 'kampala', 'kigali']) l
                             ORDER BY random() + i * 0 LIMIT 2) s) END,
           'notifications', jsonb_build_object('push', true, 'email', false)),
       'notify-device-' || i, true, now()
  FROM generate_series(1, :users) i;

ANALYZE users;
