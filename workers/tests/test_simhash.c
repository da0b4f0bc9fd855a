/*
 * SimHash distances (identical, one word changed, reordered, unrelated),
 * Hamming distance, and canonical keys.
 */

#include <stdio.h>
#include <string.h>

#include "simhash.h"
#include "tap.h"

static const char  job_a[] =
    "Acme is hiring a Senior Backend Engineer to build M-Pesa payments. "
    "What you will do: design and run Go services on PostgreSQL and Redis "
    "at scale, own the reliability of the payment pipeline, review code, "
    "mentor engineers, and work with product on new features for "
    "merchants across Kenya, Uganda and Tanzania. You have five years of "
    "backend experience, know SQL well, have run services in production "
    "and care about tests, observability and clear writing. We offer a "
    "competitive salary, health cover for your family, a learning budget "
    "and a hybrid office in Westlands, Nairobi.";

static const char  job_b[] =
    "Join our design team as a Product Designer. You will shape the "
    "mobile app used by millions of farmers, run user research in the "
    "field, prototype in Figma and work closely with engineers to ship. "
    "Experience with design systems and accessibility is a plus.";

int
main(void)
{
    char      key[256], a2[sizeof(job_a) + 16], *p;
    uint64_t  ha, hb;

    is_int(js_hamming(0, 0), 0, "hamming: equal");
    is_int(js_hamming(0, ~0ULL), 64, "hamming: all bits");
    is_int(js_hamming(0xF0, 0x0F), 8, "hamming: 8 bits");

    ha = js_simhash(job_a);
    ok(ha != 0, "simhash of a description is not 0");
    is_int(js_hamming(ha, js_simhash(job_a)), 0, "same text: distance 0");

    /* case, punctuation and spacing do not matter */
    snprintf(a2, sizeof(a2), "%s", job_a);
    for (p = a2; *p; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p -= 32;
        } else if (*p == ',' || *p == '.') {
            *p = ' ';
        }
    }
    is_int(js_hamming(ha, js_simhash(a2)), 0,
           "upper case, no punctuation: distance 0");

    /* one word changed */
    snprintf(a2, sizeof(a2), "%s", job_a);
    p = strstr(a2, "five");
    memcpy(p, "nine", 4);
    ok(js_hamming(ha, js_simhash(a2)) <= JS_SIMHASH_NEAR,
       "one word changed: a near-duplicate");

    hb = js_simhash(job_b);
    ok(js_hamming(ha, hb) > 10, "an unrelated description is far");

    is_int((int) js_simhash(""), 0, "no words: 0");
    ok(js_simhash("Go") != 0 && js_simhash("Go") == js_simhash("go!"),
       "one word hashes, whatever its case and punctuation");

    js_canonical_key("Senior Backend Engineer (Go)", "Acme Kenya Ltd.",
                     "Nairobi, Kenya", key, sizeof(key));
    is_str(key, "senior backend engineer go|acme kenya|nairobi kenya",
           "key: words, lower case, company suffix dropped");

    js_canonical_key("Senior Backend Engineer - Go", "ACME KENYA",
                     "Nairobi - Kenya", key, sizeof(key));
    is_str(key, "senior backend engineer go|acme kenya|nairobi kenya",
           "key: another spelling gives the same key");

    js_canonical_key(NULL, NULL, NULL, key, sizeof(key));
    is_str(key, "||", "key: nothing");

    js_canonical_key("A very long title indeed", "Company", "Place", key, 10);
    is_int((int) strlen(key), 9, "key: truncated to the buffer");

    return done_testing();
}
