-- 0017_job_valid_through.sql — until when a board offers a job: the
-- validThrough of a schema.org JobPosting (the jsonld adapter), when the
-- board gives one.  A posting past it is not offered by the adapter at
-- all, so the job closes as a posting gone from its board does (missed
-- scrapes); a later one is kept here and shown by the jobs API.
-- NULL: the board does not say.

ALTER TABLE jobs ADD COLUMN valid_through timestamptz;
