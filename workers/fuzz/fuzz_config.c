/*
 * jobscoutd.conf (lib/config.c, lib/config_file.c): the input is the
 * file, written to one temporary file that each run overwrites, since
 * js_conf_load reads a path as jobscoutd does.
 */

#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "config.h"

static const char  *roles[] = { "heartbeat", "scraper", "scheduler",
                                "mailer", "notifier", "relay", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char   file[] = "/tmp/jobscout-fuzz-config-XXXXXX";
    static int    fd = -1;
    js_conf_t     cf;
    char          err[512];

    if (fd == -1) {
        fd = mkstemp(file);
        if (fd == -1) {
            abort();
        }
        /* the name is enough while it is open: nothing left behind */
        unlink(file);
        snprintf(file, sizeof(file), "/dev/fd/%d", fd);
    }

    if (ftruncate(fd, 0) == -1
        || pwrite(fd, data, size, 0) != (ssize_t) size)
    {
        abort();
    }

    if (js_conf_load(&cf, file, "/tmp", roles, err, sizeof(err)) == 0) {
        (void) js_conf_host_budget(&cf, "example.com");
    }
    js_conf_free(&cf);
    return 0;
}
