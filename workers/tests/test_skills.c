/*
 * The skills extractor (lib/skills.c) over the real taxonomy, read from
 * the migration that holds it (no PostgreSQL needed):
 *
 *   test_skills [sql/migrations/0017_skills_taxonomy.sql]
 *
 * Aliases, C / C++ / C# kept apart, word boundaries, the ambiguous
 * aliases' rule, years, nice-to-have sections, and hostile texts.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skills.h"
#include "tap.h"

static js_skills_t  *tax;

/* The next '...' field of *p, NUL-terminated in place; NULL: none. */
static char *
quoted(char **p)
{
    char  *s = strchr(*p, '\''), *e;

    if (s == NULL || (e = strchr(s + 1, '\'')) == NULL) {
        return NULL;
    }
    *e = '\0';
    *p = e + 1;
    return s + 1;
}

/* The seed rows ('Name', 'category', 'alias,?ambiguous,...') of the
 * migration, as migration 0017 inserts them. */
static js_skills_t *
load_migration(const char *path)
{
    FILE         *f = fopen(path, "r");
    char          line[4096], err[256], low[256], *p, *name, *cat, *aliases;
    char         *a;
    size_t        k;
    js_skills_t  *t = js_skills_new();

    if (f == NULL || t == NULL) {
        return NULL;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (line[0] != '(' || line[1] != '\'') {
            continue;
        }
        p = line;
        name = quoted(&p);
        cat = quoted(&p);
        aliases = quoted(&p);
        if (name == NULL || cat == NULL || aliases == NULL) {
            continue;
        }
        for (k = 0; k < sizeof(low) - 1 && name[k] != '\0'; k++) {
            low[k] = (name[k] >= 'A' && name[k] <= 'Z') ? name[k] + 32
                                                        : name[k];
        }
        low[k] = '\0';
        if (js_skills_add(t, low, name, cat, 0, err, sizeof(err)) != 0) {
            diag(err);
            return NULL;
        }
        for (a = strtok(aliases, ","); a != NULL; a = strtok(NULL, ",")) {
            if (js_skills_add(t, a + (a[0] == '?'), name, cat, a[0] == '?',
                              err, sizeof(err)) != 0)
            {
                diag(err);
                return NULL;
            }
        }
    }
    fclose(f);
    return t;
}

/* The skills of text as "Name[:years][ (nice)], ..." */
static const char *
tags_n(const char *text, size_t len)
{
    static char      buf[4096];
    char             item[256];
    size_t           i;
    js_skill_list_t  l = { NULL, 0, 0 };

    buf[0] = '\0';
    if (js_skills_extract(tax, text, len, &l) != 0) {
        return "(out of memory)";
    }
    for (i = 0; i < l.n; i++) {
        if (l.hits[i].years >= 0) {
            snprintf(item, sizeof(item), "%s%s:%g%s", i ? ", " : "",
                     l.hits[i].name, l.hits[i].years,
                     l.hits[i].required ? "" : " (nice)");
        } else {
            snprintf(item, sizeof(item), "%s%s%s", i ? ", " : "",
                     l.hits[i].name, l.hits[i].required ? "" : " (nice)");
        }
        if (strlen(buf) + strlen(item) < sizeof(buf)) {
            strcat(buf, item);
        }
    }
    js_skill_list_free(&l);
    return buf;
}

static const char *
tags(const char *text)
{
    return tags_n(text, strlen(text));
}

static void
test_taxonomy(void)
{
    char  err[256];

    ok(js_skills_count(tax) >= 500, "at least 500 skills");
    ok(js_skills_alias_count(tax) >= 1500, "at least 1,500 spellings");

    is_str(js_skills_canonical(tax, "JS"), "JavaScript", "JS");
    is_str(js_skills_canonical(tax, "ecmascript"), "JavaScript",
           "ecmascript");
    is_str(js_skills_canonical(tax, "  K8S "), "Kubernetes", "k8s");
    is_str(js_skills_canonical(tax, "POSTGRES"), "PostgreSQL", "Postgres");
    is_str(js_skills_canonical(tax, "c"), "C", "c");
    is_str(js_skills_canonical(tax, "c++"), "C++", "c++");
    is_str(js_skills_canonical(tax, "C#"), "C#", "C#");
    is_str(js_skills_canonical(tax, "golang"), "Go", "golang");
    is_str(js_skills_canonical(tax, "go"), "Go", "go (ambiguous, still "
           "canonical)");
    is_str(js_skills_canonical(tax, "Machine \t  Learning"),
           "Machine learning", "inner blanks collapsed");
    is_str(js_skills_canonical(tax, "fp&a"),
           "Financial planning and analysis", "fp&a");
    ok(js_skills_canonical(tax, "underwater basket weaving") == NULL,
       "unknown: NULL");
    ok(js_skills_canonical(tax, "") == NULL, "empty: NULL");
    ok(js_skills_canonical(tax, "javascriptx") == NULL,
       "a longer word: NULL");

    ok(js_skills_add(tax, "js", "Java", "language", 0, err, sizeof(err))
       == -1 && strstr(err, "JavaScript") != NULL,
       "a spelling of two skills is refused");
    ok(js_skills_add(tax, "   ", "X", "language", 0, err, sizeof(err)) == -1,
       "an empty alias is refused");
}

static void
test_aliases(void)
{
    is_str(tags("JS, Javascript and ECMAScript"), "JavaScript",
           "three spellings, one skill");
    is_str(tags("k8s on AWS, Kubernetes"), "Kubernetes, AWS", "k8s");
    is_str(tags("Postgres (PostgreSQL 15), MySQL"), "PostgreSQL, MySQL",
           "Postgres");
    is_str(tags("We use C, C++ and C# daily"), "C, C++, C#",
           "C, C++ and C# kept apart");
    is_str(tags("C#/.NET developer, ASP.NET Core"), "C#, .NET, ASP.NET",
           ".NET and ASP.NET");
    is_str(tags("Node.js and CI/CD pipelines"), "Node.js, CI/CD",
           "Node.js and CI/CD");
    is_str(tags("React Native, React and Redux"),
           "React Native, React, Redux", "the longest alias wins");
    is_str(tags("machine   learning and\nDeep Learning"),
           "Machine learning, Deep learning", "blank runs in aliases");
    is_str(tags("scikit-learn, TensorFlow"), "scikit-learn, TensorFlow",
           "a hyphen inside an alias");
    is_str(tags("Go-to-market strategy for our team"),
           "Go-to-market strategy", "Go-to-market is not Go");
    is_str(tags("Google, cargo, gopher, go.mod, ergo"), "",
           "go inside other words");
    is_str(tags("nodejs or Node JS"), "Node.js", "node spellings");
    is_str(tags("Financial modeling in Excel, FP&A, IFRS"),
           "Financial modelling, Excel, Financial planning and analysis, IFRS",
           "finance skills");
    is_str(tags("Zendesk, SQL and Tableau"), "Zendesk, SQL, Tableau",
           "support and data");
    is_str(tags("Kubernetesx and xPython and Python3"), "Python",
           "no partial words");
    is_str(tags("C++17 and c++"), "C++", "C++17");
}

static void
test_ambiguous(void)
{
    is_str(tags("Let's go! We go to the office."), "",
           "the verb go is not Go");
    is_str(tags("Go to our careers page."), "", "Go starting a sentence");
    is_str(tags("You will write services in Go."), "Go",
           "Go capitalized mid-sentence");
    is_str(tags("Backend Engineer (Go)"), "Go", "Go in parentheses");
    is_str(tags("stack: python, go, docker"), "Python, Go, Docker",
           "go lower-case in a list of skills");
    is_str(tags("python or r"), "Python, R", "r in a list");
    is_str(tags("Our R&D team"), "", "R&D is not R");
    is_str(tags("talk to C-level executives"), "", "C-level is not C");
    is_str(tags("Experience with R and Python"), "R, Python",
           "R mid-sentence");
    is_str(tags("rust-proof and the rust belt"), "", "rust, the word");
    is_str(tags("Systems programming in Rust"), "Rust", "Rust");
    is_str(tags("you excel at sales"), "", "excel, sales: words");
    is_str(tags("Advanced Excel and SQL"), "Excel, SQL", "Excel");
    is_str(tags("Swift, Kotlin"), "Swift, Kotlin",
           "Swift opening a list with Kotlin");
    is_str(tags("the rest of the team"), "", "rest, the word");
    is_str(tags("RESTful APIs and gRPC"), "REST APIs, gRPC", "RESTful");
}

static void
test_years(void)
{
    is_str(tags("5+ years of Python"), "Python:5", "5+ years of Python");
    is_str(tags("Python (3 yrs)"), "Python:3", "Python (3 yrs)");
    is_str(tags("3 years' experience with Go"), "Go:3",
           "3 years' experience with Go");
    is_str(tags("3 years\xe2\x80\x99 experience with Go"), "Go:3",
           "typographic apostrophe");
    is_str(tags("3-5 years of Java"), "Java:3", "a range: the smaller");
    is_str(tags("3 to 5 yrs Java"), "Java:3", "3 to 5 yrs");
    is_str(tags("two years of SQL"), "SQL:2", "a number word");
    is_str(tags("Python: 4 years"), "Python:4", "Python: 4 years");
    is_str(tags("Kotlin - 2+ years"), "Kotlin:2", "Kotlin - 2+ years");
    is_str(tags("1.5 years of Kotlin"), "Kotlin:1.5", "decimals");
    is_str(tags("5 years of professional experience in C++"), "C++:5",
           "connecting words");
    is_str(tags("Docker, 3 years of Python"), "Docker, Python:3",
           "years go to the skill after them");
    is_str(tags("Python (2 yrs). Also 6 years of Python."), "Python:6",
           "the largest of two mentions");
    is_str(tags("100 years of Python"), "Python", "absurd years dropped");
    is_str(tags("5 years of"), "", "truncated phrase");
    is_str(tags("Python 3"), "Python", "a version is no years");
    is_str(tags("64bit years of C++"), "C++", "64bit is no number");
}

static void
test_sections(void)
{
    is_str(tags("Requirements:\n- Python\n- Go\n\nNice to have:\n"
                "- Kafka\n- Python\n\nResponsibilities\n- Docker\n"),
           "Python, Go, Kafka (nice), Docker",
           "nice-to-have section, closed by a heading");
    is_str(tags("What you bring\n* Java\n\nBonus points\n* Scala\n"),
           "Java, Scala (nice)", "Bonus heading");
    is_str(tags("- Terraform is a plus\n- Docker\n"),
           "Terraform (nice), Docker", "a plus on one bullet only");
    is_str(tags("Preferred: Rust, Elixir\nStrong SQL\n"),
           "Rust (nice), Elixir (nice), SQL", "Preferred: on one line");
    is_str(tags("## Nice-to-have\n- Experience with Kafka\n"
                "- Skills in SQL\n"),
           "Kafka (nice), SQL (nice)", "bullets do not close a section");
}

static void
test_hostile(void)
{
    size_t           n = 1 << 20, i;
    char            *big = malloc(n);
    js_skill_list_t  l = { NULL, 0, 0 };

    is_str(tags(""), "", "empty text");
    is_str(tags_n("Py\0thon Go\0 and \0Rust", 21), "",
           "NUL bytes are non-word bytes");
    is_str(tags_n("\0C++", 4), "C++", "C++ after a NUL");
    is_str(tags("\xff\xfePython\xc3"), "", "invalid UTF-8 glued to a "
           "word");
    is_str(tags("\xe2"), "", "a lone lead byte");
    is_str(tags("5"), "", "a lone digit");
    is_str(tags("3 years\xe2\x80"), "", "a cut apostrophe");
    is_str(tags("Nice to have:"), "", "a heading alone");
    is_str(tags(":\n:\n-\n#\n"), "", "punctuation lines");

    if (big == NULL) {
        ok(0, "malloc");
        return;
    }
    for (i = 0; i + 4 <= n; i += 4) {
        memcpy(big + i, "C++ ", 4);
    }
    is_str(tags_n(big, n), "C++", "1 MB of C++: one skill");

    memset(big, 'a', n);
    is_str(tags_n(big, n), "", "1 MB word");

    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(big + i, "machine ", 8);
    }
    is_str(tags_n(big, n), "", "a prefix of an alias repeated");

    for (i = 0; i + 11 <= n; i += 11) {
        memcpy(big + i, "5 years of ", 11);
    }
    is_str(tags_n(big, n - n % 11), "", "years without a skill");

    ok(js_skills_extract(tax, "Python", 6, &l) == 0
       && js_skills_extract(tax, "3 years of Python, Go", 21, &l) == 0
       && l.n == 2 && l.hits[0].years == 3,
       "a second text merges into the list");
    ok(js_skill_list_add(&l, "Python", NULL, -1, 0) == 0 && l.n == 2
       && l.hits[0].required == 1 && l.hits[0].years == 3,
       "an added tag merges: required and years kept");
    ok(js_skill_list_add(&l, "some tag", NULL, -1, 1) == 0 && l.n == 3
       && l.hits[2].category == NULL, "an unknown tag is kept");
    js_skill_list_free(&l);
    free(big);
}

int
main(int argc, char **argv)
{
    const char  *path = argc > 1 ? argv[1]
                                 : "sql/migrations/0017_skills_taxonomy.sql";

    tax = load_migration(path);
    if (tax == NULL) {
        printf("Bail out! cannot read the taxonomy from %s\n", path);
        return 1;
    }
    test_taxonomy();
    test_aliases();
    test_ambiguous();
    test_years();
    test_sections();
    test_hostile();
    js_skills_free(tax);
    return done_testing();
}
