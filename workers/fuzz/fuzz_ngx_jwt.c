/*
 * Bearer tokens (ngx_module, ngx_http_jobscout_jwt_verify), against an
 * HS256 secret the target knows.  The first byte chooses what the rest is:
 *
 *   0  a token as sent: garbage, truncated or forged;
 *   1  a header and claims (JSON, one line each) signed with the secret:
 *      the claim checks see whatever the JSON holds, duplicates included;
 *   2  the same signed with another secret: never accepted;
 *   3  the same, the server configured for RS256, signed with HMAC keyed
 *      with its public key (the algorithm confusion): never accepted.
 *
 * A token taken has a UUID subject, a role of the product and a time
 * window around now.
 */

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "ngx_fuzz.h"

#define FUZZ_NOW  1790000000

static ngx_http_jobscout_main_conf_t  hs256, rs256;

static void
fuzz_init(void)
{
    BIO       *bio;
    long       len;
    char      *pem;
    EVP_PKEY  *key;

    ngx_fuzz_set_time(FUZZ_NOW);

    ngx_str_set(&hs256.jwt.verify_key,
                "fuzz-secret-fuzz-secret-fuzz-secret-0123456789");
    hs256.jwt.alg = JWT_ALG_HS256;
    ngx_str_set(&hs256.jwt.issuer, "jobscout");
    ngx_str_set(&hs256.jwt.audience, "jobscout-api");
    hs256.jwt.leeway = 30;

    rs256 = hs256;
    rs256.jwt.alg = JWT_ALG_RS256;

    key = EVP_RSA_gen(2048);
    bio = BIO_new(BIO_s_mem());
    if (key == NULL || bio == NULL || PEM_write_bio_PUBKEY(bio, key) != 1) {
        abort();
    }

    len = BIO_get_mem_data(bio, &pem);
    rs256.jwt.verify_key.data = (u_char *) strndup(pem, len);
    rs256.jwt.verify_key.len = len;
    BIO_free(bio);
    EVP_PKEY_free(key);
}

/* base64url(header).base64url(claims).base64url(HMAC-SHA256) */

static ngx_str_t
fuzz_sign(ngx_pool_t *pool, u_char *header, size_t hlen, u_char *claims,
    size_t clen, ngx_str_t *key)
{
    u_char        *p;
    ngx_str_t      token, src, dst;
    unsigned int   maclen;
    u_char         mac[EVP_MAX_MD_SIZE];

    token.data = ngx_pnalloc(pool, ngx_base64_encoded_length(hlen)
                                   + ngx_base64_encoded_length(clen)
                                   + ngx_base64_encoded_length(32) + 2);
    p = token.data;

    src.data = header;
    src.len = hlen;
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;
    *p++ = '.';

    src.data = claims;
    src.len = clen;
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;

    if (HMAC(EVP_sha256(), key->data, (int) key->len, token.data,
             p - token.data, mac, &maclen) == NULL)
    {
        abort();
    }

    *p++ = '.';
    src.data = mac;
    src.len = maclen;
    dst.data = p;
    ngx_encode_base64url(&dst, &src);
    p += dst.len;

    token.len = p - token.data;
    return token;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                         *in, *nl;
    ngx_int_t                       rc;
    ngx_str_t                       token, other;
    ngx_uint_t                      mode;
    ngx_fuzz_request_t              fr;
    ngx_http_jobscout_token_t       t;
    ngx_http_jobscout_main_conf_t  *conf;

    static int  ready;

    if (!ready) {
        fuzz_init();
        ready = 1;
    }

    if (size == 0) {
        return 0;
    }

    mode = data[0] % 4;
    conf = (mode == 3) ? &rs256 : &hs256;

    ngx_fuzz_request_init(&fr, conf);

    in = ngx_pnalloc(fr.r.pool, size - 1);
    ngx_memcpy(in, data + 1, size - 1);

    if (mode == 0) {
        token.data = in;
        token.len = size - 1;

    } else {
        nl = ngx_strlchr(in, in + size - 1, '\n');
        if (nl == NULL) {
            nl = in + size - 1;
        }

        ngx_str_set(&other, "another-secret-another-secret-another-secret");

        token = fuzz_sign(fr.r.pool, in, nl - in,
                          nl + (nl < in + size - 1),
                          in + size - 1 - nl - (nl < in + size - 1),
                          mode == 1 ? &hs256.jwt.verify_key
                          : mode == 2 ? &other : &rs256.jwt.verify_key);
    }

    ngx_memzero(&t, sizeof(t));

    rc = ngx_http_jobscout_jwt_verify(&fr.r, token.data, token.len, &t);

    if (rc == NGX_OK) {
        if (mode >= 2
            || ngx_http_jobscout_valid_uuid(&t.sub) != NGX_OK
            || !((t.role.len == 4 && ngx_memcmp(t.role.data, "user", 4) == 0)
                 || (t.role.len == 5
                     && ngx_memcmp(t.role.data, "admin", 5) == 0))
            || t.exp <= FUZZ_NOW - conf->jwt.leeway
            || t.iat > FUZZ_NOW + conf->jwt.leeway
            || t.jti.len == 0 || t.fam.len == 0)
        {
            abort();
        }

    } else if (rc != NGX_DECLINED) {
        abort();
    }

    ngx_fuzz_request_free(&fr);
    return 0;
}
