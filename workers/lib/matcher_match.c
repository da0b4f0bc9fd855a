/*
 * The notifier's matcher (matcher.h): a job's keys marked in the
 * dictionary, the profiles of its shortest index lists checked and
 * scored.
 *
 * The rules are match_candidates()'s (0019, 0021), which this follows
 * exactly, the score included: its parts are numeric in PostgreSQL, so
 * here they are exact fractions, summed over a common denominator and
 * rounded half up as round(numeric) does.
 */

#include "matcher_int.h"


/* A similarity, 0 to 1, as numeric text: scaled by 10^18, or -1. */
static int64_t
js_match_fit(const char *s)
{
    int          neg;
    size_t       il, fl, i;
    int64_t      v = 0, scale = JS_MATCH_FIT_SCALE;
    const char  *ip, *fp;

    if (s == NULL || js_decimal_parse(s, &neg, &ip, &il, &fp, &fl) != 0
        || neg || il > 1 || fl > 18 || (il == 1 && ip[0] > '1'))
    {
        return -1;
    }
    if (il == 1) {
        v = (ip[0] - '0') * scale;
    }
    for (i = 0; i < fl; i++) {
        scale /= 10;
        v += (fp[i] - '0') * scale;
    }
    return v > JS_MATCH_FIT_SCALE ? -1 : v;
}


/* --- jobs ------------------------------------------------------------ */

void
js_match_job_destroy(js_match_job_t *job)
{
    int  i;

    if (job == NULL) {
        return;
    }
    for (i = 0; i < 5; i++) {
        free(job->arrays[i]);
        free(job->bufs[i]);
    }
    free(job->fits);
    free(job->masks);
    free(job->company);
    free(job->location);
    free(job->employment_type);
    free(job->location_type);
    free(job->yearly_salary);
    free(job->currency);
    free(job);
}

const char *
js_match_job_id(const js_match_job_t *job)
{
    return job->id;
}

static int
js_strdup_null(char **to, const char *s)
{
    *to = NULL;
    return s != NULL && (*to = strdup(s)) == NULL ? -1 : 0;
}

js_match_job_t *
js_match_job_create(const char *const *c)
{
    int              i, n[5];
    char            *end;
    js_match_job_t  *job;

    /* job_id, company_key, location, remote, title_terms, role_keys,
     * role_fits, role_masks, required_skills, nice_skills,
     * employment_type, location_type, yearly_salary, salary_currency */
    static const int  arrays[5] = { 5, 6, 7, 8, 9 };

    errno = 0;
    if (c[0] == NULL || strlen(c[0]) != 36 || c[1] == NULL || c[2] == NULL
        || c[4] == NULL)
    {
        errno = EINVAL;
        return NULL;
    }

    job = calloc(1, sizeof(js_match_job_t));
    if (job == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(job->id, c[0], 37);
    /* NULL (no location_type) is not remote, as in the SQL */
    job->remote = c[3] != NULL && c[3][0] == 't';
    job->title_terms = strtol(c[4], &end, 10);
    if (*end != '\0' || job->title_terms < 0 || job->title_terms > 1000000)
    {
        goto failed;
    }

    for (i = 0; i < 5; i++) {
        n[i] = js_pg_text_array(c[arrays[i]], &job->arrays[i], &job->bufs[i]);
        if (n[i] < 0) {
            goto failed;
        }
    }
    if (n[1] != n[0] || n[2] != n[0]) {
        goto failed;
    }

    job->role_keys = job->arrays[0];
    job->nroles = n[0];
    job->required = job->arrays[3];
    job->nrequired = n[3];
    job->nice = job->arrays[4];
    job->nnice = n[4];

    job->fits = malloc((n[0] ? n[0] : 1) * sizeof(int64_t));
    job->masks = malloc((n[0] ? n[0] : 1) * sizeof(uint64_t));
    if (job->fits == NULL || job->masks == NULL) {
        goto failed;
    }
    for (i = 0; i < n[0]; i++) {
        job->fits[i] = js_match_fit(job->arrays[1][i]);
        if (job->role_keys[i] == NULL || job->fits[i] < 0
            || job->arrays[2][i] == NULL)
        {
            goto failed;
        }
        /* a bigint whose bits are the title's first 40 words */
        job->masks[i] = (uint64_t) strtoll(job->arrays[2][i], &end, 10);
        if (*end != '\0') {
            goto failed;
        }
    }

    if (js_strdup_null(&job->company, c[1]) != 0
        || js_strdup_null(&job->location, c[2]) != 0
        || js_strdup_null(&job->employment_type, c[10]) != 0
        || js_strdup_null(&job->location_type, c[11]) != 0
        || js_strdup_null(&job->yearly_salary, c[12]) != 0
        || js_strdup_null(&job->currency, c[13]) != 0)
    {
        goto failed;
    }
    return job;

failed:

    js_malformed();
    js_match_job_destroy(job);
    return NULL;
}


/* --- matching -------------------------------------------------------- */

static int
js_mark(js_matcher_t *mt, int kind, uint32_t id, uint32_t fit)
{
    uint32_t  *more, size;
    js_key_t  *k = &mt->keys[id];

    if (k->mark[kind] == mt->epoch) {
        /* a role twice: its fit is the same */
        return 0;
    }
    k->mark[kind] = mt->epoch;
    if (kind == JS_MK_ROLE) {
        k->fit = fit;
    }

    if (mt->nmarked[kind] == mt->marked_size[kind]) {
        size = mt->marked_size[kind] ? 2 * mt->marked_size[kind] : 64;
        more = realloc(mt->marked[kind], size * sizeof(uint32_t));
        if (more == NULL) {
            return -1;
        }
        mt->marked[kind] = more;
        mt->marked_size[kind] = size;
    }
    mt->marked[kind][mt->nmarked[kind]++] = id;
    return 0;
}

static int
js_mark_text(js_matcher_t *mt, int kind, const char *s, uint32_t fit)
{
    uint32_t  id = js_key_lookup(mt, s);

    return id == 0 ? 0 : js_mark(mt, kind, id, fit);
}

/*
 * The location keys users have among the job's (0007's
 * match_job_location_keys(): every substring of up to 64 characters,
 * '', and 'remote' for a remote job), looked up as they are walked.
 * The location is UTF-8: a substring of characters is one of bytes
 * starting and ending on character boundaries.
 */
static int
js_mark_location(js_matcher_t *mt, const js_match_job_t *job)
{
    int          chars;
    uint32_t     id;
    uint64_t     h;
    const char  *s = job->location, *p, *c;

    if (js_mark_text(mt, JS_MK_LOCATION, "", 0) != 0
        || (job->remote && js_mark_text(mt, JS_MK_LOCATION, "remote", 0)))
    {
        return -1;
    }

    for ( ; *s != '\0'; s++) {
        if ((*s & 0xc0) == 0x80) {
            continue;
        }
        h = JS_FNV1A_BASIS;
        for (p = s, chars = 0;
             *p != '\0' && chars < JS_MATCH_LOCATION_CHARS; chars++)
        {
            /* one character more, and the hash extended by it */
            c = p;
            do {
                p++;
            } while ((*p & 0xc0) == 0x80);
            h = js_fnv1a(h, c, p - c);

            id = js_key_find(mt, s, p - s, js_key_hash(h));
            if (id != 0 && js_mark(mt, JS_MK_LOCATION, id, 0) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int
js_match_mark_job(js_matcher_t *mt, const js_match_job_t *job)
{
    int       i, k;
    uint32_t  j;

    if (++mt->epoch == 0) {
        for (j = 1; j < mt->nkeys; j++) {
            memset(mt->keys[j].mark, 0, sizeof(mt->keys[j].mark));
        }
        for (j = 0; j < mt->nslots; j++) {
            mt->slots[j].stamp = 0;
        }
        mt->epoch = 1;
    }
    for (k = 0; k < JS_MK_KINDS; k++) {
        mt->nmarked[k] = 0;
    }

    if (js_mark_text(mt, JS_MK_COMPANY, job->company, 0) != 0
        || js_mark_text(mt, JS_MK_COMPANY, "", 0) != 0
        || js_mark_text(mt, JS_MK_ROLE, "", JS_MATCH_NO_FIT) != 0
        || js_mark_location(mt, job) != 0)
    {
        return -1;
    }
    for (i = 0; i < job->nroles; i++) {
        if (js_mark_text(mt, JS_MK_ROLE, job->role_keys[i], i) != 0) {
            return -1;
        }
    }
    for (i = 0; i < job->nrequired; i++) {
        if (job->required[i] != NULL
            && js_mark_text(mt, JS_MK_REQUIRED, job->required[i], 0) != 0)
        {
            return -1;
        }
    }
    for (i = 0; i < job->nnice; i++) {
        if (job->nice[i] != NULL
            && js_mark_text(mt, JS_MK_NICE, job->nice[i], 0) != 0)
        {
            return -1;
        }
    }
    return 0;
}

/* Whether one of a user's keys of a kind is the job's. */
static int
js_match_any(const js_matcher_t *mt, const uint32_t *ids, int n, int kind)
{
    int  i;

    for (i = 0; i < n; i++) {
        if (mt->keys[ids[i]].mark[kind] == mt->epoch) {
            return 1;
        }
    }
    return 0;
}

static const uint32_t *
js_slot_list(const js_slot_t *u, int list)
{
    int              k;
    const uint32_t  *ids = u->ids;

    for (k = 0; k < list; k++) {
        ids += u->n[k];
    }
    return ids;
}

/*
 * One of a profile's list filters (job or workplace types): no filter,
 * a job that does not say (NULL), or a value the user listed.
 */
static int
js_match_listed(const js_matcher_t *mt, const js_slot_t *u, int list,
    const char *value)
{
    int              i;
    const uint32_t  *ids;

    if (!u->has[list] || value == NULL) {
        return 1;
    }
    ids = js_slot_list(u, list);
    for (i = 0; i < u->n[list]; i++) {
        if (strcmp(mt->keys[ids[i]].s, value) == 0) {
            return 1;
        }
    }
    return 0;
}

/* 0012's match_job_wanted(): the type, workplace and pay filters. */
static int
js_match_wanted(const js_matcher_t *mt, const js_slot_t *u,
    const js_match_job_t *job)
{
    if (!js_match_listed(mt, u, JS_MU_JOB_TYPES, job->employment_type)
        || !js_match_listed(mt, u, JS_MU_WORKPLACE_TYPES, job->location_type))
    {
        return 0;
    }
    /* a pay in another currency passes (IS DISTINCT FROM) */
    if (u->min_salary == NULL || job->yearly_salary == NULL
        || (job->currency == NULL) != (u->currency == NULL)
        || (job->currency != NULL
            && strcmp(job->currency, u->currency) != 0))
    {
        return 1;
    }
    return js_decimal_cmp(job->yearly_salary, u->min_salary) >= 0;
}

/*
 * 0019's match_score_parts(), summed and rounded:
 *
 *   skills = 40 x a / b     the skills' fit, or the title words' share
 *   title  = 35 x fit       the best found key's similarity, or 0.5
 *   other  = 25 or 12.5
 *
 * over the denominator 2 x b x 10^18, in 128 bits, rounded half up.
 */
static int
js_match_score(const js_matcher_t *mt, const js_slot_t *u,
    const uint32_t *roles, const uint32_t *skills,
    const js_match_job_t *job)
{
    int         i;
    int64_t     a, b, fit = -1, other;
    uint64_t    words = 0;
    __int128    n, d;
    js_key_t   *k;

    /* the found keys: the user's roles among the job's title keys */
    for (i = 0; i < u->n[JS_MU_ROLES]; i++) {
        k = &mt->keys[roles[i]];
        if (k->mark[JS_MK_ROLE] == mt->epoch && k->fit != JS_MATCH_NO_FIT) {
            if (job->fits[k->fit] > fit) {
                fit = job->fits[k->fit];
            }
            words |= job->masks[k->fit];
        }
    }

    if (job->nrequired + job->nnice > 0 && u->n[JS_MU_SKILLS] > 0) {
        a = 0;
        for (i = 0; i < u->n[JS_MU_SKILLS]; i++) {
            k = &mt->keys[skills[i]];
            a += (k->mark[JS_MK_REQUIRED] == mt->epoch ? 2 : 0)
                 + (k->mark[JS_MK_NICE] == mt->epoch ? 1 : 0);
        }
        b = 2 * job->nrequired + job->nnice;
        /* a profile's skills are distinct (user_skills_user_lower_name),
         * so the share is at most 1; held so whatever the input */
        if (a > b) {
            a = b;
        }
    } else if (u->any_role || job->title_terms == 0) {
        a = 1;
        b = 2;
    } else {
        a = __builtin_popcountll(words);
        b = job->title_terms;
        if (a > b) {
            a = b;
        }
    }

    if (u->any_role) {
        fit = JS_MATCH_FIT_SCALE / 2;
    } else if (fit < 0) {
        fit = 0;
    }
    other = u->location_fit || job->remote ? 50 : 25;

    n = (__int128) 80 * a * JS_MATCH_FIT_SCALE
        + (__int128) 70 * fit * b
        + (__int128) other * b * JS_MATCH_FIT_SCALE;
    d = (__int128) 2 * b * JS_MATCH_FIT_SCALE;

    return (int) ((2 * n + d) / (2 * d));
}

static int
js_match_cmp_user(const void *a, const void *b)
{
    const js_match_hit_t  *x = a, *y = b;

    if (x->order != y->order) {
        return x->order < y->order ? -1 : 1;
    }
    return memcmp(x->user->id, y->user->id, 36);
}

/*
 * The first 16 hex digits of a user id, as a number in the ids' order:
 * the hits sorted by it without going to each user's id, scattered in
 * memory, some 14 times per hit.
 */
static uint64_t
js_match_order(const char *id)
{
    int       i;
    uint64_t  k = 0;

    for (i = 0; i < 19; i++) {
        if (id[i] != '-') {
            k = k << 4 | (uint64_t) (id[i] <= '9' ? id[i] - '0'
                                                  : (id[i] | 0x20) - 'a' + 10);
        }
    }
    return k;
}

int
js_matcher_match(js_matcher_t *mt, const js_match_job_t *job,
    js_match_hit_t **hits)
{
    int               kind, best = 0, ok, score;
    size_t            n = 0, size = 1024, total, least = SIZE_MAX;
    uint32_t          i, j, s;
    js_post_t        *p;
    js_slot_t        *u;
    js_match_hit_t   *h, *more;
    const uint32_t   *ids;

    *hits = NULL;

    if (js_match_mark_job(mt, job) != 0) {
        return -1;
    }

    /* the kind whose lists for the job are the shortest */
    for (kind = 0; kind < JS_MK_INDEXED; kind++) {
        total = 0;
        for (i = 0; i < mt->nmarked[kind]; i++) {
            total += mt->keys[mt->marked[kind][i]].post[kind].n;
        }
        if (total < least) {
            least = total;
            best = kind;
        }
    }

    h = malloc(size * sizeof(js_match_hit_t));
    if (h == NULL) {
        return -1;
    }

    for (i = 0; i < mt->nmarked[best]; i++) {
        p = &mt->keys[mt->marked[best][i]].post[best];

        for (j = 0; j < p->n; j++) {
            s = p->slots[j];
            u = &mt->slots[s];
            if (!u->live || u->stamp == mt->epoch) {
                continue;
            }
            u->stamp = mt->epoch;

            ids = u->ids;
            ok = 1;
            for (kind = 0; kind < JS_MK_INDEXED && ok; kind++) {
                ok = kind == best
                     || js_match_any(mt, ids, u->n[kind], kind);
                ids += u->n[kind];
            }
            if (!ok || !js_match_wanted(mt, u, job)) {
                continue;
            }

            score = js_match_score(mt, u, js_slot_list(u, JS_MU_ROLES),
                                   js_slot_list(u, JS_MU_SKILLS), job);
            if (score < u->min_score) {
                continue;
            }

            if (n == size) {
                more = realloc(h, 2 * size * sizeof(js_match_hit_t));
                if (more == NULL) {
                    free(h);
                    return -1;
                }
                h = more;
                size *= 2;
            }
            h[n].user = &u->pub;
            h[n].order = js_match_order(u->pub.id);
            h[n].score = score;
            n++;
        }
    }

    qsort(h, n, sizeof(js_match_hit_t), js_match_cmp_user);
    *hits = h;
    return (int) n;
}
