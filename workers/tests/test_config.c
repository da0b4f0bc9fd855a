/*
 * Unit tests for lib/config.c: a valid file, every error with its
 * file:line, and path resolution against the prefix.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "tap.h"

static const char  *roles[] = { "heartbeat", "scraper", NULL };
static char         dir[] = "/tmp/js_test_config.XXXXXX";
static char         file[512];

static void
write_conf(const char *text)
{
    FILE  *f = fopen(file, "w");

    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        printf("Bail out! cannot write %s\n", file);
        exit(255);
    }
}

static const char  valid[] =
    "# jobscoutd test configuration\n"
    "\n"
    "pid var/run/jobscoutd.pid;\n"
    "error_log var/log/jobscoutd.log debug;   # trailing comment\n"
    "log_format json;\n"
    "postgres \"host=127.0.0.1 port=55432 dbname=jobscout user=postgres\";\n"
    "redis 127.0.0.1:56379;\n"
    "workers heartbeat 1;\n"
    "\tworkers   scraper   4 ;\n"
    "shutdown_timeout 1500ms;\n";

static void
test_valid(void)
{
    char       err[1024] = "", expect[600];
    js_conf_t  cf;

    write_conf(valid);

    is_int(js_conf_load(&cf, file, "/srv/js", roles, err, sizeof(err)), 0,
           "valid file loads");
    is_str(err, "", "no error");
    is_str(cf.prefix, "/srv/js/", "prefix gets a trailing slash");
    is_str(cf.file, file, "absolute conf path kept");
    is_str(cf.pid, "/srv/js/var/run/jobscoutd.pid", "pid relative to prefix");
    is_str(cf.error_log, "/srv/js/var/log/jobscoutd.log",
           "error_log relative to prefix");
    is_int(cf.log_level, JS_LOG_DEBUG, "log level");
    is_int(cf.log_format, JS_LOG_FORMAT_JSON, "log format");
    is_str(cf.postgres,
           "host=127.0.0.1 port=55432 dbname=jobscout user=postgres",
           "quoted conninfo");
    is_str(cf.redis_host, "127.0.0.1", "redis host");
    is_int(cf.redis_port, 56379, "redis port");
    ok(cf.redis_path == NULL, "no redis socket");
    is_int(cf.nworkers, 2, "two roles");
    is_str(cf.workers[0].role, "heartbeat", "first role");
    is_int(cf.workers[0].count, 1, "heartbeat count");
    is_int(cf.workers[0].line, 8, "heartbeat line");
    is_str(cf.workers[1].role, "scraper", "second role");
    is_int(cf.workers[1].count, 4, "scraper count");
    is_int(cf.shutdown_timeout, 1500, "shutdown_timeout in ms");
    js_conf_free(&cf);

    /* Conf file relative to the prefix, like nginx -p/-c. */
    snprintf(expect, sizeof(expect), "%s/js.conf", dir);
    is_int(js_conf_load(&cf, "js.conf", dir, roles, err, sizeof(err)), 0,
           "relative conf file found under the prefix");
    is_str(cf.file, expect, "conf file resolved against the prefix");
    js_conf_free(&cf);
}

static void
test_defaults_and_paths(void)
{
    char       err[1024] = "", cwd[512], expect[600];
    js_conf_t  cf;

    write_conf("postgres dbname=x;\n"
               "redis unix:var/run/redis.sock;\n"
               "workers heartbeat 2;\n"
               "error_log stderr warn;\n");

    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        printf("Bail out! getcwd\n");
        exit(255);
    }

    is_int(js_conf_load(&cf, file, NULL, roles, err, sizeof(err)), 0,
           "minimal file loads");
    snprintf(expect, sizeof(expect), "%s/", cwd);
    is_str(cf.prefix, expect, "prefix defaults to the cwd");
    snprintf(expect, sizeof(expect), "%s/var/run/jobscoutd.pid", cwd);
    is_str(cf.pid, expect, "default pid under the prefix");
    ok(cf.error_log == NULL, "error_log stderr");
    is_int(cf.log_level, JS_LOG_WARN, "stderr with a level");
    is_int(cf.log_format, JS_LOG_FORMAT_KV, "default log format");
    snprintf(expect, sizeof(expect), "%s/var/run/redis.sock", cwd);
    is_str(cf.redis_path, expect, "unix socket relative to the prefix");
    ok(cf.redis_host == NULL, "no redis host");
    ok(cf.metrics_host == NULL, "no metrics_listen: no metrics");
    is_int(cf.shutdown_timeout, 10000, "default shutdown_timeout");
    js_conf_free(&cf);

    /* A relative -p is made absolute against the cwd. */
    is_int(js_conf_load(&cf, file, "rel/dir", roles, err, sizeof(err)), 0,
           "relative prefix");
    snprintf(expect, sizeof(expect), "%s/rel/dir/", cwd);
    is_str(cf.prefix, expect, "relative prefix made absolute");
    js_conf_free(&cf);

    write_conf("postgres x; redis [::1]:6380; workers heartbeat 1;\n"
               "pid /run/js.pid; shutdown_timeout 2m;\n"
               "metrics_listen [::1]:9513;\n");
    is_int(js_conf_load(&cf, file, "/p", roles, err, sizeof(err)), 0,
           "several directives on a line, IPv6 redis");
    is_str(cf.redis_host, "::1", "IPv6 host without brackets");
    is_int(cf.redis_port, 6380, "IPv6 port");
    is_str(cf.metrics_host, "::1", "metrics_listen: IPv6 host");
    is_int(cf.metrics_port, 9513, "metrics_listen: port");
    is_str(cf.pid, "/run/js.pid", "absolute pid kept");
    is_int(cf.shutdown_timeout, 120000, "minutes");
    js_conf_free(&cf);
}

/* Every error: the text, the message it must contain and its line. */
static const struct {
    const char  *conf;
    const char  *error;
    int          line;
} errors[] = {
    { "postgres x;\nfoo bar;\n",
      "unknown directive \"foo\"", 2 },
    { "postgres x;\nredis 127.0.0.1:6379\nworkers heartbeat 1;\n",
      "directive \"redis\" is not terminated by \";\"", 2 },
    { "postgres x;\nredis 127.0.0.1:6379;\nworkers heartbeat 1",
      "unexpected end of file, expecting \";\" after \"workers\"", 3 },
    { "postgres x;\n\n  workers heartbeat abc;\n",
      "invalid number \"abc\" in \"workers\" directive", 3 },
    { "workers heartbeat 0;\n",
      "invalid number \"0\" in \"workers\" directive, must be 1..64", 1 },
    { "workers heartbeat 65;\n",
      "invalid number \"65\"", 1 },
    { "workers heartbeat -1;\n",
      "invalid number \"-1\"", 1 },
    { "# c\nworkers mailman 1;\n",
      "unknown role \"mailman\" in \"workers\" directive", 2 },
    { "workers heartbeat 1;\nworkers scraper 1;\nworkers heartbeat 2;\n",
      "\"workers heartbeat\" is duplicate (first set at line 1)", 3 },
    { "pid a.pid;\n\npid b.pid;\n",
      "\"pid\" directive is duplicate", 3 },
    { "redis 127.0.0.1:1;\nredis 127.0.0.1:2;\n",
      "\"redis\" directive is duplicate", 2 },
    { "metrics_listen localhost:9513;\n",
      "invalid value \"localhost:9513\" in \"metrics_listen\" directive", 1 },
    { "metrics_listen 127.0.0.1;\n",
      "invalid value \"127.0.0.1\" in \"metrics_listen\"", 1 },
    { "metrics_listen 127.0.0.1:0;\n",
      "invalid value \"127.0.0.1:0\" in \"metrics_listen\"", 1 },
    { "metrics_listen 127.0.0.1:9x;\n",
      "invalid value \"127.0.0.1:9x\" in \"metrics_listen\"", 1 },
    { "metrics_listen [11111111111111111111111111"
      "11111111111111111111111111]:1;\n",
      "in \"metrics_listen\" directive, expecting address:port", 1 },
    { "shutdown_timeout 10x;\n",
      "invalid value \"10x\" in \"shutdown_timeout\" directive", 1 },
    { "shutdown_timeout 99999999999;\n",
      "invalid value \"99999999999\"", 1 },
    { "error_log x.log loud;\n",
      "invalid log level \"loud\"", 1 },
    { "log_format xml;\n",
      "invalid log format \"xml\"", 1 },
    { "redis localhost;\n",
      "invalid redis address \"localhost\"", 1 },
    { "redis localhost:http;\n",
      "invalid port \"http\" in redis address", 1 },
    { "redis localhost:70000;\n",
      "invalid port \"70000\"", 1 },
    { "redis [::1]6379;\n",
      "invalid redis address \"[::1]6379\"", 1 },
    { "pid;\n",
      "invalid number of arguments in \"pid\" directive", 1 },
    { "workers heartbeat;\n",
      "invalid number of arguments in \"workers\" directive", 1 },
    { "error_log a b c;\n",
      "invalid number of arguments in \"error_log\" directive", 1 },
    { "postgres \"host=x;\n",
      "unterminated string", 1 },
    { "postgres \"a\"b;\n",
      "unexpected \"b\" after quoted string", 1 },
    { "\n;\n",
      "unexpected \";\"", 2 },
    { "events {\n",
      "unexpected \"{\"", 1 },
    { "postgres \"\";\n",
      "empty \"postgres\" conninfo", 1 },

    /* Each generic setter's errors, through one of its directives. */
    { "scrape_jitter 5x;\n",
      "invalid value \"5x\" in \"scrape_jitter\" directive in ", 1 },
    { "smtp_timeout 0;\n",
      "invalid value \"0\" in \"smtp_timeout\" directive, must be at "
      "least 1ms", 1 },
    { "\nscrape_poll_normal 5m 169h;\n",
      "invalid value \"169h\" in \"scrape_poll_normal\" directive, must be "
      "at most 168h", 2 },
    { "fcm_backoff 5m 1s;\n",
      "\"fcm_backoff\" maximum \"1s\" is less than its minimum \"5m\"", 1 },
    { "scrape_max_redirects 21;\n",
      "invalid value \"21\" in \"scrape_max_redirects\" directive, must be "
      "0..20", 1 },
    { "fcm_max_attempts 3x;\n",
      "invalid value \"3x\" in \"fcm_max_attempts\" directive, must be "
      "1..100", 1 },
    { "scrape_max_body 1023;\n",
      "invalid value \"1023\" in \"scrape_max_body\" directive, must be "
      "1024..268435456", 1 },
    { "scrape_max_body 257m;\n",
      "invalid value \"257m\" in \"scrape_max_body\"", 1 },
    { "scrape_max_body 1g;\n",
      "invalid value \"1g\" in \"scrape_max_body\"", 1 },
    { "log_format xml;\n",
      "invalid log format \"xml\" in \"log_format\" directive, expecting "
      "\"kv\" or \"json\"", 1 },
    { "smtp_starttls yes;\n",
      "invalid value \"yes\" in \"smtp_starttls\" directive, expecting "
      "\"off\", \"try\" or \"on\"", 1 },
    { "smtp_tls_verify 1;\n",
      "invalid value \"1\" in \"smtp_tls_verify\" directive, expecting "
      "\"on\" or \"off\"", 1 },
    { "adzuna_app_id \"\";\n",
      "empty \"adzuna_app_id\"", 1 },
    { "adzuna_app_key \"a\\tb\";\n",
      "control character in \"adzuna_app_key\" directive", 1 },
    { "pid \"\";\n",
      "empty \"pid\"", 1 },
    { "fcm_ca_file /nonexistent/ca.pem;\n",
      "\"fcm_ca_file\" \"/nonexistent/ca.pem\" cannot be read (2: ", 1 },
    { "scrape_contact_url \"https://x.io/(bot)\";\n",
      "invalid value \"https://x.io/(bot)\" in \"scrape_contact_url\" "
      "directive, expecting http[s]://host[:port][/path]", 1 },
    { "adzuna_base_url https://;\n",
      "invalid value \"https://\" in \"adzuna_base_url\"", 1 },
    { "fcm_base_url \"https://x.io/?a=1\";\n",
      "invalid value \"https://x.io/?a=1\" in \"fcm_base_url\"", 1 },

    /* scrape_poll_high and scrape_poll_normal: floor, ceiling */
    { "scrape_poll_normal 2h 5m;\n",
      "\"scrape_poll_normal\" ceiling \"5m\" is less than its floor "
      "\"2h\"", 1 },
    { "scrape_poll_high 0 30m;\n",
      "invalid value \"0\" in \"scrape_poll_high\" directive, must be at "
      "least 1ms", 1 },
    { "scrape_poll_high 60x 30m;\n",
      "invalid value \"60x\" in \"scrape_poll_high\" directive in ", 1 },
    { "scrape_poll_high 60s;\n",
      "invalid number of arguments in \"scrape_poll_high\" directive", 1 },
    { "scrape_poll_high 1m 2m;\nscrape_poll_high 1m 2m;\n",
      "\"scrape_poll_high\" directive is duplicate", 2 },

    /* scrape_host_budget */
    { "scrape_host_budget a.io 5/h;\n",
      "invalid rate \"5/h\" in \"scrape_host_budget\" directive, expecting "
      "N/m or N/s", 1 },
    { "scrape_host_budget a.io 120;\n",
      "invalid rate \"120\" in \"scrape_host_budget\"", 1 },
    { "scrape_host_budget a.io 1.5/s;\n",
      "invalid rate \"1.5/s\"", 1 },
    { "scrape_host_budget a.io 0/m;\n",
      "invalid rate \"0/m\" in \"scrape_host_budget\" directive, must be "
      "1/m..6000/m (100/s)", 1 },
    { "scrape_host_budget a.io 7000/m;\n",
      "invalid rate \"7000/m\" in \"scrape_host_budget\" directive, must "
      "be 1/m..6000/m", 1 },
    { "scrape_host_budget a.io 101/s;\n",
      "invalid rate \"101/s\"", 1 },
    { "scrape_host_budget bad_host.io 1/m;\n",
      "invalid host \"bad_host.io\" in \"scrape_host_budget\" directive, "
      "expecting a DNS name or an IPv4 address, with an optional :port", 1 },
    { "scrape_host_budget https://a.io 1/m;\n",
      "invalid host \"https://a.io\"", 1 },
    { "scrape_host_budget -a.io 1/m;\n",
      "invalid host \"-a.io\"", 1 },
    { "scrape_host_budget a-.io 1/m;\n",
      "invalid host \"a-.io\"", 1 },
    { "scrape_host_budget a..io 1/m;\n",
      "invalid host \"a..io\"", 1 },
    { "scrape_host_budget .a.io 1/m;\n",
      "invalid host \".a.io\"", 1 },
    { "scrape_host_budget a.io. 1/m;\n",
      "invalid host \"a.io.\"", 1 },
    { "scrape_host_budget a.io: 1/m;\n",
      "invalid host \"a.io:\"", 1 },
    { "scrape_host_budget a.io:0 1/m;\n",
      "invalid host \"a.io:0\"", 1 },
    { "scrape_host_budget a.io:65536 1/m;\n",
      "invalid host \"a.io:65536\"", 1 },
    { "scrape_host_budget a.io:80:80 1/m;\n",
      "invalid host \"a.io:80:80\"", 1 },
    { "scrape_host_budget :80 1/m;\n",
      "invalid host \":80\"", 1 },
    { "scrape_host_budget 1.2.3 1/m;\n",
      "invalid host \"1.2.3\"", 1 },
    { "scrape_host_budget 10.0.0.256 1/m;\n",
      "invalid host \"10.0.0.256\"", 1 },
    { "scrape_host_budget 10.0.0.01 1/m;\n",
      "invalid host \"10.0.0.01\"", 1 },
    { "scrape_host_budget [::1]:80 1/m;\n",
      "invalid host \"[::1]:80\"", 1 },
    { "scrape_host_budget "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.io "
      "1/m;\n",
      "invalid host \"aaaa", 1 },
    { "scrape_host_budget a.io 1/m;\n\nscrape_host_budget A.Io 2/m;\n",
      "\"scrape_host_budget a.io\" is duplicate (first set at line 1)", 3 },
    { "scrape_host_budget a.io;\n",
      "invalid number of arguments in \"scrape_host_budget\" directive", 1 },
};

static void
test_errors(void)
{
    char       err[1024], where[600], name[256];
    size_t     i;
    js_conf_t  cf;

    for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        write_conf(errors[i].conf);
        err[0] = '\0';

        snprintf(name, sizeof(name), "error: %s", errors[i].error);
        is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
               name);
        like_str(err, errors[i].error, "  message");

        /* The location ends the message, exactly as "file:line". */
        snprintf(where, sizeof(where), " in %s:%d", file, errors[i].line);
        ok(strlen(err) >= strlen(where)
           && strcmp(err + strlen(err) - strlen(where), where) == 0,
           "  names file:line");
        if (strstr(err, where) == NULL) {
            printf("#   got: %s\n#   expected suffix: %s\n", err, where);
        }

        ok(cf.file == NULL && cf.nworkers == 0, "  nothing left to free");
        js_conf_free(&cf);
    }
}

static void
test_missing(void)
{
    char       err[1024], where[600];
    js_conf_t  cf;

    snprintf(where, sizeof(where), " in %s", file);

    write_conf("redis 127.0.0.1:6379;\nworkers heartbeat 1;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "missing postgres");
    like_str(err, "no \"postgres\" directive", "  message");
    like_str(err, where, "  names the file");

    write_conf("postgres x;\nworkers heartbeat 1;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "missing redis");
    like_str(err, "no \"redis\" directive", "  message");

    write_conf("postgres x;\nredis h:1;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "missing workers");
    like_str(err, "no \"workers\" directive", "  message");

    write_conf("");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "empty file");

    is_int(js_conf_load(&cf, "/nonexistent/js.conf", dir, roles, err,
                        sizeof(err)),
           -1, "missing file");
    like_str(err, "open() \"/nonexistent/js.conf\" failed (2: ", "  message");
}

/* Values the generic setters store, and the defaults they replace. */
static void
test_slots(void)
{
    char       err[1024] = "", expect[600];
    js_conf_t  cf;

    write_conf("postgres x;\nredis h:1;\nworkers scraper 1;\n");
    is_int(js_conf_load(&cf, file, "/p", roles, err, sizeof(err)), 0,
           "defaults");
    is_int(cf.scrape_poll_high_min, 15000, "scrape_poll_high floor 15s");
    is_int(cf.scrape_poll_high_max, 45000, "scrape_poll_high ceiling 45s");
    is_int(cf.scrape_poll_normal_min, 60000, "scrape_poll_normal floor 1m");
    is_int(cf.scrape_poll_normal_max, 240000,
           "scrape_poll_normal ceiling 4m");
    is_int(cf.scrape_jitter, 10000, "scrape_jitter 10s");
    is_int(cf.scheduler_interval, 1000, "scheduler_interval 1s");
    is_int(cf.relay_lease, 300000, "relay_lease 5m");
    ok(cf.scrape_max_body == 10 * 1024 * 1024, "scrape_max_body 10m");
    is_int(cf.smtp_tls_verify, 1, "smtp_tls_verify on");
    is_str(cf.scrape_contact_url, "https://jobscout.dev/bot",
           "default contact URL");
    is_str(cf.fcm_base_url, "https://fcm.googleapis.com",
           "default fcm_base_url");
    is_int(cf.nhost_budgets, 0, "no host budgets");
    ok(js_conf_host_budget(&cf, "boards-api.greenhouse.io") == NULL,
       "... so none is found");
    js_conf_free(&cf);

    /* fcm_ca_file: the conf file itself is readable, which is all -t asks */
    write_conf("postgres x;\nredis h:1;\nworkers scraper 1;\n"
               "scrape_poll_high 30s 10m;\n"
               "scrape_poll_normal 2m 168h;\n"
               "scrape_jitter 0;\n"
               "relay_lease 90s;\n"
               "scrape_max_body 64k;\n"
               "scrape_max_redirects 0;\n"
               "smtp_tls_verify off;\n"
               "smtp_starttls try;\n"
               "smtp_password \"\";\n"
               "adzuna_app_id abc;\n"
               "scrape_contact_url \"https://x.io/bot?a=1#b\";\n"
               "fcm_base_url http://127.0.0.1:9/base//;\n"
               "fcm_service_account sa.json;\n"
               "fcm_ca_file js.conf;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "every kind of slot");
    is_str(err, "", "  no error");
    is_int(cf.scrape_poll_high_min, 30000, "scrape_poll_high floor");
    is_int(cf.scrape_poll_high_max, 600000, "scrape_poll_high ceiling");
    is_int(cf.scrape_poll_normal_min, 120000, "scrape_poll_normal floor");
    is_int(cf.scrape_poll_normal_max, 7 * 24 * 3600 * 1000,
           "scrape_poll_normal ceiling of 7 days");
    is_int(cf.scrape_jitter, 0, "a delay may be 0");
    is_int(cf.relay_lease, 90000, "relay_lease");
    ok(cf.scrape_max_body == 64 * 1024, "size with a k suffix");
    is_int(cf.scrape_max_redirects, 0, "a number at its lower bound");
    is_int(cf.smtp_tls_verify, 0, "flag off");
    is_int(cf.smtp_starttls, JS_SMTP_STARTTLS_TRY, "enum value");
    is_str(cf.smtp_password, "", "a string that may be empty");
    is_str(cf.adzuna_app_id, "abc", "string");
    is_str(cf.scrape_contact_url, "https://x.io/bot?a=1#b",
           "plain URL kept as written");
    is_str(cf.fcm_base_url, "http://127.0.0.1:9/base",
           "base URL without trailing slashes");
    snprintf(expect, sizeof(expect), "%s/sa.json", dir);
    is_str(cf.fcm_service_account, expect, "path under the prefix");
    is_str(cf.fcm_ca_file, file, "readable path");
    js_conf_free(&cf);
}

static void
test_host_budgets(void)
{
    int                           i;
    char                          err[1024] = "", text[8192], host[300];
    char                          where[700];
    size_t                        len;
    js_conf_t                     cf;
    const js_conf_host_budget_t  *b;

    write_conf("postgres x;\nredis h:1;\nworkers scraper 1;\n"
               "scrape_host_budget boards-api.greenhouse.io 120/m;\n"
               "scrape_host_budget Api.Lever.CO 2/s;\n"
               "scrape_host_budget 127.0.0.1:8081 7/m;\n"
               "scrape_host_budget fast.example 6000/m;\n"
               "scrape_host_budget slow.example:443 1/m;\n"
               "scrape_host_budget 0.0.0.0 100/s;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "scrape_host_budget rows load");
    is_str(err, "", "  no error");
    is_int(cf.nhost_budgets, 6, "six rows");

    b = js_conf_host_budget(&cf, "boards-api.greenhouse.io");
    ok(b != NULL, "a host found");
    ok(b && b->per_minute == 120 && b->gap_ms == 500 && b->line == 4,
       "  120/m: 500 ms apart, its line");

    b = js_conf_host_budget(&cf, "api.lever.co");
    ok(b != NULL, "a host written in capitals is found lowercase");
    ok(b && strcmp(b->host, "api.lever.co") == 0, "  stored lowercase");
    ok(b && b->per_minute == 120 && b->gap_ms == 500,
       "  2/s is 120/m, 500 ms apart");
    ok(js_conf_host_budget(&cf, "Api.Lever.CO") == NULL,
       "  the lookup itself is exact");

    b = js_conf_host_budget(&cf, "127.0.0.1:8081");
    ok(b && b->per_minute == 7 && b->gap_ms == 8572,
       "IPv4 with a port; 7/m: the gap rounded up (8571.4 -> 8572)");
    ok(js_conf_host_budget(&cf, "127.0.0.1") == NULL,
       "  not found without its port");

    b = js_conf_host_budget(&cf, "fast.example");
    ok(b && b->per_minute == 6000 && b->gap_ms == 10, "6000/m: 10 ms");
    b = js_conf_host_budget(&cf, "slow.example:443");
    ok(b && b->per_minute == 1 && b->gap_ms == 60000, "1/m: 60 s");
    ok(js_conf_host_budget(&cf, "slow.example") == NULL,
       "  a port makes another host");
    b = js_conf_host_budget(&cf, "0.0.0.0");
    ok(b && b->per_minute == 6000, "100/s is the most, 6000/m");
    ok(js_conf_host_budget(&cf, "example") == NULL, "an unknown host: NULL");
    js_conf_free(&cf);

    /* A name of 253 characters (labels of 63) is valid, 254 is not. */
    memset(host, 'a', 253);
    host[63] = host[127] = host[191] = '.';
    host[253] = '\0';
    snprintf(text, sizeof(text), "postgres x;\nredis h:1;\n"
             "workers scraper 1;\nscrape_host_budget %s:8080 1/m;\n", host);
    write_conf(text);
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "a host of 253 characters and a port");
    strcat(host, ":8080");
    ok(js_conf_host_budget(&cf, host) != NULL, "  found");
    js_conf_free(&cf);

    memset(host, 'a', 254);
    host[63] = host[127] = host[191] = '.';
    host[254] = '\0';
    snprintf(text, sizeof(text), "scrape_host_budget %s 1/m;\n", host);
    write_conf(text);
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "a host of 254 characters");
    like_str(err, "invalid host \"aaa", "  message");

    /* JS_CONF_MAX_HOST_BUDGETS rows load, one more does not. */
    len = (size_t) snprintf(text, sizeof(text), "postgres x;\nredis h:1;\n"
                            "workers scraper 1;\n");
    for (i = 0; i < JS_CONF_MAX_HOST_BUDGETS; i++) {
        len += snprintf(text + len, sizeof(text) - len,
                        "scrape_host_budget h%d.example 60/m;\n", i);
    }
    write_conf(text);
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "64 host budgets");
    is_int(cf.nhost_budgets, JS_CONF_MAX_HOST_BUDGETS, "  all kept");
    ok(js_conf_host_budget(&cf, "h63.example") != NULL, "  the last found");
    js_conf_free(&cf);

    snprintf(text + len, sizeof(text) - len,
             "scrape_host_budget h64.example 60/m;\n");
    write_conf(text);
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "a 65th host budget");
    snprintf(where, sizeof(where), "too many \"scrape_host_budget\" "
             "directives, 64 at most in %s:%d", file,
             3 + JS_CONF_MAX_HOST_BUDGETS + 1);
    like_str(err, where, "  message and line");
    ok(cf.file == NULL && cf.nhost_budgets == 0, "  nothing left to free");
}

static void
test_msec(void)
{
    int  ms = -1;

    ok(js_conf_parse_msec("10", &ms) == 0 && ms == 10000, "bare = seconds");
    ok(js_conf_parse_msec("10s", &ms) == 0 && ms == 10000, "s");
    ok(js_conf_parse_msec("250ms", &ms) == 0 && ms == 250, "ms");
    ok(js_conf_parse_msec("1h", &ms) == 0 && ms == 3600000, "h");
    ok(js_conf_parse_msec("0", &ms) == 0 && ms == 0, "zero");
    ok(js_conf_parse_msec("", &ms) == -1, "empty");
    ok(js_conf_parse_msec("s", &ms) == -1, "unit alone");
    ok(js_conf_parse_msec("1.5s", &ms) == -1, "no fractions");
    ok(js_conf_parse_msec("1000h", &ms) == -1, "overflow");
}

int
main(void)
{
    int  rc;

    if (mkdtemp(dir) == NULL) {
        printf("Bail out! mkdtemp\n");
        return 255;
    }
    snprintf(file, sizeof(file), "%s/js.conf", dir);

    test_valid();
    test_defaults_and_paths();
    test_errors();
    test_missing();
    test_slots();
    test_host_budgets();
    test_msec();

    rc = done_testing();

    unlink(file);
    rmdir(dir);
    return rc;
}
