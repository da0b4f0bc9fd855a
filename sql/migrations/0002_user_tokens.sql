-- One-time tokens mailed to users: e-mail verification (24 h) and password
-- reset (1 h).  Only the SHA-256 of a token is stored, so a leaked table
-- gives no usable token; each token is used once (used_at).
CREATE TABLE user_tokens (
    token_hash  bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL
                CHECK (purpose IN ('verify_email', 'reset_password')),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_at > created_at)
);

-- a user's tokens of one purpose: to retire them when a new one is sent
CREATE INDEX idx_user_tokens_user ON user_tokens (user_id, purpose);
