-- east_africa.sql — real East African employers and their careers pages,
-- for a machine with internet access (make seed-live):
--
--   psql -X -v ON_ERROR_STOP=1 -d "<conninfo>" -f sql/seed/east_africa.sql
--
-- Each source names the adapter that reads its page (the catalogue keys of
-- workers/adapters/catalogue.c): an ATS board by its token, a careers page
-- by URL with the html adapter's selectors.  Sites change their markup:
-- try a source with a dry run (POST /api/v1/admin/sources/{id}/test)
-- before trusting it, and fix its config through the admin API.
-- Microsoft's Africa Development Centre and Google publish their Nairobi
-- jobs through search APIs that no adapter reads, so they are not here.
--
-- Idempotent: fixed UUIDs + ON CONFLICT DO NOTHING; never overwrites.

BEGIN;

INSERT INTO companies (id, name, slug, careers_url, logo_url) VALUES
    ('c0000000-0000-4000-8000-000000000001', 'Safaricom',   'safaricom',   'https://www.safaricom.co.ke/careers',      'https://www.safaricom.co.ke/images/safaricom-logo.png'),
    ('c0000000-0000-4000-8000-000000000002', 'Equity Bank', 'equity-bank', 'https://equitygroupholdings.com/careers/', NULL),
    ('c0000000-0000-4000-8000-000000000003', 'KCB',         'kcb',         'https://kcbgroup.com/careers',             NULL),
    ('c0000000-0000-4000-8000-000000000004', 'M-KOPA',      'm-kopa',      'https://m-kopa.com/careers',               NULL),
    ('c0000000-0000-4000-8000-000000000005', 'Andela',      'andela',      'https://andela.com/careers/',              NULL)
ON CONFLICT DO NOTHING;

INSERT INTO job_sources (id, company_id, scraper_class, source_url, config)
SELECT s.id, c.id, s.scraper_class, s.source_url, s.config::jsonb
FROM (VALUES
    ('5a000000-0000-4000-8000-000000000001'::uuid, 'safaricom', 'html',
     'https://www.safaricom.co.ke/careers',
     '{"list": ".vacancy-item", "fields": {"title": "h3", "url": "a::attr(href)"}}'),
    ('5a000000-0000-4000-8000-000000000002', 'equity-bank', 'html',
     'https://equitygroupholdings.com/careers/',
     '{"list": ".job-listing", "fields": {"title": ".job-title"}}'),
    ('5a000000-0000-4000-8000-000000000003', 'kcb', 'html',
     'https://kcbgroup.com/careers',
     '{"list": ".career-item", "fields": {"title": "a"}}'),
    ('5a000000-0000-4000-8000-000000000004', 'm-kopa', 'lever',
     'm-kopa', '{}'),
    ('5a000000-0000-4000-8000-000000000005', 'andela', 'greenhouse',
     'andela', '{}')
) AS s (id, company_slug, scraper_class, source_url, config)
JOIN companies c ON c.slug = s.company_slug
ON CONFLICT DO NOTHING;

COMMIT;
