#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "unsubscribe.h"

static const char  js_unsub_label[] = "jobscout unsubscribe v1";
static const char  js_unsub_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* the MAC of ADDR (LEN bytes) as 32 hex digits, NUL-terminated */
static int
js_unsubscribe_mac(const unsigned char *key, const char *addr, size_t len,
    char *hex)
{
    size_t         i;
    unsigned int   n;
    unsigned char  sub[EVP_MAX_MD_SIZE], mac[EVP_MAX_MD_SIZE];

    /* a key of this use only, derived from the shared one */
    if (HMAC(EVP_sha256(), key, JS_UNSUB_KEY_LEN,
             (const unsigned char *) js_unsub_label,
             sizeof(js_unsub_label) - 1, sub, &n) == NULL
        || HMAC(EVP_sha256(), sub, n, (const unsigned char *) addr, len,
                mac, &n) == NULL)
    {
        return -1;
    }

    for (i = 0; i < JS_UNSUB_MAC_HEX / 2; i++) {
        hex[2 * i] = "0123456789abcdef"[mac[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[mac[i] & 0xf];
    }
    hex[JS_UNSUB_MAC_HEX] = '\0';

    OPENSSL_cleanse(sub, sizeof(sub));
    return 0;
}

int
js_unsubscribe_sign(const unsigned char *key, const char *addr, char *token)
{
    size_t          len, i;
    char           *p;
    uint32_t        v;
    const unsigned char  *a = (const unsigned char *) addr;

    len = strlen(addr);
    if (len == 0 || len > JS_UNSUB_ADDR_MAX
        || js_unsubscribe_mac(key, addr, len, token) != 0)
    {
        return -1;
    }

    p = token + JS_UNSUB_MAC_HEX;

    for (i = 0; i < len; i += 3) {
        v = (uint32_t) a[i] << 16;
        v |= i + 1 < len ? (uint32_t) a[i + 1] << 8 : 0;
        v |= i + 2 < len ? a[i + 2] : 0;
        *p++ = js_unsub_b64[v >> 18];
        *p++ = js_unsub_b64[(v >> 12) & 63];
        if (i + 1 < len) {
            *p++ = js_unsub_b64[(v >> 6) & 63];
        }
        if (i + 2 < len) {
            *p++ = js_unsub_b64[v & 63];
        }
    }
    *p = '\0';

    return 0;
}

int
js_unsubscribe_check(const unsigned char *key, const char *token,
    size_t len, char *addr)
{
    size_t       i, n, bits;
    uint32_t     acc;
    const char  *c;
    char         mac[JS_UNSUB_MAC_HEX + 1];

    if (len <= JS_UNSUB_MAC_HEX || len >= JS_UNSUB_TOKEN_MAX) {
        return -1;
    }

    n = 0;
    acc = 0;
    bits = 0;

    for (i = JS_UNSUB_MAC_HEX; i < len; i++) {
        c = token[i] ? strchr(js_unsub_b64, token[i]) : NULL;
        if (c == NULL) {
            return -1;
        }
        acc = (acc << 6) | (uint32_t) (c - js_unsub_b64);
        bits += 6;
        if (bits >= 8) {
            if (n == JS_UNSUB_ADDR_MAX) {
                return -1;
            }
            bits -= 8;
            addr[n++] = (char) ((acc >> bits) & 0xff);
        }
    }
    addr[n] = '\0';

    if (n == 0 || strlen(addr) != n
        || js_unsubscribe_mac(key, addr, n, mac) != 0
        || CRYPTO_memcmp(mac, token, JS_UNSUB_MAC_HEX) != 0)
    {
        return -1;
    }

    return 0;
}
