-- Account deletion (seed 001 #21, GDPR Art. 17): DELETE /users/me marks the
-- account deleted; 30 days later jobscoutd's janitor purges it for good.
-- The grace period is defined once, here, for the API's answer and the
-- purge alike.
CREATE FUNCTION account_purge_interval() RETURNS interval
    LANGUAGE sql IMMUTABLE AS $$ SELECT interval '30 days' $$;

-- Deleting the row purges every piece of personal data with it: tokens,
-- skills, CVs, alerts and their history all cascade.  Returns how many
-- accounts went.  Safe to run anywhere, any number of times at once.
CREATE FUNCTION purge_deleted_accounts() RETURNS integer
    LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM users
         WHERE deleted_at < now() - account_purge_interval()
        RETURNING 1
    )
    SELECT count(*)::integer FROM gone
$$;

-- A device token belongs to one account: the phone that logs into another
-- account must stop receiving the first one's alerts.  Deferrable, so one
-- statement can move a token from one account to another (checked at the
-- end of the statement; NULLs never collide).
ALTER TABLE users ADD CONSTRAINT users_fcm_token_key UNIQUE (fcm_token)
    DEFERRABLE INITIALLY IMMEDIATE;
