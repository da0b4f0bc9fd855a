/*
 * The job_skills of stored jobs, in the skills taxonomy's vocabulary
 * (sql/migrations/0017, lib/skills.h).
 *
 * When the scraper stores a run (lib/jobstore.c), every listed job's
 * skills are the adapter's tags (each mapped to its canonical name, an
 * unknown tag kept as the adapter wrote it) and the skills the extractor
 * finds in its title and description, with is_required (false: only in
 * a nice-to-have part) and min_years (the years stated, if any).  A job
 * stored with a description gets exactly those rows (stale ones deleted);
 * one without (a detail call skipped this time: the stored description
 * stays) only gains rows.
 *
 * The backfill re-tags the jobs already stored once per taxonomy version
 * (skill_taxonomy_version()): the scraper role runs it in batches of
 * jobs, by id, while it has no scrape to do.  Each batch is one
 * transaction that locks the version's skill_backfills row (FOR UPDATE
 * SKIP LOCKED: one scraper process at a time, the others skip), re-tags
 * the jobs after the row's cursor and moves the cursor: a killed process
 * loses at most its batch, which the next one redoes, and tagging a job
 * twice gives the same rows.  Re-tagging keeps a job's rows (their
 * spellings mapped to canonical names, merged) and adds what the
 * extractor finds.  To run it again for the same taxonomy:
 *
 *   DELETE FROM skill_backfills WHERE taxonomy_version =
 *       skill_taxonomy_version();
 *
 * and reload jobscoutd (a scraper checks once per process start).
 */

#ifndef JS_JOBSKILLS_H
#define JS_JOBSKILLS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "adapter.h"
#include "skills.h"

/*
 * The skills of a job (adapter tags, title, description) appended to
 * out; 0, -1 when out of memory.
 */
int js_jobskills_of(const js_skills_t *t, const js_job_t *job,
    js_skill_list_t *out);

/*
 * Writes the job_skills of the page's jobs, stored just before by the
 * same transaction under source_id.  0, or -1 with err set.
 */
int js_jobskills_store(PGconn *pg, const js_skills_t *t,
    const char *source_id, const js_page_t *page, char *err, size_t errlen);

/*
 * One batch of the backfill of t's version: 1 when it re-tagged jobs
 * (*tagged: how many), 0 when there is nothing to do (finished, or
 * another process holds the batch), -1 with err set.
 */
int js_jobskills_backfill(PGconn *pg, const js_skills_t *t, int batch,
    long *tagged, char *err, size_t errlen);

#endif
