/*
 * The RSS / Atom reading of rss.c, for the adapters whose boards are
 * feeds with extra fields (teamtailor).
 */

#ifndef JS_FEED_H
#define JS_FEED_H

#include <libxml/tree.h>

#include "adapter.h"

/* The element holding a feed's items or entries; NULL with err
 * ("provider: not an RSS or Atom feed") when doc is none.  *atom says
 * whether it is an Atom feed. */
xmlNodePtr js_feed_items(xmlDocPtr doc, int *atom, const char *provider,
    char *err, size_t errlen);

/* The job of an RSS item (atom 0) or Atom entry, as the rss adapter
 * reads it (see rss.c), before js_page_take; -1 when out of memory
 * (job is to be freed either way when not taken). */
int js_feed_item(const js_source_t *src, const char *url, xmlNodePtr item,
    int atom, js_job_t *job);

#endif /* JS_FEED_H */
