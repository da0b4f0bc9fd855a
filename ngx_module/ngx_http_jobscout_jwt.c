
/*
 * Job Scout: JSON Web Tokens with libjwt 1.10, which takes the algorithm
 * from the token header, accepts an HS256 token signed with an RSA public
 * key, accepts anything when given no key, and checks no claim.  So the
 * header's "alg" is checked before libjwt sees the token, a key is always
 * given, and every claim (iss, aud, sub, role, exp, nbf, iat, types, no
 * duplicate names) is checked here.
 */


#include "ngx_http_jobscout.h"

#include <openssl/pem.h>
#include <openssl/rand.h>


#define NGX_HTTP_JOBSCOUT_TOKEN_MAX  4096

/*
 * Tokens this worker verified, by the hash of their text, a slot each: a
 * client sends the same token until it expires, and whether it passes
 * its signature and claims depends on its text and the key alone (a new
 * key comes with new workers).  Only the times are checked again.  A
 * longer token (none of ours) is verified every time.
 */

#define NGX_HTTP_JOBSCOUT_JWT_MEMO         128
#define NGX_HTTP_JOBSCOUT_JWT_MEMO_TOKEN   1024

typedef struct {
    size_t                          len;        /* 0: empty */
    u_char                          text[NGX_HTTP_JOBSCOUT_JWT_MEMO_TOKEN];
    ngx_http_jobscout_token_t       token;      /* strings in strings */
    u_char                          strings[4 * 255];
} ngx_http_jobscout_jwt_memo_t;


static json_t *ngx_http_jobscout_jwt_part(ngx_pool_t *pool, u_char *start,
    u_char *end);
static ngx_int_t ngx_http_jobscout_jwt_claims(ngx_http_request_t *r,
    ngx_http_jobscout_jwt_conf_t *jwt, json_t *claims,
    ngx_http_jobscout_token_t *t);
static ngx_int_t ngx_http_jobscout_jwt_current(
    ngx_http_jobscout_jwt_conf_t *jwt, ngx_http_jobscout_token_t *t);
static ngx_int_t ngx_http_jobscout_jwt_recall(ngx_http_request_t *r,
    ngx_http_jobscout_jwt_conf_t *jwt, ngx_http_jobscout_jwt_memo_t *memo,
    ngx_http_jobscout_token_t *t);
static void ngx_http_jobscout_jwt_remember(ngx_http_jobscout_jwt_memo_t *memo,
    u_char *token, size_t len, ngx_http_jobscout_token_t *t);
static ngx_int_t ngx_http_jobscout_json_str(ngx_pool_t *pool, json_t *obj,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_http_jobscout_public_key(ngx_conf_t *cf,
    ngx_str_t *private, ngx_str_t *public);
static ngx_int_t ngx_http_jobscout_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_jobscout_jwt_memo_t
    ngx_http_jobscout_jwt_memo[NGX_HTTP_JOBSCOUT_JWT_MEMO];


static ngx_http_variable_t  ngx_http_jobscout_vars[] = {

    { ngx_string("jobscout_user_id"), NULL, ngx_http_jobscout_variable,
      offsetof(ngx_http_jobscout_token_t, sub), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("jobscout_role"), NULL, ngx_http_jobscout_variable,
      offsetof(ngx_http_jobscout_token_t, role), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("jobscout_cache"), NULL, ngx_http_jobscout_cache_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


/*
 * The Authorization header of the request, verified once: signature,
 * algorithm and claims.  Revocation is checked apart, after the body
 * (ngx_http_jobscout_sessions.c).
 */

ngx_int_t
ngx_http_jobscout_jwt_verify_request(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_str_t  *auth;

    if (ctx->token_state != NGX_HTTP_JOBSCOUT_TOKEN_UNCHECKED) {
        return ctx->token_state;
    }

    ctx->token_state = NGX_HTTP_JOBSCOUT_TOKEN_NONE;

    if (r->headers_in.authorization == NULL) {
        return ctx->token_state;
    }

    auth = &r->headers_in.authorization->value;

    if (auth->len < sizeof("Bearer ") - 1
        || ngx_strncasecmp(auth->data, (u_char *) "Bearer ",
                           sizeof("Bearer ") - 1) != 0)
    {
        return ctx->token_state;
    }

    ctx->token_state = NGX_HTTP_JOBSCOUT_TOKEN_INVALID;

    if (ngx_http_jobscout_jwt_verify(r, auth->data + sizeof("Bearer ") - 1,
                                     auth->len - (sizeof("Bearer ") - 1),
                                     &ctx->token)
        == NGX_OK)
    {
        ctx->token_state = NGX_HTTP_JOBSCOUT_TOKEN_VALID;
    }

    return ctx->token_state;
}


ngx_int_t
ngx_http_jobscout_jwt_verify(ngx_http_request_t *r, u_char *token,
    size_t len, ngx_http_jobscout_token_t *t)
{
    u_char                         *copy, *dot, *payload;
    jwt_t                          *decoded;
    json_t                         *header, *alg, *typ, *claims;
    ngx_int_t                       rc;
    ngx_http_jobscout_jwt_conf_t   *jwt;
    ngx_http_jobscout_jwt_memo_t   *memo;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);
    jwt = &jmcf->jwt;

    if (jwt->verify_key.len == 0) {
        return NGX_DECLINED;
    }

    if (len == 0 || len > NGX_HTTP_JOBSCOUT_TOKEN_MAX) {
        return NGX_DECLINED;
    }

    memo = &ngx_http_jobscout_jwt_memo[ngx_crc32_short(token, len)
                                       % NGX_HTTP_JOBSCOUT_JWT_MEMO];

    if (memo->len == len && ngx_memcmp(memo->text, token, len) == 0) {
        return ngx_http_jobscout_jwt_recall(r, jwt, memo, t);
    }

    /* 1. the header's algorithm must be the configured one */

    dot = ngx_strlchr(token, token + len, '.');
    if (dot == NULL) {
        return NGX_DECLINED;
    }

    header = ngx_http_jobscout_jwt_part(r->pool, token, dot);
    if (header == NULL) {
        return NGX_DECLINED;
    }

    /* "typ", optional (RFC 7519 5.1), is the one we write if present */

    alg = json_object_get(header, "alg");
    typ = json_object_get(header, "typ");
    rc = (json_is_string(alg)
          && jwt_str_alg(json_string_value(alg)) == jwt->alg
          && (typ == NULL
              || (json_is_string(typ)
                  && ngx_strcasecmp((u_char *) json_string_value(typ),
                                    (u_char *) "JWT") == 0)))
         ? NGX_OK : NGX_DECLINED;
    json_decref(header);

    if (rc != NGX_OK) {
        return NGX_DECLINED;
    }

    /* 2. the signature, always with a key */

    copy = ngx_pnalloc(r->pool, len + 1);
    if (copy == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(copy, token, len) = '\0';

    if (jwt_decode(&decoded, (char *) copy, jwt->verify_key.data,
                   (int) jwt->verify_key.len)
        != 0)
    {
        return NGX_DECLINED;
    }

    rc = (jwt_get_alg(decoded) == jwt->alg) ? NGX_OK : NGX_DECLINED;
    jwt_free(decoded);

    if (rc != NGX_OK) {
        return NGX_DECLINED;
    }

    /*
     * 3. the claims, with their types.  libjwt keeps the last of duplicate
     * names: the signed payload is read again here, duplicates refused.
     */

    payload = dot + 1;
    dot = ngx_strlchr(payload, token + len, '.');
    if (dot == NULL) {
        return NGX_DECLINED;
    }

    claims = ngx_http_jobscout_jwt_part(r->pool, payload, dot);
    if (claims == NULL) {
        return NGX_DECLINED;
    }

    rc = ngx_http_jobscout_jwt_claims(r, jwt, claims, t);
    json_decref(claims);

    if (rc == NGX_OK) {
        ngx_http_jobscout_jwt_remember(memo, token, len, t);
    }

    return rc;
}


static ngx_int_t
ngx_http_jobscout_jwt_recall(ngx_http_request_t *r,
    ngx_http_jobscout_jwt_conf_t *jwt, ngx_http_jobscout_jwt_memo_t *memo,
    ngx_http_jobscout_token_t *t)
{
    u_char  *p;

    if (ngx_http_jobscout_jwt_current(jwt, &memo->token) != NGX_OK) {
        return NGX_DECLINED;
    }

    /* the slot may be taken by another token while this request waits */

    p = ngx_pnalloc(r->pool, memo->token.sub.len + memo->token.jti.len
                             + memo->token.fam.len + memo->token.role.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *t = memo->token;

    t->sub.data = p;
    p = ngx_cpymem(p, memo->token.sub.data, t->sub.len);
    t->jti.data = p;
    p = ngx_cpymem(p, memo->token.jti.data, t->jti.len);
    t->fam.data = p;
    p = ngx_cpymem(p, memo->token.fam.data, t->fam.len);
    t->role.data = p;
    ngx_memcpy(p, memo->token.role.data, t->role.len);

    return NGX_OK;
}


static void
ngx_http_jobscout_jwt_remember(ngx_http_jobscout_jwt_memo_t *memo,
    u_char *token, size_t len, ngx_http_jobscout_token_t *t)
{
    u_char  *p;

    if (len > NGX_HTTP_JOBSCOUT_JWT_MEMO_TOKEN) {
        return;
    }

    /* each string is at most 255 bytes (ngx_http_jobscout_json_str) */

    memo->token = *t;

    p = memo->strings;
    memo->token.sub.data = p;
    p = ngx_cpymem(p, t->sub.data, t->sub.len);
    memo->token.jti.data = p;
    p = ngx_cpymem(p, t->jti.data, t->jti.len);
    memo->token.fam.data = p;
    p = ngx_cpymem(p, t->fam.data, t->fam.len);
    memo->token.role.data = p;
    ngx_memcpy(p, t->role.data, t->role.len);

    ngx_memcpy(memo->text, token, len);
    memo->len = len;
}


/* a part of a token, base64url, as a JSON value with no name twice, or NULL */

static json_t *
ngx_http_jobscout_jwt_part(ngx_pool_t *pool, u_char *start, u_char *end)
{
    ngx_str_t      src, dst;
    json_error_t   error;

    src.data = start;
    src.len = end - start;

    dst.data = ngx_pnalloc(pool, ngx_base64_decoded_length(src.len));
    if (dst.data == NULL || ngx_decode_base64url(&dst, &src) != NGX_OK) {
        return NULL;
    }

    return json_loadb((char *) dst.data, dst.len, JSON_REJECT_DUPLICATES,
                      &error);
}


static ngx_int_t
ngx_http_jobscout_jwt_claims(ngx_http_request_t *r,
    ngx_http_jobscout_jwt_conf_t *jwt, json_t *claims,
    ngx_http_jobscout_token_t *t)
{
    json_t     *exp, *nbf, *iat;
    ngx_str_t   iss, aud, use;

    if (ngx_http_jobscout_json_str(r->pool, claims, "iss", &iss) != NGX_OK
        || ngx_http_jobscout_json_str(r->pool, claims, "aud", &aud) != NGX_OK
        || ngx_http_jobscout_json_str(r->pool, claims, "sub", &t->sub)
           != NGX_OK
        || ngx_http_jobscout_json_str(r->pool, claims, "jti", &t->jti)
           != NGX_OK
        || ngx_http_jobscout_json_str(r->pool, claims, "fam", &t->fam)
           != NGX_OK
        || ngx_http_jobscout_json_str(r->pool, claims, "role", &t->role)
           != NGX_OK
        || ngx_http_jobscout_json_str(r->pool, claims, "use", &use) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (iss.len != jwt->issuer.len
        || ngx_strncmp(iss.data, jwt->issuer.data, iss.len) != 0
        || aud.len != jwt->audience.len
        || ngx_strncmp(aud.data, jwt->audience.data, aud.len) != 0)
    {
        return NGX_DECLINED;
    }

    /* what the queries take as given: a user id, one of the product's roles */

    if (ngx_http_jobscout_valid_uuid(&t->sub) != NGX_OK
        || !((t->role.len == sizeof("user") - 1
              && ngx_strncmp(t->role.data, "user", t->role.len) == 0)
             || (t->role.len == sizeof("admin") - 1
                 && ngx_strncmp(t->role.data, "admin", t->role.len) == 0)))
    {
        return NGX_DECLINED;
    }

    if (use.len == sizeof("access") - 1
        && ngx_strncmp(use.data, "access", use.len) == 0)
    {
        t->refresh = 0;

    } else if (use.len == sizeof("refresh") - 1
               && ngx_strncmp(use.data, "refresh", use.len) == 0)
    {
        t->refresh = 1;

    } else {
        return NGX_DECLINED;
    }

    exp = json_object_get(claims, "exp");
    nbf = json_object_get(claims, "nbf");
    iat = json_object_get(claims, "iat");

    if (!json_is_integer(exp) || !json_is_integer(nbf)
        || !json_is_integer(iat))
    {
        return NGX_DECLINED;
    }

    t->exp = (time_t) json_integer_value(exp);
    t->iat = (time_t) json_integer_value(iat);
    t->nbf = (time_t) json_integer_value(nbf);

    return ngx_http_jobscout_jwt_current(jwt, t);
}


/* the token's times hold now, within the leeway */

static ngx_int_t
ngx_http_jobscout_jwt_current(ngx_http_jobscout_jwt_conf_t *jwt,
    ngx_http_jobscout_token_t *t)
{
    time_t  now;

    now = ngx_time();

    /* exp may be any integer: the leeway moves now, which cannot overflow */

    if (now - jwt->leeway >= t->exp
        || now + jwt->leeway < t->nbf
        || now + jwt->leeway < t->iat)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_json_str(ngx_pool_t *pool, json_t *obj, const char *name,
    ngx_str_t *value)
{
    json_t  *v;

    v = json_object_get(obj, name);

    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > 255)
    {
        return NGX_DECLINED;
    }

    value->len = json_string_length(v);
    value->data = ngx_pnalloc(pool, value->len);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(value->data, json_string_value(v), value->len);

    return NGX_OK;
}


/* a signed token in r->pool; its id, 32 hex digits, in *jti */

char *
ngx_http_jobscout_jwt_issue(ngx_http_request_t *r, ngx_str_t *sub,
    ngx_str_t *role, ngx_str_t *fam, ngx_uint_t refresh, ngx_str_t *jti)
{
    char                           *encoded, *token;
    size_t                          len;
    jwt_t                          *jwt;
    time_t                          now, ttl;
    json_t                         *claims;
    ngx_int_t                       rc;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    jti->data = ngx_pnalloc(r->pool, 32);
    if (jti->data == NULL
        || ngx_http_jobscout_random_hex(jti->data, 16) != NGX_OK)
    {
        return NULL;
    }

    jti->len = 32;

    now = ngx_time();
    ttl = refresh ? jmcf->jwt.refresh_ttl : jmcf->jwt.access_ttl;

    claims = json_pack("{s:s%,s:s%,s:s%,s:s%,s:s%,s:s%,s:s,s:I,s:I,s:I}",
                       "iss", jmcf->jwt.issuer.data, jmcf->jwt.issuer.len,
                       "aud", jmcf->jwt.audience.data, jmcf->jwt.audience.len,
                       "sub", sub->data, sub->len,
                       "jti", jti->data, jti->len,
                       "fam", fam->data, fam->len,
                       "role", role->data, role->len,
                       "use", refresh ? "refresh" : "access",
                       "iat", (json_int_t) now,
                       "nbf", (json_int_t) now,
                       "exp", (json_int_t) (now + ttl));
    if (claims == NULL) {
        return NULL;
    }

    encoded = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);

    if (encoded == NULL) {
        return NULL;
    }

    if (jwt_new(&jwt) != 0) {
        free(encoded);
        return NULL;
    }

    rc = (jwt_add_grants_json(jwt, encoded) == 0
          && jwt_set_alg(jwt, jmcf->jwt.alg, jmcf->jwt.sign_key.data,
                         (int) jmcf->jwt.sign_key.len) == 0)
         ? NGX_OK : NGX_ERROR;
    free(encoded);

    token = (rc == NGX_OK) ? jwt_encode_str(jwt) : NULL;
    jwt_free(jwt);

    if (token == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: signing a token failed");
        return NULL;
    }

    len = ngx_strlen(token);
    encoded = ngx_pnalloc(r->pool, len + 1);

    if (encoded) {
        ngx_memcpy(encoded, token, len + 1);
    }

    free(token);

    return encoded;
}


ngx_int_t
ngx_http_jobscout_random_hex(u_char *dst, size_t bytes)
{
    u_char  random[64];

    if (bytes > sizeof(random) || RAND_bytes(random, (int) bytes) != 1) {
        return NGX_ERROR;
    }

    ngx_hex_dump(dst, random, bytes);

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_send_unauthorized(ngx_http_request_t *r,
    const char *message)
{
    ngx_table_elt_t          *h;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);
    ngx_http_jobscout_metrics_unauthorized(ctx->token_state);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "WWW-Authenticate");

    /* RFC 6750 3.1: no error code when no token was sent */

    if (ctx->token_state == NGX_HTTP_JOBSCOUT_TOKEN_NONE) {
        ngx_str_set(&h->value, "Bearer realm=\"jobscout\"");

    } else {
        ngx_str_set(&h->value,
                    "Bearer realm=\"jobscout\", error=\"invalid_token\"");
    }

    return ngx_http_jobscout_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                        "unauthorized", message);
}


static ngx_int_t
ngx_http_jobscout_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                *s;
    ngx_http_jobscout_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (ctx == NULL) {
        /* before the content phase, e.g. as a limit_req key */
        ctx = ngx_http_jobscout_init_ctx(r);
        if (ctx == NULL) {
            return NGX_ERROR;
        }
    }

    if (ngx_http_jobscout_jwt_verify_request(r, ctx)
        != NGX_HTTP_JOBSCOUT_TOKEN_VALID
        || ctx->token.refresh)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((u_char *) &ctx->token + data);

    v->data = s->data;
    v->len = s->len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_jobscout_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/*
 * jobscout_jwt_key_file <file> [alg=HS256|RS256|ES256] [public_key=<file>];
 * HS256: the file holds the secret (at least 32 bytes); RS256 and ES256:
 * the private key in PEM, whose public key verifies unless given.
 */

char *
ngx_http_jobscout_jwt_key_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    ngx_str_t   *value, s, public;
    ngx_uint_t   i;

    if (jmcf->jwt.key_file.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    jmcf->jwt.key_file = value[1];
    jmcf->jwt.alg = JWT_ALG_HS256;
    ngx_str_null(&public);

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_http_jobscout_conf_param(&value[i], "alg", &s) == NGX_OK) {
            if (s.len == 5 && ngx_strncmp(s.data, "HS256", 5) == 0) {
                jmcf->jwt.alg = JWT_ALG_HS256;

            } else if (s.len == 5 && ngx_strncmp(s.data, "RS256", 5) == 0) {
                jmcf->jwt.alg = JWT_ALG_RS256;

            } else if (s.len == 5 && ngx_strncmp(s.data, "ES256", 5) == 0) {
                jmcf->jwt.alg = JWT_ALG_ES256;

            } else {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid value \"%V\" in \"%V\" directive,"
                                   " expected alg=HS256, alg=RS256 or "
                                   "alg=ES256", &value[i], &cmd->name);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "public_key", &s)
            == NGX_OK)
        {
            public = s;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown parameter \"%V\" in \"%V\" directive, "
                           "expected alg= or public_key=", &value[i],
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_jobscout_conf_read_key(cf, &value[1], &jmcf->jwt.sign_key)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (jmcf->jwt.alg == JWT_ALG_HS256) {
        if (public.len) {
            return "takes no public_key= with alg=HS256";
        }

        if (jmcf->jwt.sign_key.len < 32) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "the HS256 secret in \"%V\" is shorter than "
                               "32 bytes", &value[1]);
            return NGX_CONF_ERROR;
        }

        jmcf->jwt.verify_key = jmcf->jwt.sign_key;
        return NGX_CONF_OK;
    }

    if (public.len) {
        if (ngx_http_jobscout_conf_read_key(cf, &public,
                                            &jmcf->jwt.verify_key)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (ngx_http_jobscout_public_key(cf, &jmcf->jwt.sign_key,
                                     &jmcf->jwt.verify_key)
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" holds no %s private key in PEM",
                           &value[1], jmcf->jwt.alg == JWT_ALG_RS256
                                      ? "RSA" : "EC");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* jobscout_jwt_ttl access=<time> refresh=<time>; */

char *
ngx_http_jobscout_jwt_ttl_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    time_t       t;
    ngx_str_t   *value, s;
    ngx_uint_t   i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_http_jobscout_conf_param(&value[i], "access", &s) == NGX_OK) {
            t = ngx_parse_time(&s, 1);
            if (t == (time_t) NGX_ERROR || t < 60) {
                goto invalid;
            }

            jmcf->jwt.access_ttl = t;
            continue;
        }

        if (ngx_http_jobscout_conf_param(&value[i], "refresh", &s) == NGX_OK)
        {
            t = ngx_parse_time(&s, 1);
            if (t == (time_t) NGX_ERROR || t < 60) {
                goto invalid;
            }

            jmcf->jwt.refresh_ttl = t;
            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\" directive, "
                       "expected access=<time> or refresh=<time> of at "
                       "least 1m", &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


ngx_int_t
ngx_http_jobscout_conf_read_key(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *key)
{
    ssize_t          n;
    ngx_str_t        path;
    ngx_file_t       file;
    ngx_file_info_t  fi;

    path = *name;

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = path;
    file.log = cf->log;

    file.fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &path);
        return NGX_ERROR;
    }

    n = NGX_ERROR;

    if (ngx_fd_info(file.fd, &fi) != NGX_FILE_ERROR
        && ngx_file_size(&fi) > 0 && ngx_file_size(&fi) <= 65536)
    {
        key->len = ngx_file_size(&fi);
        key->data = ngx_pnalloc(cf->pool, key->len + 1);

        if (key->data) {
            n = ngx_read_file(&file, key->data, key->len, 0);
        }
    }

    ngx_close_file(file.fd);

    if (n != (ssize_t) key->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot read a key of 1 to 65536 bytes from "
                           "\"%V\"", &path);
        return NGX_ERROR;
    }

    /* a secret written by "openssl rand -hex 32 > file" ends in newline */

    while (key->len && (key->data[key->len - 1] == '\n'
                        || key->data[key->len - 1] == '\r'))
    {
        key->len--;
    }

    key->data[key->len] = '\0';

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_public_key(ngx_conf_t *cf, ngx_str_t *private,
    ngx_str_t *public)
{
    BIO       *in, *out;
    long       len;
    char      *data;
    EVP_PKEY  *pkey;
    ngx_int_t  rc;

    rc = NGX_ERROR;
    pkey = NULL;
    out = NULL;

    in = BIO_new_mem_buf(private->data, (int) private->len);
    if (in == NULL) {
        return NGX_ERROR;
    }

    pkey = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    if (pkey == NULL) {
        goto done;
    }

    out = BIO_new(BIO_s_mem());
    if (out == NULL || PEM_write_bio_PUBKEY(out, pkey) != 1) {
        goto done;
    }

    len = BIO_get_mem_data(out, &data);

    public->data = ngx_pnalloc(cf->pool, len + 1);
    if (public->data == NULL) {
        goto done;
    }

    ngx_memcpy(public->data, data, len);
    public->data[len] = '\0';
    public->len = len;
    rc = NGX_OK;

done:

    EVP_PKEY_free(pkey);
    BIO_free(out);
    BIO_free(in);

    return rc;
}
