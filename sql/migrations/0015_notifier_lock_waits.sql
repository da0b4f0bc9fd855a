-- 0015_notifier_lock_waits.sql — the notifier's claims never hold up the
-- record of its push outcomes.
--
-- A notifier records FCM's answers (record_pushes()), claims due pushes
-- (claim_pushes()) and queues e-mails (queue_emails(), 0014: the claim,
-- the outbox rows and the marks in one transaction) on one connection,
-- one statement at a time, and a push keeps its place among those in
-- flight until its outcome is recorded.  Both claims lock alerts and
-- wait for any transaction holding one: a long transaction, or the
-- backend of a killed notifier, which keeps its locks until its
-- statement ends (PostgreSQL notices a dead client only when it
-- answers).  Behind such a claim the outcomes waited, and the pushes
-- with them.  A claim now gives up after lock_timeout, changing nothing:
-- its rows are claimed on a later turn, once free.  record_pushes()
-- still waits: an outcome must be recorded.
--
-- Applied by sql/migrate.sh in one transaction: no BEGIN/COMMIT here.

ALTER FUNCTION claim_pushes(integer, interval) SET lock_timeout = '1s';
ALTER FUNCTION queue_emails(integer) SET lock_timeout = '1s';
