
/*
 * Job Scout: webhook-triggered scrapes (seed 001 #18).  A board, or the
 * company's applicant-tracking system, tells us that its jobs changed:
 *
 *   POST /api/v1/webhooks/sources/{id}
 *   X-JobScout-Signature: t=<unix seconds>,v1=<hex>
 *
 * v1 is HMAC-SHA256 over "<t>.<raw body>" keyed with the source's secret
 * (64 hex digits, as given); t must be within 5 minutes of our clock and
 * a signature is taken once (webhook_deliveries), so a captured call
 * cannot be replayed.  A valid call queues a run as "run now" does, with
 * its own rate limit.  Anything wrong with the signature is one 401:
 * callers learn nothing of which sources exist.
 *
 * The secret is made by POST /api/v1/admin/sources/{id}/webhook-secret,
 * shown once, and stored AES-256-GCM encrypted under the key of
 * jobscout_webhook_key_file, with the source's id as associated data:
 * the database alone yields no secret, nor one that fits another source.
 */


#include "ngx_http_jobscout.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>


#define NGX_HTTP_JOBSCOUT_WEBHOOK_SKEW      300     /* s, either way */
#define NGX_HTTP_JOBSCOUT_WEBHOOK_INTERVAL  10      /* s between runs */
#define NGX_HTTP_JOBSCOUT_SECRET_LEN        32
#define NGX_HTTP_JOBSCOUT_NONCE_LEN         12
#define NGX_HTTP_JOBSCOUT_TAG_LEN           16
#define NGX_HTTP_JOBSCOUT_SEALED_LEN                                          \
    (NGX_HTTP_JOBSCOUT_NONCE_LEN + NGX_HTTP_JOBSCOUT_SECRET_LEN               \
     + NGX_HTTP_JOBSCOUT_TAG_LEN)
#define NGX_HTTP_JOBSCOUT_SIGNATURES        4       /* v1= values taken */


typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[4];
    u_char                          id[37];
    u_char                          signature[32];  /* the one that fits */
    time_t                          t;
    ngx_str_t                       v1[NGX_HTTP_JOBSCOUT_SIGNATURES];
    ngx_uint_t                      nv1;
} ngx_http_jobscout_webhook_t;


static ngx_int_t ngx_http_jobscout_webhook_seal(ngx_http_request_t *r,
    u_char *id, u_char *secret, u_char *sealed);
static ngx_int_t ngx_http_jobscout_webhook_open(ngx_http_request_t *r,
    u_char *id, u_char *sealed, size_t len, u_char *secret);
static ngx_int_t ngx_http_jobscout_webhook_header(ngx_http_request_t *r,
    ngx_http_jobscout_webhook_t *wh);
static void ngx_http_jobscout_webhook_found(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_webhook_taken(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_webhook_queued(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_webhook_refuse(ngx_http_request_t *r,
    const char *message);
static ngx_int_t ngx_http_jobscout_hex_decode(u_char *dst, u_char *src,
    size_t len);


/* a new secret, sealed: the answer shows it once */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_webhook_secret_stmt = {
    "webhook_secret_set",
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","
    " old AS (SELECT s.id, s.webhook_secret_at FROM job_sources s, admin"
    "          WHERE s.id = $3::uuid FOR UPDATE OF s),"
    " set AS (UPDATE job_sources s SET webhook_secret = $4::bytea,"
    "                webhook_secret_at = clock_timestamp()"
    "           FROM old WHERE s.id = old.id"
    "         RETURNING s.id, s.webhook_secret_at),"
    " changed AS (SELECT set.id AS target_id,"
    "        CASE WHEN old.webhook_secret_at IS NOT NULL THEN"
    "             jsonb_build_object('webhook_secret_at',"
    "                                old.webhook_secret_at) END AS before,"
    "        jsonb_build_object('webhook_secret_at', set.webhook_secret_at)"
    "             AS after"
    "   FROM set JOIN old ON old.id = set.id),"
    NGX_HTTP_JOBSCOUT_SQL_AUDIT("source.webhook_secret", "source", "changed")
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED
    " SELECT 201, json_build_object('source_id', id,"
    "          'secret', $5::text, 'created_at', webhook_secret_at,"
    "          'header', 'X-JobScout-Signature',"
    "          'scheme', 't=<unix seconds>,v1=<hex HMAC-SHA256 of"
    " \"<t>.<raw body>\" keyed with the secret>')::text"
    "   FROM set",
    5, 0
};

/* what verifies a call: the sealed secret, and whether a run may start */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_webhook_find_stmt = {
    "webhook_find",
    "SELECT s.webhook_secret, s.is_active AND c.is_active"
    "  FROM job_sources s JOIN companies c ON c.id = s.company_id"
    " WHERE s.id = $1::uuid AND s.webhook_secret IS NOT NULL",
    1, 0
};

/* a signature is taken once; those past the window are let go */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_webhook_take_stmt = {
    "webhook_take",
    "WITH gone AS (DELETE FROM webhook_deliveries"
    "               WHERE received_at < now() - interval '10 minutes')"
    " INSERT INTO webhook_deliveries (source_id, signature)"
    " VALUES ($1::uuid, $2::bytea) ON CONFLICT DO NOTHING RETURNING 1",
    2, 0
};


/* POST /api/v1/admin/sources/{id}/webhook-secret */

ngx_int_t
ngx_http_jobscout_admin_sources_webhook_secret(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                         *hex, *bytea;
    ngx_int_t                       rc;
    const char                    **values;
    ngx_http_jobscout_main_conf_t  *jmcf;
    u_char                          secret[NGX_HTTP_JOBSCOUT_SECRET_LEN];
    u_char                          sealed[NGX_HTTP_JOBSCOUT_SEALED_LEN];

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    values = ngx_http_jobscout_admin_values(r, ctx, 5);
    if (values == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_jobscout_admin_uuid_param(r, ctx, 0, &values[2]);
    if (rc != NGX_OK) {
        return ngx_http_jobscout_admin_missing(r, rc, "no such source");
    }

    if (jmcf->webhook_key.len == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                   "unavailable",
                   "webhook secrets need jobscout_webhook_key_file");
    }

    hex = ngx_pnalloc(r->pool, 2 * NGX_HTTP_JOBSCOUT_SECRET_LEN + 1);
    bytea = ngx_pnalloc(r->pool, 2 + 2 * NGX_HTTP_JOBSCOUT_SEALED_LEN + 1);
    if (hex == NULL || bytea == NULL) {
        return NGX_ERROR;
    }

    if (RAND_bytes(secret, sizeof(secret)) != 1
        || ngx_http_jobscout_webhook_seal(r, (u_char *) values[2], secret,
                                          sealed)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    *ngx_hex_dump(hex, secret, sizeof(secret)) = '\0';
    bytea[0] = '\\';
    bytea[1] = 'x';
    *ngx_hex_dump(bytea + 2, sealed, sizeof(sealed)) = '\0';
    ngx_explicit_memzero(secret, sizeof(secret));

    values[3] = (const char *) bytea;
    values[4] = (const char *) hex;

    /* the secret is shown once: never cached (as every answer) */

    return ngx_http_jobscout_admin_query(r,
                                     &ngx_http_jobscout_webhook_secret_stmt,
                                     values, "no such source");
}


/* POST /api/v1/webhooks/sources/{id} */

ngx_int_t
ngx_http_jobscout_webhook_source(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_webhook_t    *wh;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->webhook_key.len == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                   "unavailable", "webhooks are not configured here");
    }

    if (ctx->nparams != 1
        || ngx_http_jobscout_valid_uuid(&ctx->params[0]) != NGX_OK)
    {
        return ngx_http_jobscout_webhook_refuse(r, "invalid signature");
    }

    wh = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_webhook_t));
    if (wh == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(wh->id, ctx->params[0].data, 36) = '\0';

    if (ngx_http_jobscout_webhook_header(r, wh) != NGX_OK) {
        return ngx_http_jobscout_webhook_refuse(r,
                   "X-JobScout-Signature must be t=<unix seconds>,v1=<hex>");
    }

    if (wh->t < ngx_time() - NGX_HTTP_JOBSCOUT_WEBHOOK_SKEW
        || wh->t > ngx_time() + NGX_HTTP_JOBSCOUT_WEBHOOK_SKEW)
    {
        return ngx_http_jobscout_webhook_refuse(r,
                   "the signature's timestamp is not within 5 minutes");
    }

    wh->values[0] = (const char *) wh->id;
    wh->query.stmt = &ngx_http_jobscout_webhook_find_stmt;
    wh->query.values = wh->values;
    wh->query.handler = ngx_http_jobscout_webhook_found;
    wh->query.data = wh;

    if (ngx_http_jobscout_pg_query(r, &wh->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &wh->query, NULL);
    }

    return NGX_DONE;
}


/* the one X-JobScout-Signature header, parsed */

static ngx_int_t
ngx_http_jobscout_webhook_header(ngx_http_request_t *r,
    ngx_http_jobscout_webhook_t *wh)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *sig;

    static ngx_str_t  name = ngx_string("X-JobScout-Signature");

    sig = NULL;
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == name.len
            && ngx_strncasecmp(h[i].key.data, name.data, name.len) == 0)
        {
            if (sig) {
                return NGX_DECLINED;            /* sent twice */
            }

            sig = &h[i];
        }
    }

    if (sig == NULL) {
        return NGX_DECLINED;
    }

    return ngx_http_jobscout_webhook_signature(&sig->value, &wh->t, wh->v1,
                                               NGX_HTTP_JOBSCOUT_SIGNATURES,
                                               &wh->nv1);
}


/* other schemes are passed over; one t= and at least one v1= required */

ngx_int_t
ngx_http_jobscout_webhook_signature(ngx_str_t *value, time_t *t,
    ngx_str_t *v1, ngx_uint_t max, ngx_uint_t *nv1)
{
    u_char     *p, *end, *next;
    ngx_int_t   stamp;

    stamp = NGX_ERROR;
    *nv1 = 0;
    p = value->data;
    end = p + value->len;

    while (p < end) {
        next = ngx_strlchr(p, end, ',');
        if (next == NULL) {
            next = end;
        }

        if (next - p > 2 && p[0] == 't' && p[1] == '=') {
            if (stamp != NGX_ERROR || next - p - 2 > 12) {
                return NGX_DECLINED;
            }

            stamp = ngx_atoi(p + 2, next - p - 2);

        } else if (next - p == 3 + 64 && ngx_strncmp(p, "v1=", 3) == 0) {
            if (*nv1 == max) {
                return NGX_DECLINED;
            }

            v1[*nv1].data = p + 3;
            v1[*nv1].len = 64;
            (*nv1)++;
        }

        p = next + 1;
    }

    if (stamp == NGX_ERROR || *nv1 == 0) {
        return NGX_DECLINED;
    }

    *t = (time_t) stamp;

    return NGX_OK;
}


static void
ngx_http_jobscout_webhook_found(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    u_char                        *sealed, *sig;
    size_t                         len;
    ngx_int_t                      rc;
    ngx_uint_t                     i, fits;
    ngx_http_request_t            *r;
    ngx_http_jobscout_ctx_t       *ctx;
    ngx_http_jobscout_webhook_t   *wh;
    u_char                         secret[NGX_HTTP_JOBSCOUT_SECRET_LEN];
    u_char                         key[2 * NGX_HTTP_JOBSCOUT_SECRET_LEN];
    u_char                         mac[EVP_MAX_MD_SIZE], given[32];
    u_char                         stamp[NGX_TIME_T_LEN + 1];
    unsigned int                   maclen;
    HMAC_CTX                      *hmac;

    r = q->request;
    wh = q->data;
    ctx = ngx_http_get_module_ctx(r, ngx_http_jobscout_module);

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = ngx_http_jobscout_pg_send_error(r, q, res);
        goto done;
    }

    if (PQntuples(res) != 1) {
        rc = ngx_http_jobscout_webhook_refuse(r, "invalid signature");
        goto done;
    }

    sealed = PQunescapeBytea((u_char *) PQgetvalue(res, 0, 0), &len);
    if (sealed == NULL) {
        rc = NGX_ERROR;
        goto done;
    }

    rc = ngx_http_jobscout_webhook_open(r, wh->id, sealed, len, secret);
    PQfreemem(sealed);

    if (rc != NGX_OK) {
        /* sealed under another key: the operator changed it */
        rc = ngx_http_jobscout_webhook_refuse(r, "invalid signature");
        goto done;
    }

    /* the key is the secret as the admin was given it: its hex digits */

    ngx_hex_dump(key, secret, sizeof(secret));
    ngx_explicit_memzero(secret, sizeof(secret));

    len = ngx_sprintf(stamp, "%T.", wh->t) - stamp;

    hmac = HMAC_CTX_new();
    if (hmac == NULL
        || HMAC_Init_ex(hmac, key, sizeof(key), EVP_sha256(), NULL) != 1
        || HMAC_Update(hmac, stamp, len) != 1
        || HMAC_Update(hmac, ctx->raw.data, ctx->raw.len) != 1
        || HMAC_Final(hmac, mac, &maclen) != 1)
    {
        HMAC_CTX_free(hmac);
        ngx_explicit_memzero(key, sizeof(key));
        rc = NGX_ERROR;
        goto done;
    }

    HMAC_CTX_free(hmac);
    ngx_explicit_memzero(key, sizeof(key));

    /* every given value is compared, in constant time each */

    fits = 0;

    for (i = 0; i < wh->nv1; i++) {
        if (ngx_http_jobscout_hex_decode(given, wh->v1[i].data, 64) == NGX_OK
            && CRYPTO_memcmp(given, mac, 32) == 0)
        {
            ngx_memcpy(wh->signature, mac, 32);
            fits = 1;
        }
    }

    if (!fits) {
        rc = ngx_http_jobscout_webhook_refuse(r, "invalid signature");
        goto done;
    }

    if (PQgetvalue(res, 0, 1)[0] != 't') {
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_CONFLICT,
                                          "source_inactive",
                                          "the source is not active");
        goto done;
    }

    sig = ngx_pnalloc(r->pool, 2 + 64 + 1);
    if (sig == NULL) {
        rc = NGX_ERROR;
        goto done;
    }

    sig[0] = '\\';
    sig[1] = 'x';
    *ngx_hex_dump(sig + 2, wh->signature, 32) = '\0';

    ngx_memzero(&wh->query, sizeof(ngx_http_jobscout_pg_query_t));
    wh->values[1] = (const char *) sig;
    wh->query.stmt = &ngx_http_jobscout_webhook_take_stmt;
    wh->query.values = wh->values;
    wh->query.handler = ngx_http_jobscout_webhook_taken;
    wh->query.data = wh;

    if (ngx_http_jobscout_pg_query(r, &wh->query) != NGX_OK) {
        rc = ngx_http_jobscout_pg_send_error(r, &wh->query, NULL);
        goto done;
    }

    return;

done:

    ngx_http_jobscout_finalize(r, rc);
}


static void
ngx_http_jobscout_webhook_taken(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_int_t                     rc;
    ngx_str_t                     id;
    ngx_http_request_t           *r;
    ngx_http_jobscout_webhook_t  *wh;

    r = q->request;
    wh = q->data;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = ngx_http_jobscout_pg_send_error(r, q, res);

    } else if (PQntuples(res) == 0) {
        rc = ngx_http_jobscout_webhook_refuse(r, "this call was replayed");

    } else {
        id.data = wh->id;
        id.len = 36;

        rc = ngx_http_jobscout_queue_scrape(r, &id, "webhook",
                                        NGX_HTTP_JOBSCOUT_WEBHOOK_INTERVAL,
                                        ngx_http_jobscout_webhook_queued, wh);
        if (rc == NGX_OK) {
            return;
        }

        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                          "unavailable",
                                          "cannot queue the run now");
    }

    ngx_http_jobscout_finalize(r, rc);
}


/* the reply of ngx_http_jobscout_queue_scrape()'s script */

static void
ngx_http_jobscout_webhook_queued(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_str_t                     id;
    ngx_http_jobscout_webhook_t  *wh;

    wh = cmd->data;
    id.data = wh->id;
    id.len = 36;

    ngx_http_jobscout_finalize(cmd->request,
        ngx_http_jobscout_scrape_queued(cmd->request, reply, &id, 1));
}


static ngx_int_t
ngx_http_jobscout_webhook_refuse(ngx_http_request_t *r, const char *message)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "WWW-Authenticate");
    ngx_str_set(&h->value, "JobScout-Signature");
    ngx_http_jobscout_metrics_count(NGX_HTTP_JOBSCOUT_METRIC_AUTH_SIGNATURE);

    return ngx_http_jobscout_send_error(r, NGX_HTTP_UNAUTHORIZED,
                                        "unauthorized", message);
}


/* sealed = nonce || AES-256-GCM(secret) || tag, the source id as AAD */

static ngx_int_t
ngx_http_jobscout_webhook_seal(ngx_http_request_t *r, u_char *id,
    u_char *secret, u_char *sealed)
{
    int                             n;
    ngx_int_t                       rc;
    EVP_CIPHER_CTX                 *c;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (RAND_bytes(sealed, NGX_HTTP_JOBSCOUT_NONCE_LEN) != 1) {
        return NGX_ERROR;
    }

    c = EVP_CIPHER_CTX_new();
    rc = NGX_ERROR;

    if (c
        && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL,
                              jmcf->webhook_key.data, sealed) == 1
        && EVP_EncryptUpdate(c, NULL, &n, id, 36) == 1
        && EVP_EncryptUpdate(c, sealed + NGX_HTTP_JOBSCOUT_NONCE_LEN, &n,
                             secret, NGX_HTTP_JOBSCOUT_SECRET_LEN) == 1
        && n == NGX_HTTP_JOBSCOUT_SECRET_LEN
        && EVP_EncryptFinal_ex(c, sealed + NGX_HTTP_JOBSCOUT_NONCE_LEN + n,
                               &n) == 1
        && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
                               NGX_HTTP_JOBSCOUT_TAG_LEN,
                               sealed + NGX_HTTP_JOBSCOUT_NONCE_LEN
                               + NGX_HTTP_JOBSCOUT_SECRET_LEN) == 1)
    {
        rc = NGX_OK;
    }

    EVP_CIPHER_CTX_free(c);

    return rc;
}


static ngx_int_t
ngx_http_jobscout_webhook_open(ngx_http_request_t *r, u_char *id,
    u_char *sealed, size_t len, u_char *secret)
{
    int                             n;
    ngx_int_t                       rc;
    EVP_CIPHER_CTX                 *c;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (len != NGX_HTTP_JOBSCOUT_SEALED_LEN) {
        return NGX_DECLINED;
    }

    c = EVP_CIPHER_CTX_new();
    rc = NGX_DECLINED;

    if (c
        && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL,
                              jmcf->webhook_key.data, sealed) == 1
        && EVP_DecryptUpdate(c, NULL, &n, id, 36) == 1
        && EVP_DecryptUpdate(c, secret, &n,
                             sealed + NGX_HTTP_JOBSCOUT_NONCE_LEN,
                             NGX_HTTP_JOBSCOUT_SECRET_LEN) == 1
        && n == NGX_HTTP_JOBSCOUT_SECRET_LEN
        && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
                               NGX_HTTP_JOBSCOUT_TAG_LEN,
                               sealed + NGX_HTTP_JOBSCOUT_NONCE_LEN
                               + NGX_HTTP_JOBSCOUT_SECRET_LEN) == 1
        && EVP_DecryptFinal_ex(c, secret + n, &n) == 1)
    {
        rc = NGX_OK;
    }

    EVP_CIPHER_CTX_free(c);

    if (rc != NGX_OK) {
        ngx_explicit_memzero(secret, NGX_HTTP_JOBSCOUT_SECRET_LEN);
    }

    return rc;
}


/* len hex digits, either case, to len / 2 bytes */

static ngx_int_t
ngx_http_jobscout_hex_decode(u_char *dst, u_char *src, size_t len)
{
    ngx_int_t  hi, lo;

    for ( /* void */ ; len >= 2; len -= 2, src += 2) {
        hi = ngx_hextoi(src, 1);
        lo = ngx_hextoi(src + 1, 1);

        if (hi == NGX_ERROR || lo == NGX_ERROR) {
            return NGX_ERROR;
        }

        *dst++ = (u_char) (hi << 4 | lo);
    }

    return len ? NGX_ERROR : NGX_OK;
}


/* jobscout_webhook_key_file <file>: 32 bytes as 64 hex digits */

char *
ngx_http_jobscout_webhook_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    ngx_str_t  *value, hex;

    if (jmcf->webhook_key.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_http_jobscout_conf_read_key(cf, &value[1], &hex) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    jmcf->webhook_key.data = ngx_pnalloc(cf->pool, 32);
    if (jmcf->webhook_key.data == NULL) {
        return NGX_CONF_ERROR;
    }

    if (hex.len != 64
        || ngx_http_jobscout_hex_decode(jmcf->webhook_key.data, hex.data, 64)
           != NGX_OK)
    {
        ngx_explicit_memzero(hex.data, hex.len);
        return "needs a file of 64 hex digits "
               "(\"openssl rand -hex 32\")";
    }

    ngx_explicit_memzero(hex.data, hex.len);
    jmcf->webhook_key.len = 32;

    return NGX_CONF_OK;
}
