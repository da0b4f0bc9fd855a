/*
 * Pages (see page.h): keyword filters, skills, the last step of every
 * job, and the next page.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "normalize.h"

#define JS_SKILLS_MAX      50
#define JS_SKILL_MAX       64

/*
 * Keywords and skills.
 */

int
js_keywords_match(const char *text, json_t *kw)
{
    size_t       i;
    json_t      *v;
    char        *w, *k;
    int          hit = 0;

    if (text == NULL || !json_is_array(kw)) {
        return 0;
    }
    w = js_words(text, JS_SCAN_MAX * 4);
    if (w == NULL) {
        return 0;
    }
    json_array_foreach(kw, i, v) {
        if (!json_is_string(v)) {
            continue;
        }
        k = js_words(json_string_value(v), 256);
        if (k != NULL && strlen(k) > 1 && strstr(w, k) != NULL) {
            hit = 1;
        }
        free(k);
        if (hit) {
            break;
        }
    }
    free(w);
    return hit;
}

int
js_job_add_skill(js_job_t *job, const char *skill)
{
    char    *t, **skills;
    size_t   i;

    if (skill == NULL || job->nskills >= JS_SKILLS_MAX) {
        return 0;
    }
    t = js_text_line(skill, strlen(skill), JS_SKILL_MAX);
    if (t == NULL) {
        return 0;
    }
    for (i = 0; t[i] != '\0'; i++) {
        t[i] = (char) tolower((unsigned char) t[i]);
    }
    for (i = 0; i < job->nskills; i++) {
        if (strcmp(job->skills[i], t) == 0) {
            free(t);
            return 0;
        }
    }
    skills = realloc(job->skills, (job->nskills + 1) * sizeof(char *));
    if (skills == NULL) {
        free(t);
        return -1;
    }
    job->skills = skills;
    job->skills[job->nskills++] = t;
    return 0;
}


/*
 * Pages.
 */

int
js_page_take(js_page_t *page, const js_source_t *src, js_job_t *job)
{
    size_t       i;
    json_t      *inc, *exc;
    js_job_t    *slot;
    const char  *lt;

    if (job->external_id == NULL || job->external_id[0] == '\0'
        || strlen(job->external_id) > JS_ID_MAX
        || job->title == NULL || job->title[0] == '\0'
        || job->apply_url == NULL
        || (strncasecmp(job->apply_url, "http://", 7) != 0
            && strncasecmp(job->apply_url, "https://", 8) != 0)
        || page->njobs >= JS_PAGE_MAX_JOBS)
    {
        goto skip;
    }
    for (i = 0; i < page->njobs; i++) {
        if (strcmp(page->jobs[i].external_id, job->external_id) == 0) {
            goto skip;
        }
    }

    if (src != NULL && json_is_object(src->config)) {
        inc = json_object_get(src->config, "include_keywords");
        if (inc == NULL) {
            inc = json_object_get(src->config, "keyword_filters");
        }
        exc = json_object_get(src->config, "exclude_keywords");
        if (json_is_array(inc) && json_array_size(inc) > 0
            && !js_keywords_match(job->title, inc))
        {
            goto skip;
        }
        if (js_keywords_match(job->title, exc)) {
            goto skip;
        }
    }

    if (job->location_type == NULL) {
        lt = js_location_type(NULL, job->location, job->title);
        if (lt != NULL && (job->location_type = strdup(lt)) == NULL) {
            goto oom;
        }
    }
    if (!job->has_salary) {
        js_salary_set(job, 0, 0, NULL, JS_SALARY_UNKNOWN);
    }

    slot = js_page_add(page);
    if (slot == NULL) {
        goto oom;
    }
    *slot = *job;
    memset(job, 0, sizeof(js_job_t));
    return 1;

skip:
    js_job_free(job);
    return 0;

oom:
    js_job_free(job);
    return -1;
}

void
js_page_set_next(js_page_t *page, const char *fetched, char *url,
    unsigned max_pages)
{
    page->npages++;
    free(page->next_url);
    page->next_url = NULL;
    if (url == NULL) {
        return;
    }
    if (page->npages >= max_pages
        || (fetched != NULL && strcmp(url, fetched) == 0))
    {
        free(url);
        return;
    }
    page->next_url = url;
}
