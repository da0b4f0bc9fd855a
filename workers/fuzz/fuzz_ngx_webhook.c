/*
 * Webhook signatures (ngx_module, ngx_http_jobscout_webhook_signature):
 * the input is an X-JobScout-Signature value.  A value taken has its
 * time and one to four v1 signatures of 64 characters, inside the value.
 */

#include "ngx_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    time_t       t;
    ngx_str_t    value, v1[4];
    ngx_uint_t   nv1, i;

    value.len = size;
    value.data = malloc(size ? size : 1);
    if (value.data == NULL) {
        abort();
    }

    ngx_memcpy(value.data, data, size);

    if (ngx_http_jobscout_webhook_signature(&value, &t, v1, 4, &nv1)
        == NGX_OK)
    {
        if (nv1 == 0 || nv1 > 4 || t < 0) {
            abort();
        }

        for (i = 0; i < nv1; i++) {
            if (v1[i].len != 64 || v1[i].data < value.data
                || v1[i].data + 64 > value.data + value.len)
            {
                abort();
            }
        }
    }

    free(value.data);
    return 0;
}
