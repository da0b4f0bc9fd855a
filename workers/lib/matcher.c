/*
 * The notifier's matcher (matcher.h): profiles in memory, one inverted
 * index per key kind, a job's keys marked in the dictionary, and the
 * candidates of its smallest posting lists checked and scored.
 *
 * The rules are match_candidates()'s (0019, 0021), which this follows
 * exactly, the score included: its parts are numeric in PostgreSQL, so
 * here they are exact fractions, summed over a common denominator and
 * rounded half up as round(numeric) does.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"

enum {
    JS_MK_COMPANY = 0,              /* the three indexed kinds */
    JS_MK_ROLE,
    JS_MK_LOCATION,
    JS_MK_INDEXED,
    JS_MK_REQUIRED = JS_MK_INDEXED, /* a job's skills */
    JS_MK_NICE,
    JS_MK_KINDS
};

/* a profile's keys, in this order in its ids */
enum {
    JS_MU_COMPANIES = 0,
    JS_MU_ROLES,
    JS_MU_LOCATIONS,
    JS_MU_SKILLS,
    JS_MU_JOB_TYPES,
    JS_MU_WORKPLACE_TYPES,
    JS_MU_LISTS
};

#define JS_MATCH_FIT_SCALE   1000000000000000000LL     /* 10^18 */
#define JS_MATCH_NO_FIT      UINT32_MAX
#define JS_MATCH_LOCATION_CHARS  64     /* 0007's substrings: at most */

typedef struct {
    uint32_t       *slots;
    uint32_t        n;
    uint32_t        size;
} js_post_t;

typedef struct {
    char           *s;
    uint32_t        len;
    uint32_t        hash;
    js_post_t       post[JS_MK_INDEXED];
    uint32_t        mark[JS_MK_KINDS];  /* the epoch of the job holding it */
    uint32_t        fit;                /* a role: its index in the job */
} js_key_t;

typedef struct {
    js_match_user_t pub;
    int             live;
    int             any_role;        /* roles = {""} */
    int             location_fit;    /* locations <> {""} */
    int             min_score;
    char           *min_salary;      /* NULL: no pay filter */
    char           *currency;
    uint32_t       *ids;             /* key ids, the JS_MU_* lists */
    uint16_t        n[JS_MU_LISTS];
    uint8_t         has[JS_MU_LISTS];    /* job and workplace types: a
                                          * filter (not NULL) */
    uint32_t        stamp;
} js_slot_t;

struct js_matcher_s {
    js_key_t       *keys;            /* id 0 unused */
    uint32_t        nkeys;
    uint32_t        keys_size;
    uint32_t       *key_table;       /* open addressing: key ids */
    uint32_t        key_mask;

    js_slot_t      *slots;
    uint32_t        nslots;
    uint32_t        slots_size;
    uint32_t        ndead;
    uint32_t       *user_table;      /* slot + 1, 0 empty, UINT32_MAX
                                      * deleted */
    uint32_t        user_mask;
    uint32_t        user_used;       /* live and deleted entries */

    uint32_t        epoch;
    uint32_t       *marked[JS_MK_KINDS];    /* the job's keys, by kind */
    uint32_t        nmarked[JS_MK_KINDS];
    uint32_t        marked_size[JS_MK_KINDS];
};

struct js_match_job_s {
    char            id[37];
    char           *company;
    char           *location;
    int             remote;
    long            title_terms;
    char          **role_keys;
    int64_t        *fits;            /* scaled by JS_MATCH_FIT_SCALE */
    uint64_t       *masks;
    int             nroles;
    char          **required;
    int             nrequired;
    char          **nice;
    int             nnice;
    char           *employment_type;
    char           *location_type;
    char           *yearly_salary;
    char           *currency;
    char           *bufs[5];         /* the arrays' strings */
    char          **arrays[5];
};

#define JS_USER_DELETED  UINT32_MAX


/* --- text ------------------------------------------------------------ */

int
js_pg_text_array(const char *s, char ***elems, char **buf)
{
    int          n = 0, size = 8, quoted;
    char        *base, *out, **e;
    const char  *p;

    *elems = NULL;
    *buf = NULL;

    if (s == NULL || s[0] != '{') {
        return -1;
    }

    base = out = malloc(strlen(s) + 1);
    e = malloc(size * sizeof(char *));
    if (base == NULL || e == NULL) {
        goto failed;
    }

    p = s + 1;
    if (*p == '}') {
        if (p[1] != '\0') {
            goto failed;
        }
        *elems = e;
        *buf = base;
        return 0;
    }

    for ( ;; ) {
        char  *start = out;

        if (n == size) {
            char  **more = realloc(e, 2 * size * sizeof(char *));
            if (more == NULL) {
                goto failed;
            }
            e = more;
            size *= 2;
        }

        quoted = *p == '"';
        if (quoted) {
            for (p++; *p != '"'; p++) {
                if (*p == '\\') {
                    p++;
                }
                if (*p == '\0') {
                    goto failed;
                }
                *out++ = *p;
            }
            p++;
        } else {
            while (*p != ',' && *p != '}') {
                if (*p == '\0' || *p == '{' || *p == '"') {
                    goto failed;
                }
                *out++ = *p++;
            }
            /* PostgreSQL quotes an empty string */
            if (out == start) {
                goto failed;
            }
        }
        *out++ = '\0';

        e[n++] = !quoted && strcmp(start, "NULL") == 0 ? NULL : start;

        if (*p == '}') {
            break;
        }
        if (*p != ',') {
            goto failed;
        }
        p++;
    }

    if (p[1] != '\0') {
        goto failed;
    }

    *elems = e;
    *buf = base;
    return n;

failed:

    free(e);
    free(base);
    return -1;
}

/* A plain decimal's sign, integer digits and fraction digits (their
 * leading and trailing zeros left out). */
static int
js_decimal_parse(const char *s, int *neg, const char **ip, size_t *il,
    const char **fp, size_t *fl)
{
    size_t  digits;

    *neg = *s == '-';
    if (*s == '-' || *s == '+') {
        s++;
    }
    for (*ip = s; **ip == '0'; (*ip)++) { /* void */ }
    for (*il = 0; (*ip)[*il] >= '0' && (*ip)[*il] <= '9'; (*il)++) {
        /* void */
    }
    digits = (*ip - s) + *il;
    s = *ip + *il;

    *fp = s;
    *fl = 0;
    if (*s == '.') {
        *fp = ++s;
        for ( ; s[*fl] >= '0' && s[*fl] <= '9'; (*fl)++) { /* void */ }
        s += *fl;
        digits += *fl;
    }
    while (*fl > 0 && (*fp)[*fl - 1] == '0') {
        (*fl)--;
    }
    return *s == '\0' && digits > 0 ? 0 : -1;
}

int
js_decimal_cmp(const char *a, const char *b)
{
    int          na, nb, c, sign;
    size_t       ial, fal, ibl, fbl, i;
    const char  *ia, *fa, *ib, *fb;

    if (js_decimal_parse(a, &na, &ia, &ial, &fa, &fal) != 0
        || js_decimal_parse(b, &nb, &ib, &ibl, &fb, &fbl) != 0)
    {
        return strcmp(a, b);
    }

    /* -0 is 0 */
    na = na && (ial > 0 || fal > 0);
    nb = nb && (ibl > 0 || fbl > 0);
    if (na != nb) {
        return na ? -1 : 1;
    }
    sign = na ? -1 : 1;

    if (ial != ibl) {
        return ial < ibl ? -sign : sign;
    }
    c = memcmp(ia, ib, ial);
    if (c != 0) {
        return c < 0 ? -sign : sign;
    }
    for (i = 0; i < fal || i < fbl; i++) {
        char  da = i < fal ? fa[i] : '0', db = i < fbl ? fb[i] : '0';
        if (da != db) {
            return da < db ? -sign : sign;
        }
    }
    return 0;
}

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


/* --- the key dictionary ---------------------------------------------- */

#define JS_FNV_BASIS  2166136261u
#define JS_FNV_PRIME  16777619u

static uint32_t
js_fnv(uint32_t h, const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        h = (h ^ (unsigned char) s[i]) * JS_FNV_PRIME;
    }
    return h;
}

static uint32_t
js_key_find(const js_matcher_t *mt, const char *s, size_t len, uint32_t h)
{
    uint32_t   i, id;
    js_key_t  *k;

    for (i = h & mt->key_mask; (id = mt->key_table[i]) != 0;
         i = (i + 1) & mt->key_mask)
    {
        k = &mt->keys[id];
        if (k->hash == h && k->len == len && memcmp(k->s, s, len) == 0) {
            return id;
        }
    }
    return 0;
}

static int
js_key_table_grow(js_matcher_t *mt)
{
    uint32_t   i, j, size = (mt->key_mask + 1) * 2, *t;

    t = calloc(size, sizeof(uint32_t));
    if (t == NULL) {
        return -1;
    }
    for (i = 1; i < mt->nkeys; i++) {
        for (j = mt->keys[i].hash & (size - 1); t[j] != 0;
             j = (j + 1) & (size - 1))
        { /* void */ }
        t[j] = i;
    }
    free(mt->key_table);
    mt->key_table = t;
    mt->key_mask = size - 1;
    return 0;
}

/* The id of a key, added when new: 0 when out of memory. */
static uint32_t
js_key_id(js_matcher_t *mt, const char *s)
{
    size_t     len = strlen(s);
    uint32_t   h = js_fnv(JS_FNV_BASIS, s, len), id, i, size;
    js_key_t  *k;

    id = js_key_find(mt, s, len, h);
    if (id != 0) {
        return id;
    }

    if (2 * (mt->nkeys + 1) > mt->key_mask + 1 && js_key_table_grow(mt) != 0)
    {
        return 0;
    }
    if (mt->nkeys == mt->keys_size) {
        size = mt->keys_size ? 2 * mt->keys_size : 1024;
        k = realloc(mt->keys, size * sizeof(js_key_t));
        if (k == NULL) {
            return 0;
        }
        mt->keys = k;
        mt->keys_size = size;
    }

    k = &mt->keys[mt->nkeys];
    memset(k, 0, sizeof(*k));
    k->s = strdup(s);
    if (k->s == NULL) {
        return 0;
    }
    k->len = len;
    k->hash = h;

    for (i = h & mt->key_mask; mt->key_table[i] != 0;
         i = (i + 1) & mt->key_mask)
    { /* void */ }
    mt->key_table[i] = mt->nkeys;
    return mt->nkeys++;
}

static uint32_t
js_key_lookup(const js_matcher_t *mt, const char *s)
{
    size_t  len = strlen(s);

    return js_key_find(mt, s, len, js_fnv(JS_FNV_BASIS, s, len));
}

static int
js_post_add(js_post_t *p, uint32_t slot)
{
    uint32_t  *more;

    if (p->n == p->size) {
        more = realloc(p->slots, (p->size ? 2 * p->size : 4)
                                 * sizeof(uint32_t));
        if (more == NULL) {
            return -1;
        }
        p->slots = more;
        p->size = p->size ? 2 * p->size : 4;
    }
    p->slots[p->n++] = slot;
    return 0;
}


/* --- profiles -------------------------------------------------------- */

js_matcher_t *
js_matcher_create(void)
{
    js_matcher_t  *mt = calloc(1, sizeof(js_matcher_t));

    if (mt == NULL) {
        return NULL;
    }

    mt->keys_size = 1024;
    mt->keys = calloc(mt->keys_size, sizeof(js_key_t));
    mt->key_mask = 2047;
    mt->key_table = calloc(mt->key_mask + 1, sizeof(uint32_t));
    mt->user_mask = 1023;
    mt->user_table = calloc(mt->user_mask + 1, sizeof(uint32_t));
    if (mt->keys == NULL || mt->key_table == NULL || mt->user_table == NULL)
    {
        free(mt->keys);
        free(mt->key_table);
        free(mt->user_table);
        free(mt);
        return NULL;
    }
    mt->nkeys = 1;
    return mt;
}

static void
js_slot_free(js_slot_t *u)
{
    free(u->pub.push_token);
    free(u->pub.email_digest);
    free(u->min_salary);
    free(u->currency);
    free(u->ids);
    memset(u, 0, sizeof(*u));
}

/* Profiles and keys: a full reload leaves no key no user has. */
void
js_matcher_reset(js_matcher_t *mt)
{
    uint32_t  i, k;

    for (i = 0; i < mt->nslots; i++) {
        js_slot_free(&mt->slots[i]);
    }
    mt->nslots = 0;
    mt->ndead = 0;
    memset(mt->user_table, 0, (mt->user_mask + 1) * sizeof(uint32_t));
    mt->user_used = 0;

    for (i = 1; i < mt->nkeys; i++) {
        free(mt->keys[i].s);
        for (k = 0; k < JS_MK_INDEXED; k++) {
            free(mt->keys[i].post[k].slots);
        }
    }
    mt->nkeys = 1;
    memset(mt->key_table, 0, (mt->key_mask + 1) * sizeof(uint32_t));
}

void
js_matcher_destroy(js_matcher_t *mt)
{
    uint32_t  k;

    if (mt == NULL) {
        return;
    }
    js_matcher_reset(mt);
    for (k = 0; k < JS_MK_KINDS; k++) {
        free(mt->marked[k]);
    }
    free(mt->keys);
    free(mt->key_table);
    free(mt->slots);
    free(mt->user_table);
    free(mt);
}

size_t
js_matcher_users(const js_matcher_t *mt)
{
    return mt->nslots - mt->ndead;
}

size_t
js_matcher_memory(const js_matcher_t *mt)
{
    size_t    bytes, i, k;
    uint32_t  n;

    bytes = sizeof(*mt) + mt->keys_size * sizeof(js_key_t)
            + (mt->key_mask + 1 + mt->user_mask + 1) * sizeof(uint32_t)
            + mt->slots_size * sizeof(js_slot_t);
    for (i = 1; i < mt->nkeys; i++) {
        bytes += mt->keys[i].len + 1;
        for (k = 0; k < JS_MK_INDEXED; k++) {
            bytes += mt->keys[i].post[k].size * sizeof(uint32_t);
        }
    }
    for (i = 0; i < mt->nslots; i++) {
        for (k = 0, n = 0; k < JS_MU_LISTS; k++) {
            n += mt->slots[i].n[k];
        }
        bytes += n * sizeof(uint32_t);
    }
    return bytes;
}

static uint32_t
js_user_hash(const char *id)
{
    return js_fnv(JS_FNV_BASIS, id, 36);
}

/* The table entry of a user id: its slot + 1, or where it would go. */
static uint32_t *
js_user_entry(js_matcher_t *mt, const char *id, int insert)
{
    uint32_t   i, e, *free_entry = NULL;

    for (i = js_user_hash(id) & mt->user_mask;
         (e = mt->user_table[i]) != 0; i = (i + 1) & mt->user_mask)
    {
        if (e == JS_USER_DELETED) {
            if (free_entry == NULL) {
                free_entry = &mt->user_table[i];
            }
            continue;
        }
        if (memcmp(mt->slots[e - 1].pub.id, id, 36) == 0) {
            return &mt->user_table[i];
        }
    }
    if (!insert) {
        return NULL;
    }
    if (free_entry != NULL) {
        return free_entry;
    }
    mt->user_used++;
    return &mt->user_table[i];
}

static int
js_user_table_rebuild(js_matcher_t *mt, uint32_t size)
{
    uint32_t   i, *e;

    free(mt->user_table);
    mt->user_table = calloc(size, sizeof(uint32_t));
    if (mt->user_table == NULL) {
        return -1;
    }
    mt->user_mask = size - 1;
    mt->user_used = 0;
    for (i = 0; i < mt->nslots; i++) {
        if (mt->slots[i].live) {
            e = js_user_entry(mt, mt->slots[i].pub.id, 1);
            *e = i + 1;
        }
    }
    return 0;
}

static int
js_slot_index(js_matcher_t *mt, uint32_t s)
{
    int         k, i, kind;
    js_slot_t  *u = &mt->slots[s];
    uint32_t   *ids = u->ids;

    for (k = JS_MU_COMPANIES; k <= JS_MU_LOCATIONS; k++) {
        kind = JS_MK_COMPANY + k;
        for (i = 0; i < u->n[k]; i++) {
            if (js_post_add(&mt->keys[ids[i]].post[kind], s) != 0) {
                return -1;
            }
        }
        ids += u->n[k];
    }
    return 0;
}

/*
 * Dead slots gone, every list rebuilt: once there are more of them than
 * live ones, so that updates cost a list entry each on average.
 */
static int
js_matcher_compact(js_matcher_t *mt)
{
    uint32_t  i, n = 0, k;

    for (i = 0; i < mt->nslots; i++) {
        if (mt->slots[i].live) {
            mt->slots[n++] = mt->slots[i];
        } else {
            js_slot_free(&mt->slots[i]);
        }
    }
    mt->nslots = n;
    mt->ndead = 0;

    for (i = 1; i < mt->nkeys; i++) {
        for (k = 0; k < JS_MK_INDEXED; k++) {
            mt->keys[i].post[k].n = 0;
        }
    }
    for (i = 0; i < n; i++) {
        if (js_slot_index(mt, i) != 0) {
            return -1;
        }
    }
    return js_user_table_rebuild(mt, mt->user_mask + 1);
}

void
js_matcher_remove(js_matcher_t *mt, const char *user_id)
{
    uint32_t  *e;

    if (strlen(user_id) != 36) {
        return;
    }
    e = js_user_entry(mt, user_id, 0);
    if (e == NULL) {
        return;
    }
    mt->slots[*e - 1].live = 0;
    mt->ndead++;
    *e = JS_USER_DELETED;

    if (mt->ndead > 1024 && mt->ndead > mt->nslots - mt->ndead) {
        (void) js_matcher_compact(mt);
    }
}

/* A text array's elements as key ids (NULL elements never match). */
static int
js_slot_keys(js_matcher_t *mt, const char *col, uint32_t **ids,
    size_t *nids, size_t *size, uint16_t *n, int *raw)
{
    int        i, ne;
    char     **e, *buf;
    uint32_t   id, *more;

    *n = 0;
    *raw = 0;
    if (col == NULL) {
        return 0;
    }
    ne = js_pg_text_array(col, &e, &buf);
    if (ne < 0 || ne > UINT16_MAX) {
        return -1;
    }
    *raw = ne;

    for (i = 0; i < ne; i++) {
        if (e[i] == NULL) {
            continue;
        }
        if (*nids == *size) {
            more = realloc(*ids, 2 * *size * sizeof(uint32_t));
            if (more == NULL) {
                goto failed;
            }
            *ids = more;
            *size *= 2;
        }
        id = js_key_id(mt, e[i]);
        if (id == 0) {
            goto failed;
        }
        (*ids)[(*nids)++] = id;
        (*n)++;
    }

    free(e);
    free(buf);
    return 0;

failed:

    free(e);
    free(buf);
    return -1;
}

static int
js_is_empty_key_list(const char *col)
{
    return col != NULL && strcmp(col, "{\"\"}") == 0;
}

int
js_matcher_put(js_matcher_t *mt, const char *const *c)
{
    int         k, raw;
    size_t      nids = 0, size = 16;
    uint32_t   *e, s;
    js_slot_t   u, *more;

    /* user_id, companies, roles, locations, job_types, workplace_types,
     * min_salary, salary_currency, min_score, push_token, email_digest,
     * skills */
    static const int  lists[JS_MU_LISTS] = { 1, 2, 3, 11, 4, 5 };

    if (c[0] == NULL || strlen(c[0]) != 36 || c[8] == NULL) {
        return -1;
    }

    memset(&u, 0, sizeof(u));
    memcpy(u.pub.id, c[0], 37);
    u.live = 1;
    u.any_role = js_is_empty_key_list(c[2]);
    u.location_fit = !js_is_empty_key_list(c[3]);
    u.min_score = atoi(c[8]);

    u.ids = malloc(size * sizeof(uint32_t));
    if (u.ids == NULL) {
        return -1;
    }
    for (k = 0; k < JS_MU_LISTS; k++) {
        if (js_slot_keys(mt, c[lists[k]], &u.ids, &nids, &size, &u.n[k],
                         &raw) != 0)
        {
            goto failed;
        }
        u.has[k] = c[lists[k]] != NULL;
    }

    if ((c[6] != NULL && (u.min_salary = strdup(c[6])) == NULL)
        || (c[7] != NULL && (u.currency = strdup(c[7])) == NULL)
        || (c[9] != NULL && (u.pub.push_token = strdup(c[9])) == NULL)
        || (c[10] != NULL && (u.pub.email_digest = strdup(c[10])) == NULL))
    {
        goto failed;
    }

    if (mt->nslots == mt->slots_size) {
        size = mt->slots_size ? 2 * mt->slots_size : 1024;
        more = realloc(mt->slots, size * sizeof(js_slot_t));
        if (more == NULL) {
            goto failed;
        }
        mt->slots = more;
        mt->slots_size = size;
    }
    if (2 * (mt->user_used + 1) > mt->user_mask + 1
        && js_user_table_rebuild(mt, 2 * (mt->user_mask + 1)) != 0)
    {
        goto failed;
    }

    js_matcher_remove(mt, u.pub.id);

    s = mt->nslots++;
    mt->slots[s] = u;
    if (js_slot_index(mt, s) != 0) {
        mt->slots[s].live = 0;
        mt->ndead++;
        return -1;
    }
    e = js_user_entry(mt, u.pub.id, 1);
    *e = s + 1;
    return 0;

failed:

    js_slot_free(&u);
    return -1;
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
js_match_job_create(js_matcher_t *mt, const char *const *c)
{
    int              i, n[5];
    char            *end;
    js_match_job_t  *job;

    /* job_id, company_key, location, remote, title_terms, role_keys,
     * role_fits, role_masks, required_skills, nice_skills,
     * employment_type, location_type, yearly_salary, salary_currency */
    static const int  arrays[5] = { 5, 6, 7, 8, 9 };

    (void) mt;

    if (c[0] == NULL || strlen(c[0]) != 36 || c[1] == NULL || c[2] == NULL
        || c[4] == NULL)
    {
        return NULL;
    }

    job = calloc(1, sizeof(js_match_job_t));
    if (job == NULL) {
        return NULL;
    }
    memcpy(job->id, c[0], 37);
    /* NULL (no location_type) is not remote, as in the SQL */
    job->remote = c[3] != NULL && c[3][0] == 't';
    job->title_terms = strtol(c[4], &end, 10);
    if (job->title_terms < 0 || job->title_terms > 1000000) {
        goto failed;
    }

    for (i = 0; i < 5; i++) {
        n[i] = js_pg_text_array(c[arrays[i]], &job->arrays[i], &job->bufs[i]);
        if (n[i] < 0) {
            goto failed;
        }
    }
    if (n[1] != n[0] || n[2] != n[0] || *end != '\0') {
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
    uint32_t     h, id;
    const char  *s = job->location, *p;

    if (js_mark_text(mt, JS_MK_LOCATION, "", 0) != 0
        || (job->remote && js_mark_text(mt, JS_MK_LOCATION, "remote", 0)))
    {
        return -1;
    }

    for ( ; *s != '\0'; s++) {
        if ((*s & 0xc0) == 0x80) {
            continue;
        }
        h = JS_FNV_BASIS;
        for (p = s, chars = 0;
             *p != '\0' && chars < JS_MATCH_LOCATION_CHARS; chars++)
        {
            do {
                h = (h ^ (unsigned char) *p++) * JS_FNV_PRIME;
            } while ((*p & 0xc0) == 0x80);

            id = js_key_find(mt, s, p - s, h);
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

/* 0012's match_job_wanted(): the type, workplace and pay filters. */
static int
js_match_wanted(const js_matcher_t *mt, const js_slot_t *u,
    const uint32_t *types, const uint32_t *workplaces,
    const js_match_job_t *job)
{
    int  i, found;

    if (u->has[JS_MU_JOB_TYPES] && job->employment_type != NULL) {
        for (i = 0, found = 0; i < u->n[JS_MU_JOB_TYPES] && !found; i++) {
            found = strcmp(mt->keys[types[i]].s, job->employment_type) == 0;
        }
        if (!found) {
            return 0;
        }
    }
    if (u->has[JS_MU_WORKPLACE_TYPES] && job->location_type != NULL) {
        for (i = 0, found = 0; i < u->n[JS_MU_WORKPLACE_TYPES] && !found;
             i++)
        {
            found = strcmp(mt->keys[workplaces[i]].s, job->location_type)
                    == 0;
        }
        if (!found) {
            return 0;
        }
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

static int
js_match_cmp_user(const void *a, const void *b)
{
    return memcmp(((const js_match_hit_t *) a)->user->id,
                  ((const js_match_hit_t *) b)->user->id, 36);
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
            if (!ok
                || !js_match_wanted(mt, u,
                                    js_slot_list(u, JS_MU_JOB_TYPES),
                                    js_slot_list(u, JS_MU_WORKPLACE_TYPES),
                                    job))
            {
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
            h[n].score = score;
            n++;
        }
    }

    qsort(h, n, sizeof(js_match_hit_t), js_match_cmp_user);
    *hits = h;
    return (int) n;
}
