
/*
 * Job Scout: bcrypt (cost 12, libcrypt "$2b$") in nginx's thread pool
 * "jobscout": one hash takes ~0.2 s, far too long for the event loop.
 * Declare the pool in the main context, before http, with as many threads
 * as cores:
 *
 *     thread_pool jobscout threads=2;
 *
 * Without it, nginx's "default" pool (32 threads) is used.  The checks
 * of a new password (length, a deny list, not the address) are here too.
 */


#include "ngx_http_jobscout.h"

#include <crypt.h>
#include <openssl/crypto.h>


#define NGX_HTTP_JOBSCOUT_BCRYPT_COST  12

/* how often the guard of a request waiting for its hash re-arms */
#define NGX_HTTP_JOBSCOUT_PASSWORD_GUARD  5000


typedef struct {
    ngx_http_request_t             *request;
    ngx_http_jobscout_password_pt   handler;
    void                           *data;

    char                           *password;
    char                           *stored;     /* NULL: make a new hash */

    /*
     * A timer while the thread works: a worker that reloads or quits
     * gracefully exits once no timer is left, and a request waiting for
     * a thread has none of its own (its connection would be dropped)
     */
    ngx_event_t                     guard;

    ngx_int_t                       ok;
    char                            result[CRYPT_OUTPUT_SIZE];
} ngx_http_jobscout_password_t;


/* a small deny list: the passwords tried first by every attacker */

static const char  *ngx_http_jobscout_common_passwords[] = {
    "password", "password1", "password123", "passw0rd", "12345678",
    "123456789", "1234567890", "87654321", "11111111", "00000000",
    "qwerty123", "qwertyuiop", "iloveyou", "abc12345", "abcd1234",
    "letmein1", "welcome1", "welcome123", "admin123", "sunshine",
    "football", "princess", "baseball", "trustno1", "superman",
    "starwars", "whatever", "monkey123", "dragon123", "jobscout",
    "nairobi1", "kenya123", "safaricom", "changeme", "p@ssw0rd",
    NULL
};


static ngx_int_t ngx_http_jobscout_password_post(ngx_http_request_t *r,
    ngx_str_t *password, ngx_str_t *stored,
    ngx_http_jobscout_password_pt handler, void *data);
static void ngx_http_jobscout_password_thread(void *data, ngx_log_t *log);
static void ngx_http_jobscout_password_done(ngx_event_t *ev);
static void ngx_http_jobscout_password_guard(ngx_event_t *ev);


static ngx_str_t  ngx_http_jobscout_pool_name = ngx_string("jobscout");


ngx_int_t
ngx_http_jobscout_password_init(ngx_conf_t *cf,
    ngx_http_jobscout_main_conf_t *jmcf)
{
    jmcf->thread_pool = ngx_thread_pool_get(cf->cycle,
                                            &ngx_http_jobscout_pool_name);

    if (jmcf->thread_pool == NULL) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "no \"thread_pool jobscout threads=N;\" before "
                           "the http block: bcrypt uses the default pool");
        jmcf->thread_pool = ngx_thread_pool_add(cf, NULL);
    }

    return jmcf->thread_pool ? NGX_OK : NGX_ERROR;
}


ngx_int_t
ngx_http_jobscout_password_hash(ngx_http_request_t *r, ngx_str_t *password,
    ngx_http_jobscout_password_pt handler, void *data)
{
    return ngx_http_jobscout_password_post(r, password, NULL, handler, data);
}


/* stored: the user's hash, or NULL to spend the same time on none */

ngx_int_t
ngx_http_jobscout_password_verify(ngx_http_request_t *r, ngx_str_t *password,
    ngx_str_t *stored, ngx_http_jobscout_password_pt handler, void *data)
{
    static ngx_str_t  nobody =
        ngx_string("$2b$12$HPcDYvDzqKc2HbnR98ytpOaNyCRdRoxXcmbVTDO/AHS/"
                   "pJgsHog0G");

    return ngx_http_jobscout_password_post(r, password,
                                           stored ? stored : &nobody,
                                           handler, data);
}


static ngx_int_t
ngx_http_jobscout_password_post(ngx_http_request_t *r, ngx_str_t *password,
    ngx_str_t *stored, ngx_http_jobscout_password_pt handler, void *data)
{
    ngx_thread_task_t               *task;
    ngx_http_jobscout_password_t    *pw;
    ngx_http_jobscout_main_conf_t   *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_jobscout_password_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    pw = task->ctx;
    pw->request = r;
    pw->handler = handler;
    pw->data = data;

    pw->password = (char *) ngx_pnalloc(r->pool, password->len + 1);
    if (pw->password == NULL) {
        return NGX_ERROR;
    }

    *ngx_cpymem(pw->password, password->data, password->len) = '\0';

    if (stored) {
        pw->stored = (char *) ngx_pnalloc(r->pool, stored->len + 1);
        if (pw->stored == NULL) {
            return NGX_ERROR;
        }

        *ngx_cpymem(pw->stored, stored->data, stored->len) = '\0';
    }

    task->handler = ngx_http_jobscout_password_thread;
    task->event.handler = ngx_http_jobscout_password_done;
    task->event.data = task;

    if (ngx_thread_task_post(jmcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the request waits for the thread, which uses its memory */
    r->main->blocked++;
    r->aio = 1;

    pw->guard.handler = ngx_http_jobscout_password_guard;
    pw->guard.data = pw;
    pw->guard.log = r->connection->log;
    ngx_add_timer(&pw->guard, NGX_HTTP_JOBSCOUT_PASSWORD_GUARD);

    return NGX_OK;
}


static void
ngx_http_jobscout_password_guard(ngx_event_t *ev)
{
    ngx_add_timer(ev, NGX_HTTP_JOBSCOUT_PASSWORD_GUARD);
}


/* in a thread of the pool: nothing of nginx is touched here */

static void
ngx_http_jobscout_password_thread(void *data, ngx_log_t *log)
{
    ngx_http_jobscout_password_t *pw = data;

    char                salt[CRYPT_GENSALT_OUTPUT_SIZE];
    char               *hash;
    size_t              len;
    struct crypt_data  *cd;

    pw->ok = 0;

    cd = calloc(1, sizeof(struct crypt_data));   /* 32 KiB: not the stack */
    if (cd == NULL) {
        return;
    }

    if (pw->stored == NULL) {
        if (crypt_gensalt_rn("$2b$", NGX_HTTP_JOBSCOUT_BCRYPT_COST, NULL, 0,
                             salt, sizeof(salt))
            != NULL)
        {
            hash = crypt_rn(pw->password, salt, cd, sizeof(*cd));

            if (hash && hash[0] == '$') {
                len = strlen(hash);

                if (len < sizeof(pw->result)) {
                    memcpy(pw->result, hash, len + 1);
                    pw->ok = 1;
                }
            }
        }

    } else {
        hash = crypt_rn(pw->password, pw->stored, cd, sizeof(*cd));
        len = strlen(pw->stored);

        /* failures of crypt_rn() start with '*': never equal to a hash */
        pw->ok = hash && hash[0] == '$' && strlen(hash) == len
                 && CRYPTO_memcmp(hash, pw->stored, len) == 0;
    }

    explicit_bzero(cd, sizeof(*cd));
    free(cd);
}


/* the hash handed to the handler lives in the task, in r->pool */

static void
ngx_http_jobscout_password_done(ngx_event_t *ev)
{
    ngx_thread_task_t             *task;
    ngx_http_request_t            *r;
    ngx_http_jobscout_password_t  *pw;

    task = ev->data;
    pw = task->ctx;
    r = pw->request;

    r->main->blocked--;
    r->aio = 0;

    if (pw->guard.timer_set) {
        ngx_del_timer(&pw->guard);
    }

    explicit_bzero(pw->password, ngx_strlen(pw->password));

    pw->handler(r, pw->data, pw->ok, (u_char *) pw->result);
}


/* email: the account's address, which must not be the password, or NULL */

ngx_int_t
ngx_http_jobscout_check_password(ngx_http_jobscout_ctx_t *ctx,
    ngx_str_t *password, ngx_str_t *email)
{
    const char  **p;

    /* bcrypt reads 72 bytes at most: longer would be silently cut */

    if (password->len > 72) {
        return ngx_http_jobscout_body_refuse(ctx, "password",
                                        "is longer than 72 bytes");
    }

    for (p = ngx_http_jobscout_common_passwords; *p; p++) {
        if (ngx_strlen(*p) == password->len
            && ngx_strncasecmp((u_char *) *p, password->data,
                               password->len) == 0)
        {
            return ngx_http_jobscout_body_refuse(ctx, "password",
                                            "is too common");
        }
    }

    if (email && password->len == email->len
        && ngx_strncasecmp(password->data, email->data, email->len) == 0)
    {
        return ngx_http_jobscout_body_refuse(ctx, "password",
                                        "must not be the e-mail address");
    }

    return NGX_OK;
}
