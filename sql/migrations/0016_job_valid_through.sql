-- 0016_job_valid_through.sql — until when a board offers a job: the
-- validThrough of a schema.org JobPosting (the jsonld adapter), when the
-- board gives one.  A posting past it is not offered by the adapter at
-- all, so the job is missed as a posting gone from its board is; a later
-- one is kept here (shown by the jobs API), and a missed job whose
-- valid_through has passed closes at once (jobstore.c), not after
-- scrape_expire_after runs.  NULL: the board does not say.

ALTER TABLE jobs ADD COLUMN valid_through timestamptz;
