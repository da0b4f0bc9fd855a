/*
 * Unit tests for lib/unsubscribe.c (the signed token of a job mail's
 * unsubscribe link) and its place in a job mail (lib/mail.c): the
 * List-Unsubscribe headers of RFC 2369 and RFC 8058, and the link in the
 * text.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobscout_task.h"
#include "mail.h"
#include "tap.h"
#include "unsubscribe.h"

/* 31 characters and the NUL: 32 bytes */
static const unsigned char  key[JS_UNSUB_KEY_LEN] =
    "0123456789abcdef0123456789abcde";
static const unsigned char  other[JS_UNSUB_KEY_LEN] =
    "fedcba9876543210fedcba987654321";

static void
test_tokens(void)
{
    char    token[JS_UNSUB_TOKEN_MAX], copy[JS_UNSUB_TOKEN_MAX];
    char    addr[JS_UNSUB_ADDR_MAX + 1], err[128], longest[300];
    size_t  len;

    ok(js_unsubscribe_sign(key, "Amina.Otieno@example.co.ke", token) == 0,
       "an address signs");
    len = strlen(token);
    ok(len > JS_UNSUB_MAC_HEX && strspn(token, "0123456789abcdef")
       >= JS_UNSUB_MAC_HEX, "32 hex digits of MAC, then the address");
    ok(js_mail_token_check(token, err, sizeof(err)) == 0,
       "a token a mail link takes as is (no URL escaping)");
    ok(js_unsubscribe_check(key, token, len, addr) == 0,
       "the same key checks it");
    is_str(addr, "Amina.Otieno@example.co.ke", "... and reads the address");

    ok(js_unsubscribe_check(other, token, len, addr) != 0,
       "another key does not");

    memcpy(copy, token, len + 1);
    copy[0] = copy[0] == '0' ? '1' : '0';
    ok(js_unsubscribe_check(key, copy, len, addr) != 0, "a changed MAC fails");

    ok(js_unsubscribe_sign(key, "kamau@example.co.ke", copy) == 0,
       "another address signs");
    memcpy(copy, token, JS_UNSUB_MAC_HEX);
    ok(js_unsubscribe_check(key, copy, strlen(copy), addr) != 0,
       "one address's MAC on another address fails");

    ok(js_unsubscribe_check(key, token, JS_UNSUB_MAC_HEX, addr) != 0,
       "a MAC alone fails");
    ok(js_unsubscribe_check(key, "zz", 2, addr) != 0, "a short token fails");
    memcpy(copy, token, len + 1);
    copy[len - 1] = '.';
    ok(js_unsubscribe_check(key, copy, len, addr) != 0,
       "a character out of base64url fails");

    memset(longest, 'a', 254);
    memcpy(longest + 240, "@example.com", 13);
    ok(js_unsubscribe_sign(key, longest, token) == 0,
       "the longest address signs");
    ok(js_unsubscribe_check(key, token, strlen(token), addr) == 0
       && strcmp(addr, longest) == 0, "... and reads back whole");
    memset(longest, 'a', 255);
    longest[255] = '\0';
    ok(js_unsubscribe_sign(key, longest, token) != 0,
       "a longer one is refused");
    memset(copy, 'A', sizeof(copy) - 1);
    memset(copy, '0', JS_UNSUB_MAC_HEX);
    copy[sizeof(copy) - 1] = '\0';
    ok(js_unsubscribe_check(key, copy, sizeof(copy) - 2, addr) != 0,
       "a token decoding past the longest address fails, in bounds");
}

static void
test_job_mail(void)
{
    char           err[256] = "", *msg, token[JS_UNSUB_TOKEN_MAX], *p;
    js_mail_t      m;
    js_mail_job_t  job = { "10000000-0000-4000-8000-000000000001",
                           "Data Engineer", "Twiga Foods", "Nairobi",
                           "onsite", 91 };

    memset(&m, 0, sizeof(m));
    m.kind = JOBSCOUT_TASK_MAIL_JOB_ALERT;
    m.id = "00112233445566778899aabbccddeeff";
    m.to = "amina@example.co.ke";
    m.name = "Amina";
    m.from = "Job Scout <no-reply@jobscout.dev>";
    m.base_url = "https://jobscout.example";
    m.now = 1735689600;
    m.jobs = &job;
    m.njobs = 1;

    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL && strstr(msg, "List-Unsubscribe") == NULL,
       "without a token: no List-Unsubscribe");
    free(msg);

    ok(js_unsubscribe_sign(key, m.to, token) == 0, "the recipient's token");
    m.unsubscribe = token;
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL, "a job alert with it renders");
    p = msg ? strstr(msg, "List-Unsubscribe:\r\n <https://jobscout.example"
                          "/api/v1/unsubscribe?token=") : NULL;
    ok(p != NULL && strncmp(strstr(p, "token=") + 6, token, strlen(token)) == 0
       && strncmp(strstr(p, "token=") + 6 + strlen(token), ">\r\n", 3) == 0,
       "List-Unsubscribe: the API's one-click URL with the token");
    like_str(msg, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
             "List-Unsubscribe-Post (RFC 8058)");
    p = msg ? strstr(msg, "\r\n\r\n") : NULL;
    ok(p != NULL && strstr(msg, "List-Unsubscribe") < p,
       "... both in the header");
    like_str(msg, "/unsubscribe?token=", "the text links to the page");
    free(msg);

    m.kind = JOBSCOUT_TASK_MAIL_RESET_PASSWORD;
    m.token = "0123456789abcdef0123456789abcdef"
              "0123456789abcdef0123456789abcdef";
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL && strstr(msg, "List-Unsubscribe") == NULL,
       "an account mail never has it");
    free(msg);

    m.kind = JOBSCOUT_TASK_MAIL_JOB_ALERT;
    m.unsubscribe = "bad\r\nBcc: x@example.com";
    ok(js_mail_render(&m, err, sizeof(err)) == NULL,
       "a token with CR LF is refused, not written");
}

int
main(void)
{
    test_tokens();
    test_job_mail();
    return done_testing();
}
