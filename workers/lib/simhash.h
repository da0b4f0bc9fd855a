/*
 * Cross-source duplicate detection (seed 001 #19; protocols notes §5):
 *
 *   canonical key  "title|company|location", each lower-cased to words
 *                  of letters and digits; company suffixes (inc, ltd,
 *                  llc, gmbh, ...) dropped; location "remote" for a
 *                  remote job.  Equal keys: the same job.
 *   SimHash        64 bits over the description's words (FNV-1a),
 *                  Manku et al. 2007: a Hamming distance of at most
 *                  JS_SIMHASH_NEAR bits is a near-duplicate, for jobs of
 *                  the same company whose keys differ ("Sr. Backend
 *                  Engineer" vs "Senior Backend Engineer").  Words, not
 *                  the 3-word shingles of web-page dedup: an ad is ~100
 *                  words, where one changed word moves 3 shingles and ~6
 *                  bits, but only ~2 bits of the bag of words.
 */

#ifndef JS_SIMHASH_H
#define JS_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

#define JS_SIMHASH_NEAR  3

/* 0 when text has no word. */
uint64_t js_simhash(const char *text);

int js_hamming(uint64_t a, uint64_t b);

/* The key into out (len bytes, truncated); any argument may be NULL. */
void js_canonical_key(const char *title, const char *company,
    const char *location, char *out, size_t len);

#endif
