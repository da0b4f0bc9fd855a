-- 0027_cache_notify_early_exit.sql — 0025's cache notification stops
-- reading a statement's rows as soon as the answer is known.
--
-- 0025 read every changed row once: on a chunk of the notifier's alerts
-- (1,000 rows, as many users) some 2 µs a row, on the way to the pushes,
-- to learn what the second row already tells.  Now two bounded reads:
-- the rows up to the 65th (more than 64: every cached answer stale) and
-- the rows up to the first whose user is not the first row's.  The
-- answers are 0025's:
--
--   one user (any number of rows)   that user's id: every row read;
--   more than 64 rows, two or more  '': 65 rows and two users read;
--     users
--   64 rows or fewer                each distinct user.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE OR REPLACE FUNCTION cache_notify_users() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    first  text;
    n      bigint;
    alike  boolean;
    users  text[];
BEGIN
    EXECUTE format('SELECT f.u::text,'
                   '       (SELECT count(*)'
                   '          FROM (SELECT FROM changed LIMIT 65) l),'
                   '       NOT EXISTS (SELECT FROM changed c'
                   '                    WHERE c.%1$I IS DISTINCT FROM f.u)'
                   '  FROM (SELECT %1$I AS u FROM changed LIMIT 1) f',
                   TG_ARGV[0])
       INTO first, n, alike;
    IF alike THEN
        PERFORM pg_notify('jobscout_cache', first);
    ELSIF n > 64 THEN
        PERFORM pg_notify('jobscout_cache', '');
    ELSIF n > 0 THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I::text) FROM changed',
                       TG_ARGV[0])
           INTO users;
        PERFORM pg_notify('jobscout_cache', u) FROM unnest(users) u;
    END IF;
    RETURN NULL;
END
$$;
