/*
 * Unit tests for adapters/text.c: clean text from HTML, one-line
 * fields, entities, caps.
 */

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "normalize.h"
#include "tap.h"

static void
text_is(const char *html, const char *expected, const char *name)
{
    char  *t = js_html_to_text(html, strlen(html), JS_DESCRIPTION_MAX);

    is_str(t, expected, name);
    free(t);
}

static void
line_is(const char *s, const char *expected, const char *name)
{
    char  *t = js_text_line(s, strlen(s), JS_FIELD_MAX);

    is_str(t, expected, name);
    free(t);
}

static void
test_text(void)
{
    char        *t, *big;
    const char  *s;
    size_t       i, n;
    json_t      *j;

    text_is("<p>Hello&nbsp;<b>world</b> &amp; friends</p><p>Second</p>",
            "Hello world & friends\n\nSecond", "paragraphs and entities");
    text_is("<ul><li>One</li><li>Two &#8211; &#x2014;</li></ul>",
            "- One\n- Two \xE2\x80\x93 \xE2\x80\x94", "lists, numeric "
            "entities");
    text_is("<ul><li><p>One</p></li><li><p>Two</p><p>more</p></li></ul>"
            "<p>After</p>", "- One\n- Two\nmore\n\nAfter",
            "a list item's paragraph follows its \"-\"");
    text_is("<ol><li>\n  <div><p><strong>Deep</strong> item</p></div>\n"
            "</li></ol>", "- Deep item", "blocks at an item's start");
    text_is("<ul><li>a<ul><li>b</li></ul></li><li></li><li>c</li></ul>",
            "- a\n\n- b\n\n-\n- c", "nested and empty items as before");
    text_is("a<script>alert('<p>x</p>')</script>b<style>p{}</style>c",
            "abc", "script and style dropped");
    text_is("x<!-- <p>hidden</p> -->y", "xy", "comments dropped");
    text_is("  lots   of\n\n\n  space\t\there  ", "lots of space here",
            "whitespace collapsed");
    text_is("line<br>break<br/><br>again", "line\nbreak\nagain",
            "br is a line break");
    text_is("a < b && c > d", "a < b && c > d", "literal < and &");
    text_is("<a href=\"x>y\">link</a> text", "link text",
            "'>' inside a quoted attribute");
    text_is("caf\xC3\xA9 \xF0\x9F\x9A\x80", "caf\xC3\xA9 \xF0\x9F\x9A\x80",
            "UTF-8 kept");
    text_is("bad \xC3( \xFF end", "bad \xEF\xBF\xBD( \xEF\xBF\xBD end",
            "invalid UTF-8 replaced");
    text_is("&#0;&#xD800;&#1114112;&#150;",
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xE2\x80\x93",
            "bad numeric entities, Windows-1252 range");
    text_is("ctl\x01\x7f chars", "ctl chars", "control characters dropped");
    text_is("unterminated <b tag", "unterminated", "truncated tag");
    text_is("<div><div><div>deep</div></div></div>", "deep", "nesting");

    s = "&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;";
    t = js_entities_decode(s, strlen(s));
    is_str(t, "<p>Tom &amp; Jerry</p>", "entities decoded once");
    free(t);

    line_is("  Senior\n Engineer &amp; Lead  ", "Senior Engineer & Lead",
            "one line");
    line_is("<p>\n</p>", NULL, "empty line is NULL");
    line_is("Dev \xE2\x80\xAEgnp.exe\xE2\x81\xA6 x\xE2\x81\xA9 Kenya",
            "Dev gnp.exe x Kenya",
            "bidi overrides and isolates dropped: none left open");
    line_is("Dev \xE2\x80\x8F(\xD8\xAF\xD8\xA8\xD9\x8A)",
            "Dev \xE2\x80\x8F(\xD8\xAF\xD8\xA8\xD9\x8A)",
            "a right-to-left mark stays, with the Arabic it marks");
    line_is("Line\xE2\x80\xA8sep\xE2\x80\xA9para", "Line sep para",
            "line and paragraph separators are spaces");

    /* a long description is capped on a character boundary */
    n = 100000;
    big = malloc(n + 1);
    for (i = 0; i < n; i += 2) {
        big[i] = '\xC3';
        big[i + 1] = '\xA9';
    }
    big[n] = '\0';
    t = js_html_to_text(big, n, 1001);
    ok(t != NULL && strlen(t) <= 1001, "capped at max bytes");
    j = t ? json_string(t) : NULL;
    ok(j != NULL, "capped text is valid UTF-8");
    json_decref(j);
    ok(t != NULL && strcmp(t + strlen(t) - 3, "\xE2\x80\xA6") == 0,
       "ends with an ellipsis");
    free(t);

    /* deeply nested markup costs no recursion */
    for (i = 0; i + 5 <= n; i += 5) {
        memcpy(big + i, "<div>", 5);
    }
    big[i] = '\0';
    t = js_html_to_text(big, i, 100);
    is_str(t, "", "100 KB of open tags");
    free(t);
    free(big);
}

int
main(void)
{
    test_text();
    return done_testing();
}
