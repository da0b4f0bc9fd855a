/*
 * libxml2 for the adapters that read markup (html, jsonld, rss):
 * documents parsed without network or entity expansion, selectors
 * (XPath, or a small CSS subset translated to XPath), the text of what
 * a selector finds, and the next page a "next" selector points to.
 */

#ifndef JS_MARKUP_H
#define JS_MARKUP_H

#include <stddef.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "adapter.h"
#include "selector.h"

/*
 * An HTML body as a document (libxml2 recovers from any markup and
 * converts the page's charset to UTF-8; nesting deeper than 256 is
 * cut); NULL with err when the body is empty or has no element.
 */
htmlDocPtr js_markup_html(const char *body, size_t len, const char *url,
    char *err, size_t errlen);

/*
 * An XML body (RSS, Atom) without network access, DTD loading or
 * entity substitution; a document declaring entities is refused, so
 * that no entity is ever expanded.
 */
xmlDocPtr js_markup_xml(const char *body, size_t len, const char *url,
    char *err, size_t errlen);

/* The nodes the selector finds from node (NULL when none). */
xmlXPathObjectPtr js_selector_nodes(xmlXPathContextPtr ctx,
    xmlXPathCompExprPtr sel, xmlNodePtr node);

/*
 * How a found node becomes a string: JS_TEXT_LINE one clean line
 * (titles), JS_TEXT_BLOCK clean text with line breaks (descriptions),
 * JS_TEXT_RAW the value as written, trimmed (URLs, ids: an "&lt" in a
 * query string stays).
 */
typedef enum {
    JS_TEXT_LINE,
    JS_TEXT_BLOCK,
    JS_TEXT_RAW
} js_text_mode_e;

/* The text of the first thing the selector finds from node (an element,
 * an attribute, a text node, or an XPath string); NULL when none. */
char *js_selector_text(xmlXPathContextPtr ctx, xmlXPathCompExprPtr sel,
    xmlNodePtr node, js_text_mode_e mode);

/* A node's text the same way: an HTML element through its markup, so
 * that its blocks become lines. */
char *js_node_text(xmlNodePtr node, js_text_mode_e mode);

/*
 * XML feeds (rss, personio, teamtailor): js_xml_named is 1 when n is an
 * element of that local name, any namespace.  js_xml_child_text is the
 * text (mode) of parent's first child element with one of the names
 * (NULL terminated, tried in order) that has any; a name "p:local" asks
 * for the namespace prefix p too.  NULL when none.
 */
int js_xml_named(xmlNodePtr n, const char *name);
char *js_xml_child_text(xmlNodePtr parent, const char *const *names,
    js_text_mode_e mode);

/*
 * Follows config "next" (a selector of the next page's link: an href
 * attribute or an element holding the URL) to page->next_url, at most
 * config "max_pages" pages; js_page_set_next(page, url, NULL) when no
 * "next".  -1 with err when the selector is invalid.
 */
int js_markup_next(const js_source_t *src, xmlDocPtr doc, const char *url,
    js_page_t *page, char *err, size_t errlen);

#endif /* JS_MARKUP_H */
