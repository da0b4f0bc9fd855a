#include <stddef.h>

#include "roles.h"

const js_role_t  js_roles[] = {
    { "cv",        js_cv_run },
    { "heartbeat", js_heartbeat_run },
    { "mailer",    js_mailer_run },
    { "notifier",  js_notifier_run },
    { "relay",     js_relay_run },
    { "scheduler", js_scheduler_run },
    { "scraper",   js_scraper_run },
    { "sentry",    js_sentry_run },
    { NULL, NULL }
};
