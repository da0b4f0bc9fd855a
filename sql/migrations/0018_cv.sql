-- 0018_cv.sql — CV upload and processing (issue 18).
--
-- One current CV per user: a new upload replaces the row (and its file).
-- The file lives in the storage backend under file_path, the key
-- "<user id>/<sha256 of the content>"; the row says what the cv role of
-- jobscoutd made of it:
--
--   pending    uploaded, its cv.process task queued (task outbox, 0014)
--   processed  text and skills extracted
--   failed     failure_reason says why (encrypted, no text, over the
--              limits, ...)
--
-- A file no row points at any more (replaced, deleted, its account
-- purged) is removed by the cv role: a trigger queues its cv.delete task
-- in the outbox, in the transaction that let go of it.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

-- older duplicates (none are written by the API) would break the key
DELETE FROM user_cvs c
 WHERE EXISTS (SELECT FROM user_cvs n
                WHERE n.user_id = c.user_id
                  AND (n.created_at, n.id) > (c.created_at, c.id));

DROP INDEX idx_user_cvs_user_created;

ALTER TABLE user_cvs
    ADD CONSTRAINT user_cvs_user_key UNIQUE (user_id),
    ADD COLUMN sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'processed', 'failed')),
    ADD COLUMN failure_reason text
        CHECK ((status = 'failed') = (failure_reason IS NOT NULL)),
    ADD COLUMN extracted_text text,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TRIGGER user_cvs_set_updated_at BEFORE UPDATE ON user_cvs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The CV as the API shows it (users/me, the upload's answer): never the
-- storage key nor the text.
CREATE FUNCTION cv_json(c user_cvs) RETURNS json
    LANGUAGE sql STABLE AS
$$
    SELECT json_build_object('id', c.id, 'original_name', c.original_name,
               'content_type', c.content_type, 'size_bytes', c.size_bytes,
               'sha256', c.sha256, 'status', c.status,
               'failure_reason', c.failure_reason,
               'skills', coalesce(c.extracted_skills, '{}'),
               'uploaded_at', c.created_at, 'processed_at', c.processed_at)
$$;

-- A task for the cv role, in the outbox (0014's format)
CREATE FUNCTION cv_queue_task(kind text, args jsonb) RETURNS text
    LANGUAGE sql VOLATILE AS
$$
    INSERT INTO task_outbox (id, queue, task)
    SELECT t.id, 'jobscout:queue:cv',
           json_build_object('id', t.id, 'kind', kind, 'args', args,
                             'attempt', 0,
                             'enqueued_at', task_now_ms())::text
      FROM (SELECT replace(gen_random_uuid()::text, '-', '') AS id) t
    RETURNING id
$$;

-- The old file goes when no row points at it any more
CREATE FUNCTION user_cvs_release_file() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.file_path = NEW.file_path THEN
        RETURN NULL;
    END IF;

    PERFORM cv_queue_task('cv.delete',
                          jsonb_build_object('file_path', OLD.file_path));
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_cvs_file_released
    AFTER DELETE OR UPDATE OF file_path ON user_cvs
    FOR EACH ROW EXECUTE FUNCTION user_cvs_release_file();

-- users/me's "cv": the user's CV, or NULL
CREATE FUNCTION user_cv_json(uid uuid) RETURNS json
    LANGUAGE sql STABLE AS
$$
    SELECT cv_json(c) FROM user_cvs c WHERE c.user_id = uid
$$;
