-- seed.sql — a large, deterministic data set: companies with one source
-- each, active jobs with skills, verified users with alerts.  Used by
-- make bench (t/bench/run.sh) and by the EXPLAIN test (t/063_jobs_explain.t).
--
--   psql -X -v ON_ERROR_STOP=1 -v companies=200 -v jobs=50000 \
--        -v users=10000 -v alerts=20 -d "<conninfo>" -f t/bench/seed.sql
--
-- Ids are md5-derived UUIDs ('bench-job-<n>', ...), so the same run always
-- makes the same rows, and rows refer to each other without lookups.  Every
-- row belongs to the bench: slugs, e-mail addresses and external ids start
-- with "bench".  Loading it twice fails on the primary keys.

\set ON_ERROR_STOP 1

BEGIN;

-- Word lists; pick(list, n) takes the n-th, wrapping around.
CREATE TEMPORARY TABLE bench_words ON COMMIT DROP AS
SELECT ARRAY['Junior', 'Senior', 'Lead', 'Principal', 'Staff', 'Graduate',
             'Mid-level', 'Senior', 'Associate', 'Head of'] AS level,
       ARRAY['Backend Engineer', 'Frontend Developer',
             'Full Stack Developer', 'Data Scientist', 'DevOps Engineer',
             'Android Developer', 'iOS Developer', 'Data Engineer',
             'Site Reliability Engineer', 'QA Engineer', 'Security Engineer',
             'Machine Learning Engineer', 'Product Designer',
             'Platform Engineer', 'Database Administrator',
             'Cloud Architect', 'Software Engineer'] AS role,
       ARRAY['python', 'java', 'go', 'javascript', 'typescript', 'react',
             'node.js', 'kotlin', 'swift', 'postgresql', 'mysql', 'redis',
             'kafka', 'docker', 'kubernetes', 'terraform', 'aws', 'azure',
             'gcp', 'django', 'flask', 'spring boot', 'c#', '.net', 'rust',
             'php', 'laravel', 'graphql', 'sql', 'linux'] AS skill,
       ARRAY['Nairobi, Kenya', 'Westlands, Nairobi', 'Upper Hill, Nairobi',
             'Mombasa, Kenya', 'Kisumu, Kenya', 'Remote (Africa)', 'Remote',
             'Kampala, Uganda', 'Kigali, Rwanda', 'Dar es Salaam, Tanzania',
             'Addis Ababa, Ethiopia', 'Lagos, Nigeria', 'Remote (Kenya)',
             'Nakuru, Kenya', 'Eldoret, Kenya'] AS location,
       ARRAY['Safari', 'Savanna', 'Kilima', 'Tembo', 'Simba', 'Jua', 'Mto',
             'Pwani', 'Baobab', 'Nyota', 'Upepo', 'Ziwa', 'Msitu', 'Kifaru',
             'Twiga', 'Chui', 'Mvua', 'Bahari', 'Mlima', 'Duma'] AS company,
       ARRAY['Pay', 'Tech', 'Labs', 'Bank', 'Health', 'Logistics', 'Energy',
             'Telecom', 'Insurance', 'Agritech'] AS suffix;

CREATE FUNCTION pg_temp.pick(words text[], i bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$ SELECT words[1 + i % cardinality(words)] $$;

-- Companies: "<word> <suffix>", each with one scraping source.
INSERT INTO companies (id, name, slug, careers_url, logo_url, created_at)
SELECT md5('bench-company-' || c)::uuid,
       pg_temp.pick(w.company, c) || ' ' || pg_temp.pick(w.suffix, c / 20)
           || ' ' || c,
       'bench-' || lower(pg_temp.pick(w.company, c)) || '-'
           || lower(pg_temp.pick(w.suffix, c / 20)) || '-' || c,
       'https://careers.example.com/bench-' || c,
       CASE WHEN c % 3 = 0 THEN NULL
            ELSE 'https://logos.example.com/bench-' || c || '.png' END,
       now() - c * interval '1 hour'
  FROM generate_series(0, :companies - 1) AS c, bench_words AS w;

INSERT INTO job_sources (id, company_id, scraper_class, source_url)
SELECT md5('bench-source-' || c)::uuid, md5('bench-company-' || c)::uuid,
       'greenhouse', 'https://boards.example.com/bench-' || c
  FROM generate_series(0, :companies - 1) AS c;

-- Jobs: one every 37 s back from now; a posting date on 7 in 10.  Titles,
-- locations and salaries vary with the job's number.
INSERT INTO jobs (id, company_id, source_id, external_id, title, description,
                  location, location_type, employment_type, salary_min,
                  salary_max, salary_currency, apply_url, posted_at,
                  discovered_at)
SELECT md5('bench-job-' || j)::uuid,
       md5('bench-company-' || (j % :companies))::uuid,
       md5('bench-source-' || (j % :companies))::uuid,
       'bench-' || j,
       pg_temp.pick(w.level, j / 3) || ' ' || pg_temp.pick(w.role, j)
           || CASE WHEN j % 4 = 0
                   THEN ' (' || pg_temp.pick(w.skill, j * 7) || ')'
                   ELSE '' END,
       'Join the ' || pg_temp.pick(w.company, j % :companies)
           || ' team to build products used across East Africa. You will '
           || 'work with ' || pg_temp.pick(w.skill, j * 7) || ', '
           || pg_temp.pick(w.skill, j * 11 + 3) || ' and '
           || pg_temp.pick(w.skill, j * 13 + 5)
           || ', ship to production every week and mentor others.',
       pg_temp.pick(w.location, j * 3),
       CASE WHEN pg_temp.pick(w.location, j * 3) LIKE 'Remote%' THEN 'remote'
            WHEN j % 2 = 0 THEN 'hybrid' ELSE 'onsite' END,
       'full_time',
       CASE WHEN j % 5 < 3 THEN (j % 9 + 1) * 600000 END,
       CASE WHEN j % 5 < 3 THEN (j % 9 + 2) * 900000 END,
       CASE WHEN j % 5 < 3 THEN 'KES' END,
       'https://boards.example.com/bench/jobs/' || j,
       CASE WHEN j % 10 < 7
            THEN now() - j * interval '37 seconds' - interval '3 hours' END,
       now() - j * interval '37 seconds'
  FROM generate_series(0, :jobs - 1) AS j, bench_words AS w;

-- Three skills a job, the first one required.
INSERT INTO job_skills (job_id, skill_name, is_required, min_years)
SELECT md5('bench-job-' || j)::uuid, s.skill, s.k = 0,
       CASE WHEN s.k = 0 THEN j % 5 + 1 END
  FROM generate_series(0, :jobs - 1) AS j, bench_words AS w,
       LATERAL (SELECT DISTINCT ON (skill) k, skill
                  FROM (VALUES (0, pg_temp.pick(w.skill, j * 7)),
                               (1, pg_temp.pick(w.skill, j * 11 + 3)),
                               (2, pg_temp.pick(w.skill, j * 13 + 5)))
                       AS v (k, skill)
                 ORDER BY skill, k) AS s;

-- Users: verified, all with the same (never checked) bcrypt hash.
INSERT INTO users (id, email, hashed_password, full_name, email_verified,
                   email_verified_at)
SELECT md5('bench-user-' || u)::uuid, 'bench-user-' || u || '@example.com',
       '$2b$12$yj7n5qBTMlGsh14f/67ujODQlTydd1sL4S0suJOegq.hCFiDqHdbW',
       'Bench User ' || u, true, now()
  FROM generate_series(0, :users - 1) AS u;

-- Alerts: :alerts distinct jobs per user, a few read, saved or applied.
INSERT INTO user_job_alerts (user_id, job_id, match_score, notified_at,
                             is_read, is_saved, is_applied,
                             application_status, created_at)
SELECT md5('bench-user-' || u)::uuid,
       md5('bench-job-' || ((u * 7 + k * (:jobs / :alerts)) % :jobs))::uuid,
       50 + (u + k) % 50,
       now() - (u + k) * interval '1 minute',
       k % 3 = 0, k % 7 = 0, k % 10 = 0,
       CASE WHEN k % 10 = 0
            THEN (ARRAY['Applied', 'Interviewing', 'Offer',
                        'Rejected'])[u % 4 + 1] END,
       now() - (u + k) * interval '1 minute'
  FROM generate_series(0, :users - 1) AS u,
       generate_series(0, :alerts - 1) AS k;

COMMIT;

ANALYZE companies;
ANALYZE job_sources;
ANALYZE jobs;
ANALYZE job_skills;
ANALYZE users;
ANALYZE user_job_alerts;
