/*
 * Keyset cursors (ngx_module, ngx_http_jobscout_cursor_decode): the input
 * is the cursor as a client sends it back, the first byte choosing how
 * many fields it must hold (2 to 4).  A cursor taken must be the one this
 * server would have made of its fields: its base64url is canonical, its
 * fields joined by '|' encode to the input again, and its last two are a
 * time and a UUID.
 */

#include "ngx_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char              *p;
    ngx_str_t            cursor, fields[4], raw, again;
    ngx_uint_t           n, i;
    ngx_fuzz_request_t   fr;

    if (size == 0) {
        return 0;
    }

    n = 2 + data[0] % 3;

    ngx_fuzz_request_init(&fr, NULL);

    cursor.len = size - 1;
    cursor.data = ngx_pnalloc(fr.r.pool, cursor.len);
    ngx_memcpy(cursor.data, data + 1, cursor.len);

    if (ngx_fuzz_checked(&fr.ctx, ngx_http_jobscout_cursor_decode(&fr.r,
                                                 &fr.ctx, &cursor, fields, n))
        == NGX_OK)
    {
        raw.data = ngx_pnalloc(fr.r.pool, cursor.len + 1);
        p = raw.data;

        for (i = 0; i < n; i++) {
            if (fields[i].len == 0 || fields[i].data[fields[i].len] != '\0'
                || ngx_strlchr(fields[i].data,
                               fields[i].data + fields[i].len, '|'))
            {
                abort();
            }

            if (i) {
                *p++ = '|';
            }

            p = ngx_cpymem(p, fields[i].data, fields[i].len);
        }

        raw.len = p - raw.data;

        again.data = ngx_pnalloc(fr.r.pool,
                                 ngx_base64_encoded_length(raw.len));
        ngx_encode_base64url(&again, &raw);

        if (again.len != cursor.len
            || ngx_memcmp(again.data, cursor.data, cursor.len) != 0
            || ngx_http_jobscout_valid_uuid(&fields[n - 1]) != NGX_OK)
        {
            abort();
        }
    }

    ngx_fuzz_request_free(&fr);
    return 0;
}
