/*
 * robots.txt, RFC 9309: pure parsing and matching (the scraper fetches,
 * caches in Redis and applies it).
 *
 *   rules = js_robots_rules(body, len, "JobScout");
 *   if (!js_robots_allowed(rules, "/jobs?page=2")) ... skip ...
 *
 * The rules are the selected groups reduced to text, one rule a line,
 * "A<pattern>" (allow) or "D<pattern>" (disallow), and last "C<ms>" when
 * the groups set a Crawl-delay (the longest, at most a day): compact enough to
 * cache per origin, and the form js_robots_allowed() reads.  "" allows
 * everything (a 4xx robots.txt, or no group for us); JS_ROBOTS_DENY_ALL
 * is what a 5xx or unreachable robots.txt means.
 *
 *   groups   every group whose user-agent line's product token
 *            ([A-Za-z_-]+) equals the agent, case-insensitively, merged;
 *            else every "*" group, merged; else none
 *   match    path plus query, case-sensitive; "*" any sequence, a final
 *            "$" the end; the longest matching pattern (in octets) wins,
 *            allow on a tie; an empty pattern matches nothing;
 *            "/robots.txt" is always allowed
 *   encoding non-ASCII octets are percent-encoded and %xx upper-cased
 *            on both sides before comparing
 *
 *   lines    end at LF, CR LF or a CR alone; a UTF-8 BOM is skipped at
 *            the start of the file only; "#" starts a comment; a line
 *            without a colon that is two words ("disallow /x") is read
 *            as "key: value", as Google's reference parser does
 *
 * At most JS_ROBOTS_MAX bytes of a body are read (RFC: at least 500 KiB).
 */

#ifndef JS_ROBOTS_H
#define JS_ROBOTS_H

#include <stddef.h>

#define JS_ROBOTS_MAX       (512 * 1024)
#define JS_ROBOTS_DENY_ALL  "D/\n"
#define JS_ROBOTS_MAX_DELAY 86400000.0   /* ms: a longer delay is ignored */

/* malloc'ed rules; NULL only when out of memory. */
char *js_robots_rules(const char *body, size_t len, const char *agent);

/* The Crawl-delay of rules in ms, 0 when none. */
int js_robots_crawl_delay(const char *rules);

/* 1 when path (with its query) may be fetched under rules. */
int js_robots_allowed(const char *rules, const char *path);

#endif
