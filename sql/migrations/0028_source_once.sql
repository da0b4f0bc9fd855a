-- 0028_source_once.sql — a company's source is there once.
--
-- The same adapter on the same URL with the same configuration, twice
-- for one company, fetches the same pages twice over the host's
-- politeness budget for jobs the dedup then merges: nothing gained, and
-- the API took such a second source without a word.  Now an active
-- source is unique by company, adapter, URL and configuration (the URL
-- and the configuration by their md5: a long selector would pass the
-- index's row size), and the API answers 409 to a second one, created,
-- changed into one or reactivated.  Deactivated sources stay as they
-- are, alike or not.  Duplicates made before are deactivated here, the
-- oldest of each kept, each named by a NOTICE.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

DO $$
DECLARE
    dup  record;
BEGIN
    FOR dup IN
        UPDATE job_sources s SET is_active = false
          FROM (SELECT id, row_number() OVER (
                           PARTITION BY company_id, scraper_class,
                                        source_url, config
                           ORDER BY created_at, id) AS n
                  FROM job_sources WHERE is_active) d
         WHERE s.id = d.id AND d.n > 1
        RETURNING s.id, s.scraper_class, s.source_url
    LOOP
        RAISE NOTICE 'source % (% %) deactivated: an active one like it '
                     'is older', dup.id, dup.scraper_class, dup.source_url;
    END LOOP;
END
$$;

CREATE UNIQUE INDEX job_sources_once
    ON job_sources (company_id, scraper_class, md5(source_url),
                    md5(config::text))
    WHERE is_active;
