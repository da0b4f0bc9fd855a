/*
 * The notifier's matcher (workers/lib/matcher.c) driven by hand, with
 * the queries the notifier sends:
 *
 *   match_check CONNINFO bench JOB_ID...
 *       reads every profile, then matches each job: per job the time of
 *       match_job_facts() plus the matcher's, and the matches
 *       ("job ID MATCHES MS"), after "profiles USERS KB MS";
 *
 *   match_check CONNINFO compare JOB_ID...
 *       matches each job and compares the users and scores with
 *       match_candidates()'s, the rules' SQL: every difference printed,
 *       exit 1 when there is one.
 *
 * Built by workers/Makefile (match-check) from the daemon's objects.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "matcher.h"
#include "pg.h"

static double
now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static PGresult *
query(PGconn *pg, const char *sql, int n, const char *const *values)
{
    PGresult  *res = PQexecParams(pg, sql, n, NULL, values, NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "match_check: %s", PQerrorMessage(pg));
        exit(2);
    }
    return res;
}

/* Every profile, as the notifier reads them: by pages in id order. */
static void
load(PGconn *pg, js_matcher_t *mt)
{
    int          i, n;
    char         limit[16], after[40] = "";
    double       t0 = now_ms();
    PGresult    *res;
    const char  *cols[JS_MATCH_PROFILE_NCOLS], *values[2] = { limit, after };

    snprintf(limit, sizeof(limit), "%d", JS_MATCH_PROFILE_PAGE);
    do {
        res = after[0] == '\0'
              ? query(pg, JS_MATCH_PROFILE_FIRST_SQL, 1, values)
              : query(pg, JS_MATCH_PROFILE_NEXT_SQL, 2, values);
        n = PQntuples(res);
        for (i = 0; i < n; i++) {
            js_pg_values(res, i, JS_MATCH_PROFILE_NCOLS, cols);
            if (js_matcher_put(mt, cols) != 0) {
                fprintf(stderr, "match_check: a profile refused\n");
                exit(2);
            }
        }
        if (n > 0) {
            snprintf(after, sizeof(after), "%s", PQgetvalue(res, n - 1, 0));
        }
        PQclear(res);
    } while (n == JS_MATCH_PROFILE_PAGE);

    printf("profiles %zu %zu %.1f\n", js_matcher_users(mt),
           js_matcher_memory(mt) / 1024, now_ms() - t0);
}

/* One job matched as the notifier does: its facts, then the matcher. */
static int
match(PGconn *pg, js_matcher_t *mt, const char *id, js_match_hit_t **hits)
{
    int               n;
    char              ids[64];
    PGresult         *res;
    const char       *cols[JS_MATCH_FACTS_NCOLS], *values[1] = { ids };
    js_match_job_t   *job;

    snprintf(ids, sizeof(ids), "{%s}", id);
    res = query(pg, JS_MATCH_FACTS_SQL, 1, values);
    if (PQntuples(res) != 1) {
        fprintf(stderr, "match_check: no active job %s\n", id);
        exit(2);
    }
    js_pg_values(res, 0, JS_MATCH_FACTS_NCOLS, cols);
    job = js_match_job_create(cols);
    PQclear(res);
    if (job == NULL) {
        fprintf(stderr, "match_check: malformed facts for %s\n", id);
        exit(2);
    }
    n = js_matcher_match(mt, job, hits);
    js_match_job_destroy(job);
    return n;
}

static int
compare(PGconn *pg, js_matcher_t *mt, const char *id)
{
    int               n, i = 0, j = 0, rows, diffs = 0, c;
    char              ids[64];
    PGresult         *res;
    const char       *values[1] = { ids };
    js_match_hit_t   *hits;

    n = match(pg, mt, id, &hits);
    snprintf(ids, sizeof(ids), "{%s}", id);
    res = query(pg, "SELECT user_id, match_score"
                    " FROM match_candidates($1::uuid[]) ORDER BY user_id",
                1, values);
    rows = PQntuples(res);

    while (i < n || j < rows) {
        c = i == n ? 1 : j == rows ? -1
            : strcmp(hits[i].user->id, PQgetvalue(res, j, 0));
        if (c < 0) {
            printf("diff %s %s matcher %d sql none\n", id, hits[i].user->id,
                   hits[i].score);
            i++;
            diffs++;
        } else if (c > 0) {
            printf("diff %s %s matcher none sql %s\n", id,
                   PQgetvalue(res, j, 0), PQgetvalue(res, j, 1));
            j++;
            diffs++;
        } else {
            if (hits[i].score != atoi(PQgetvalue(res, j, 1))) {
                printf("diff %s %s matcher %d sql %s\n", id,
                       hits[i].user->id, hits[i].score,
                       PQgetvalue(res, j, 1));
                diffs++;
            }
            i++;
            j++;
        }
    }
    printf("job %s %d %d\n", id, n, rows);

    PQclear(res);
    free(hits);
    return diffs;
}

int
main(int argc, char **argv)
{
    int             i, n, diffs = 0;
    double          t0;
    PGconn         *pg;
    js_matcher_t   *mt;
    js_match_hit_t *hits;

    if (argc < 3 || (strcmp(argv[2], "bench") != 0
                     && strcmp(argv[2], "compare") != 0))
    {
        fprintf(stderr, "usage: match_check CONNINFO bench|compare "
                "JOB_ID...\n");
        return 2;
    }

    pg = PQconnectdb(argv[1]);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "match_check: %s", PQerrorMessage(pg));
        return 2;
    }
    mt = js_matcher_create();
    if (mt == NULL) {
        return 2;
    }
    load(pg, mt);

    for (i = 3; i < argc; i++) {
        if (strcmp(argv[2], "compare") == 0) {
            diffs += compare(pg, mt, argv[i]);
            continue;
        }
        t0 = now_ms();
        n = match(pg, mt, argv[i], &hits);
        printf("job %s %d %.3f\n", argv[i], n, now_ms() - t0);
        free(hits);
    }

    js_matcher_destroy(mt);
    PQfinish(pg);
    return diffs > 0;
}
