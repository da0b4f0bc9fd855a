
/*
 * Job Scout: CVs in an S3-compatible object store.  jobscoutd's cv role
 * moves each upload from jobscout_cv_storage to the bucket; a CV no
 * longer on disk is sent from there by nginx itself: GET /users/me/cv
 * redirects internally to a URL presigned with AWS Signature V4 (five
 * minutes, the host only signed, the file's name and type asked back in
 * response-content-disposition and response-content-type) under
 *
 *     location /_jobscout/cv-s3/ {
 *         internal;
 *         proxy_pass http://<endpoint>/;
 *         proxy_set_header Authorization "";
 *         proxy_pass_request_body off;
 *         proxy_set_header Content-Length "";
 *     }
 *
 * so the file streams through the proxy, never whole in memory.
 */


#include "ngx_http_jobscout.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>


#define NGX_HTTP_JOBSCOUT_CV_S3_EXPIRES  300
#define NGX_HTTP_JOBSCOUT_CV_S3_PREFIX   "/_jobscout/cv-s3/"


static u_char *ngx_http_jobscout_cv_s3_escape(u_char *dst, u_char *src,
    size_t len);
static void ngx_http_jobscout_cv_s3_hmac(u_char *out, u_char *key,
    size_t key_len, u_char *data, size_t len);


/* jobscout_cv_s3 endpoint=URL bucket=B region=R access_key=K
 *                secret_key_file=F; */

char *
ngx_http_jobscout_cv_s3_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    u_char     *p;
    ngx_str_t  *value, endpoint, file;
    ngx_uint_t  i;

    if (jmcf->cv_s3_host.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    ngx_str_null(&endpoint);
    ngx_str_null(&file);

    for (i = 1; i < cf->args->nelts; i++) {
        if (ngx_http_jobscout_conf_param(&value[i], "endpoint", &endpoint)
               == NGX_OK
            || ngx_http_jobscout_conf_param(&value[i], "bucket",
                                            &jmcf->cv_s3_bucket) == NGX_OK
            || ngx_http_jobscout_conf_param(&value[i], "region",
                                            &jmcf->cv_s3_region) == NGX_OK
            || ngx_http_jobscout_conf_param(&value[i], "access_key",
                                            &jmcf->cv_s3_access_key)
               == NGX_OK
            || ngx_http_jobscout_conf_param(&value[i], "secret_key_file",
                                            &file) == NGX_OK)
        {
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown parameter \"%V\" in \"jobscout_cv_s3\", "
                           "expected endpoint=, bucket=, region=, "
                           "access_key= or secret_key_file=", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (endpoint.len == 0 || jmcf->cv_s3_bucket.len == 0
        || jmcf->cv_s3_region.len == 0 || jmcf->cv_s3_access_key.len == 0
        || file.len == 0)
    {
        return "requires endpoint=, bucket=, region=, access_key= and "
               "secret_key_file=";
    }

    /* the host the proxy sends, as signed */

    if (endpoint.len > 7 && ngx_strncmp(endpoint.data, "http://", 7) == 0) {
        p = endpoint.data + 7;

    } else if (endpoint.len > 8
               && ngx_strncmp(endpoint.data, "https://", 8) == 0)
    {
        p = endpoint.data + 8;

    } else {
        return "needs an http:// or https:// endpoint=";
    }

    jmcf->cv_s3_host.data = p;
    jmcf->cv_s3_host.len = endpoint.data + endpoint.len - p;

    while (jmcf->cv_s3_host.len
           && jmcf->cv_s3_host.data[jmcf->cv_s3_host.len - 1] == '/')
    {
        jmcf->cv_s3_host.len--;
    }

    if (ngx_http_jobscout_conf_read_key(cf, &file, &jmcf->cv_s3_secret)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * The CV of key (its name and type as stored) from the bucket: an
 * internal redirect to its presigned URL.  NGX_DONE: redirected.
 */

ngx_int_t
ngx_http_jobscout_cv_s3_send(ngx_http_request_t *r, u_char *key,
    ngx_str_t *name, ngx_str_t *type)
{
    u_char                         *p, *q, *canonical, *sts;
    size_t                          len, qlen;
    ngx_tm_t                        tm;
    ngx_str_t                       uri, args, disposition;
    unsigned int                    n;
    ngx_http_jobscout_main_conf_t  *jmcf;
    u_char                          date[9], stamp[17];
    u_char                          digest[EVP_MAX_MD_SIZE];
    u_char                          hex[2 * EVP_MAX_MD_SIZE + 1];
    u_char                          k1[32], k2[32];

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (ngx_http_jobscout_cv_disposition(r, name, &disposition) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_gmtime(ngx_time(), &tm);
    (void) ngx_sprintf(date, "%4d%02d%02d%Z", tm.ngx_tm_year, tm.ngx_tm_mon,
                       tm.ngx_tm_mday);
    (void) ngx_sprintf(stamp, "%sT%02d%02d%02dZ%Z", date, tm.ngx_tm_hour,
                       tm.ngx_tm_min, tm.ngx_tm_sec);

    /* the query, its parameters in byte order (upper case first) */

    qlen = 512 + 3 * (jmcf->cv_s3_access_key.len + jmcf->cv_s3_region.len
                      + disposition.len + type->len);

    args.data = ngx_pnalloc(r->pool, qlen + 2 * 32 + 32);
    if (args.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(args.data, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                    "&X-Amz-Credential=");
    p = ngx_http_jobscout_cv_s3_escape(p, jmcf->cv_s3_access_key.data,
                                       jmcf->cv_s3_access_key.len);
    p = ngx_sprintf(p, "%%2F%s%%2F", date);
    p = ngx_http_jobscout_cv_s3_escape(p, jmcf->cv_s3_region.data,
                                       jmcf->cv_s3_region.len);
    p = ngx_sprintf(p, "%%2Fs3%%2Faws4_request&X-Amz-Date=%s"
                    "&X-Amz-Expires=%d&X-Amz-SignedHeaders=host"
                    "&response-content-disposition=", stamp,
                    NGX_HTTP_JOBSCOUT_CV_S3_EXPIRES);
    p = ngx_http_jobscout_cv_s3_escape(p, disposition.data,
                                       disposition.len);
    p = ngx_cpymem(p, "&response-content-type=",
                   sizeof("&response-content-type=") - 1);
    p = ngx_http_jobscout_cv_s3_escape(p, type->data, type->len);
    args.len = p - args.data;

    /* the canonical request: only the host signed, the payload not */

    len = sizeof("GET\n//\n\nhost:\n\nhost\nUNSIGNED-PAYLOAD") - 1
          + jmcf->cv_s3_bucket.len + ngx_strlen(key) + args.len
          + jmcf->cv_s3_host.len;

    canonical = ngx_pnalloc(r->pool, len);
    if (canonical == NULL) {
        return NGX_ERROR;
    }

    q = ngx_sprintf(canonical, "GET\n/%V/%s\n%V\nhost:%V\n\nhost\n"
                    "UNSIGNED-PAYLOAD", &jmcf->cv_s3_bucket, key, &args,
                    &jmcf->cv_s3_host);

    if (EVP_Digest(canonical, q - canonical, digest, &n, EVP_sha256(), NULL)
        != 1)
    {
        return NGX_ERROR;
    }

    *ngx_hex_dump(hex, digest, n) = '\0';

    len = sizeof("AWS4-HMAC-SHA256\n\n///s3/aws4_request\n") - 1
          + sizeof(stamp) + sizeof(date) + jmcf->cv_s3_region.len
          + sizeof(hex);

    sts = ngx_pnalloc(r->pool, len);
    if (sts == NULL) {
        return NGX_ERROR;
    }

    q = ngx_sprintf(sts, "AWS4-HMAC-SHA256\n%s\n%s/%V/s3/aws4_request\n%s",
                    stamp, date, &jmcf->cv_s3_region, hex);

    /* the signing key: the secret through date, region, service */

    p = ngx_pnalloc(r->pool, sizeof("AWS4") - 1 + jmcf->cv_s3_secret.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ngx_cpymem(p, "AWS4", 4), jmcf->cv_s3_secret.data,
               jmcf->cv_s3_secret.len);

    ngx_http_jobscout_cv_s3_hmac(k1, p, 4 + jmcf->cv_s3_secret.len, date, 8);
    ngx_http_jobscout_cv_s3_hmac(k2, k1, 32, jmcf->cv_s3_region.data,
                                 jmcf->cv_s3_region.len);
    ngx_http_jobscout_cv_s3_hmac(k1, k2, 32, (u_char *) "s3", 2);
    ngx_http_jobscout_cv_s3_hmac(k2, k1, 32, (u_char *) "aws4_request", 12);
    ngx_http_jobscout_cv_s3_hmac(k1, k2, 32, sts, q - sts);

    explicit_bzero(k2, sizeof(k2));

    p = ngx_cpymem(args.data + args.len, "&X-Amz-Signature=",
                   sizeof("&X-Amz-Signature=") - 1);
    p = ngx_hex_dump(p, k1, 32);
    args.len = p - args.data;

    uri.len = sizeof(NGX_HTTP_JOBSCOUT_CV_S3_PREFIX) - 1
              + jmcf->cv_s3_bucket.len + 1 + ngx_strlen(key);
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(uri.data, NGX_HTTP_JOBSCOUT_CV_S3_PREFIX "%V/%s",
                       &jmcf->cv_s3_bucket, key);

    /* the proxy answers: the body of this request is not read again */

    r->headers_out.status = 0;

    (void) ngx_http_internal_redirect(r, &uri, &args);

    return NGX_DONE;
}


/* RFC 3986 as SigV4 wants it: all but A-Z a-z 0-9 - _ . ~ escaped */

static u_char *
ngx_http_jobscout_cv_s3_escape(u_char *dst, u_char *src, size_t len)
{
    u_char  ch;

    static u_char  hex[] = "0123456789ABCDEF";

    while (len--) {
        ch = *src++;

        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')
            || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'
            || ch == '.' || ch == '~')
        {
            *dst++ = ch;
            continue;
        }

        *dst++ = '%';
        *dst++ = hex[ch >> 4];
        *dst++ = hex[ch & 0xf];
    }

    return dst;
}


static void
ngx_http_jobscout_cv_s3_hmac(u_char *out, u_char *key, size_t key_len,
    u_char *data, size_t len)
{
    unsigned int  n;

    (void) HMAC(EVP_sha256(), key, (int) key_len, data, len, out, &n);
}
