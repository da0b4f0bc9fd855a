/*
 * make bench, cv part (t/bench/cv.pl): the cv role's own code, timed
 * without the queue and the database, linked with the daemon's objects.
 *
 *   cv_extract CONNINFO docs REPS TYPE FILE [TYPE FILE ...]
 *       each file REPS times, as the cv role does it: its text in a child
 *       under the default limits (js_cv_text_limited(): 10 s, 256 MiB),
 *       then its skills; one line per run: "FILE MS SKILLS"
 *
 *   cv_extract CONNINFO tag FILE
 *       FILE holds job descriptions separated by NUL bytes, read first;
 *       then each one's skills, as the backfill tags a job; one line:
 *       "DESCRIPTIONS BYTES SECONDS SKILLS"
 *
 * The taxonomy is the database's (js_skills_load()), as the daemon's.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "cv_text.h"
#include "skills.h"

static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
docs(const js_skills_t *tax, int reps, int argc, char **argv)
{
    int               i, r;
    char             *text, detail[128];
    size_t            len;
    double            t0;
    js_cv_result_t    rc;
    js_cv_limits_t    lim = { 10000, 256L * 1024 * 1024, NULL, NULL };
    js_skill_list_t   list;

    for (i = 0; i + 1 < argc; i += 2) {
        for (r = 0; r < reps; r++) {
            memset(&list, 0, sizeof(list));
            t0 = now();
            rc = js_cv_text_limited(argv[i + 1], argv[i], &lim, &text, &len,
                                    detail, sizeof(detail));
            if (rc != JS_CV_OK) {
                fprintf(stderr, "%s: %s %s\n", argv[i + 1], js_cv_reason(rc),
                        detail);
                return 1;
            }
            if (js_skills_extract(tax, text, len, &list) != 0) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
            printf("%s %.3f %zu\n", argv[i + 1], (now() - t0) * 1000, list.n);
            js_skill_list_free(&list);
            free(text);
        }
    }
    return 0;
}

static int
tag(const js_skills_t *tax, const char *path)
{
    FILE             *f;
    char             *data, *p, *end;
    long              size;
    size_t            n = 0, hits = 0;
    double            t0, secs;
    js_skill_list_t   list;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0
        || (data = malloc(size + 1)) == NULL
        || fread(data, 1, size, f) != (size_t) size)
    {
        perror(path);
        return 1;
    }
    fclose(f);
    data[size] = '\0';
    end = data + size;

    t0 = now();
    for (p = data; p < end; p += strlen(p) + 1) {
        memset(&list, 0, sizeof(list));
        if (js_skills_extract(tax, p, strlen(p), &list) != 0) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        hits += list.n;
        n++;
        js_skill_list_free(&list);
    }
    secs = now() - t0;

    printf("%zu %ld %.3f %zu\n", n, size, secs, hits);
    free(data);
    return 0;
}

int
main(int argc, char **argv)
{
    int           rc;
    char          err[256];
    PGconn       *pg;
    js_skills_t  *tax;

    if (argc < 4) {
        fprintf(stderr, "usage: %s CONNINFO docs REPS TYPE FILE ...\n"
                "       %s CONNINFO tag FILE\n", argv[0], argv[0]);
        return 2;
    }

    pg = PQconnectdb(argv[1]);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "%s", PQerrorMessage(pg));
        return 1;
    }
    tax = js_skills_load(pg, err, sizeof(err));
    PQfinish(pg);
    if (tax == NULL) {
        fprintf(stderr, "taxonomy: %s\n", err);
        return 1;
    }

    rc = strcmp(argv[2], "tag") == 0 ? tag(tax, argv[3])
         : docs(tax, atoi(argv[3]), argc - 4, argv + 4);

    js_skills_free(tax);
    return rc;
}
