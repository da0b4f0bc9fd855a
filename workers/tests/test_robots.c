/*
 * robots.txt per RFC 9309: group selection, longest match, ties, "*" and
 * "$", percent-encoding, comments and malformed lines, line ends, BOMs
 * and forgotten colons, hostile patterns.
 */

#include <stdlib.h>
#include <string.h>

#include "robots.h"
#include "tap.h"

/* 1 when robots (the file's text) lets JobScout fetch path. */
static int
allowed(const char *robots, const char *path)
{
    int    rc;
    char  *rules;

    rules = js_robots_rules(robots, strlen(robots), "JobScout");
    if (rules == NULL) {
        return -1;
    }
    rc = js_robots_allowed(rules, path);
    free(rules);
    return rc;
}

static void
test_groups(void)
{
    const char  *f;

    f = "User-agent: *\nDisallow: /\n\n"
        "User-agent: JobScout\nDisallow: /private\n";
    is_int(allowed(f, "/jobs"), 1, "our group wins over *");
    is_int(allowed(f, "/private/x"), 0, "our group's disallow applies");

    f = "user-AGENT: jobscout/1.0\nDisallow: /a\n";
    is_int(allowed(f, "/a"), 0,
           "keys and product token are case-insensitive, version ignored");

    f = "User-agent: Googlebot\nDisallow: /\n";
    is_int(allowed(f, "/x"), 1, "no group for us and no *: allow all");

    f = "User-agent: Googlebot\nDisallow: /g\n\n"
        "User-agent: *\nDisallow: /s\n";
    is_int(allowed(f, "/s"), 0, "no group for us: the * group");
    is_int(allowed(f, "/g"), 1, "... not another agent's");

    f = "User-agent: JobScout\nDisallow: /a\n\n"
        "User-agent: Other\nDisallow: /b\n\n"
        "User-agent: JobScout\nDisallow: /c\n";
    is_int(allowed(f, "/a"), 0, "groups for us are merged (first)");
    is_int(allowed(f, "/c"), 0, "groups for us are merged (second)");
    is_int(allowed(f, "/b"), 1, "... another agent's group is not");

    f = "User-agent: Other\nUser-agent: JobScout\nDisallow: /both\n";
    is_int(allowed(f, "/both"), 0, "several user-agent lines, one group");

    f = "User-agent: JobScout\nAllow: /other\n\nUser-agent: *\n"
        "Disallow: /\n";
    is_int(allowed(f, "/x"), 1, "our group, with no rule for the path, "
           "beats *");

    f = "User-agent: JobScout\n\nUser-agent: *\nDisallow: /\n";
    is_int(allowed(f, "/x"), 0, "user-agent lines apart by a blank line "
           "are one group (RFC 9309 2.1 grammar)");

    f = "User-agent: JobScoutBot\nDisallow: /\n";
    is_int(allowed(f, "/x"), 1, "a longer product token is another agent");

    f = "Disallow: /nogroup\nUser-agent: *\nAllow: /\n";
    is_int(allowed(f, "/nogroup"), 1, "rules before any group are ignored");
}

static void
test_matching(void)
{
    const char  *f;

    f = "User-agent: *\nDisallow: /example/\nAllow: /example/page/\n"
        "Disallow: /example/page/disallowed.gif\n";
    is_int(allowed(f, "/example/page/"), 1, "RFC 5.1: longer allow wins");
    is_int(allowed(f, "/example/page/disallowed.gif"), 0,
           "RFC 5.1: longer disallow wins");
    is_int(allowed(f, "/example/other"), 0, "RFC 5.1: prefix disallow");
    is_int(allowed(f, "/ex"), 1, "a shorter path is not matched");

    f = "User-agent: *\nAllow: /page\nDisallow: /*.html\n";
    is_int(allowed(f, "/page.html"), 0, "'/*.html' (7) beats '/page' (5)");

    f = "User-agent: *\nDisallow: /tie\nAllow: /tie\n";
    is_int(allowed(f, "/tie"), 1, "equal length: allow wins");

    f = "User-agent: *\nDisallow: /*.php$\n";
    is_int(allowed(f, "/index.php"), 0, "'$' anchors the end");
    is_int(allowed(f, "/index.php?x=1"), 1, "... a query is past the end");
    is_int(allowed(f, "/index.phps"), 1, "... a longer name is not matched");

    f = "User-agent: *\nDisallow: /fish*\n";
    is_int(allowed(f, "/fish"), 0, "'*' matches the empty sequence");
    is_int(allowed(f, "/fishheads/yummy"), 0, "'*' matches anything");
    is_int(allowed(f, "/Fish"), 1, "paths are case-sensitive");

    f = "User-agent: *\nDisallow: /jobs?*page=\n";
    is_int(allowed(f, "/jobs?sort=1&page=2"), 0, "the query is matched");

    f = "User-agent: *\nDisallow:\n";
    is_int(allowed(f, "/x"), 1, "an empty disallow matches nothing");

    f = "User-agent: *\nDisallow: /\n";
    is_int(allowed(f, "/robots.txt"), 1, "/robots.txt is always allowed");
    is_int(allowed(f, "/"), 0, "'/' disallows all");

    f = "User-agent: *\nDisallow: /caf\xc3\xa9\n";
    is_int(allowed(f, "/caf%C3%A9"), 0, "non-ASCII is percent-encoded");
    is_int(allowed(f, "/caf%c3%a9"), 0, "... hex case does not matter");

    f = "User-agent: *\nDisallow: /a$b\n";
    is_int(allowed(f, "/a$b"), 0, "a '$' not at the end is literal");
}

static void
test_syntax(void)
{
    const char  *f;
    char        *big, *rules;
    size_t       i;

    f = "\xef\xbb\xbfUser-agent: * # everyone\r\n"
        "Disallow: /secret # not you\r\n"
        "this line is garbage\r\n"
        "Crawl-delay: 10\r\n"
        "Disallow : /spaced\r\n";
    is_int(allowed(f, "/secret/x"), 0, "BOM, CRLF and comments");
    is_int(allowed(f, "/secret"), 0, "... the comment is not in the path");
    is_int(allowed(f, "/spaced"), 0, "blanks around the colon");
    is_int(allowed(f, "/open"), 1, "garbage lines are ignored");

    f = "User-agent: *\nDisallow: /a\nSitemap: https://x/s.xml\n"
        "Disallow: /b\n";
    is_int(allowed(f, "/b"), 0, "other records do not end a group");

    is_int(allowed("", "/x"), 1, "an empty file allows all");
    is_int(js_robots_allowed(JS_ROBOTS_DENY_ALL, "/x"), 0,
           "JS_ROBOTS_DENY_ALL denies");
    is_int(js_robots_allowed("", "/x"), 1, "no rules allow");

    /* A hostile pattern must not take exponential time. */
    big = malloc(200000);
    strcpy(big, "User-agent: *\nDisallow: /");
    for (i = strlen(big); i < 20000; i += 2) {
        big[i] = '*';
        big[i + 1] = 'a';
    }
    strcpy(big + i, "b\n");
    rules = js_robots_rules(big, strlen(big), "JobScout");
    memset(big, 'a', 60000);
    big[0] = '/';
    big[60000] = '\0';
    ok(rules != NULL && js_robots_allowed(rules, big) == 1,
       "a '*a*a*...b' pattern against 60000 'a's ends, unmatched");
    free(rules);
    free(big);
}

/* Lines, BOMs and forgotten colons as RFC 9309 and Google's reference
 * parser (github.com/google/robotstxt, robots.cc) read them. */
static void
test_lines(void)
{
    const char  *f;

    f = "User-agent: *\rDisallow: /cr\rAllow: /cr/open\r";
    is_int(allowed(f, "/cr/x"), 0, "a CR alone ends a line");
    is_int(allowed(f, "/cr/open"), 1, "... every line of a CR-only file");

    f = "User-agent: Other\rDisallow: /\r\nUser-agent: JobScout\n"
        "Disallow: /mixed\r";
    is_int(allowed(f, "/mixed"), 0, "CR, CR LF and LF mixed: our group");
    is_int(allowed(f, "/x"), 1, "... and not the other agent's");

    f = "User-agent: *\nDisallow: /a # Allow: /a\rDisallow: /b\n";
    is_int(allowed(f, "/b"), 0, "a comment ends at a CR");

    f = "user-agent JobScout\ndisallow /nocolon\nallow\t/nocolon/ok\n";
    is_int(allowed(f, "/nocolon/x"), 0,
           "\"disallow /x\": blanks stand for a forgotten colon");
    is_int(allowed(f, "/nocolon/ok"), 1, "... a tab too, and for allow");

    f = "User-agent: *\nDisallow /a /b\nDisallow  /c  # two words\n";
    is_int(allowed(f, "/a"), 1, "three words without a colon: ignored");
    is_int(allowed(f, "/c"), 0, "two words, blanks around them");

    f = "User-agent: *\nDisallow: /x y\n";
    is_int(allowed(f, "/x y"), 0, "with a colon the value may have blanks");

    f = "\xef\xbb\xbfUser-agent: *\nDisallow: /bom\n";
    is_int(allowed(f, "/bom"), 0, "a BOM at the start is skipped");

    f = "\xef\xbbUser-agent: *\nDisallow: /half\n";
    is_int(allowed(f, "/half"), 0, "... and the start of one");

    f = "User-agent: *\nDisallow: /a\n\xef\xbb\xbf" "Disallow: /b\n";
    is_int(allowed(f, "/a"), 0, "a BOM inside the file: the line before");
    is_int(allowed(f, "/b"), 1, "... its line is an unknown key, ignored");

    f = "User-agent: *\n\xef\xbb\xbfUser-agent: JobScout\n"
        "Disallow: /c\n";
    is_int(allowed(f, "/c"), 0, "a BOM before a user-agent is not skipped: "
           "the group stays *'s");
}

static int
crawl_delay(const char *robots)
{
    int    ms;
    char  *rules;

    rules = js_robots_rules(robots, strlen(robots), "JobScout");
    ms = js_robots_crawl_delay(rules);
    free(rules);
    return ms;
}

static void
test_crawl_delay(void)
{
    const char  *f;

    is_int(crawl_delay("User-agent: *\nDisallow: /x\n"), 0,
           "no Crawl-delay: 0");
    is_int(crawl_delay("User-agent: *\nCrawl-delay: 10\n"), 10000,
           "Crawl-delay for everyone, in ms");
    is_int(crawl_delay("User-agent: *\nCrawl-delay: 0.5\nDisallow: /x\n"),
           500, "a fractional delay");

    f = "User-agent: *\nCrawl-delay: 30\n\n"
        "User-agent: JobScout\nCrawl-delay: 2\nDisallow: /private\n";
    is_int(crawl_delay(f), 2000, "our group's delay, not *'s");
    is_int(allowed(f, "/private/x"), 0, "... and its rules still apply");
    is_int(allowed(f, "/jobs"), 1, "... the delay is no pattern");

    f = "User-agent: *\nCrawl-delay: 3\n\nUser-agent: *\nCrawl-delay: 7\n";
    is_int(crawl_delay(f), 7000, "merged groups: the longest delay");
    is_int(crawl_delay("User-agent: other\nCrawl-delay: 9\n"), 0,
           "another agent's delay is not ours");
    is_int(crawl_delay("User-agent: *\nCrawl-delay: soon\n"), 0,
           "a bad value is ignored");
    is_int(crawl_delay("User-agent: *\nCrawl-delay: -4\n"), 0,
           "a negative value is ignored");
    is_int(crawl_delay("User-agent: *\nCrawl-delay: 999999\n"), 0,
           "more than a day is ignored");
    is_int(js_robots_crawl_delay(""), 0, "empty rules: no delay");
    is_int(js_robots_crawl_delay(JS_ROBOTS_DENY_ALL), 0,
           "deny-all: no delay");
}

int
main(void)
{
    test_groups();
    test_matching();
    test_syntax();
    test_lines();
    test_crawl_delay();
    return done_testing();
}
