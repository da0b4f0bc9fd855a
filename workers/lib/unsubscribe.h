/*
 * Unsubscribe links of job mails (RFC 8058 one-click): a token that names
 * the address and proves that Job Scout made it, with nothing stored: 32
 * hex digits of HMAC-SHA256 under a key derived from the 32-byte link key,
 * then the address in base64url.  jobscoutd's mailer signs (its
 * mail_link_key_file), the nginx module checks (jobscout_webhook_key_file:
 * the same file; the label below keeps the two uses of the key apart).
 * Shared by both, so a token is made and read by the same code.
 */

#ifndef JS_UNSUBSCRIBE_H
#define JS_UNSUBSCRIBE_H

#include <stddef.h>

#define JS_UNSUB_KEY_LEN    32
#define JS_UNSUB_MAC_HEX    32
#define JS_UNSUB_ADDR_MAX   254
/* the MAC, base64url of the longest address, NUL */
#define JS_UNSUB_TOKEN_MAX                                                  \
    (JS_UNSUB_MAC_HEX + (JS_UNSUB_ADDR_MAX + 2) / 3 * 4 + 1)

/* The token of ADDR in TOKEN (JS_UNSUB_TOKEN_MAX bytes): 0, or -1. */
int js_unsubscribe_sign(const unsigned char *key, const char *addr,
    char *token);

/*
 * The address of a token of LEN bytes, NUL-terminated in ADDR
 * (JS_UNSUB_ADDR_MAX + 1 bytes): 0, or -1 when it is not one we made.
 */
int js_unsubscribe_check(const unsigned char *key, const char *token,
    size_t len, char *addr);

#endif
