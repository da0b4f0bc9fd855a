-- 0025_cache_notify_cheaper.sql — 0020's per-user cache notification, at a
-- fraction of its cost on the matcher's bulk inserts.
--
-- 0020 made a sorted, distinct array of every changed row's user, as text,
-- only to learn that a statement touched more than 64 users: some 1.5 µs
-- of each alert the notifier inserts (a new job's thousands), on the way
-- to its pushes.  Now one pass compares every row's user with the first
-- row's:
--
--   one user (any number of rows)   that user's id, as before;
--   more than 64 rows, two or more  '' (every cached answer stale): as
--     users                         before when they are more than 64
--                                   users, coarser between 2 and 64;
--   64 rows or fewer                each distinct user, as before.
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
    EXECUTE format('SELECT f.u::text, count(*), bool_and(c.%1$I = f.u)'
                   '  FROM changed c,'
                   '       (SELECT %1$I AS u FROM changed LIMIT 1) f'
                   ' GROUP BY f.u', TG_ARGV[0])
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
