/*
 * The notifier's matcher (matcher.h), its memory: a dictionary of keys,
 * the profiles, and for companies, roles and locations an inverted
 * index from key to profiles; matcher_match.c matches jobs against it.
 */

#include "matcher_int.h"


/* --- the key dictionary ---------------------------------------------- */


uint32_t
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
    uint32_t   h = js_key_hash(js_fnv1a(JS_FNV1A_BASIS, s, len)), id, i, size;
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

uint32_t
js_key_lookup(const js_matcher_t *mt, const char *s)
{
    size_t  len = strlen(s);

    return js_key_find(mt, s, len,
                       js_key_hash(js_fnv1a(JS_FNV1A_BASIS, s, len)));
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
    return js_key_hash(js_fnv1a(JS_FNV1A_BASIS, id, 36));
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
    uint32_t   i, *e, *t;

    /* the same size: cleared in place, so that compacting cannot fail */
    if (size == mt->user_mask + 1) {
        memset(mt->user_table, 0, size * sizeof(uint32_t));

    } else {
        t = calloc(size, sizeof(uint32_t));
        if (t == NULL) {
            return -1;
        }
        free(mt->user_table);
        mt->user_table = t;
        mt->user_mask = size - 1;
    }
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
    size_t *nids, size_t *size, int *n)
{
    int        i, ne;
    char     **e, *buf;
    uint32_t   id, *more;

    *n = 0;
    if (col == NULL) {
        return 0;
    }
    ne = js_pg_text_array(col, &e, &buf);
    if (ne < 0) {
        return -1;
    }

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
    int         k;
    size_t      nids = 0, size = 16;
    uint32_t   *e, s;
    js_slot_t   u, *more;

    /* user_id, companies, roles, locations, job_types, workplace_types,
     * min_salary, salary_currency, min_score, push_token, email_digest,
     * skills */
    static const int  lists[JS_MU_LISTS] = { 1, 2, 3, 11, 4, 5 };

    errno = 0;
    if (c[0] == NULL || strlen(c[0]) != 36 || c[8] == NULL) {
        errno = EINVAL;
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
        errno = ENOMEM;
        return -1;
    }
    for (k = 0; k < JS_MU_LISTS; k++) {
        if (js_slot_keys(mt, c[lists[k]], &u.ids, &nids, &size, &u.n[k])
            != 0)
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

    js_malformed();
    js_slot_free(&u);
    return -1;
}
