
/*
 * Job Scout: query-string arguments and keyset pages.
 *
 * A route names the arguments it takes and how often each may come; the
 * parser decodes them strictly (percent-encoding, '+' as a space, UTF-8,
 * no control characters) and refuses unknown, repeated and empty ones
 * with a 422 naming the argument.  Typed validators convert the values
 * before any query runs.
 *
 * Lists page by keyset, never by OFFSET.  A cursor is the base64url
 * (unpadded) of "[key|...]micros|uuid": the sort key of the last row sent,
 * as microseconds since the epoch, and that row's id, which makes the key
 * unique; a sort by something else (a rank) puts its keys first.  The
 * query builds the key text (NGX_HTTP_JOBSCOUT_SQL_KEY), C only
 * wraps and unwraps it, so a cursor is opaque to clients and checked
 * strictly when it comes back.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_CURSOR_MAX   256      /* encoded */


static ngx_int_t ngx_http_jobscout_arg_decode(ngx_http_request_t *r,
    u_char *src, size_t len, ngx_str_t *dst);
static ngx_int_t ngx_http_jobscout_hex(u_char ch);
static ngx_uint_t ngx_http_jobscout_arg_echo(ngx_str_t *name);
static ngx_int_t ngx_http_jobscout_arg_digits(u_char *p, size_t n,
    ngx_int_t *value);
static ngx_int_t ngx_http_jobscout_days(ngx_int_t y, ngx_int_t m,
    ngx_int_t d, int64_t *days);


/*
 * args[i] receives the values of specs[i].  NGX_OK, NGX_DECLINED with the
 * refused argument in ctx (answer it with ngx_http_jobscout_send_invalid),
 * or NGX_ERROR.
 */

ngx_int_t
ngx_http_jobscout_args_parse(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_spec_t *specs,
    ngx_http_jobscout_arg_t *args)
{
    u_char                        *p, *end, *amp, *eq;
    ngx_str_t                      name, value;
    ngx_http_jobscout_arg_t       *arg;
    ngx_http_jobscout_arg_spec_t  *spec;

    p = r->args.data;
    end = p + r->args.len;

    while (p < end) {

        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            /* "a=1&&b=2" */
            p++;
            continue;
        }

        eq = ngx_strlchr(p, amp, '=');

        if (ngx_http_jobscout_arg_decode(r, p, (eq ? eq : amp) - p, &name)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        for (spec = specs; spec->name; spec++) {
            if (ngx_strlen(spec->name) == name.len
                && ngx_strncmp(spec->name, name.data, name.len) == 0)
            {
                break;
            }
        }

        if (spec->name == NULL) {
            return ngx_http_jobscout_body_refuse(ctx,
                       ngx_http_jobscout_arg_echo(&name)
                       ? (char *) name.data : "query",
                       "unknown parameter");
        }

        arg = &args[spec - specs];

        if (arg->n == spec->max) {
            return ngx_http_jobscout_body_refuse(ctx, spec->name,
                       spec->max == 1 ? "may be given once"
                                      : "is given too many times");
        }

        if (eq == NULL || eq + 1 == amp) {
            return ngx_http_jobscout_body_refuse(ctx, spec->name,
                                                 "must not be empty");
        }

        if (ngx_http_jobscout_arg_decode(r, eq + 1, amp - eq - 1, &value)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (value.data == NULL) {
            return ngx_http_jobscout_body_refuse(ctx, spec->name,
                                      "is not properly percent-encoded");
        }

        if (ngx_http_jobscout_arg_text(&value) != NGX_OK) {
            return ngx_http_jobscout_body_refuse(ctx, spec->name,
                           "is not valid UTF-8 or has a control character");
        }

        if (arg->values == NULL) {
            arg->values = ngx_palloc(r->pool, spec->max * sizeof(ngx_str_t));
            if (arg->values == NULL) {
                return NGX_ERROR;
            }
        }

        arg->values[arg->n++] = value;

        p = amp + 1;
    }

    return NGX_OK;
}


/* a route that takes no argument refuses any */

ngx_int_t
ngx_http_jobscout_args_none(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    static ngx_http_jobscout_arg_spec_t  none[] = { { NULL, 0 } };

    return ngx_http_jobscout_args_parse(r, ctx, none, NULL);
}


/*
 * "%XX" and "+" (a space) decoded into a NUL-terminated copy; dst->data is
 * NULL when the encoding is broken.
 */

static ngx_int_t
ngx_http_jobscout_arg_decode(ngx_http_request_t *r, u_char *src, size_t len,
    ngx_str_t *dst)
{
    u_char     *d, *end, ch;
    ngx_int_t   hi, lo;

    d = ngx_pnalloc(r->pool, len + 1);
    if (d == NULL) {
        return NGX_ERROR;
    }

    dst->data = d;
    dst->len = 0;
    end = src + len;

    while (src < end) {
        ch = *src++;

        if (ch == '+') {
            ch = ' ';

        } else if (ch == '%') {
            if (end - src < 2) {
                dst->data = NULL;
                return NGX_OK;
            }

            hi = ngx_http_jobscout_hex(src[0]);
            lo = ngx_http_jobscout_hex(src[1]);

            if (hi < 0 || lo < 0) {
                dst->data = NULL;
                return NGX_OK;
            }

            ch = (u_char) (hi << 4 | lo);
            src += 2;
        }

        *d++ = ch;
    }

    dst->len = d - dst->data;
    *d = '\0';

    return NGX_OK;
}


/* the value of a hexadecimal digit, -1 for anything else */

static ngx_int_t
ngx_http_jobscout_hex(u_char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }

    if ((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')) {
        return (ch | 0x20) - 'a' + 10;
    }

    return -1;
}


/* valid UTF-8 without control characters (NUL included) */

ngx_int_t
ngx_http_jobscout_arg_text(ngx_str_t *value)
{
    u_char    *p, *end;
    uint32_t   ch;

    p = value->data;
    end = p + value->len;

    while (p < end) {

        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f) {
                return NGX_DECLINED;
            }

            p++;
            continue;
        }

        ch = ngx_utf8_decode(&p, end - p);

        if (ch > 0x10ffff || (ch >= 0x80 && ch < 0xa0)
            || (ch >= 0xd800 && ch <= 0xdfff))
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* an unknown name is echoed in the answer only when short and printable */

static ngx_uint_t
ngx_http_jobscout_arg_echo(ngx_str_t *name)
{
    ngx_uint_t  i;

    if (name->data == NULL || name->len == 0 || name->len > 64) {
        return 0;
    }

    for (i = 0; i < name->len; i++) {
        if (name->data[i] < 0x21 || name->data[i] > 0x7e) {
            return 0;
        }
    }

    return 1;
}


/* value: the one value of an argument; min..max characters */

ngx_int_t
ngx_http_jobscout_arg_length(ngx_http_jobscout_ctx_t *ctx, const char *name,
    ngx_str_t *value, size_t min, size_t max)
{
    size_t  n;

    n = ngx_utf8_length(value->data, value->len);

    if (n < min || n > max) {
        return ngx_http_jobscout_body_refuse(ctx, name, "has a wrong length");
    }

    return NGX_OK;
}


/* a decimal integer min..max, digits only */

/* "true" or "false", as a statement value ("t", "f"); NULL when absent */

ngx_int_t
ngx_http_jobscout_arg_flag(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_arg_t *arg, const char *name, const char **value)
{
    ngx_str_t  *v;

    *value = NULL;

    if (arg->n == 0) {
        return NGX_OK;
    }

    v = &arg->values[0];

    if (v->len == 4 && ngx_strncmp(v->data, "true", 4) == 0) {
        *value = "t";

    } else if (v->len == 5 && ngx_strncmp(v->data, "false", 5) == 0) {
        *value = "f";

    } else {
        return ngx_http_jobscout_body_refuse(ctx, name,
                                             "must be true or false");
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_arg_int(ngx_http_jobscout_ctx_t *ctx, const char *name,
    ngx_str_t *value, ngx_int_t min, ngx_int_t max, ngx_int_t *n)
{
    if (ngx_http_jobscout_arg_digits(value->data, value->len, n) != NGX_OK
        || *n < min || *n > max)
    {
        return ngx_http_jobscout_body_refuse(ctx, name,
                                             "is not an integer in range");
    }

    return NGX_OK;
}


/* "limit": how many rows a page holds, 1..max, dflt when not given */

ngx_int_t
ngx_http_jobscout_arg_limit(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_t *arg,
    ngx_int_t dflt, ngx_int_t max, ngx_int_t *limit)
{
    u_char  *message;

    if (arg->n == 0) {
        *limit = dflt;
        return NGX_OK;
    }

    if (ngx_http_jobscout_arg_digits(arg->values[0].data, arg->values[0].len,
                                     limit)
        == NGX_OK
        && *limit >= 1 && *limit <= max)
    {
        return NGX_OK;
    }

    message = ngx_pnalloc(r->pool, sizeof("must be an integer from 1 to ")
                                   + NGX_INT_T_LEN);
    if (message == NULL) {
        return ngx_http_jobscout_body_refuse(ctx, NULL, NULL);
    }

    ngx_sprintf(message, "must be an integer from 1 to %i%Z", max);

    return ngx_http_jobscout_body_refuse(ctx, "limit", (char *) message);
}


/* 1 to 18 digits: no sign, no space, never an overflow */

static ngx_int_t
ngx_http_jobscout_arg_digits(u_char *p, size_t n, ngx_int_t *value)
{
    int64_t  v;

    if (n == 0 || n > 18) {
        return NGX_DECLINED;
    }

    v = 0;

    while (n--) {
        if (*p < '0' || *p > '9') {
            return NGX_DECLINED;
        }

        v = v * 10 + (*p++ - '0');
    }

    *value = (ngx_int_t) v;

    return NGX_OK;
}


/* 8-4-4-4-12 hexadecimal digits */

ngx_int_t
ngx_http_jobscout_valid_uuid(ngx_str_t *s)
{
    u_char      ch;
    ngx_uint_t  i;

    if (s->len != 36) {
        return NGX_DECLINED;
    }

    for (i = 0; i < 36; i++) {
        ch = s->data[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (ch != '-') {
                return NGX_DECLINED;
            }

            continue;
        }

        if (ngx_http_jobscout_hex(ch) < 0) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * An instant, RFC 3339: "2026-11-20", midnight UTC, or
 * "2026-11-20T08:30:00[.123456](Z|+03:00|-01:00)", as microseconds since
 * the epoch.  A space stands for the "+" of an offset that was not
 * percent-encoded (a "+" in a query string means a space).
 */

ngx_int_t
ngx_http_jobscout_arg_time(ngx_http_jobscout_ctx_t *ctx, const char *name,
    ngx_str_t *value, int64_t *micros)
{
    u_char     *p, *end, *frac;
    int64_t     days, us, scale;
    ngx_int_t   y, mo, d, h, mi, s, oh, om, sign;

    p = value->data;
    end = p + value->len;
    h = mi = s = 0;
    us = 0;
    sign = 0;
    oh = om = 0;

    if (end - p < 10
        || ngx_http_jobscout_arg_digits(p, 4, &y) != NGX_OK || p[4] != '-'
        || ngx_http_jobscout_arg_digits(p + 5, 2, &mo) != NGX_OK
        || p[7] != '-'
        || ngx_http_jobscout_arg_digits(p + 8, 2, &d) != NGX_OK
        || y < 1970
        || ngx_http_jobscout_days(y, mo, d, &days) != NGX_OK)
    {
        goto invalid;
    }

    p += 10;

    if (p < end) {

        if (end - p < 10 || (*p != 'T' && *p != 't')
            || ngx_http_jobscout_arg_digits(p + 1, 2, &h) != NGX_OK
            || p[3] != ':'
            || ngx_http_jobscout_arg_digits(p + 4, 2, &mi) != NGX_OK
            || p[6] != ':'
            || ngx_http_jobscout_arg_digits(p + 7, 2, &s) != NGX_OK
            || h > 23 || mi > 59 || s > 59)
        {
            goto invalid;
        }

        p += 9;

        if (p < end && *p == '.') {
            frac = ++p;

            /* up to nanoseconds, kept to the microsecond */

            for (scale = 100000; p < end && *p >= '0' && *p <= '9'; p++) {
                us += (*p - '0') * scale;
                scale /= 10;
            }

            if (p == frac || p - frac > 9) {
                goto invalid;
            }
        }

        if (p < end && (*p == 'Z' || *p == 'z') && p + 1 == end) {
            p++;

        } else if (end - p == 6 && (*p == '+' || *p == ' ' || *p == '-')
                   && ngx_http_jobscout_arg_digits(p + 1, 2, &oh) == NGX_OK
                   && p[3] == ':'
                   && ngx_http_jobscout_arg_digits(p + 4, 2, &om) == NGX_OK
                   && oh <= 23 && om <= 59)
        {
            sign = (*p == '-') ? -1 : 1;
            p += 6;

        } else {
            goto invalid;
        }
    }

    if (p != end) {
        goto invalid;
    }

    *micros = (((days * 24 + h) * 60 + mi) * 60 + s
               - sign * (oh * 3600 + om * 60)) * 1000000 + us;

    return NGX_OK;

invalid:

    return ngx_http_jobscout_body_refuse(ctx, name,
                   "is not a date (2026-11-20) or an RFC 3339 date-time "
                   "(2026-11-20T08:30:00Z)");
}


/* days since 1970-01-01 of a valid Gregorian date (H. Hinnant) */

static ngx_int_t
ngx_http_jobscout_days(ngx_int_t y, ngx_int_t m, ngx_int_t d, int64_t *days)
{
    int64_t     era, yoe, doy, doe;
    ngx_int_t   mdays;

    static ngx_int_t  month_days[] = { 31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31 };

    if (m < 1 || m > 12 || d < 1) {
        return NGX_DECLINED;
    }

    mdays = month_days[m - 1];

    if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
        mdays = 29;
    }

    if (d > mdays) {
        return NGX_DECLINED;
    }

    y -= (m <= 2);
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    *days = era * 146097 + doe - 719468;

    return NGX_OK;
}


/*
 * A cursor of n fields: "[key|...]micros|uuid".  fields[] receives them,
 * NUL-terminated; the last two are checked here, any leading ones are the
 * caller's to check.  Anything but a cursor this server made is a 422.
 */

ngx_int_t
ngx_http_jobscout_cursor_decode(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_str_t *cursor, ngx_str_t *fields,
    ngx_uint_t n)
{
    u_char      *p, *end, *bar;
    ngx_int_t    micros;
    ngx_str_t    raw, again;
    ngx_uint_t   i;

    if (cursor->len == 0 || cursor->len > NGX_HTTP_JOBSCOUT_CURSOR_MAX) {
        goto invalid;
    }

    raw.data = ngx_pnalloc(r->pool, ngx_base64_decoded_length(cursor->len)
                                    + 1);
    again.data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(cursor->len));
    if (raw.data == NULL || again.data == NULL) {
        return NGX_ERROR;
    }

    /* the decoder ignores stray bits: only the canonical form is ours */

    if (ngx_decode_base64url(&raw, cursor) != NGX_OK) {
        goto invalid;
    }

    ngx_encode_base64url(&again, &raw);

    if (again.len != cursor->len
        || ngx_strncmp(again.data, cursor->data, cursor->len) != 0)
    {
        goto invalid;
    }

    p = raw.data;
    end = p + raw.len;

    for (i = 0; i < raw.len; i++) {
        if (p[i] < 0x21 || p[i] > 0x7e) {
            goto invalid;
        }
    }

    for (i = 0; i < n; i++) {
        bar = ngx_strlchr(p, end, '|');

        if ((bar == NULL) != (i == n - 1)) {
            goto invalid;
        }

        if (bar == NULL) {
            bar = end;
        }

        if (bar == p) {
            goto invalid;
        }

        /* each field NUL-terminated in place: '|' or the spare byte */
        fields[i].data = p;
        fields[i].len = bar - p;
        *bar = '\0';

        p = bar + 1;
    }

    /* the keyset time: signed microseconds */

    p = fields[n - 2].data;
    i = (p[0] == '-');

    if (ngx_http_jobscout_arg_digits(p + i, fields[n - 2].len - i, &micros)
        != NGX_OK
        || ngx_http_jobscout_valid_uuid(&fields[n - 1]) != NGX_OK)
    {
        goto invalid;
    }

    return NGX_OK;

invalid:

    return ngx_http_jobscout_body_refuse(ctx, "cursor",
                                         "is not a valid cursor");
}


/*
 * Sends a page: res has one row of two columns, the JSON array of the
 * page's items and the key of its last row when more rows follow (NULL
 * otherwise).  The answer is {"items":[...],"next_cursor":"..."|null}.
 */

ngx_int_t
ngx_http_jobscout_send_page(ngx_http_request_t *r, PGresult *res)
{
    return ngx_http_jobscout_send_page_at(r, res, 0);
}


/* the same, the items in column col and the key in the next */

ngx_int_t
ngx_http_jobscout_send_page_at(ngx_http_request_t *r, PGresult *res, int col)
{
    ngx_str_t  body;

    if (ngx_http_jobscout_page_body(r, res, col, &body) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_send_json(r, NGX_HTTP_OK, body.data, body.len);
}


ngx_int_t
ngx_http_jobscout_page_body(ngx_http_request_t *r, PGresult *res, int col,
    ngx_str_t *body)
{
    u_char     *p;
    size_t      len;
    ngx_str_t   items, key, cursor;

    items.data = (u_char *) PQgetvalue(res, 0, col);
    items.len = PQgetlength(res, 0, col);

    cursor.len = 0;

    if (!PQgetisnull(res, 0, col + 1)) {
        key.data = (u_char *) PQgetvalue(res, 0, col + 1);
        key.len = PQgetlength(res, 0, col + 1);

        cursor.data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(key.len));
        if (cursor.data == NULL) {
            return NGX_ERROR;
        }

        ngx_encode_base64url(&cursor, &key);
    }

    len = sizeof("{\"items\":,\"next_cursor\":\"\"}") - 1 + items.len
          + (cursor.len ? cursor.len : sizeof("null") - 1);

    body->data = ngx_pnalloc(r->pool, len);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    /* base64url needs no escaping */

    p = ngx_sprintf(body->data, "{\"items\":%V,\"next_cursor\":", &items);

    if (cursor.len) {
        p = ngx_sprintf(p, "\"%V\"}", &cursor);

    } else {
        p = ngx_sprintf(p, "null}");
    }

    body->len = p - body->data;

    return NGX_OK;
}
