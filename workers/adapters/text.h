/*
 * Text (text.c): clean text from HTML or plain text, entities, and the
 * word lists the classifiers search; the growable string is buf.h's.
 */

#ifndef JS_TEXT_H
#define JS_TEXT_H

#include <stddef.h>

#include "buf.h"

/* Byte caps, truncation on a UTF-8 boundary with a trailing "…". */
#define JS_DESCRIPTION_MAX   20000   /* job descriptions */
#define JS_FIELD_MAX         300     /* title, company, location */

/* Free text longer than this is not searched for salaries or markers. */
#define JS_SCAN_MAX          1024

/*
 * js_html_to_text: tags stripped, <script>, <style>, <head> and
 * comments dropped, entities decoded (named and numeric), whitespace
 * collapsed, block elements (p, div, br, li, h1-h6, tr, ...) kept as
 * line breaks with at most one blank line, "- " before list items
 * (a list item's paragraphs are its lines: "<li><p>text</p></li>" is
 * "- text"), capped at max bytes.  "" for nothing, NULL only when out
 * of memory.
 *
 * js_text_line: the same on one line (titles, locations): every break
 * becomes a space; NULL when nothing is left (or out of memory).
 *
 * js_plain_to_text: the same for plain text: no markup or entities,
 * its own line breaks kept.
 *
 * js_entities_decode: entities only (Greenhouse escapes its HTML).
 */
char *js_html_to_text(const char *html, size_t len, size_t max);
char *js_plain_to_text(const char *s, size_t len, size_t max);
char *js_text_line(const char *s, size_t len, size_t max);
char *js_entities_decode(const char *s, size_t len);

/*
 * Words: a copy of s (at most max bytes read), lower case, " word word
 * ... " with single spaces, so that phrases are found with
 * strstr(" work from home "); NULL when out of memory.
 * js_has_word: 1 when one of the phrases of list (NULL-terminated)
 * occurs in such a copy.
 */
char *js_words(const char *s, size_t max);
int js_has_word(const char *w, const char *const *list);

#endif /* JS_TEXT_H */
