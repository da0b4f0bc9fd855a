/*
 * The skills taxonomy (sql/migrations/0017_skills_taxonomy.sql) in memory,
 * and the extractor that finds its skills in free text: job titles and
 * descriptions, CV text.  One vocabulary for jobs and users: every name
 * it returns is a skills.name.
 *
 * A taxonomy is built once (js_skills_load() at worker start, again on
 * reload: build the new one, then free the old) and is read-only after:
 * one taxonomy may serve any number of threads.
 *
 * Matching (js_skills_extract()):
 *
 *   - case-insensitive on ASCII; a run of blanks in the text matches the
 *     one space of a multi-word alias ("machine   learning");
 *   - the longest alias at a position wins ("react native" over "react",
 *     "node.js" over "node", "c++" over "c");
 *   - an alias starts where the byte before it is not a word byte (ASCII
 *     letter or digit, or any byte >= 0x80) nor one of ". # + @ _", and
 *     ends where the byte after it is not a word byte nor "#" or "+",
 *     nor "." or "_" followed by a word byte: "C" is not found in "C#",
 *     "C++" or "C.D."-like tokens, "Go" not in "Google", "go.mod" or
 *     "cargo", "JS" not in "node.js" unless "node.js" is itself known;
 *   - an ambiguous alias (skill_aliases.ambiguous: "go", "r", "c",
 *     "rust", "swift", "excel", "sales", ...) must stand apart (before
 *     it a blank, "(", ",", ";", ":", "/", "|" or the start; after it a
 *     blank, ")", ",", ";", ":", "/", "|", the end, or ". ! ?" ending a
 *     sentence: "R&D", "C-level", "Go-to" are not skills), and counts
 *     only
 *       (a) as written with a capital letter, not as the first word of a
 *           sentence, line or bullet ("3 years of Go", "in C or Rust",
 *           "Engineer (Go)"; not "Go to our site"), or
 *       (b) in a list with an unambiguous skill next to it: at most 16
 *           bytes between them of blanks, ", / | ; & ( ) - *", bullets,
 *           "and", "or" ("python, go, docker", "Kotlin or swift",
 *           "- Python\n- Go").
 *     "Let's go", "the rust belt", "you excel at sales" are not skills.
 *
 * Years (per skill, the largest stated; -1 when none):
 *   "5+ years of Python", "5 years' experience with Go", "3-5 yrs Java"
 *   (the smaller), "two years of SQL", "Python (3 yrs)", "Python: 4 years",
 *   "Python - 2+ years".  A number of years applies to the first skill
 *   after it (only connecting words between: of, experience, with, in,
 *   using, professional, hands-on, commercial, working, ...) or to the
 *   skill just before it; at most 50.
 *
 * Required or nice-to-have, by section: a heading (a line of at most 60
 * bytes, not a bullet, not ending in ".") containing "nice to have",
 * "bonus", "preferred", "a plus", "pluses", "desirable", "optional" or
 * "good to have" opens a nice-to-have section; a heading of at most 40
 * bytes starting with "require", "must", "qualification",
 * "responsibilit", "what you", "who you", "you have", "you will",
 * "about", "skills", "profile", "the role", "benefits", "tech stack", ...
 * closes it.  A bullet or sentence with one of those words ("- Kafka is a
 * plus"), or "Bonus: Rust" with text after the colon, makes only its own
 * line nice-to-have.  A skill is required unless every mention is in a
 * nice-to-have part.
 */

#ifndef JS_SKILLS_H
#define JS_SKILLS_H

#include <stddef.h>

#include <libpq-fe.h>

typedef struct js_skills_s  js_skills_t;

typedef struct {
    char        *name;        /* canonical; owned by the list */
    const char  *category;    /* the taxonomy's; NULL: not in it */
    double       years;       /* stated years of experience, -1: none */
    int          required;    /* 0: only in nice-to-have sections */
} js_skill_hit_t;

typedef struct {
    js_skill_hit_t  *hits;    /* in order of first mention */
    size_t           n;
    size_t           cap;
} js_skill_list_t;

/* An empty taxonomy, or NULL when out of memory. */
js_skills_t *js_skills_new(void);

/*
 * Adds one spelling: alias (any case; stored lower-case, blanks collapsed)
 * of the skill name in category.  0, or -1 with err set (out of memory,
 * an empty or over-long alias, an alias already given to another skill).
 */
int js_skills_add(js_skills_t *t, const char *alias, const char *name,
    const char *category, int ambiguous, char *err, size_t errlen);

/*
 * The taxonomy from PostgreSQL (skills, skill_aliases), and its version
 * (skill_taxonomy_version()), or NULL with err set.
 */
js_skills_t *js_skills_load(PGconn *pg, char *err, size_t errlen);

/* skill_taxonomy_version() at load time; "" for a built taxonomy. */
const char *js_skills_version(const js_skills_t *t);

/* Skills and aliases held. */
size_t js_skills_count(const js_skills_t *t);
size_t js_skills_alias_count(const js_skills_t *t);

/*
 * The canonical name of spelling (case, outer and repeated inner blanks
 * ignored, ambiguous or not), as skill_canonical() in SQL; NULL when
 * unknown.
 */
const char *js_skills_canonical(const js_skills_t *t, const char *spelling);

/*
 * Appends to out the skills of text (len bytes, any bytes: NULs and
 * invalid UTF-8 are only non-word bytes), each once.  A skill already in
 * out (from an earlier call: a title, then a description) is merged: the
 * larger years, required if either says so.  0, or -1 when out of memory
 * (out keeps what it had).
 */
int js_skills_extract(const js_skills_t *t, const char *text, size_t len,
    js_skill_list_t *out);

/* Adds one skill by name (an adapter's tag, canonicalized by the caller),
 * merged as above; category may be NULL.  0, -1 when out of memory. */
int js_skill_list_add(js_skill_list_t *out, const char *name,
    const char *category, double years, int required);

void js_skill_list_free(js_skill_list_t *out);
void js_skills_free(js_skills_t *t);

#endif
