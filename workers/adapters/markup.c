/*
 * libxml2 for the adapters that read markup (see markup.h).
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/xpathInternals.h>

#include "markup.h"
#include "normalize.h"

static void
markup_silent(void *ctx, const char *msg, ...)
{
    (void) ctx;
    (void) msg;
}

/* libxml2 prints parser and XPath errors to stderr by default; ours are
 * reported through err instead. */
static void
markup_init(void)
{
    static int  done;

    if (!done) {
        xmlInitParser();
        xmlSetGenericErrorFunc(NULL, markup_silent);
        done = 1;
    }
}

htmlDocPtr
js_markup_html(const char *body, size_t len, const char *url, char *err,
    size_t errlen)
{
    htmlDocPtr  doc;

    markup_init();
    if (len == 0 || len > INT_MAX) {
        snprintf(err, errlen, "empty or oversized HTML body");
        return NULL;
    }
    doc = htmlReadMemory(body, (int) len, url, NULL,
                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR
                         | HTML_PARSE_NOWARNING | HTML_PARSE_NONET
                         | HTML_PARSE_COMPACT);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        snprintf(err, errlen, "not an HTML document");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlDocPtr
js_markup_xml(const char *body, size_t len, const char *url, char *err,
    size_t errlen)
{
    xmlDocPtr     doc;
    xmlErrorPtr   e;

    markup_init();
    if (len == 0 || len > INT_MAX) {
        snprintf(err, errlen, "empty or oversized XML body");
        return NULL;
    }
    /* no XML_PARSE_NOENT, no XML_PARSE_DTDLOAD, no XML_PARSE_HUGE */
    doc = xmlReadMemory(body, (int) len, url, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR
                        | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (doc == NULL) {
        e = xmlGetLastError();
        snprintf(err, errlen, "not well-formed XML (line %d: %.100s)",
                 e ? e->line : 0, e && e->message ? e->message : "?");
        len = strlen(err);
        while (len > 0 && (err[len - 1] == '\n' || err[len - 1] == ')')) {
            err[--len] = '\0';
        }
        if (len + 1 < errlen) {
            err[len] = ')';
            err[len + 1] = '\0';
        }
        return NULL;
    }
    if ((doc->intSubset != NULL && doc->intSubset->entities != NULL)
        || (doc->extSubset != NULL && doc->extSubset->entities != NULL))
    {
        snprintf(err, errlen, "XML declaring entities refused");
        xmlFreeDoc(doc);
        return NULL;
    }
    if (xmlDocGetRootElement(doc) == NULL) {
        snprintf(err, errlen, "XML without a root element");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlXPathObjectPtr
js_selector_nodes(xmlXPathContextPtr ctx, xmlXPathCompExprPtr sel,
    xmlNodePtr node)
{
    ctx->node = node;
    return xmlXPathCompiledEval(sel, ctx);
}

/* s (len bytes) in the given mode; NULL when empty. */
static char *
text_of(const char *s, size_t len, js_text_mode_e mode)
{
    char  *t;

    if (mode == JS_TEXT_BLOCK) {
        t = js_html_to_text(s, len, JS_DESCRIPTION_MAX);
        if (t != NULL && t[0] == '\0') {
            free(t);
            t = NULL;
        }
        return t;
    }
    if (mode == JS_TEXT_LINE) {
        return js_text_line(s, len, JS_FIELD_MAX);
    }
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'
                       || s[len - 1] == '\n' || s[len - 1] == '\r'))
    {
        len--;
    }
    return len > 0 && len <= JS_URL_MAX ? strndup(s, len) : NULL;
}

char *
js_node_text(xmlNodePtr node, js_text_mode_e mode)
{
    xmlChar      *s;
    xmlBufferPtr  buf;
    char         *t;

    if (node->type == XML_ELEMENT_NODE && mode != JS_TEXT_RAW
        && node->doc != NULL && node->doc->type == XML_HTML_DOCUMENT_NODE)
    {
        buf = xmlBufferCreate();
        if (buf == NULL) {
            return NULL;
        }
        htmlNodeDump(buf, node->doc, node);
        t = text_of((const char *) xmlBufferContent(buf),
                    (size_t) xmlBufferLength(buf), mode);
        xmlBufferFree(buf);
        return t;
    }
    s = xmlNodeGetContent(node);
    if (s == NULL) {
        return NULL;
    }
    t = text_of((const char *) s, strlen((const char *) s), mode);
    xmlFree(s);
    return t;
}

int
js_xml_named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE
           && strcmp((const char *) n->name, name) == 0;
}

char *
js_xml_child_text(xmlNodePtr parent, const char *const *names,
    js_text_mode_e mode)
{
    xmlNodePtr   c;
    const char  *colon;
    char        *t;

    for (; *names != NULL; names++) {
        colon = strchr(*names, ':');
        for (c = parent->children; c != NULL; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) {
                continue;
            }
            if (colon != NULL
                ? (c->ns == NULL || c->ns->prefix == NULL
                   || strncmp((const char *) c->ns->prefix, *names,
                              (size_t) (colon - *names)) != 0
                   || c->ns->prefix[colon - *names] != '\0'
                   || strcmp((const char *) c->name, colon + 1) != 0)
                : strcmp((const char *) c->name, *names) != 0)
            {
                continue;
            }
            t = js_node_text(c, mode);
            if (t != NULL) {
                return t;
            }
        }
    }
    return NULL;
}

char *
js_selector_text(xmlXPathContextPtr ctx, xmlXPathCompExprPtr sel,
    xmlNodePtr node, js_text_mode_e mode)
{
    xmlXPathObjectPtr   r;
    xmlChar            *s;
    char               *t = NULL;

    r = js_selector_nodes(ctx, sel, node);
    if (r == NULL) {
        return NULL;
    }
    if (r->type == XPATH_NODESET) {
        if (r->nodesetval != NULL && r->nodesetval->nodeNr > 0) {
            t = js_node_text(r->nodesetval->nodeTab[0], mode);
        }
    } else {
        s = xmlXPathCastToString(r);
        if (s != NULL) {
            t = text_of((const char *) s, strlen((const char *) s), mode);
            xmlFree(s);
        }
    }
    xmlXPathFreeObject(r);
    return t;
}

int
js_markup_next(const js_source_t *src, xmlDocPtr doc, const char *url,
    js_page_t *page, char *err, size_t errlen)
{
    const char           *sel = js_config_str(src, "next");
    xmlXPathCompExprPtr   c;
    xmlXPathContextPtr    ctx;
    xmlXPathObjectPtr     r;
    xmlNodePtr            n;
    xmlChar              *href;
    char                 *t = NULL, *next = NULL;

    if (sel == NULL) {
        js_page_set_next(page, url, NULL, 1);
        return 0;
    }
    c = js_selector_compile(sel, 0, err, errlen);
    if (c == NULL) {
        return -1;
    }
    ctx = xmlXPathNewContext(doc);
    r = ctx ? js_selector_nodes(ctx, c, xmlDocGetRootElement(doc)) : NULL;
    if (r != NULL && r->type == XPATH_NODESET && r->nodesetval != NULL
        && r->nodesetval->nodeNr > 0)
    {
        /* a link element means its href */
        n = r->nodesetval->nodeTab[0];
        href = n->type == XML_ELEMENT_NODE
               ? xmlGetProp(n, (const xmlChar *) "href") : NULL;
        if (href != NULL) {
            t = text_of((const char *) href, strlen((const char *) href),
                        JS_TEXT_RAW);
            xmlFree(href);
        } else {
            t = js_node_text(n, JS_TEXT_RAW);
        }
    } else if (r != NULL && r->type == XPATH_STRING) {
        t = text_of((const char *) r->stringval,
                    strlen((const char *) r->stringval), JS_TEXT_RAW);
    }
    if (t != NULL) {
        next = js_url_resolve(url, t);
        free(t);
    }
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    xmlXPathFreeCompExpr(c);
    js_page_set_next(page, url, next, js_config_max_pages(src));
    return 0;
}
