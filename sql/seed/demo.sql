-- demo.sql — demo data for a fresh Job Scout database (seed 001 #15).
--
--   psql -X -v ON_ERROR_STOP=1 -d "<conninfo>" -f sql/seed/demo.sql
--
-- Idempotent: fixed UUIDs / natural keys + ON CONFLICT DO NOTHING, so it can
-- be re-run at any time and never overwrites rows that already exist.
-- Child rows look parents up by natural key (slug, email, source+external_id)
-- so the seed still works if a parent was created by other means.
--
-- Demo logins (development only; never load this into production):
--   demo@jobscout.dev   / jobscout-demo    (verified user)
--   admin@jobscout.dev  / jobscout-admin   (is_admin)
-- Hashes are bcrypt cost 12, generated once with crypt(3) ($2b$).

BEGIN;

-- Companies ------------------------------------------------------------------
INSERT INTO companies (id, name, slug, careers_url, logo_url) VALUES
    ('c0000000-0000-4000-8000-000000000001', 'Safaricom',     'safaricom',     'https://www.safaricom.co.ke/careers',              'https://www.safaricom.co.ke/images/safaricom-logo.png'),
    ('c0000000-0000-4000-8000-000000000002', 'Equity Bank',   'equity-bank',   'https://equitygroupholdings.com/careers/',         NULL),
    ('c0000000-0000-4000-8000-000000000003', 'KCB',           'kcb',           'https://kcbgroup.com/careers',                     NULL),
    ('c0000000-0000-4000-8000-000000000004', 'M-KOPA',        'm-kopa',        'https://m-kopa.com/careers',                       NULL),
    ('c0000000-0000-4000-8000-000000000005', 'Andela',        'andela',        'https://andela.com/careers/',                      NULL),
    ('c0000000-0000-4000-8000-000000000006', 'Microsoft ADC', 'microsoft-adc', 'https://careers.microsoft.com/',                   NULL),
    ('c0000000-0000-4000-8000-000000000007', 'Google',        'google',        'https://www.google.com/about/careers/applications/', NULL)
ON CONFLICT DO NOTHING;

-- Job sources (one per company) ----------------------------------------------
INSERT INTO job_sources (id, company_id, scraper_class, source_url, config, priority,
                         health_status, consecutive_failures, last_error, last_scraped_at)
SELECT s.id, c.id, s.scraper_class, s.source_url, s.config::jsonb, s.priority,
       s.health_status, s.consecutive_failures, s.last_error, now() - s.ago
FROM (VALUES
    ('5a000000-0000-4000-8000-000000000001'::uuid, 'safaricom', 'html',
     'https://www.safaricom.co.ke/careers',
     '{"list": ".vacancy-item", "fields": {"title": "h3", "url": "a::attr(href)"}}',
     'normal', 'healthy', 0, NULL, interval '40 minutes'),
    ('5a000000-0000-4000-8000-000000000002', 'equity-bank', 'html',
     'https://equitygroupholdings.com/careers/',
     '{"list": ".job-listing", "fields": {"title": ".job-title"}}',
     'normal', 'degraded', 1, 'HTTP 503 from equitygroupholdings.com', interval '3 hours'),
    ('5a000000-0000-4000-8000-000000000003', 'kcb', 'html',
     'https://kcbgroup.com/careers',
     '{"list": ".career-item", "fields": {"title": "a"}}',
     'normal', 'healthy', 0, NULL, interval '90 minutes'),
    ('5a000000-0000-4000-8000-000000000004', 'm-kopa', 'lever',
     'https://api.lever.co/v0/postings/m-kopa?mode=json',
     '{}',
     'normal', 'healthy', 0, NULL, interval '1 hour'),
    ('5a000000-0000-4000-8000-000000000005', 'andela', 'greenhouse',
     'https://boards-api.greenhouse.io/v1/boards/andela/jobs?content=true',
     '{}',
     'normal', 'healthy', 0, NULL, interval '25 minutes'),
    ('5a000000-0000-4000-8000-000000000006', 'microsoft-adc', 'json_api',
     'https://gcsservices.careers.microsoft.com/search/api/v1/search?lc=Nairobi%2C%20Kenya',
     '{"results_path": "operationResult.result.jobs", "location_filter": "Nairobi"}',
     'high', 'healthy', 0, NULL, interval '10 minutes'),
    ('5a000000-0000-4000-8000-000000000007', 'google', 'json_api',
     'https://www.google.com/about/careers/applications/jobs/results/?location=Nairobi%2C%20Kenya',
     '{"results_path": "jobs", "location_filter": "Nairobi"}',
     'high', 'healthy', 0, NULL, interval '15 minutes')
) AS s (id, company_slug, scraper_class, source_url, config, priority,
        health_status, consecutive_failures, last_error, ago)
JOIN companies c ON c.slug = s.company_slug
ON CONFLICT DO NOTHING;

-- Users ----------------------------------------------------------------------
INSERT INTO users (id, email, hashed_password, full_name, preferences,
                   is_admin, email_verified, email_verified_at)
VALUES
    ('a0000000-0000-4000-8000-000000000001', 'demo@jobscout.dev',
     '$2b$12$yj7n5qBTMlGsh14f/67ujODQlTydd1sL4S0suJOegq.hCFiDqHdbW',
     'Wanjiku Demo',
     '{"companies": ["safaricom", "andela"],
       "roles": ["backend_engineer"],
       "locations": ["nairobi", "remote"],
       "notifications": {"push": true, "email": false}}',
     false, true, now()),
    ('a0000000-0000-4000-8000-000000000002', 'admin@jobscout.dev',
     '$2b$12$tdMDKwcZln5yi0C2XHW85.qYlPXWazQFFChtSK7OZ.EnDx1nQ/KoS',
     'Job Scout Admin', '{}',
     true, true, now())
-- users_fcm_token_key is deferrable, which ON CONFLICT cannot take as an
-- arbiter: name the natural key.
ON CONFLICT ((lower(email))) DO NOTHING;

INSERT INTO user_skills (user_id, skill_name, proficiency, years_experience)
SELECT u.id, s.skill_name, s.proficiency, s.years
FROM users u,
     (VALUES ('python', 'advanced', 4.0),
             ('postgresql', 'advanced', 4.0),
             ('go', 'intermediate', 1.5),
             ('docker', 'intermediate', 3.0),
             ('redis', 'intermediate', 2.0),
             ('kafka', 'beginner', 0.5)) AS s (skill_name, proficiency, years)
WHERE lower(u.email) = 'demo@jobscout.dev'
ON CONFLICT DO NOTHING;

-- Jobs -----------------------------------------------------------------------
-- company_id comes from the source so the jobs→job_sources composite FK holds.
-- Salaries are annual gross (see COMMENT ON COLUMN jobs.salary_min).
INSERT INTO jobs (id, company_id, source_id, external_id, title, description,
                  location, location_type, employment_type,
                  salary_min, salary_max, salary_currency, apply_url,
                  posted_at, discovered_at, expires_at)
SELECT j.id, src.company_id, src.id, j.external_id, j.title, j.description,
       j.location, j.location_type, 'full_time',
       j.salary_min, j.salary_max, j.currency, j.apply_url,
       now() - j.age - interval '2 hours', now() - j.age, now() - j.age + interval '30 days'
FROM (VALUES
    ('10000000-0000-4000-8000-000000000001'::uuid, '5a000000-0000-4000-8000-000000000001'::uuid,
     'SAF-2024-0917', 'Senior Backend Engineer, M-PESA APIs',
     'Design and scale the Daraja APIs that power M-PESA payments for millions of Kenyans. Java/Spring Boot microservices, Kafka event streams, PostgreSQL and Oracle, high-availability on-prem and cloud.',
     'Nairobi, Kenya', 'hybrid', 4200000::numeric, 6000000::numeric, 'KES',
     'https://www.safaricom.co.ke/careers/vacancies/SAF-2024-0917', interval '3 hours'),
    ('10000000-0000-4000-8000-000000000002', '5a000000-0000-4000-8000-000000000001',
     'SAF-2024-0932', 'Backend Engineer, Fintech Platforms',
     'Build services for Fuliza, M-Shwari and merchant payments. Python and Go services on Kubernetes, REST and gRPC APIs, Redis caching.',
     'Nairobi, Kenya', 'hybrid', 3000000, 4200000, 'KES',
     'https://www.safaricom.co.ke/careers/vacancies/SAF-2024-0932', interval '1 day'),
    ('10000000-0000-4000-8000-000000000003', '5a000000-0000-4000-8000-000000000001',
     'SAF-2024-0940', 'DevOps Engineer',
     'Own CI/CD pipelines, Kubernetes clusters and observability for digital channels. Terraform, GitLab CI, Prometheus, Grafana.',
     'Nairobi, Kenya', 'onsite', NULL, NULL, NULL,
     'https://www.safaricom.co.ke/careers/vacancies/SAF-2024-0940', interval '2 days'),
    ('10000000-0000-4000-8000-000000000004', '5a000000-0000-4000-8000-000000000002',
     'EQ-ICT-118', 'Software Engineer, Mobile Banking (Android)',
     'Build features for the Equity Mobile app used across East Africa. Kotlin, Jetpack Compose, secure offline storage, integration with core banking APIs.',
     'Nairobi, Kenya', 'onsite', 2400000, 3600000, 'KES',
     'https://equitygroupholdings.com/careers/EQ-ICT-118', interval '4 days'),
    ('10000000-0000-4000-8000-000000000005', '5a000000-0000-4000-8000-000000000002',
     'EQ-ICT-121', 'Backend Engineer, Core Banking Integrations',
     'Integrate Finacle core banking with partner fintechs and PesaLink. Java, Spring, IBM MQ, ISO 8583 and ISO 20022 messaging.',
     'Upper Hill, Nairobi', 'hybrid', 3000000, 4500000, 'KES',
     'https://equitygroupholdings.com/careers/EQ-ICT-121', interval '5 days'),
    ('10000000-0000-4000-8000-000000000006', '5a000000-0000-4000-8000-000000000003',
     'KCB-DT-0456', 'Full Stack Developer (React/Node.js)',
     'Deliver KCB digital banking web experiences. React, TypeScript, Node.js, PostgreSQL; close work with product and design teams.',
     'Nairobi, Kenya', 'onsite', 2000000, 3000000, 'KES',
     'https://kcbgroup.com/careers/KCB-DT-0456', interval '6 days'),
    ('10000000-0000-4000-8000-000000000007', '5a000000-0000-4000-8000-000000000003',
     'KCB-DT-0461', 'Cloud Security Engineer',
     'Secure KCB''s Azure and AWS estate: IAM, network security, SIEM use cases, threat modelling for new digital products.',
     'Nairobi, Kenya', 'hybrid', NULL, NULL, NULL,
     'https://kcbgroup.com/careers/KCB-DT-0461', interval '8 days'),
    ('10000000-0000-4000-8000-000000000008', '5a000000-0000-4000-8000-000000000004',
     '3f2b7c1e-8a41-4d1b-9c55-0b6a1d2e9f01', 'Senior Backend Engineer, Payments',
     'Scale the pay-as-you-go payments platform behind M-KOPA''s smartphone and solar financing. C#/.NET, Azure Service Bus, SQL Server and PostgreSQL.',
     'Nairobi, Kenya', 'hybrid', 4800000, 7200000, 'KES',
     'https://jobs.lever.co/m-kopa/3f2b7c1e-8a41-4d1b-9c55-0b6a1d2e9f01', interval '2 days'),
    ('10000000-0000-4000-8000-000000000009', '5a000000-0000-4000-8000-000000000004',
     '9c4e2a77-1f0d-4b8e-a3c2-5d7f8e6b4a10', 'Data Scientist, Credit Risk',
     'Build credit scoring models from repayment and device telemetry data. Python, SQL, scikit-learn, Databricks.',
     'Nairobi, Kenya', 'hybrid', NULL, NULL, NULL,
     'https://jobs.lever.co/m-kopa/9c4e2a77-1f0d-4b8e-a3c2-5d7f8e6b4a10', interval '10 days'),
    ('10000000-0000-4000-8000-000000000010', '5a000000-0000-4000-8000-000000000005',
     '7612345', 'Backend Engineer (Go)',
     'Join a distributed team building high-throughput APIs for a global client. Go, PostgreSQL, Docker, AWS. Fully remote across African time zones.',
     'Remote (Africa)', 'remote', 36000, 60000, 'USD',
     'https://boards.greenhouse.io/andela/jobs/7612345', interval '5 hours'),
    ('10000000-0000-4000-8000-000000000011', '5a000000-0000-4000-8000-000000000005',
     '7612398', 'Senior Backend Engineer (Python/Django)',
     'Lead backend development for a US fintech client. Python, Django, Celery, PostgreSQL, Redis. Remote with overlap to US Eastern time.',
     'Remote', 'remote', 48000, 72000, 'USD',
     'https://boards.greenhouse.io/andela/jobs/7612398', interval '1 day'),
    ('10000000-0000-4000-8000-000000000012', '5a000000-0000-4000-8000-000000000005',
     '7612455', 'Backend Engineer (Node.js)',
     'Build and maintain Node.js/TypeScript microservices and GraphQL APIs for an e-commerce client. Remote.',
     'Remote (Kenya)', 'remote', NULL, NULL, NULL,
     'https://boards.greenhouse.io/andela/jobs/7612455', interval '30 minutes'),
    ('10000000-0000-4000-8000-000000000013', '5a000000-0000-4000-8000-000000000006',
     '1745210', 'Software Engineer II, Azure',
     'Microsoft Africa Development Centre: build cloud services for Azure at global scale. C#, C++ or Go; distributed systems fundamentals.',
     'Nairobi, Kenya', 'hybrid', NULL, NULL, NULL,
     'https://jobs.careers.microsoft.com/global/en/job/1745210', interval '3 days'),
    ('10000000-0000-4000-8000-000000000014', '5a000000-0000-4000-8000-000000000007',
     '104219876543210', 'Software Engineer, Android, Google Maps',
     'Work on Android features for emerging markets from the Nairobi office. Java/Kotlin, large-scale mobile systems, performance on low-end devices.',
     'Nairobi, Kenya', 'hybrid', NULL, NULL, NULL,
     'https://www.google.com/about/careers/applications/jobs/results/104219876543210', interval '7 days')
) AS j (id, source_id, external_id, title, description, location, location_type,
        salary_min, salary_max, currency, apply_url, age)
JOIN job_sources src ON src.id = j.source_id
ON CONFLICT DO NOTHING;

INSERT INTO job_skills (job_id, skill_name, is_required, min_years)
SELECT jb.id, s.skill_name, s.is_required, s.min_years
FROM (VALUES
    ('SAF-2024-0917', 'java', true, 5.0), ('SAF-2024-0917', 'spring boot', true, 3.0),
    ('SAF-2024-0917', 'kafka', true, 2.0), ('SAF-2024-0917', 'postgresql', false, NULL),
    ('SAF-2024-0932', 'python', true, 3.0), ('SAF-2024-0932', 'go', false, NULL),
    ('SAF-2024-0932', 'kubernetes', false, NULL), ('SAF-2024-0932', 'redis', true, 1.0),
    ('SAF-2024-0940', 'kubernetes', true, 3.0), ('SAF-2024-0940', 'terraform', true, 2.0),
    ('EQ-ICT-118', 'kotlin', true, 3.0), ('EQ-ICT-118', 'android', true, 3.0),
    ('EQ-ICT-121', 'java', true, 4.0), ('EQ-ICT-121', 'iso 8583', false, NULL),
    ('KCB-DT-0456', 'react', true, 2.0), ('KCB-DT-0456', 'node.js', true, 2.0),
    ('KCB-DT-0456', 'typescript', true, NULL),
    ('KCB-DT-0461', 'azure', true, 3.0), ('KCB-DT-0461', 'aws', false, NULL),
    ('3f2b7c1e-8a41-4d1b-9c55-0b6a1d2e9f01', 'c#', true, 5.0),
    ('3f2b7c1e-8a41-4d1b-9c55-0b6a1d2e9f01', 'azure', false, NULL),
    ('9c4e2a77-1f0d-4b8e-a3c2-5d7f8e6b4a10', 'python', true, 3.0),
    ('9c4e2a77-1f0d-4b8e-a3c2-5d7f8e6b4a10', 'sql', true, 3.0),
    ('7612345', 'go', true, 3.0), ('7612345', 'postgresql', true, 2.0),
    ('7612345', 'docker', false, NULL),
    ('7612398', 'python', true, 5.0), ('7612398', 'django', true, 3.0),
    ('7612398', 'celery', false, NULL), ('7612398', 'postgresql', true, NULL),
    ('7612455', 'node.js', true, 3.0), ('7612455', 'typescript', true, 2.0),
    ('7612455', 'graphql', false, NULL),
    ('1745210', 'c#', false, NULL), ('1745210', 'distributed systems', true, 2.0),
    ('104219876543210', 'android', true, 4.0), ('104219876543210', 'kotlin', false, NULL)
) AS s (external_id, skill_name, is_required, min_years)
-- External ids are unique per source; restrict to the demo sources.
JOIN jobs jb ON jb.external_id = s.external_id
            AND jb.source_id::text LIKE '5a000000-0000-4000-8000-%'
ON CONFLICT DO NOTHING;

-- Alerts for the demo user ---------------------------------------------------
-- Mixed states: unread, read+saved, applied at various stages, not yet pushed.
INSERT INTO user_job_alerts (id, user_id, job_id, match_score, notified_at,
                             is_read, is_saved, is_applied, application_status, created_at)
SELECT a.id, u.id, a.job_id, a.score, now() - a.notified_ago,
       a.is_read, a.is_saved, a.application_status IS NOT NULL, a.application_status,
       now() - a.created_ago
FROM (VALUES
    ('ae000000-0000-4000-8000-000000000001'::uuid, '10000000-0000-4000-8000-000000000001'::uuid,
     94::smallint, interval '3 hours', false, false, NULL::text, interval '3 hours'),
    ('ae000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000002',
     86, interval '1 day', true, true, NULL, interval '1 day'),
    ('ae000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000010',
     90, interval '5 hours', true, true, 'Interviewing', interval '5 hours'),
    ('ae000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000011',
     78, interval '1 day', true, false, 'Applied', interval '1 day'),
    ('ae000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000012',
     71, NULL, false, false, NULL, interval '30 minutes')
) AS a (id, job_id, score, notified_ago, is_read, is_saved, application_status, created_ago)
JOIN users u ON lower(u.email) = 'demo@jobscout.dev'
JOIN jobs j ON j.id = a.job_id
ON CONFLICT DO NOTHING;

-- Recent scrape history for the admin dashboard --------------------------------
INSERT INTO scrape_logs (id, source_id, status, jobs_found, new_jobs, duration_ms,
                         error_message, started_at, finished_at)
SELECT l.id, src.id, l.status, l.found, l.new_jobs, l.ms, l.err,
       now() - l.ago, now() - l.ago + l.ms * interval '1 millisecond'
FROM (VALUES
    ('b0000000-0000-4000-8000-000000000001'::uuid, '5a000000-0000-4000-8000-000000000001'::uuid,
     'success', 3, 1, 4210, NULL::text, interval '40 minutes'),
    ('b0000000-0000-4000-8000-000000000002', '5a000000-0000-4000-8000-000000000002',
     'success', 2, 0, 6120, NULL, interval '5 hours'),
    ('b0000000-0000-4000-8000-000000000003', '5a000000-0000-4000-8000-000000000002',
     'failed', 0, 0, 30000, 'HTTP 503 from equitygroupholdings.com', interval '3 hours'),
    ('b0000000-0000-4000-8000-000000000004', '5a000000-0000-4000-8000-000000000005',
     'success', 3, 1, 1830, NULL, interval '25 minutes'),
    ('b0000000-0000-4000-8000-000000000005', '5a000000-0000-4000-8000-000000000006',
     'partial', 1, 0, 9050, 'page 2: timeout after 8s', interval '10 minutes')
) AS l (id, source_id, status, found, new_jobs, ms, err, ago)
JOIN job_sources src ON src.id = l.source_id
ON CONFLICT DO NOTHING;

COMMIT;
