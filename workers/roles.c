#include <stddef.h>

#include "roles.h"

const js_role_t  js_roles[] = {
    { "heartbeat", js_heartbeat_run },
    { "mailer",    js_mailer_run },
    { "notifier",  js_notifier_run },
    /* scheduler, scraper: issue 5 and later. */
    { NULL, NULL }
};
