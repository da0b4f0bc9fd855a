/*
 * URLs (url.c).
 */

#ifndef JS_URL_H
#define JS_URL_H

#define JS_URL_MAX           2048    /* longer URLs are refused */

/*
 * js_url_resolve: ref resolved against base (RFC 3986), trimmed; NULL
 * unless the result is an absolute http or https URL with a host, no
 * control characters or spaces, at most JS_URL_MAX bytes.  base may be
 * NULL when ref is absolute.
 *
 * js_url_set_param: url with the query parameter name set to value
 * (replaced when present, else appended), value percent-encoded.
 *
 * js_url_escape: percent-encodes everything but RFC 3986 unreserved.
 */
char *js_url_resolve(const char *base, const char *ref);
char *js_url_set_param(const char *url, const char *name, const char *value);
/* The same in place: *url replaced (and freed); -1 when out of memory,
 * *url then NULL. */
int js_url_param(char **url, const char *name, const char *value);
char *js_url_escape(const char *s);

/*
 * js_url_strip_tracking: url without the query parameters that only say
 * where a visitor came from, so that a URL used as a job's id stays the
 * same between runs; names compared case-insensitively:
 *   utm_*                           analytics campaign tags
 *   gclid gclsrc dclid fbclid       ad click ids (Google, Facebook,
 *   msclkid yclid twclid ttclid     Microsoft, Yandex, X, TikTok,
 *   igshid                          Instagram)
 *   _ga _gl                         Google Analytics cross-domain ids
 *   mc_cid mc_eid                   Mailchimp campaign and subscriber
 *   _hsenc _hsmi mkt_tok            HubSpot and Marketo mail ids
 *   trk trkinfo refid trackingid    LinkedIn
 *   gh_src                          Greenhouse's referral source
 *   lever-source lever-origin       Lever's
 * Generic names a site may route on (source, src, ref, id) stay.  The
 * URL comes back unchanged (a copy) when it has none; NULL only when
 * out of memory.
 */
char *js_url_strip_tracking(const char *url);

/*
 * Detail and page URLs of the adapters that make detail calls
 * (smartrecruiters, workday, bamboohr): the first n bytes of base, then
 * a, b and c (NULL ones left out), as js_url_resolve(NULL, ...) returns
 * it (NULL unless an absolute http(s) URL, or out of memory).  Built
 * from the URL fetched, never from a URL in the body, so that a detail
 * call stays on the provider's host.
 */
char *js_url_concat(const char *base, size_t n, const char *a,
    const char *b, const char *c);

#endif /* JS_URL_H */
