#include <stddef.h>

#include "roles.h"

const js_role_t  js_roles[] = {
    { "heartbeat", js_heartbeat_run },
    /* scheduler, scraper, notifier, mailer: issue 5 and later. */
    { NULL, NULL }
};
