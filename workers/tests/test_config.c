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
    is_int(cf.shutdown_timeout, 10000, "default shutdown_timeout");
    js_conf_free(&cf);

    /* A relative -p is made absolute against the cwd. */
    is_int(js_conf_load(&cf, file, "rel/dir", roles, err, sizeof(err)), 0,
           "relative prefix");
    snprintf(expect, sizeof(expect), "%s/rel/dir/", cwd);
    is_str(cf.prefix, expect, "relative prefix made absolute");
    js_conf_free(&cf);

    write_conf("postgres x; redis [::1]:6380; workers heartbeat 1;\n"
               "pid /run/js.pid; shutdown_timeout 2m;\n");
    is_int(js_conf_load(&cf, file, "/p", roles, err, sizeof(err)), 0,
           "several directives on a line, IPv6 redis");
    is_str(cf.redis_host, "::1", "IPv6 host without brackets");
    is_int(cf.redis_port, 6380, "IPv6 port");
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
    test_msec();

    rc = done_testing();

    unlink(file);
    rmdir(dir);
    return rc;
}
