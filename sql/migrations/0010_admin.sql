-- Operators through the API (/api/v1/admin/...): what every admin change
-- leaves behind, what a scrape run reports, webhook secrets, and when a
-- user last signed in.

-- Every admin change, in the statement that makes it: who, when, what,
-- the row before and after (NULL where there was none).
CREATE TABLE admin_audit (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    admin_id     uuid        REFERENCES users (id) ON DELETE SET NULL,
    action       text        NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    target_type  text        NOT NULL CHECK (target_type IN
                                 ('company', 'source', 'user', 'task')),
    target_id    text        NOT NULL,
    before       jsonb,
    after        jsonb,
    request_id   text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX idx_admin_audit_created ON admin_audit (created_at DESC, id DESC);
CREATE INDEX idx_admin_audit_target ON admin_audit (target_type, target_id,
                                                    created_at DESC);

-- What a run did, beyond found/new: the pages it fetched, the last HTTP
-- status it got, the jobs it changed, expired and found to be duplicates,
-- and what started it.
ALTER TABLE scrape_logs
    ADD COLUMN pages          integer NOT NULL DEFAULT 0 CHECK (pages >= 0),
    ADD COLUMN http_status    integer CHECK (http_status BETWEEN 100 AND 599),
    ADD COLUMN updated_jobs   integer NOT NULL DEFAULT 0
                              CHECK (updated_jobs >= 0),
    ADD COLUMN expired_jobs   integer NOT NULL DEFAULT 0
                              CHECK (expired_jobs >= 0),
    ADD COLUMN duplicate_jobs integer NOT NULL DEFAULT 0
                              CHECK (duplicate_jobs >= 0),
    ADD COLUMN trigger        text    NOT NULL DEFAULT 'schedule'
                              CHECK (trigger IN ('schedule', 'manual',
                                                 'webhook'));

-- keyset pages of the feed and of a source's log end on (started_at, id)
DROP INDEX idx_scrape_logs_started_at;
DROP INDEX idx_scrape_logs_source_started;
CREATE INDEX idx_scrape_logs_started ON scrape_logs (started_at DESC, id DESC);
CREATE INDEX idx_scrape_logs_source_started ON scrape_logs (source_id,
                                                     started_at DESC, id DESC);

-- A source's webhook secret, AES-256-GCM under the key nginx is configured
-- with (jobscout_webhook_key_file): nonce (12) || ciphertext (32) || tag
-- (16).  The database alone never yields a secret that signs.
ALTER TABLE job_sources
    ADD COLUMN webhook_secret      bytea CHECK (octet_length(webhook_secret)
                                                = 60),
    ADD COLUMN webhook_secret_at   timestamptz;

-- Signatures already accepted, so that a captured call is not replayed
-- within its 5-minute window; rows older than the window are pruned by
-- the insert that would collide with them.
CREATE TABLE webhook_deliveries (
    source_id    uuid        NOT NULL REFERENCES job_sources (id)
                             ON DELETE CASCADE,
    signature    bytea       NOT NULL CHECK (octet_length(signature) = 32),
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, signature)
);

CREATE INDEX idx_webhook_deliveries_received ON webhook_deliveries
    (received_at);

-- "active in 7 days" of the admin stats
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- the admin user list, newest first, in keyset pages
CREATE INDEX idx_users_created ON users (created_at DESC, id DESC);
