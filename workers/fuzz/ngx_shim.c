
/*
 * The nginx core the module's parsers call, for the libFuzzer targets of
 * the module (workers/fuzz/fuzz_ngx_*.c): nginx ships its headers only.
 * Written after nginx 1.22's documented behaviour, not copied:
 *
 *   - a pool hands out one malloc() per allocation, so that AddressSanitizer
 *     sees every overrun of a pool allocation; ngx_destroy_pool() runs the
 *     cleanups and frees them all (one pool per input);
 *   - ngx_vslprintf() knows the conversions the module uses and aborts on
 *     any other, so that a missing one is a loud crash, not a quiet lie;
 *   - logging does nothing.
 *
 * The targets link every module object with --gc-sections: a function the
 * parsers reach and this file lacks fails the link.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* the module itself lives in ngx_http_jobscout_module.c, not linked */
ngx_module_t               ngx_http_jobscout_module;


/* the metrics' hooks (ngx_http_jobscout_metrics.c, a module, not linked) */
void ngx_http_jobscout_metrics_count(ngx_uint_t metric);
void ngx_http_jobscout_metrics_unauthorized(ngx_uint_t token_state);

void
ngx_http_jobscout_metrics_count(ngx_uint_t metric)
{
}


void
ngx_http_jobscout_metrics_unauthorized(ngx_uint_t token_state)
{
}


/*
 * ngx_crc32_short()'s table (the token memo's slot): CRC-32's, a nibble at
 * a time, computed before the fuzzer starts as ngx_crc32.c has it built in
 */
static uint32_t            ngx_fuzz_crc32_short[16];
uint32_t                  *ngx_crc32_table_short = ngx_fuzz_crc32_short;

__attribute__((constructor)) static void
ngx_fuzz_crc32_init(void)
{
    uint32_t    c;
    ngx_uint_t  i, k;

    for (i = 0; i < 16; i++) {
        c = (uint32_t) i;
        for (k = 0; k < 4; k++) {
            c = (c & 1) ? 0xedb88320 ^ (c >> 1) : c >> 1;
        }
        ngx_fuzz_crc32_short[i] = c;
    }
}


static ngx_time_t          ngx_fuzz_time;
volatile ngx_time_t       *ngx_cached_time = &ngx_fuzz_time;


void
ngx_fuzz_set_time(time_t sec)
{
    ngx_fuzz_time.sec = sec;
    ngx_fuzz_time.msec = 0;
}


ngx_pool_t *
ngx_create_pool(size_t size, ngx_log_t *log)
{
    ngx_pool_t  *pool;

    pool = calloc(1, sizeof(ngx_pool_t));
    if (pool == NULL) {
        abort();
    }

    pool->log = log;

    return pool;
}


void
ngx_destroy_pool(ngx_pool_t *pool)
{
    ngx_pool_large_t    *l, *next;
    ngx_pool_cleanup_t  *c, *cn;

    for (c = pool->cleanup; c; c = cn) {
        cn = c->next;

        if (c->handler) {
            c->handler(c->data);
        }
    }

    for (l = pool->large; l; l = next) {
        next = l->next;
        free(l->alloc);
        free(l);
    }

    free(pool);
}


void *
ngx_pnalloc(ngx_pool_t *pool, size_t size)
{
    ngx_pool_large_t  *l;

    l = malloc(sizeof(ngx_pool_large_t));

    /* nginx gives a valid pointer for 0 bytes too */
    l->alloc = l ? malloc(size ? size : 1) : NULL;

    if (l == NULL || l->alloc == NULL) {
        abort();
    }

    l->next = pool->large;
    pool->large = l;

    return l->alloc;
}


void *
ngx_palloc(ngx_pool_t *pool, size_t size)
{
    return ngx_pnalloc(pool, size);
}


void *
ngx_pcalloc(ngx_pool_t *pool, size_t size)
{
    void  *p;

    p = ngx_pnalloc(pool, size);
    ngx_memzero(p, size);

    return p;
}


ngx_pool_cleanup_t *
ngx_pool_cleanup_add(ngx_pool_t *p, size_t size)
{
    ngx_pool_cleanup_t  *c;

    c = ngx_palloc(p, sizeof(ngx_pool_cleanup_t));
    c->data = size ? ngx_palloc(p, size) : NULL;
    c->handler = NULL;
    c->next = p->cleanup;
    p->cleanup = c;

    return c;
}


void
ngx_log_error_core(ngx_uint_t level, ngx_log_t *log, ngx_err_t err,
    const char *fmt, ...)
{
}


void
ngx_strlow(u_char *dst, u_char *src, size_t n)
{
    while (n--) {
        *dst++ = ngx_tolower(*src);
        src++;
    }
}


u_char *
ngx_cpystrn(u_char *dst, u_char *src, size_t n)
{
    if (n == 0) {
        return dst;
    }

    while (--n && *src) {
        *dst++ = *src++;
    }

    *dst = '\0';

    return dst;
}


void
ngx_explicit_memzero(void *buf, size_t n)
{
    explicit_bzero(buf, n);
}


ngx_int_t
ngx_strcasecmp(u_char *s1, u_char *s2)
{
    return ngx_strncasecmp(s1, s2, (size_t) -1);
}


/* stops at the first NUL of either, as nginx's */

ngx_int_t
ngx_strncasecmp(u_char *s1, u_char *s2, size_t n)
{
    ngx_uint_t  c1, c2;

    for ( /* void */ ; n; n--) {
        c1 = ngx_tolower(*s1);
        c2 = ngx_tolower(*s2);

        if (c1 != c2) {
            return c1 - c2;
        }

        if (c1 == 0) {
            return 0;
        }

        s1++;
        s2++;
    }

    return 0;
}


/* digits only, NGX_ERROR for none or past NGX_MAX_INT_T_VALUE */

ngx_int_t
ngx_atoi(u_char *line, size_t n)
{
    ngx_int_t  value;

    if (n == 0) {
        return NGX_ERROR;
    }

    for (value = 0; n--; line++) {
        if (*line < '0' || *line > '9'
            || value > (NGX_MAX_INT_T_VALUE - (*line - '0')) / 10)
        {
            return NGX_ERROR;
        }

        value = value * 10 + (*line - '0');
    }

    return value;
}


ngx_int_t
ngx_hextoi(u_char *line, size_t n)
{
    ngx_int_t  value, digit;

    if (n == 0) {
        return NGX_ERROR;
    }

    for (value = 0; n--; line++) {
        if (*line >= '0' && *line <= '9') {
            digit = *line - '0';

        } else if (ngx_tolower(*line) >= 'a' && ngx_tolower(*line) <= 'f') {
            digit = ngx_tolower(*line) - 'a' + 10;

        } else {
            return NGX_ERROR;
        }

        if (value > (NGX_MAX_INT_T_VALUE - digit) / 16) {
            return NGX_ERROR;
        }

        value = value * 16 + digit;
    }

    return value;
}


u_char *
ngx_hex_dump(u_char *dst, u_char *src, size_t len)
{
    static u_char  hex[] = "0123456789abcdef";

    while (len--) {
        *dst++ = hex[*src >> 4];
        *dst++ = hex[*src++ & 0xf];
    }

    return dst;
}


/*
 * UTF-8 as nginx reads it: the code point, 0xffffffff for an invalid
 * sequence (*p past its first bad byte), 0xfffffffe for a truncated one
 * (*p not moved).
 */

uint32_t
ngx_utf8_decode(u_char **p, size_t n)
{
    size_t    len;
    uint32_t  u, i, valid;

    u = **p;

    if (u >= 0xf0) {
        u &= 0x07;
        valid = 0xffff;
        len = 3;

    } else if (u >= 0xe0) {
        u &= 0x0f;
        valid = 0x7ff;
        len = 2;

    } else if (u >= 0xc2) {
        u &= 0x1f;
        valid = 0x7f;
        len = 1;

    } else {
        (*p)++;
        return 0xffffffff;
    }

    if (n - 1 < len) {
        return 0xfffffffe;
    }

    (*p)++;

    while (len) {
        i = *(*p)++;

        if (i < 0x80) {
            return 0xffffffff;
        }

        u = (u << 6) | (i & 0x3f);
        len--;
    }

    return u > valid ? u : 0xffffffff;
}


/* characters; n (the bytes) when p is not valid UTF-8 */

size_t
ngx_utf8_length(u_char *p, size_t n)
{
    u_char  *last;
    size_t   len;

    last = p + n;

    for (len = 0; p < last; len++) {
        if (*p < 0x80) {
            p++;
            continue;
        }

        if (ngx_utf8_decode(&p, last - p) > 0x10ffff) {
            return n;
        }
    }

    return len;
}


static u_char  ngx_fuzz_base64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


void
ngx_encode_base64url(ngx_str_t *dst, ngx_str_t *src)
{
    u_char  *d, *s;
    size_t   len;

    s = src->data;
    d = dst->data;

    for (len = src->len; len > 2; len -= 3, s += 3) {
        *d++ = ngx_fuzz_base64url[s[0] >> 2];
        *d++ = ngx_fuzz_base64url[((s[0] & 3) << 4) | (s[1] >> 4)];
        *d++ = ngx_fuzz_base64url[((s[1] & 0x0f) << 2) | (s[2] >> 6)];
        *d++ = ngx_fuzz_base64url[s[2] & 0x3f];
    }

    /* no padding */

    if (len) {
        *d++ = ngx_fuzz_base64url[s[0] >> 2];

        if (len == 1) {
            *d++ = ngx_fuzz_base64url[(s[0] & 3) << 4];

        } else {
            *d++ = ngx_fuzz_base64url[((s[0] & 3) << 4) | (s[1] >> 4)];
            *d++ = ngx_fuzz_base64url[(s[1] & 0x0f) << 2];
        }
    }

    dst->len = d - dst->data;
}


/*
 * nginx's reading: the digits up to the first '=' (anything after it is
 * ignored), NGX_ERROR for a character outside the alphabet or a length
 * that leaves 6 stray bits; stray bits of a last group are dropped.
 */

ngx_int_t
ngx_decode_base64url(ngx_str_t *dst, ngx_str_t *src)
{
    u_char  *d, *s;
    size_t   len, i;

    static int  v[256], ready;

    if (!ready) {
        for (i = 0; i < 256; i++) {
            v[i] = -1;
        }

        for (i = 0; i < 64; i++) {
            v[ngx_fuzz_base64url[i]] = (int) i;
        }

        ready = 1;
    }

    for (len = 0; len < src->len; len++) {
        if (src->data[len] == '=') {
            break;
        }

        if (v[src->data[len]] < 0) {
            return NGX_ERROR;
        }
    }

    if (len % 4 == 1) {
        return NGX_ERROR;
    }

    s = src->data;
    d = dst->data;

    for ( /* void */ ; len > 3; len -= 4, s += 4) {
        *d++ = (u_char) (v[s[0]] << 2 | v[s[1]] >> 4);
        *d++ = (u_char) (v[s[1]] << 4 | v[s[2]] >> 2);
        *d++ = (u_char) (v[s[2]] << 6 | v[s[3]]);
    }

    if (len > 1) {
        *d++ = (u_char) (v[s[0]] << 2 | v[s[1]] >> 4);
    }

    if (len > 2) {
        *d++ = (u_char) (v[s[1]] << 4 | v[s[2]] >> 2);
    }

    dst->len = d - dst->data;

    return NGX_OK;
}


/* a number in decimal or hexadecimal, at least width digits */

static u_char *
ngx_fuzz_num(u_char *buf, u_char *last, uint64_t n, u_char zero,
    ngx_uint_t hex, ngx_uint_t width)
{
    u_char   tmp[NGX_INT64_LEN + 1], *p;
    size_t   len;

    static u_char  lower[] = "0123456789abcdef";
    static u_char  upper[] = "0123456789ABCDEF";

    p = tmp + sizeof(tmp);

    do {
        *--p = hex ? (hex == 1 ? lower : upper)[n & 0xf]
                   : (u_char) ('0' + n % 10);
        n = hex ? n >> 4 : n / 10;
    } while (n);

    len = tmp + sizeof(tmp) - p;

    while (width-- > len && buf < last) {
        *buf++ = zero;
    }

    while (p < tmp + sizeof(tmp) && buf < last) {
        *buf++ = *p++;
    }

    return buf;
}


u_char *
ngx_vslprintf(u_char *buf, u_char *last, const char *fmt, va_list args)
{
    u_char      *p, zero;
    size_t       slen;
    int64_t      i64;
    uint64_t     ui64;
    ngx_str_t   *v;
    ngx_uint_t   width, sign, hex, max_width;

    while (*fmt && buf < last) {

        if (*fmt != '%') {
            *buf++ = *fmt++;
            continue;
        }

        fmt++;
        i64 = 0;
        ui64 = 0;
        zero = (u_char) ((*fmt == '0') ? '0' : ' ');
        width = 0;
        sign = 1;
        hex = 0;
        max_width = 0;
        slen = (size_t) -1;

        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }

        for ( ;; ) {
            switch (*fmt) {

            case 'u':
                sign = 0;
                fmt++;
                continue;

            case 'm':
                max_width = 1;
                fmt++;
                continue;

            case 'X':
                hex = 2;
                sign = 0;
                fmt++;
                continue;

            case 'x':
                hex = 1;
                sign = 0;
                fmt++;
                continue;

            case '*':
                slen = va_arg(args, size_t);
                fmt++;
                continue;

            default:
                break;
            }

            break;
        }

        switch (*fmt) {

        case 'V':
            v = va_arg(args, ngx_str_t *);
            slen = ngx_min((size_t) (last - buf), v->len);
            buf = ngx_cpymem(buf, v->data, slen);
            fmt++;
            continue;

        case 's':
            p = va_arg(args, u_char *);

            /* "%*s" copies its length, NULs included */

            if (slen == (size_t) -1) {
                while (*p && buf < last) {
                    *buf++ = *p++;
                }

            } else {
                buf = ngx_cpymem(buf, p, ngx_min((size_t) (last - buf),
                                                 slen));
            }

            fmt++;
            continue;

        case 'T':
            i64 = (int64_t) va_arg(args, time_t);
            sign = 1;
            break;

        case 'M':
            i64 = (int64_t) va_arg(args, ngx_msec_t);
            sign = 0;
            ui64 = (uint64_t) i64;
            break;

        case 'z':
            if (sign) {
                i64 = (int64_t) va_arg(args, ssize_t);
            } else {
                ui64 = (uint64_t) va_arg(args, size_t);
            }
            break;

        case 'i':
            if (sign) {
                i64 = (int64_t) va_arg(args, ngx_int_t);
            } else {
                ui64 = (uint64_t) va_arg(args, ngx_uint_t);
            }

            if (max_width) {
                width = NGX_INT_T_LEN;
            }
            break;

        case 'd':
            if (sign) {
                i64 = (int64_t) va_arg(args, int);
            } else {
                ui64 = (uint64_t) va_arg(args, u_int);
            }
            break;

        case 'l':
            if (sign) {
                i64 = (int64_t) va_arg(args, long);
            } else {
                ui64 = (uint64_t) va_arg(args, u_long);
            }
            break;

        case 'L':
            if (sign) {
                i64 = va_arg(args, int64_t);
            } else {
                ui64 = va_arg(args, uint64_t);
            }
            break;

        case 'O':
            i64 = (int64_t) va_arg(args, off_t);
            sign = 1;
            break;

        case 'c':
            *buf++ = (u_char) (va_arg(args, int) & 0xff);
            fmt++;
            continue;

        case 'Z':
            *buf++ = '\0';
            fmt++;
            continue;

        case 'N':
            *buf++ = LF;
            fmt++;
            continue;

        case '%':
            *buf++ = '%';
            fmt++;
            continue;

        default:
            /* a conversion this shim lacks: add it */
            abort();
        }

        if (sign) {
            if (i64 < 0) {
                *buf++ = '-';
                ui64 = (uint64_t) -(i64 + 1) + 1;

            } else {
                ui64 = (uint64_t) i64;
            }
        }

        buf = ngx_fuzz_num(buf, last, ui64, zero, hex, width);
        fmt++;
    }

    return buf;
}


u_char * ngx_cdecl
ngx_sprintf(u_char *buf, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, (void *) -1, fmt, args);
    va_end(args);

    return p;
}


u_char * ngx_cdecl
ngx_snprintf(u_char *buf, size_t max, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + max, fmt, args);
    va_end(args);

    return p;
}


u_char * ngx_cdecl
ngx_slprintf(u_char *buf, u_char *last, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, last, fmt, args);
    va_end(args);

    return p;
}
