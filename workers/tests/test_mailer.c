/*
 * Unit tests for lib/mail.c and the mailer's directives in
 * lib/config.c: the rendered message, what must never reach a header,
 * and the configuration errors with their file:line.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jobscout_task.h"
#include "mail.h"
#include "tap.h"

static const char  *roles[] = { "heartbeat", "mailer", NULL };
static char         dir[] = "/tmp/js_test_mailer.XXXXXX";
static char         file[512];

static const char   token[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void
write_conf(const char *text)
{
    FILE  *f = fopen(file, "w");

    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        printf("Bail out! cannot write %s\n", file);
        exit(255);
    }
}

/* Undoes quoted-printable, to look for the link as a reader sees it. */
static char *
qp_decode(const char *s)
{
    char          *out, *d;
    unsigned int   c;

    out = malloc(strlen(s) + 1);
    if (out == NULL) {
        exit(255);
    }

    for (d = out; *s; s++) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 2;
        } else if (s[0] == '=' && s[1] && s[2]
                   && sscanf(s + 1, "%2X", &c) == 1)
        {
            *d++ = (char) c;
            s += 2;
        } else {
            *d++ = *s;
        }
    }
    *d = '\0';
    return out;
}

static js_mail_t
mail_for(const char *kind, const char *to, const char *name)
{
    js_mail_t  m;

    memset(&m, 0, sizeof(m));
    m.kind = kind;
    m.id = "00112233445566778899aabbccddeeff";
    m.to = to;
    m.name = name;
    m.token = token;
    m.from = "Job Scout <no-reply@jobscout.dev>";
    m.base_url = "https://jobscout.example";
    m.now = 1735689600;     /* 2025-01-01T00:00:00Z, a Wednesday */
    return m;
}

static void
test_render(void)
{
    char        err[256] = "", *msg, *dec, *p, link[256];
    int         long_line = 0;
    size_t      n;
    js_mail_t   m;

    m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "akinyi@example.co.ke",
                 "Akinyi Otieno");
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL, "verify mail renders");
    is_str(err, "", "no error");
    if (msg == NULL) {
        return;
    }

    like_str(msg, "\r\nTo: \"Akinyi Otieno\" <akinyi@example.co.ke>\r\n",
             "To: with a quoted display name");
    like_str(msg, "From: Job Scout <no-reply@jobscout.dev>\r\n", "From:");
    like_str(msg, "Subject: Confirm your e-mail address for Job Scout\r\n",
             "Subject");
    ok(strncmp(msg, "Date: Wed, 01 Jan 2025 00:00:00 +0000\r\n", 39) == 0,
       "Date: in RFC 5322 form, first");
    like_str(msg, "Message-ID: <00112233445566778899aabbccddeeff"
             "@jobscout.dev>\r\n", "Message-ID from the task id");
    like_str(msg, "MIME-Version: 1.0\r\n", "MIME");
    like_str(msg, "Content-Type: multipart/alternative;\r\n boundary=\""
             "=_js_00112233445566778899aabbccddeeff\"", "multipart");
    like_str(msg, "Content-Type: text/plain; charset=UTF-8", "text part");
    like_str(msg, "Content-Type: text/html; charset=UTF-8", "html part");
    like_str(msg, "\r\n--=_js_00112233445566778899aabbccddeeff--\r\n",
             "closing boundary");

    /* Every line ends in CRLF and none is longer than 78. */
    for (p = msg; *p; p += n + 1) {
        n = strcspn(p, "\n");
        if (p[n] == '\0' || n == 0 || p[n - 1] != '\r' || n - 1 > 78) {
            long_line = 1;
            break;
        }
    }
    ok(!long_line, "CRLF lines of 78 characters at most");

    dec = qp_decode(msg);
    snprintf(link, sizeof(link),
             "https://jobscout.example/verify-email?token=%s", token);
    like_str(dec, link, "the verify link");
    like_str(dec, "Hello Akinyi Otieno,", "greeting in the text part");
    snprintf(link, sizeof(link), "<a href=\"https://jobscout.example"
             "/verify-email?token=%s\">", token);
    like_str(dec, link, "an anchor in the HTML part");
    free(dec);
    free(msg);

    m = mail_for(JOBSCOUT_TASK_MAIL_RESET_PASSWORD, "a@b.co",
                 "O'Brien <b> & \"Co\"");
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL, "reset mail renders");
    like_str(msg, "Subject: Reset your Job Scout password\r\n", "Subject");
    like_str(msg, "To: \"O'Brien <b> & \\\"Co\\\"\" <a@b.co>\r\n",
             "quotes escaped in the display name");
    dec = msg ? qp_decode(msg) : NULL;
    snprintf(link, sizeof(link),
             "https://jobscout.example/reset-password?token=%s", token);
    like_str(dec, link, "the reset link");
    like_str(dec, "<p>Hello O&#39;Brien &lt;b&gt; &amp; &quot;Co&quot;,</p>",
             "the name is HTML-escaped in the HTML part");
    like_str(dec, "Hello O'Brien <b> & \"Co\",\r\n",
             "and left as is in the text part");
    free(dec);
    free(msg);

    /* Non-ASCII names: RFC 2047 encoded-words, folded. */
    m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "z@example.com",
                 "Zoë Wanjikũ");
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "To: =?UTF-8?B?Wm/DqyBXYW5qaWvFqQ==?= <z@example.com>\r\n",
             "UTF-8 name as an encoded-word");
    like_str(msg, "Hello Zo=C3=AB Wanjik=C5=A9,", "and quoted-printable");
    free(msg);

    m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "z@example.com",
                 "ééééééééééééééééééééééééééééééééééééééééééé");
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "?=\r\n =?UTF-8?B?", "a long name folds into words");
    free(msg);

    m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "n@example.com", "");
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "\r\nTo: <n@example.com>\r\n", "no name: bare address");
    like_str(msg, "Hello,\r\n", "... and a plain greeting");
    free(msg);

    /* Failed sign-ins: no token, a link to choose a new password. */
    m = mail_for(JOBSCOUT_TASK_MAIL_LOGIN_THROTTLED, "o@example.com",
                 "Owner");
    m.token = NULL;
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL, "login throttled mail renders without a token");
    like_str(msg, "Subject: Failed sign-ins to your Job Scout account\r\n",
             "... its Subject");
    dec = msg ? qp_decode(msg) : NULL;
    like_str(dec, "https://jobscout.example/forgot-password\r\n",
             "... links to forgot-password, no token");
    like_str(dec, "sign-ins from new places are paused", "... says why");
    free(dec);
    free(msg);
    ok(js_mail_needs_token(JOBSCOUT_TASK_MAIL_LOGIN_THROTTLED) == 0
       && js_mail_needs_token(JOBSCOUT_TASK_MAIL_RESET_PASSWORD) == 1
       && js_mail_needs_token(JOBSCOUT_TASK_MAIL_JOB_ALERT) == 0,
       "which kinds need a token");

    m = mail_for("mail.birthday", "n@example.com", "x");
    ok(js_mail_render(&m, err, sizeof(err)) == NULL, "unknown kind");
    like_str(err, "unknown mail kind", "... says so");
    ok(js_mail_subject("mail.birthday") == NULL, "no subject for it");
}

/* Whatever a task holds, it must not add a header or a recipient. */
static void
test_injection(void)
{
    char        err[256];
    size_t      i;
    js_mail_t   m;

    static const char  *bad_to[] = {
        "a@b.c\r\nBcc: evil@x.y", "a@b.c\nBcc: evil@x.y", "a@b.c\rX: y",
        "a@b.c>, evil@x.y", "<a@b.c>", "a b@c.d", "a@b.c,evil@x.y",
        "\"a\"@b.c", "a@b@c.d", "@b.c", "a@", "a@.b", "a@b.", "",
        "a\t@b.c", "a@b.c;x", "a@b.c\x7f", "Zoë@b.c", "a@b(c).d",
        "a@b.c\\", "a:b@c.d", "a@[1.2.3.4]",
    };
    static const char  *good_to[] = {
        "a@b.c", "first.last+tag@sub.example.co.ke", "x_y-z@a-b.org",
    };
    static const char  *bad_name[] = {
        "Eve\r\nBcc: evil@x.y", "Eve\nBcc: evil@x.y", "Eve\rx", "Eve\x01",
        "Eve\t", "Eve\x7f", "Eve\xc2\x85", "bad \xff utf8",
        "overlong \xc0\xaf", "surrogate \xed\xa0\x80", "cut \xc3",
    };
    static const char  *bad_token[] = {
        "abc\r\nX: y", "abc&next=evil", "abc def", "abc/../x", "abc%0d",
        "", "abc?x", "abc#x",
    };

    for (i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
        ok(js_mail_addr_check(bad_to[i], err, sizeof(err)) == -1,
           "address refused");
        m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, bad_to[i], "Eve");
        ok(js_mail_render(&m, err, sizeof(err)) == NULL,
           "  and nothing rendered");
    }

    for (i = 0; i < sizeof(good_to) / sizeof(good_to[0]); i++) {
        ok(js_mail_addr_check(good_to[i], err, sizeof(err)) == 0,
           "address accepted");
    }

    for (i = 0; i < sizeof(bad_name) / sizeof(bad_name[0]); i++) {
        ok(js_mail_name_check(bad_name[i], err, sizeof(err)) == -1,
           "name refused");
        m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "a@b.c", bad_name[i]);
        ok(js_mail_render(&m, err, sizeof(err)) == NULL,
           "  and nothing rendered");
    }
    ok(js_mail_name_check("Zoë 山田 O'Brien-Smith", err, sizeof(err)) == 0,
       "a UTF-8 name is fine");

    for (i = 0; i < sizeof(bad_token) / sizeof(bad_token[0]); i++) {
        m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "a@b.c", "Eve");
        m.token = bad_token[i];
        ok(js_mail_render(&m, err, sizeof(err)) == NULL, "token refused");
    }
    ok(js_mail_token_check("Ab0_-", err, sizeof(err)) == 0,
       "URL-safe base64 token accepted");

    m = mail_for(JOBSCOUT_TASK_MAIL_VERIFY_EMAIL, "a@b.c", "Eve");
    m.id = "abc\r\nBcc: x";
    ok(js_mail_render(&m, err, sizeof(err)) == NULL, "a non-hex id refused");
}

static void
test_from(void)
{
    char  err[256], *a;

    a = js_mail_from_addr("Job Scout <no-reply@jobscout.dev>", err,
                          sizeof(err));
    is_str(a, "no-reply@jobscout.dev", "from: name <addr>");
    free(a);

    a = js_mail_from_addr("bot@jobscout.dev", err, sizeof(err));
    is_str(a, "bot@jobscout.dev", "from: bare address");
    free(a);

    ok(js_mail_from_addr("Job Scout <a@b.c> x", err, sizeof(err)) == NULL,
       "from: text after '>'");
    ok(js_mail_from_addr("Job Scout <a@b.c", err, sizeof(err)) == NULL,
       "from: no '>'");
    ok(js_mail_from_addr("Job\r\nBcc: x <a@b.c>", err, sizeof(err)) == NULL,
       "from: CRLF in the name");
    ok(js_mail_from_addr("Job Scout <nobody>", err, sizeof(err)) == NULL,
       "from: not an address");
}

static const char  mailer_conf[] =
    "postgres x;\n"
    "redis 127.0.0.1:6379;\n"
    "workers mailer 2;\n"
    "smtp_url smtps://mail.example.com:465;\n"
    "smtp_from \"Job Scout <no-reply@jobscout.dev>\";\n"
    "smtp_starttls on;\n"
    "smtp_user jobscout;\n"
    "smtp_password \"p a;s#s\";\n"
    "smtp_tls_verify off;\n"
    "smtp_connect_timeout 2s;\n"
    "smtp_timeout 500ms;\n"
    "public_base_url https://jobscout.example/app//;\n"
    "mail_max_attempts 3;\n"
    "mail_backoff 200ms 2s;\n";

static void
test_config(void)
{
    char       err[1024] = "";
    js_conf_t  cf;

    write_conf(mailer_conf);
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "mailer configuration loads");
    is_str(err, "", "no error");
    is_str(cf.smtp_url, "smtps://mail.example.com:465", "smtp_url");
    is_str(cf.smtp_from, "Job Scout <no-reply@jobscout.dev>", "smtp_from");
    is_str(cf.smtp_from_addr, "no-reply@jobscout.dev", "envelope sender");
    is_int(cf.smtp_starttls, JS_SMTP_STARTTLS_ON, "smtp_starttls on");
    is_str(cf.smtp_user, "jobscout", "smtp_user");
    is_str(cf.smtp_password, "p a;s#s", "smtp_password, quoted");
    is_int(cf.smtp_tls_verify, 0, "smtp_tls_verify off");
    is_int(cf.smtp_connect_timeout, 2000, "smtp_connect_timeout");
    is_int(cf.smtp_timeout, 500, "smtp_timeout");
    is_str(cf.public_base_url, "https://jobscout.example/app",
           "public_base_url without trailing slashes");
    is_int(cf.mail_max_attempts, 3, "mail_max_attempts");
    is_int(cf.mail_backoff_min, 200, "mail_backoff min");
    is_int(cf.mail_backoff_max, 2000, "mail_backoff max");
    js_conf_free(&cf);

    write_conf("postgres x;\nredis h:1;\nworkers mailer 1;\n"
               "smtp_url smtp://127.0.0.1:2525;\n"
               "smtp_from a@b.c;\n"
               "public_base_url http://127.0.0.1:8080;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "minimal mailer configuration");
    is_int(cf.smtp_starttls, JS_SMTP_STARTTLS_OFF, "default starttls off");
    is_int(cf.smtp_tls_verify, 1, "default tls_verify on");
    is_int(cf.smtp_connect_timeout, 10000, "default connect timeout");
    is_int(cf.smtp_timeout, 30000, "default timeout");
    is_int(cf.mail_max_attempts, 5, "default max attempts");
    is_int(cf.mail_backoff_min, 5000, "default backoff min");
    is_int(cf.mail_backoff_max, 900000, "default backoff max");
    ok(cf.smtp_user == NULL && cf.smtp_password == NULL, "no credentials");
    js_conf_free(&cf);

    write_conf("postgres x;\nredis h:1;\nworkers heartbeat 1;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), 0,
           "no mailer, no smtp directives needed");
    js_conf_free(&cf);
}

static const struct {
    const char  *conf;
    const char  *error;
    int          line;
} errors[] = {
    { "smtp_url http://x;\n",
      "invalid value \"http://x\" in \"smtp_url\" directive", 1 },
    { "smtp_url smtp://;\n",
      "invalid value \"smtp://\" in \"smtp_url\"", 1 },
    { "smtp_url \"smtp://a\\r\\nb\";\n",
      "control character in \"smtp_url\"", 1 },
    { "smtp_from \"Eve\\r\\nBcc: x <a@b.c>\";\n",
      "invalid value", 1 },
    { "smtp_from \"nobody\";\n",
      "in \"smtp_from\" directive: address is not local@domain", 1 },
    { "smtp_starttls maybe;\n",
      "invalid value \"maybe\" in \"smtp_starttls\"", 1 },
    { "smtp_tls_verify yes;\n",
      "invalid value \"yes\" in \"smtp_tls_verify\"", 1 },
    { "smtp_user \"\";\n",
      "empty \"smtp_user\"", 1 },
    { "smtp_password \"a\\nb\";\n",
      "control character in \"smtp_password\"", 1 },
    { "smtp_timeout 0;\n",
      "invalid value \"0\" in \"smtp_timeout\"", 1 },
    { "\nsmtp_connect_timeout 5x;\n",
      "invalid value \"5x\" in \"smtp_connect_timeout\"", 2 },
    { "public_base_url ftp://x;\n",
      "invalid value \"ftp://x\" in \"public_base_url\"", 1 },
    { "public_base_url \"http://x/?a=b\";\n",
      "in \"public_base_url\"", 1 },
    { "public_base_url http:///x;\n",
      "in \"public_base_url\"", 1 },
    { "mail_max_attempts 0;\n",
      "invalid value \"0\" in \"mail_max_attempts\" directive, must be "
      "1..100", 1 },
    { "mail_max_attempts x;\n",
      "invalid value \"x\" in \"mail_max_attempts\"", 1 },
    { "mail_backoff 1s;\n",
      "invalid number of arguments in \"mail_backoff\"", 1 },
    { "mail_backoff 10s 1s;\n",
      "\"mail_backoff\" maximum \"1s\" is less than its minimum \"10s\"", 1 },
    { "mail_backoff 1s 2s;\nmail_backoff 1s 2s;\n",
      "\"mail_backoff\" directive is duplicate", 2 },
    { "postgres x;\nredis h:1;\n\nworkers mailer 1;\n"
      "smtp_from a@b.c;\npublic_base_url http://x;\n",
      "\"workers mailer\" needs a \"smtp_url\" directive", 4 },
    { "postgres x;\nredis h:1;\nworkers mailer 1;\n"
      "smtp_url smtp://x;\npublic_base_url http://x;\n",
      "\"workers mailer\" needs a \"smtp_from\" directive", 3 },
    { "postgres x;\nredis h:1;\nworkers mailer 1;\n"
      "smtp_url smtp://x;\nsmtp_from a@b.c;\n",
      "\"workers mailer\" needs a \"public_base_url\" directive", 3 },
};

static void
test_config_errors(void)
{
    char       err[1024], where[600], name[300];
    size_t     i;
    js_conf_t  cf;

    for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        write_conf(errors[i].conf);
        err[0] = '\0';

        snprintf(name, sizeof(name), "error: %s", errors[i].error);
        is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
               name);
        like_str(err, errors[i].error, "  message");

        snprintf(where, sizeof(where), " in %s:%d", file, errors[i].line);
        ok(strlen(err) >= strlen(where)
           && strcmp(err + strlen(err) - strlen(where), where) == 0,
           "  names file:line");
        if (strstr(err, where) == NULL) {
            printf("#   got: %s\n#   expected suffix: %s\n", err, where);
        }
        js_conf_free(&cf);
    }

    write_conf("postgres x;\nredis h:1;\nworkers mailer 1;\n"
               "smtp_url smtp://x;\nsmtp_from a@b.c;\n"
               "public_base_url http://x;\nsmtp_password s;\n");
    is_int(js_conf_load(&cf, file, dir, roles, err, sizeof(err)), -1,
           "a password without a user");
    like_str(err, "\"smtp_password\" without \"smtp_user\"", "  message");
    js_conf_free(&cf);
}

/* Every line ends in CRLF and none is longer than 78. */
static int
short_crlf_lines(const char *msg)
{
    size_t       n;
    const char  *p;

    for (p = msg; *p; p += n + 1) {
        n = strcspn(p, "\n");
        if (p[n] == '\0' || n == 0 || p[n - 1] != '\r' || n - 1 > 78) {
            return 0;
        }
    }
    return 1;
}

static void
test_job_mails(void)
{
    char           err[256] = "", *msg, *dec;
    js_mail_t      m;
    js_mail_job_t  jobs[2] = {
        { "10000000-0000-4000-8000-000000000001",
          "Senior Backend Engineer, M-PESA APIs", "Safaricom",
          "Nairobi, Kenya", "hybrid", 87 },
        { "10000000-0000-4000-8000-000000000010",
          "Backend Engineer (Go) <script>", "Andela & Co", "", "remote", 64 }
    };

    m = mail_for(JOBSCOUT_TASK_MAIL_JOB_ALERT, "wanjiku@example.co.ke",
                 "Wanjiku");
    m.token = NULL;
    m.jobs = jobs;
    m.njobs = 1;
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL, "a job alert renders without a token");
    like_str(msg, "Subject: New job: Senior Backend Engineer, M-PESA APIs "
             "at Safaricom\r\n", "its subject names the job");
    ok(msg && short_crlf_lines(msg), "CRLF lines of 78 at most");
    dec = msg ? qp_decode(msg) : NULL;
    like_str(dec, "* Senior Backend Engineer, M-PESA APIs at Safaricom\r\n"
             "  Nairobi, Kenya - hybrid\r\n  Match: 87%\r\n"
             "  https://jobscout.example/jobs/"
             "10000000-0000-4000-8000-000000000001", "the job in the text");
    like_str(dec, "<a href=\"https://jobscout.example/jobs/"
             "10000000-0000-4000-8000-000000000001\">", "a link in the HTML");
    like_str(dec, "https://jobscout.example/settings/notifications",
             "where to change what one receives");
    free(dec);
    free(msg);

    m.njobs = 2;
    m.more = 3;
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "Subject: 5 new jobs match your preferences\r\n",
             "several jobs: counted in the subject, the unlisted too");
    dec = msg ? qp_decode(msg) : NULL;
    like_str(dec, "Backend Engineer (Go) &lt;script&gt;</a> at Andela &amp; "
             "Co", "scraped text HTML-escaped");
    like_str(dec, "... and 3 more: https://jobscout.example/alerts",
             "the unlisted ones pointed to");
    free(dec);
    free(msg);

    m.kind = JOBSCOUT_TASK_MAIL_JOB_DIGEST;
    m.period = "daily";
    m.more = 0;
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "Subject: Your daily Job Scout digest: 2 new jobs\r\n",
             "a digest's subject");
    dec = msg ? qp_decode(msg) : NULL;
    like_str(dec, "2 new jobs matched your preferences in the last day",
             "... and its text");
    free(dec);
    free(msg);

    m.kind = JOBSCOUT_TASK_MAIL_JOB_ALERT;
    m.njobs = 1;
    jobs[0].title = "D\xc3\xa9veloppeur Backend Senior, Plateforme de "
                    "paiements mobiles";
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "Subject:\r\n =?UTF-8?B?", "a non-ASCII subject is encoded");
    ok(msg && short_crlf_lines(msg), "... and folded");
    free(msg);

    jobs[0].title = "Line\r\nBcc: all@example.com";
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg != NULL && strstr(msg, "\r\nBcc:") == NULL,
       "a CR/LF in a scraped title never makes a header");
    free(msg);

    /* make fuzz: a cut UTF-8 sequence made the subject loop for ever */
    jobs[0].title = "Go engineer \xe2\x82";
    msg = js_mail_render(&m, err, sizeof(err));
    like_str(msg, "Subject: New job: Go engineer ?? at Safaricom\r\n",
             "invalid UTF-8 in a title renders as '?'");
    free(msg);

    jobs[0].job_id = "../../admin";
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg == NULL, "a job id that is no UUID is refused");
    like_str(err, "UUID", "... saying so");

    m.njobs = 0;
    msg = js_mail_render(&m, err, sizeof(err));
    ok(msg == NULL, "a job mail without jobs is refused");
    is_str(js_mail_subject(JOBSCOUT_TASK_MAIL_JOB_DIGEST) ? "y" : "n", "y",
           "the job kinds are mail kinds");
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

    test_render();
    test_injection();
    test_from();
    test_job_mails();
    test_config();
    test_config_errors();

    rc = done_testing();

    unlink(file);
    rmdir(dir);
    return rc;
}
