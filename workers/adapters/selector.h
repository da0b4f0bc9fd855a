/*
 * Selectors of the markup adapters (html, jsonld's "next"): XPath, or a
 * small CSS subset translated to XPath, compiled by libxml2.  Apart from
 * markup.h because the adapter catalogue (catalogue.c, also compiled
 * into the nginx module) checks selectors exactly as the html adapter
 * compiles them, and must depend on libxml2 and jansson only.
 */

#ifndef JS_SELECTOR_H
#define JS_SELECTOR_H

#include <stddef.h>

#include <libxml/xpath.h>

#define JS_SELECTOR_MAX  512        /* bytes of a selector */

/*
 * A selector as XPath: XPath itself when it starts with '/', './',
 * '..', '(' or '@' or calls a function; else CSS: compound selectors
 * (tag, *, .class, #id, [attr], [attr=value]) joined by spaces
 * (descendant) or '>' (child), with an optional trailing ::attr(name)
 * or ::text.  relative: from the context node (".//..."), else from
 * the document ("//...").  NULL when the CSS is not that subset.
 */
char *js_selector_xpath(const char *sel, int relative);

/*
 * The compiled selector; NULL with err saying why when invalid: the CSS
 * is not the subset, or libxml2's reason ("Invalid expression at 6").
 * libxml2 reports nothing on stderr meanwhile.
 */
xmlXPathCompExprPtr js_selector_compile(const char *sel, int relative,
    char *err, size_t errlen);

#endif /* JS_SELECTOR_H */
