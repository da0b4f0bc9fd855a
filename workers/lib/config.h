/*
 * conf/jobscoutd.conf: nginx-like, one directive per line.
 *
 *   pid var/run/jobscoutd.pid;
 *   error_log var/log/jobscoutd.log info;
 *   log_format kv;
 *   postgres "host=127.0.0.1 port=55432 dbname=jobscout user=postgres";
 *   redis 127.0.0.1:56379;
 *   workers heartbeat 1;
 *   shutdown_timeout 10s;
 *
 * and for "workers mailer N;" (smtp_url, smtp_from and public_base_url
 * are then required):
 *
 *   smtp_url smtp://127.0.0.1:2525;      smtp:// or smtps://
 *   smtp_from "Job Scout <no-reply@jobscout.dev>";
 *   smtp_starttls off;                   off | try | on (required)
 *   smtp_user alice; smtp_password s3cret;        optional
 *   smtp_tls_verify on;
 *   smtp_connect_timeout 10s; smtp_timeout 30s;
 *   public_base_url http://127.0.0.1:8080;
 *   mail_max_attempts 5;                 tries before the dead letters
 *   mail_backoff 5s 15m;                 first retry delay, the cap
 *
 * and for "workers notifier N;" (all optional; without a service
 * account the notifier sends no pushes, only e-mails):
 *
 *   fcm_service_account conf/firebase.json;   the service-account JSON
 *   fcm_base_url https://fcm.googleapis.com;
 *   fcm_ca_file /etc/ssl/private-ca.pem;  CAs to trust instead of the system's
 *   fcm_max_in_flight 100;               messages sent at once
 *   fcm_timeout 10s;                     per request (token requests too)
 *   fcm_max_attempts 5;                  tries before a push fails
 *   fcm_backoff 1s 5m;                   first retry delay, the cap
 *   push_claim_timeout 60s;              a claimed push's lease
 *   digest_interval 60s;                 how often due e-mails are sought
 *
 * and for "workers scraper N;" (all optional, defaults shown):
 *
 *   scrape_contact_url https://jobscout.dev/bot;   in the User-Agent
 *   scrape_connect_timeout 10s; scrape_timeout 30s;
 *   scrape_max_redirects 5; scrape_max_body 10m;
 *   scrape_concurrency 16;               sources in flight per process
 *   scrape_expire_after 3;               missed successful runs
 *   scrape_host_delay 6s;                between requests to one host
 *   scrape_host_budget boards-api.greenhouse.io 120/m;
 *                                        none by default; N/m or N/s, at
 *                                        most 6000/m, once per host[:port]
 *                                        (lowercased): the requests to it
 *                                        of all scrapers, instead of the
 *                                        delay (a public API of many boards)
 *   scrape_robots_ttl 24h;
 *   scrape_max_details 50;               detail calls per run at most
 *                                        (0 to 1000; adapter.h), a
 *                                        source's "max_details" lowers it
 *   adzuna_app_id ...; adzuna_app_key ...; adzuna_base_url ...;
 *
 * and for "workers scheduler 1;":
 *
 *   scrape_poll_high 15s 45s;            floor, ceiling (7 days at most)
 *   scrape_poll_normal 1m 4m;            of a source's next check, estimated
 *                                        from how often its polls found a
 *                                        change (lib/polling.h); the
 *                                        scrapers set it after each run
 *   scrape_jitter 10s;                   random delay of a never-polled
 *                                        source's first run
 *   scheduler_interval 1s;               between passes
 *
 * and for "workers cv N;" (all optional, defaults shown):
 *
 *   cv_storage cv;                       the CV files' directory (the
 *                                        module's jobscout_cv_storage)
 *   cv_time_limit 10s;                   per document, CPU and wall clock
 *   cv_memory_limit 256m;                per document (address space)
 *   cv_max_attempts 3;                   a document that kills its
 *                                        process this often is given up
 *   cv_s3_endpoint http://127.0.0.1:9000;   an S3-compatible store: the
 *   cv_s3_bucket cvs; cv_s3_region eu-west-1;    files move there from
 *   cv_s3_access_key AK; cv_s3_secret_key SK;    cv_storage (SigV4);
 *                                        without an endpoint they stay
 *
 * and, to serve Prometheus metrics from the master (off when not set):
 *
 *   metrics_listen 127.0.0.1:9513;      a numeric address: keep it on
 *                                        loopback (no authentication);
 *                                        read at start, not on reload
 *
 * and for "workers relay 1;":
 *
 *   relay_lease 5m;                      an outbox task not done after
 *                                        this is relayed again (the
 *                                        lease doubles with each relay)
 *
 * and for error tracking (lib/sentry.h; "workers sentry 1;" is implied):
 *
 *   sentry_dsn https://KEY@sentry.example.com/42;   none by default: no
 *                                        report is sent anywhere
 *   sentry_listen 127.0.0.1:9514;        required with a DSN: the loopback
 *                                        UDP port reports are sent to (by
 *                                        nginx's jobscout_error_report too)
 *   sentry_environment production;
 *   sentry_release jobscout@0.1.0;       the build's version by default
 *
 * Relative paths are resolved against the prefix (-p), as nginx does.
 */

#ifndef JS_CONFIG_H
#define JS_CONFIG_H

#include <stddef.h>

#define JS_CONF_MAX_ROLES         16
#define JS_CONF_MAX_WORKERS       64
#define JS_CONF_MAX_HOST_BUDGETS  64

enum {
    JS_SMTP_STARTTLS_OFF = 0,
    JS_SMTP_STARTTLS_TRY,
    JS_SMTP_STARTTLS_ON
};

typedef struct {
    char  *role;
    int    count;
    int    line;
} js_conf_workers_t;

typedef struct {
    char  *host;         /* lowercase, with ":port" when one was given */
    int    per_minute;   /* 1..6000 */
    int    gap_ms;       /* 60000 / per_minute, rounded up */
    int    line;
} js_conf_host_budget_t;

typedef struct {
    char               *file;        /* absolute */
    char               *prefix;      /* absolute, with a trailing '/' */

    char               *pid;         /* absolute */
    char               *error_log;   /* absolute; NULL means stderr */
    int                 log_level;
    int                 log_format;

    char               *postgres;    /* libpq conninfo */

    char               *redis_host;  /* NULL when redis_path is used */
    int                 redis_port;
    char               *redis_path;  /* unix socket */

    char               *metrics_host;  /* numeric; NULL: no metrics */
    int                 metrics_port;

    int                 shutdown_timeout;  /* ms */

    char               *smtp_url;
    char               *smtp_from;       /* header: "Name <addr>" */
    char               *smtp_from_addr;  /* envelope: addr */
    int                 smtp_starttls;
    char               *smtp_user;
    char               *smtp_password;
    int                 smtp_tls_verify;
    int                 smtp_connect_timeout;  /* ms */
    int                 smtp_timeout;          /* ms */
    char               *public_base_url;       /* no trailing '/' */
    int                 mail_max_attempts;
    /* mail_link_key_file: signs job mails' unsubscribe links */
    unsigned char       mail_link_key[32];
    int                 mail_link_key_set;
    int                 mail_backoff_min;      /* ms */
    int                 mail_backoff_max;      /* ms */

    char               *fcm_service_account;   /* absolute; NULL: no push */
    char               *fcm_base_url;          /* no trailing '/' */
    char               *fcm_ca_file;           /* absolute; NULL: system */
    int                 fcm_max_in_flight;
    int                 fcm_timeout;           /* ms */
    int                 fcm_max_attempts;
    int                 fcm_backoff_min;       /* ms */
    int                 fcm_backoff_max;       /* ms */
    int                 push_claim_timeout;    /* ms */
    int                 digest_interval;       /* ms */
    int                 relay_lease;           /* ms */
    /* the cv role */
    char               *cv_storage;            /* absolute */
    int                 cv_time_limit;         /* ms */
    size_t              cv_memory_limit;       /* bytes */
    int                 cv_max_attempts;
    char               *cv_s3_endpoint;        /* no trailing '/' */
    char               *cv_s3_bucket;
    char               *cv_s3_region;
    char               *cv_s3_access_key;
    char               *cv_s3_secret_key;
    /* the scraper: User-Agent "JobScout/1.0 (+scrape_contact_url)" */
    char               *scrape_contact_url;
    int                 scrape_connect_timeout;  /* ms */
    int                 scrape_timeout;          /* ms, a whole fetch */
    int                 scrape_max_redirects;
    size_t              scrape_max_body;         /* bytes, decoded */
    int                 scrape_concurrency;      /* runs per process */
    int                 scrape_expire_after;     /* missed runs */
    int                 scrape_host_delay;       /* ms between requests */
    js_conf_host_budget_t  host_budgets[JS_CONF_MAX_HOST_BUDGETS];
    int                 nhost_budgets;
    int                 scrape_robots_ttl;       /* ms */
    int                 scrape_max_details;      /* detail calls a run */
    char               *adzuna_app_id;
    char               *adzuna_app_key;
    char               *adzuna_base_url;

    /* the scheduler */
    int                 scrape_jitter;           /* ms, at most */
    int                 scrape_poll_high_min;    /* ms */
    int                 scrape_poll_high_max;    /* ms */
    int                 scrape_poll_normal_min;  /* ms */
    int                 scrape_poll_normal_max;  /* ms */
    int                 scheduler_interval;      /* ms between passes */

    /* error tracking: sentry_dsn NULL when off */
    char               *sentry_dsn;
    char               *sentry_listen;
    char               *sentry_environment;
    char               *sentry_release;

    js_conf_workers_t   workers[JS_CONF_MAX_ROLES];
    int                 nworkers;
} js_conf_t;

/*
 * Parses file into cf (zeroed by the call).  Relative file and paths
 * are taken relative to prefix; prefix NULL means the current directory.
 * roles is the NULL-terminated list of role names the binary knows.
 *
 * Returns 0, or -1 with err set to e.g.
 *   unknown directive "foo" in /etc/jobscoutd.conf:3
 * cf then holds nothing to free, but js_conf_free() is harmless.
 */
int js_conf_load(js_conf_t *cf, const char *file, const char *prefix,
    const char *const *roles, char *err, size_t errlen);

void js_conf_free(js_conf_t *cf);

/* The scrape_host_budget of host ("name" or "name:port", lowercase). */
const js_conf_host_budget_t *js_conf_host_budget(const js_conf_t *cf,
    const char *host);

/* Durations as in nginx: "500ms", "10s", "2m", "1h"; bare = seconds. */
int js_conf_parse_msec(const char *s, int *ms);

#endif
