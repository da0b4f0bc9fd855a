-- 0022_restorable_functions.sql — a stock pg_restore works: it empties
-- search_path while it creates the tables, and the users table's
-- generated columns (0007, 0012) call SQL functions whose bodies named
-- other functions without their schema, so CREATE TABLE users failed.
-- The same bodies, every call qualified; the stored values do not change.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE OR REPLACE FUNCTION match_company_keys(prefs jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT coalesce(nullif(ARRAY(SELECT DISTINCT lower(c)
                                   FROM public.match_pref_list(prefs,
                                                               'companies') c),
                           '{}'),
                    '{""}')
$$;

CREATE OR REPLACE FUNCTION match_role_keys(prefs jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN EXISTS (SELECT FROM public.match_pref_list(prefs, 'roles'))
                THEN ARRAY(SELECT DISTINCT public.match_words(r)
                             FROM public.match_pref_list(prefs, 'roles') r
                            WHERE public.match_words(r) <> '')
                ELSE '{""}' END
$$;

CREATE OR REPLACE FUNCTION match_location_keys(prefs jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT coalesce(nullif(ARRAY(SELECT DISTINCT btrim(lower(l))
                                   FROM public.match_pref_list(prefs,
                                                               'locations') l),
                           '{}'),
                    '{""}')
$$;

CREATE OR REPLACE FUNCTION match_pref_set(prefs jsonb, name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT nullif(ARRAY(SELECT DISTINCT e
                          FROM public.match_pref_list(prefs, name) e
                         ORDER BY e),
                  '{}')
$$;

CREATE OR REPLACE FUNCTION match_salary_currency(prefs jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
    SELECT CASE WHEN public.match_min_salary(prefs) IS NOT NULL
                THEN prefs -> 'min_salary' ->> 'currency' END
$$;
