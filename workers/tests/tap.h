/*
 * A minimal TAP producer for C unit tests, run under prove(1):
 *
 *   plan(3);
 *   ok(x == 1, "x is one");
 *   is_int(n, 2, "two");
 *   is_str(s, "abc", "abc");
 *   return done_testing();
 *
 * Header-only on purpose: each test is a single .c file.
 */

#ifndef JS_TAP_H
#define JS_TAP_H

#include <stdio.h>
#include <string.h>

static int  tap_planned = -1;
static int  tap_run;
static int  tap_failed;

static void __attribute__((unused))
plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

static void __attribute__((unused))
diag(const char *msg)
{
    printf("# %s\n", msg);
}

static int __attribute__((unused))
tap_ok(int cond, const char *name, const char *file, int line)
{
    tap_run++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_run, name);
    if (!cond) {
        tap_failed++;
        printf("#   Failed test '%s'\n#   at %s line %d.\n", name, file,
               line);
    }
    fflush(stdout);
    return cond;
}

#define ok(cond, name)  tap_ok(!!(cond), (name), __FILE__, __LINE__)

#define is_int(got, expected, name)                                          \
    do {                                                                     \
        long long  tap__g = (long long) (got);                               \
        long long  tap__e = (long long) (expected);                          \
        if (!tap_ok(tap__g == tap__e, (name), __FILE__, __LINE__)) {         \
            printf("#          got: %lld\n#     expected: %lld\n",           \
                   tap__g, tap__e);                                          \
        }                                                                    \
    } while (0)

#define is_str(got, expected, name)                                          \
    do {                                                                     \
        const char  *tap__g = (got);                                         \
        const char  *tap__e = (expected);                                    \
        int          tap__c = (tap__g == NULL || tap__e == NULL)             \
                              ? tap__g == tap__e                             \
                              : strcmp(tap__g, tap__e) == 0;                 \
        if (!tap_ok(tap__c, (name), __FILE__, __LINE__)) {                   \
            printf("#          got: '%s'\n#     expected: '%s'\n",           \
                   tap__g ? tap__g : "(null)", tap__e ? tap__e : "(null)"); \
        }                                                                    \
    } while (0)

/* Passes when needle occurs in haystack: for error messages. */
#define like_str(got, needle, name)                                          \
    do {                                                                     \
        const char  *tap__g = (got);                                         \
        const char  *tap__n = (needle);                                      \
        if (!tap_ok(tap__g != NULL && strstr(tap__g, tap__n) != NULL,        \
                    (name), __FILE__, __LINE__))                             \
        {                                                                    \
            printf("#          got: '%s'\n#   should contain: '%s'\n",       \
                   tap__g ? tap__g : "(null)", tap__n);                      \
        }                                                                    \
    } while (0)

/* Prints the plan if none was given; exit status 0 only if all passed. */
static int __attribute__((unused))
done_testing(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_run);
    } else if (tap_planned != tap_run) {
        printf("# Looks like you planned %d tests but ran %d.\n",
               tap_planned, tap_run);
        return 255;
    }
    if (tap_failed) {
        printf("# Looks like you failed %d test%s of %d.\n", tap_failed,
               tap_failed == 1 ? "" : "s", tap_run);
    }
    return tap_failed > 254 ? 254 : tap_failed;
}

#endif
