/*
 * The skills extractor (lib/skills.c): the input as a job description
 * tagged against a taxonomy holding the tricky spellings (C, C++, C#,
 * .NET, Node.js, CI/CD, ambiguous "go" and "r", multi-word aliases), as
 * a spelling to canonicalize, and its first line as an alias added to a
 * fresh taxonomy that then tags the rest.
 */

#include "fuzz.h"
#include "skills.h"

static const char *const  aliases[][4] = {
    /* alias, name, category, ambiguous ("1") */
    { "c", "C", "language", "1" },
    { "c++", "C++", "language", "" },
    { "c#", "C#", "language", "" },
    { ".net", ".NET", "framework", "" },
    { "asp.net", "ASP.NET", "framework", "" },
    { "node.js", "Node.js", "framework", "" },
    { "node", "Node.js", "framework", "1" },
    { "ci/cd", "CI/CD", "devops", "" },
    { "go", "Go", "language", "1" },
    { "golang", "Go", "language", "" },
    { "r", "R", "language", "1" },
    { "python", "Python", "language", "" },
    { "machine learning", "Machine learning", "ml", "" },
    { "react", "React", "framework", "1" },
    { "react native", "React Native", "mobile", "" },
    { "go-to-market", "Go-to-market strategy", "product", "" },
    { "a.i.", "Artificial intelligence", "ml", "" },
    { "fp&a", "Financial planning and analysis", "finance", "" },
    { "aha!", "Aha!", "product", "" },
};

static js_skills_t *
taxonomy(void)
{
    static js_skills_t  *t;
    char                 err[256];
    size_t               i;

    if (t != NULL) {
        return t;
    }
    t = js_skills_new();
    for (i = 0; t != NULL && i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (js_skills_add(t, aliases[i][0], aliases[i][1], aliases[i][2],
                          aliases[i][3][0] == '1', err, sizeof(err)) != 0)
        {
            abort();
        }
    }
    if (t == NULL) {
        abort();
    }
    return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char             *s, *p, *alias, err[256];
    js_skills_t      *fresh;
    js_skill_list_t   l = { NULL, 0, 0 };

    (void) js_skills_extract(taxonomy(), (const char *) data, size, &l);
    js_skill_list_free(&l);

    s = js_fuzz_str(data, size);
    (void) js_skills_canonical(taxonomy(), s);

    p = s;
    alias = js_fuzz_field(&p);
    fresh = js_skills_new();
    if (fresh == NULL) {
        abort();
    }
    if (js_skills_add(fresh, alias, "Fuzzed", "fuzz", size % 2, err,
                      sizeof(err)) == 0
        && js_skills_add(fresh, "go", "Go", "language", 1, err,
                         sizeof(err)) == 0)
    {
        (void) js_skills_extract(fresh, p, strlen(p), &l);
        js_skill_list_free(&l);
        (void) js_skills_canonical(fresh, p);
    }
    js_skills_free(fresh);
    free(s);
    return 0;
}
