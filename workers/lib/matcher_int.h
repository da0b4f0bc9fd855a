/*
 * The matcher's insides, shared by matcher.c (the key dictionary and the
 * profiles) and matcher_match.c (jobs and matching).
 */

#ifndef JS_MATCHER_INT_H
#define JS_MATCHER_INT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"
#include "pg_text.h"
#include "util.h"

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
    int             n[JS_MU_LISTS];
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

/* A failure that was no allocation's: errno EINVAL (see matcher.h). */
static inline void
js_malformed(void)
{
    if (errno != ENOMEM) {
        errno = EINVAL;
    }
}

/* a key's hash: js_fnv1a()'s low bits, which index its table */
#define js_key_hash(h)  ((uint32_t) (h))

/* a key's id, or 0: s (len bytes) hashed to h (js_key_hash()) */
uint32_t js_key_find(const js_matcher_t *mt, const char *s, size_t len,
    uint32_t h);
uint32_t js_key_lookup(const js_matcher_t *mt, const char *s);

#endif
