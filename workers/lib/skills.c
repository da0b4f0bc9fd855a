/*
 * The skills taxonomy and extractor (skills.h): a byte trie of the
 * lower-case aliases, walked from every word start of the text, so that
 * tagging is linear in the text whatever the size of the taxonomy.
 */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skills.h"
#include "util.h"

#define JS_SKILL_ALIAS_MAX   100     /* bytes of an alias, normalized */
#define JS_SKILL_YEARS_MAX   50
#define JS_SKILL_HEADING     60      /* bytes: a longer line is no heading */

typedef struct {
    uint32_t  child;       /* first child, 0: none (0 is the root) */
    uint32_t  sibling;     /* next child of the parent, 0: none */
    int32_t   skill;       /* index in skills, -1: no alias ends here */
    uint8_t   ch;
    uint8_t   ambiguous;
} js_trie_node_t;

typedef struct {
    char  *name;
    char  *category;
} js_skill_t;

struct js_skills_s {
    js_trie_node_t  *nodes;
    uint32_t         nnodes, capnodes;
    uint32_t         root[256];      /* the root's children, by byte */
    js_skill_t      *skills;
    size_t           nskills, capskills;
    uint32_t        *byname;         /* open addressing: skill index + 1 */
    size_t           capbyname;      /* a power of two */
    size_t           naliases;
    char             version[64];
};

/* One alias found in the text, before the ambiguity rules. */
typedef struct {
    size_t  start, end;
    int32_t skill;
    int     ambiguous;
    int     accepted;
    int     optional;
    double  years;
} js_skill_cand_t;

static int
js_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c >= 0x80;
}

static int
js_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
           || c == '\v';
}

static unsigned char
js_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

js_skills_t *
js_skills_new(void)
{
    js_skills_t  *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->capnodes = 1024;
    t->nodes = calloc(t->capnodes, sizeof(*t->nodes));
    t->capbyname = 1024;
    t->byname = calloc(t->capbyname, sizeof(*t->byname));
    if (t->nodes == NULL || t->byname == NULL) {
        js_skills_free(t);
        return NULL;
    }
    t->nnodes = 1;
    t->nodes[0].skill = -1;
    return t;
}

void
js_skills_free(js_skills_t *t)
{
    size_t  i;

    if (t == NULL) {
        return;
    }
    for (i = 0; i < t->nskills; i++) {
        free(t->skills[i].name);
        free(t->skills[i].category);
    }
    free(t->skills);
    free(t->nodes);
    free(t->byname);
    free(t);
}

const char *
js_skills_version(const js_skills_t *t)
{
    return t->version;
}

size_t
js_skills_count(const js_skills_t *t)
{
    return t->nskills;
}

size_t
js_skills_alias_count(const js_skills_t *t)
{
    return t->naliases;
}

/*
 * spelling lower-cased, trimmed, inner blank runs made one space, into out
 * (JS_SKILL_ALIAS_MAX + 1 bytes); its length, 0 when empty or too long.
 */
static size_t
js_skill_normalize(const char *spelling, char *out)
{
    size_t               n = 0;
    int                  gap = 0;
    const unsigned char *s = (const unsigned char *) spelling;

    for (; *s != '\0'; s++) {
        if (js_blank(*s)) {
            gap = n > 0;
            continue;
        }
        if (n + gap >= JS_SKILL_ALIAS_MAX) {
            return 0;
        }
        if (gap) {
            out[n++] = ' ';
            gap = 0;
        }
        out[n++] = (char) js_lower(*s);
    }
    out[n] = '\0';
    return n;
}

/* The index of skill name, added with category if new; -1: no memory. */
static int32_t
js_skill_intern(js_skills_t *t, const char *name, const char *category)
{
    size_t       i, mask, cap;
    uint32_t    *byname;
    js_skill_t  *skills, *sk;

    if (2 * (t->nskills + 1) > t->capbyname) {
        cap = t->capbyname * 2;
        byname = calloc(cap, sizeof(*byname));
        if (byname == NULL) {
            return -1;
        }
        for (i = 0; i < t->nskills; i++) {
            size_t  h = js_fnv1a(JS_FNV1A_BASIS, t->skills[i].name,
                                  strlen(t->skills[i].name)) & (cap - 1);

            while (byname[h] != 0) {
                h = (h + 1) & (cap - 1);
            }
            byname[h] = (uint32_t) i + 1;
        }
        free(t->byname);
        t->byname = byname;
        t->capbyname = cap;
    }

    mask = t->capbyname - 1;
    for (i = js_fnv1a(JS_FNV1A_BASIS, name, strlen(name)) & mask;
         t->byname[i] != 0; i = (i + 1) & mask)
    {
        if (strcmp(t->skills[t->byname[i] - 1].name, name) == 0) {
            return (int32_t) t->byname[i] - 1;
        }
    }

    if (t->nskills == t->capskills) {
        cap = t->capskills ? t->capskills * 2 : 256;
        skills = realloc(t->skills, cap * sizeof(*skills));
        if (skills == NULL) {
            return -1;
        }
        t->skills = skills;
        t->capskills = cap;
    }
    sk = &t->skills[t->nskills];
    sk->name = strdup(name);
    sk->category = strdup(category);
    if (sk->name == NULL || sk->category == NULL) {
        free(sk->name);
        free(sk->category);
        return -1;
    }
    t->byname[i] = (uint32_t) ++t->nskills;
    return (int32_t) t->nskills - 1;
}

/* The child of node for byte c, created when create; 0: none or no
 * memory. */
static uint32_t
js_trie_child(js_skills_t *t, uint32_t node, unsigned char c, int create)
{
    uint32_t         n, *link;
    js_trie_node_t  *nodes;

    link = (node == 0) ? &t->root[c] : &t->nodes[node].child;
    for (n = *link; n != 0; n = t->nodes[n].sibling) {
        if (t->nodes[n].ch == c) {
            return n;
        }
        if (node == 0) {
            break;
        }
    }
    if (n != 0 || !create) {
        return n;
    }
    if (t->nnodes == t->capnodes) {
        nodes = realloc(t->nodes, 2 * t->capnodes * sizeof(*nodes));
        if (nodes == NULL) {
            return 0;
        }
        t->nodes = nodes;
        t->capnodes *= 2;
        link = (node == 0) ? &t->root[c] : &t->nodes[node].child;
    }
    n = t->nnodes++;
    t->nodes[n].child = 0;
    t->nodes[n].sibling = (node == 0) ? 0 : *link;
    t->nodes[n].skill = -1;
    t->nodes[n].ch = c;
    t->nodes[n].ambiguous = 0;
    *link = n;
    return n;
}

int
js_skills_add(js_skills_t *t, const char *alias, const char *name,
    const char *category, int ambiguous, char *err, size_t errlen)
{
    char      norm[JS_SKILL_ALIAS_MAX + 1];
    size_t    i, n;
    int32_t   skill;
    uint32_t  node = 0;

    n = js_skill_normalize(alias, norm);
    if (n == 0 || name[0] == '\0') {
        snprintf(err, errlen, "skill alias \"%.40s\": empty or too long",
                 alias);
        return -1;
    }
    skill = js_skill_intern(t, name, category);
    if (skill < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (i = 0; i < n; i++) {
        node = js_trie_child(t, node, (unsigned char) norm[i], 1);
        if (node == 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (t->nodes[node].skill >= 0 && t->nodes[node].skill != skill) {
        snprintf(err, errlen, "skill alias \"%s\": both %s and %s", norm,
                 t->skills[t->nodes[node].skill].name, name);
        return -1;
    }
    if (t->nodes[node].skill < 0) {
        t->naliases++;
    }
    t->nodes[node].skill = skill;
    t->nodes[node].ambiguous = ambiguous != 0;
    return 0;
}

js_skills_t *
js_skills_load(PGconn *pg, char *err, size_t errlen)
{
    int          i, rows;
    PGresult    *res;
    js_skills_t *t;

    res = PQexecParams(pg,
        "SELECT a.alias, s.name, s.category, a.ambiguous"
        "  FROM skill_aliases a JOIN skills s ON s.id = a.skill_id"
        " ORDER BY a.alias",
        0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "skills taxonomy: %s", PQerrorMessage(pg));
        PQclear(res);
        return NULL;
    }
    t = js_skills_new();
    if (t == NULL) {
        snprintf(err, errlen, "out of memory");
        PQclear(res);
        return NULL;
    }
    rows = PQntuples(res);
    for (i = 0; i < rows; i++) {
        if (js_skills_add(t, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                          PQgetvalue(res, i, 2),
                          PQgetvalue(res, i, 3)[0] == 't', err, errlen)
            != 0)
        {
            js_skills_free(t);
            PQclear(res);
            return NULL;
        }
    }
    PQclear(res);

    /* apart: a function in the select list would run once per row */
    res = PQexecParams(pg, "SELECT skill_taxonomy_version()", 0, NULL, NULL,
                       NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        snprintf(err, errlen, "skills taxonomy version: %s",
                 PQerrorMessage(pg));
        PQclear(res);
        js_skills_free(t);
        return NULL;
    }
    snprintf(t->version, sizeof(t->version), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return t;
}

const char *
js_skills_canonical(const js_skills_t *t, const char *spelling)
{
    char      norm[JS_SKILL_ALIAS_MAX + 1];
    size_t    i, n;
    uint32_t  node = 0;

    n = js_skill_normalize(spelling, norm);
    for (i = 0; i < n; i++) {
        node = js_trie_child((js_skills_t *) t, node,
                             (unsigned char) norm[i], 0);
        if (node == 0) {
            return NULL;
        }
    }
    if (n == 0 || t->nodes[node].skill < 0) {
        return NULL;
    }
    return t->skills[t->nodes[node].skill].name;
}

/* ---- the skill list ---------------------------------------------------- */

int
js_skill_list_add(js_skill_list_t *out, const char *name,
    const char *category, double years, int required)
{
    size_t           i, cap;
    js_skill_hit_t  *h;

    for (i = 0; i < out->n; i++) {
        h = &out->hits[i];
        if (strcmp(h->name, name) == 0) {
            if (years > h->years) {
                h->years = years;
            }
            h->required |= required;
            return 0;
        }
    }
    if (out->n == out->cap) {
        cap = out->cap ? out->cap * 2 : 16;
        h = realloc(out->hits, cap * sizeof(*h));
        if (h == NULL) {
            return -1;
        }
        out->hits = h;
        out->cap = cap;
    }
    h = &out->hits[out->n];
    h->name = strdup(name);
    if (h->name == NULL) {
        return -1;
    }
    h->category = category;
    h->years = years;
    h->required = required != 0;
    out->n++;
    return 0;
}

void
js_skill_list_free(js_skill_list_t *out)
{
    size_t  i;

    for (i = 0; i < out->n; i++) {
        free(out->hits[i].name);
    }
    free(out->hits);
    out->hits = NULL;
    out->n = out->cap = 0;
}

/* ---- text scanning ----------------------------------------------------- */

/* At s[i]: 1 for U+2019 (a typographic apostrophe), 2 for U+2022 (a
 * bullet), else 0. */
static int
js_apostrophe_at(const char *s, size_t len, size_t i)
{
    if (i + 2 >= len || (unsigned char) s[i] != 0xe2
        || (unsigned char) s[i + 1] != 0x80)
    {
        return 0;
    }
    return (unsigned char) s[i + 2] == 0x99 ? 1
           : (unsigned char) s[i + 2] == 0xa2 ? 2 : 0;
}

/* Does the case-insensitive word w (lower case) start at s[i]? */
static int
js_word_at(const char *s, size_t len, size_t i, const char *w)
{
    size_t  n = strlen(w), k;

    if (i + n > len) {
        return 0;
    }
    for (k = 0; k < n; k++) {
        if (js_lower((unsigned char) s[i + k]) != (unsigned char) w[k]) {
            return 0;
        }
    }
    return i + n == len || !js_word_byte((unsigned char) s[i + n])
           || js_apostrophe_at(s, len, i + n) == 1;
}

static int
js_contains(const char *hay, const char *const *needles)
{
    for (; *needles != NULL; needles++) {
        if (strstr(hay, *needles) != NULL) {
            return 1;
        }
    }
    return 0;
}

static const char *const  js_optional_heads[] = {
    "nice to have", "nice-to-have", "bonus", "preferred", "a plus",
    "pluses", "desirable", "optional", "good to have", NULL
};

/* Headings of the required parts: a line starting with one of them. */
static const char *const  js_required_heads[] = {
    "require", "must", "qualification", "responsibilit", "what you",
    "who you", "you have", "you will", "you'll", "about", "skills",
    "key skills", "your profile", "profile", "the role", "benefits",
    "what we", "tech stack", "our stack", NULL
};

enum {
    JS_SECTION_NONE = -1,
    JS_SECTION_REQUIRED,       /* a heading of required things */
    JS_SECTION_OPTIONAL,       /* a nice-to-have heading */
    JS_SECTION_LINE            /* this line only is nice-to-have */
};

/*
 * What the line s[0..n) says of the sections (JS_SECTION_*): a short
 * line, not a bullet, not a sentence, is a heading; "Bonus: Rust" or
 * "- Kafka is a plus" make only their own line nice-to-have.
 */
static int
js_section_heading(const char *s, size_t n)
{
    char    low[JS_SKILL_HEADING + 1];
    size_t  i, k, full;
    int     bullet = 0, colon;

    while (n > 0 && js_blank((unsigned char) *s)) {
        s++;
        n--;
    }
    while (n > 0 && (*s == '-' || *s == '*' || *s == '>'
                     || (unsigned char) *s >= 0x80
                     || js_blank((unsigned char) *s)))
    {
        bullet = 1;
        s++;
        n--;
    }
    while (n > 0 && (*s == '#' || js_blank((unsigned char) *s))) {
        s++;
        n--;
    }
    while (n > 0 && js_blank((unsigned char) s[n - 1])) {
        n--;
    }
    if (n == 0) {
        return JS_SECTION_NONE;
    }
    for (i = 0; i < n && i < JS_SKILL_HEADING && s[i] != ':'; i++) { }
    colon = i < n && s[i] == ':';
    if (n > JS_SKILL_HEADING && !colon) {
        return JS_SECTION_NONE;
    }
    full = n;
    n = i;                  /* up to the colon: "Nice to have: Kafka" */
    if (n == 0) {
        return JS_SECTION_NONE;
    }
    for (k = 0; k < n; k++) {
        low[k] = (char) js_lower((unsigned char) s[k]);
        if (low[k] == '\0') {
            low[k] = ' ';
        }
    }
    low[n] = '\0';

    if (js_contains(low, js_optional_heads)) {
        return (bullet || s[n - 1] == '.' || (colon && full > n + 1))
               ? JS_SECTION_LINE : JS_SECTION_OPTIONAL;
    }
    if (!bullet && n <= 40) {
        for (k = 0; js_required_heads[k] != NULL; k++) {
            if (strncmp(low, js_required_heads[k],
                        strlen(js_required_heads[k])) == 0)
            {
                return JS_SECTION_REQUIRED;
            }
        }
    }
    return JS_SECTION_NONE;
}

static const char *const  js_number_words[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", NULL
};

/* A number at s[*i] (digits with one optional decimal, or a word one to
 * ten), *i moved past it; -1: none. */
static double
js_parse_number(const char *s, size_t len, size_t *i)
{
    size_t  k = *i, w;
    double  v = 0, scale = 0.1;

    if (k < len && isdigit((unsigned char) s[k])) {
        while (k < len && isdigit((unsigned char) s[k]) && v < 1000) {
            v = v * 10 + (s[k++] - '0');
        }
        if (k + 1 < len && s[k] == '.' && isdigit((unsigned char) s[k + 1])) {
            k++;
            while (k < len && isdigit((unsigned char) s[k])) {
                v += scale * (s[k++] - '0');
                scale /= 10;
            }
        }
        if (k < len && js_word_byte((unsigned char) s[k])
            && !js_word_at(s, len, k, "yrs") && !js_word_at(s, len, k, "yr")
            && !js_word_at(s, len, k, "years")
            && !js_word_at(s, len, k, "year"))
        {
            return -1;                          /* "3d", "64bit", "5x" */
        }
        *i = k;
        return v;
    }
    for (w = 0; js_number_words[w] != NULL; w++) {
        if (js_word_at(s, len, k, js_number_words[w])) {
            *i = k + strlen(js_number_words[w]);
            return (double) w;
        }
    }
    return -1;
}

static size_t
js_skip_blanks(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    return i;
}

/*
 * "5+ years", "3-5 yrs", "3 to 5 years", "two years", "1.5 year" at s[*i]:
 * the (smaller) number of years, *i past the unit; -1 when none.
 */
static double
js_parse_years(const char *s, size_t len, size_t *i)
{
    size_t  k = *i;
    double  v, upper;

    v = js_parse_number(s, len, &k);
    if (v < 0) {
        return -1;
    }
    k = js_skip_blanks(s, len, k);
    if (k < len && s[k] == '+') {
        k = js_skip_blanks(s, len, k + 1);
    }
    if (k < len && (s[k] == '-' || js_word_at(s, len, k, "to"))) {
        k = js_skip_blanks(s, len, k + (s[k] == '-' ? 1 : 2));
        upper = js_parse_number(s, len, &k);
        if (upper < v) {
            return -1;
        }
        k = js_skip_blanks(s, len, k);
        if (k < len && s[k] == '+') {
            k = js_skip_blanks(s, len, k + 1);
        }
    }
    if (js_word_at(s, len, k, "years")) {
        k += 5;
    } else if (js_word_at(s, len, k, "year") || js_word_at(s, len, k, "yrs")) {
        k += 4 - (s[k + 1] == 'r' || s[k + 1] == 'R');
    } else if (js_word_at(s, len, k, "yr")) {
        k += 2;
    } else {
        return -1;
    }
    if (v <= 0 || v > JS_SKILL_YEARS_MAX) {
        return -1;
    }
    *i = k;
    return v;
}

static const char *const  js_year_links[] = {
    "of", "experience", "exp", "with", "in", "using", "professional",
    "hands-on", "hands", "on", "commercial", "working", "work",
    "industry", "relevant", "proven", "practical", "production",
    "programming", "development", "developing", "building", "solid",
    "strong", "s", "a", "the", NULL
};

/*
 * Past the words that may join "5 years" to its skill ("of professional
 * experience with"), apostrophes and "+" included: where the skill would
 * start.
 */
static size_t
js_skip_year_links(const char *s, size_t len, size_t i)
{
    size_t  w, words;

    for (words = 0; words < 8; words++) {
        while (i < len && (js_blank((unsigned char) s[i]) || s[i] == '\''
                           || s[i] == '+' || s[i] == '.'))
        {
            i++;
        }
        if (js_apostrophe_at(s, len, i) == 1) {
            i += 3;
            continue;
        }
        for (w = 0; js_year_links[w] != NULL; w++) {
            if (js_word_at(s, len, i, js_year_links[w])) {
                i += strlen(js_year_links[w]);
                if (i < len && s[i] == '-') {
                    i++;
                }
                break;
            }
        }
        if (js_year_links[w] == NULL) {
            break;
        }
    }
    return i;
}

/* Years stated right after a skill: "Python (3 yrs)", "Python: 4 years",
 * "Python - 2+ years"; -1: none. */
static double
js_years_after(const char *s, size_t len, size_t i)
{
    i = js_skip_blanks(s, len, i);
    if (i < len && (s[i] == '(' || s[i] == ':' || s[i] == '-')) {
        i = js_skip_blanks(s, len, i + 1);
    }
    return js_parse_years(s, len, &i);
}

/* ---- matching ---------------------------------------------------------- */

static int
js_alias_start(const char *s, size_t i)
{
    unsigned char  p;

    if (i == 0) {
        return 1;
    }
    p = (unsigned char) s[i - 1];
    return !js_word_byte(p) && p != '.' && p != '#' && p != '+' && p != '@'
           && p != '_';
}

static int
js_alias_end(const char *s, size_t len, size_t e)
{
    unsigned char  c;

    if (e == len) {
        return 1;
    }
    c = (unsigned char) s[e];
    if (js_word_byte(c) || c == '#' || c == '+') {
        return 0;
    }
    return !((c == '.' || c == '_') && e + 1 < len
             && js_word_byte((unsigned char) s[e + 1]));
}

/* The longest alias at s[i] that ends on a boundary: its end, node in
 * *node; 0 when none. */
static size_t
js_match_at(const js_skills_t *t, const char *s, size_t len, size_t i,
    uint32_t *node)
{
    size_t    k = i, best = 0;
    uint32_t  n = 0, c;

    while (k < len) {
        if (!js_blank((unsigned char) s[k])) {
            c = js_trie_child((js_skills_t *) t, n,
                              js_lower((unsigned char) s[k]), 0);
            if (c == 0) {
                break;
            }
            k++;
        } else {
            c = js_trie_child((js_skills_t *) t, n, ' ', 0);
            if (c == 0) {
                break;
            }
            while (k < len && js_blank((unsigned char) s[k])) {
                k++;
            }
        }
        n = c;
        if (t->nodes[n].skill >= 0 && js_alias_end(s, len, k)) {
            best = k;
            *node = n;
        }
    }
    return best;
}

/* An ambiguous alias must stand apart: blanks or list punctuation on
 * both sides ("R&D", "C-level", "Go-to" are not skills). */
static int
js_ambiguous_apart(const char *s, size_t len, size_t start, size_t end)
{
    unsigned char  b, a;

    b = start == 0 ? ' ' : (unsigned char) s[start - 1];
    a = end == len ? ' ' : (unsigned char) s[end];
    if (a == '.' || a == '!' || a == '?') {
        a = (end + 1 == len) ? ' ' : (unsigned char) s[end + 1];
        if (!js_blank(a)) {
            return 0;
        }
    }
    return (js_blank(b) || (b != '\0' && strchr("(,;:/|", b) != NULL))
           && (js_blank(a) || (a != '\0' && strchr("),;:/|", a) != NULL));
}

/* Written with a capital, and not the first word of a sentence or a
 * bullet. */
static int
js_ambiguous_capital(const char *s, size_t start, size_t end)
{
    size_t         k;
    unsigned char  p;
    int            upper = 0;

    for (k = start; k < end; k++) {
        upper |= (s[k] >= 'A' && s[k] <= 'Z');
    }
    if (!upper) {
        return 0;
    }
    k = start;
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t')) {
        k--;
    }
    if (k == 0) {
        return 0;
    }
    p = (unsigned char) s[k - 1];
    return !(p == '\n' || p == '\r' || p == '.' || p == '!' || p == '?'
             || p == '-' || p == '*' || p == '>' || p >= 0x80);
}

/* Only blanks, list punctuation, "and", "or" in s[from..to). */
static int
js_list_gap(const char *s, size_t from, size_t to)
{
    size_t  k = from;

    if (to < from || to - from > 16) {
        return 0;
    }
    while (k < to) {
        if (js_blank((unsigned char) s[k])
            || (s[k] != '\0' && strchr(",/|;&()-*", s[k]) != NULL))
        {
            k++;
        } else if (js_apostrophe_at(s, to, k) == 2) {
            k += 3;                             /* the bullet U+2022 */
        } else if (js_word_at(s, to, k, "and")) {
            k += 3;
        } else if (js_word_at(s, to, k, "or")) {
            k += 2;
        } else {
            return 0;
        }
    }
    return 1;
}

static int
js_cands_push(js_skill_cand_t **v, size_t *n, size_t *cap,
    const js_skill_cand_t *c)
{
    js_skill_cand_t  *p;

    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        p = realloc(*v, *cap * sizeof(*p));
        if (p == NULL) {
            return -1;
        }
        *v = p;
    }
    (*v)[(*n)++] = *c;
    return 0;
}

int
js_skills_extract(const js_skills_t *t, const char *text, size_t len,
    js_skill_list_t *out)
{
    int               optional = 0, line_optional = 0, head;
    size_t            i = 0, end, line_end = 0, n = 0, cap = 0, k, pending = 0;
    double            pending_years = -1;
    uint32_t          node = 0;
    const char       *nl;
    js_skill_cand_t  *cands = NULL, c, *p;

    while (i < len) {
        if (i >= line_end) {
            nl = memchr(text + i, '\n', len - i);
            line_end = nl ? (size_t) (nl - text) + 1 : len;
            head = js_section_heading(text + i, line_end - i);
            if (head == JS_SECTION_REQUIRED || head == JS_SECTION_OPTIONAL) {
                optional = head == JS_SECTION_OPTIONAL;
            }
            line_optional = optional || head == JS_SECTION_LINE;
        }
        if (!js_alias_start(text, i)) {
            i++;
            continue;
        }

        k = i;
        c.years = js_parse_years(text, len, &k);
        if (c.years > 0) {
            pending = js_skip_year_links(text, len, k);
            pending_years = c.years;
            i = k;                      /* "3-5 years": not 5 again */
            continue;
        }

        end = js_match_at(t, text, len, i, &node);
        if (end == 0) {
            if (js_word_byte((unsigned char) text[i])) {
                while (i < len && js_word_byte((unsigned char) text[i])) {
                    i++;
                }
            } else {
                i++;
            }
            continue;
        }

        c.start = i;
        c.end = end;
        c.skill = t->nodes[node].skill;
        c.ambiguous = t->nodes[node].ambiguous;
        c.optional = line_optional;
        c.years = (pending == i) ? pending_years : -1;
        if (c.years < 0) {
            c.years = js_years_after(text, len, end);
        }
        c.accepted = !c.ambiguous
                     || (js_ambiguous_apart(text, len, i, end)
                         && js_ambiguous_capital(text, i, end));
        if (c.ambiguous && !js_ambiguous_apart(text, len, i, end)) {
            c.ambiguous = 2;            /* never: not even in a list */
        }
        if (js_cands_push(&cands, &n, &cap, &c) != 0) {
            free(cands);
            return -1;
        }
        i = end;
    }

    /* an ambiguous alias next to another skill in a list */
    for (k = 0; k < n; k++) {
        p = &cands[k];
        if (p->accepted || p->ambiguous == 2) {
            continue;
        }
        p->accepted =
            (k > 0 && (cands[k - 1].accepted && cands[k - 1].ambiguous == 0)
             && js_list_gap(text, cands[k - 1].end, p->start))
            || (k + 1 < n && cands[k + 1].ambiguous == 0
                && js_list_gap(text, p->end, cands[k + 1].start));
    }

    for (k = 0; k < n; k++) {
        p = &cands[k];
        if (p->accepted
            && js_skill_list_add(out, t->skills[p->skill].name,
                                 t->skills[p->skill].category, p->years,
                                 !p->optional) != 0)
        {
            free(cands);
            return -1;
        }
    }
    free(cands);
    return 0;
}
