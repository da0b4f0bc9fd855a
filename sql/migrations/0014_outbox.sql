-- 0014_outbox.sql — no acknowledged work is lost with Redis: the tasks
-- that matter are written to PostgreSQL in the transaction of the change
-- that makes them (the task outbox), and jobscoutd's relay role copies
-- them onto their Redis queues.  E-mails are sent once per Message-ID.
--
-- Life of an outbox row:
--
--   producer   INSERT INTO task_outbox, in the statement (or transaction)
--              of the change: the API's verification and reset mails, the
--              notifier's job mails (queue_emails())
--   relay      LPUSHes the task on its queue, then sets relayed_at (a
--              relay killed in between relays it again: consumers drop
--              repeats by task id)
--   consumer   deletes the row once the work is committed (the mailer:
--              with the Message-ID's record in mail_deliveries)
--   relay      relays again a row still there after its lease
--              (relay_lease, doubled with each relay), and every row at
--              once when its marker key is gone from Redis (a restart
--              without persistence, a FLUSHALL, a switch to an empty one)
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

CREATE TABLE task_outbox (
    id          text PRIMARY KEY,               -- the task's id
    queue       text NOT NULL CHECK (queue LIKE 'jobscout:queue:%'),
    task        text NOT NULL,                  -- as LPUSHed
    created_at  timestamptz NOT NULL DEFAULT now(),
    relayed_at  timestamptz,
    relays      integer NOT NULL DEFAULT 0 CHECK (relays >= 0)
);

CREATE INDEX idx_task_outbox_created ON task_outbox (created_at);

-- The relay LISTENs: a committed row wakes it at once.
CREATE FUNCTION task_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('task_outbox', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER task_outbox_inserted AFTER INSERT ON task_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION task_outbox_notify();

-- Unix time in ms, the tasks' "enqueued_at"
CREATE FUNCTION task_now_ms() RETURNS bigint
    LANGUAGE sql STABLE AS
$$
    SELECT floor(extract(epoch FROM now()) * 1000)::bigint
$$;

-- The mailer's record, one row per Message-ID (the task id): claimed for
-- a lease while the SMTP transaction runs, then sent.  A repeat of a sent
-- mail, or of one another mailer is sending, is dropped.
CREATE TABLE mail_deliveries (
    message_id     text PRIMARY KEY,
    claimed_until  timestamptz,
    sent_at        timestamptz,
    CHECK ((sent_at IS NULL) = (claimed_until IS NOT NULL))
);

CREATE INDEX idx_mail_deliveries_sent ON mail_deliveries (sent_at);

-- claim_emails() and emails_queued() (0007) in one transaction, the mails
-- going to the outbox instead of Redis: the notifier's job mails are
-- queued and marked at once, or not at all.  Returns the mails and their
-- alerts.
CREATE FUNCTION queue_emails(n integer, OUT mails integer,
                             OUT alerts integer)
    LANGUAGE plpgsql AS
$$
DECLARE
    ids  uuid[];
BEGIN
    WITH m AS (
        SELECT * FROM claim_emails(n, interval '1 hour')
    ),
    o AS (
        INSERT INTO task_outbox (id, queue, task)
        SELECT m.task_id, 'jobscout:queue:mail',
               json_build_object('id', m.task_id, 'kind', m.kind,
                                 'args', m.args, 'attempt', 0,
                                 'enqueued_at', task_now_ms())::text
          FROM m
        ON CONFLICT (id) DO NOTHING
    )
    SELECT count(DISTINCT m.task_id)::integer, count(a)::integer,
           array_agg(a)
      INTO mails, alerts, ids
      FROM m, unnest(m.alert_ids) a;

    PERFORM emails_queued(ids);
END;
$$;
