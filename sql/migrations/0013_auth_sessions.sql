-- Sessions and their revocations live in PostgreSQL (issue 16, item 1):
-- Redis only caches the revoked families (jobscout:revoked:fam:<family>),
-- so a Redis restart, FLUSHALL or switch to an empty Redis brings no
-- revoked token back.  One row per token family (a login); its refresh
-- token rotates within it (refresh_jti: the one that may refresh next;
-- previous_jti: the one it replaced, which may come back within 5 s from
-- a parallel retry).  Logout, a reused refresh token, a password reset,
-- an account deletion or disabling set revoked_at, in the request that
-- revokes, before it is answered.  A family unknown here (a session from
-- before this migration) cannot refresh: those users log in once more.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE TABLE auth_sessions (
    family        text PRIMARY KEY CHECK (family ~ '^[0-9a-f]{32}$'),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refresh_jti   text NOT NULL CHECK (refresh_jti ~ '^[0-9a-f]{32}$'),
    previous_jti  text,
    rotated_at    timestamptz,
    -- the latest refresh token's expiry, leeway included: after it the
    -- family is dead anyway and its revocation need not be cached
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- a user's live sessions: to revoke them all (reset, deletion, disabling)
CREATE INDEX idx_auth_sessions_user ON auth_sessions (user_id)
    WHERE revoked_at IS NULL;

-- the revocations still worth caching: what primes an empty Redis
CREATE INDEX idx_auth_sessions_revoked ON auth_sessions (expires_at)
    WHERE revoked_at IS NOT NULL;
