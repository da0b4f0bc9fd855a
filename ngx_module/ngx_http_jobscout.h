
/*
 * Job Scout: the API of the job-alert service, inside nginx.
 *
 * Shared declarations of the module's files: configuration, the per-request
 * context, the non-blocking PostgreSQL pool, the non-blocking Redis client,
 * JSON responses and the route table.
 */


#ifndef _NGX_HTTP_JOBSCOUT_H_INCLUDED_
#define _NGX_HTTP_JOBSCOUT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <libpq-fe.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <jwt.h>


#define NGX_HTTP_JOBSCOUT_MAX_PARAMS    4
#define NGX_HTTP_JOBSCOUT_UNPROCESSABLE 422     /* nginx has no name for it */
#define NGX_HTTP_JOBSCOUT_REQUEST_ID_LEN  64
#define NGX_HTTP_JOBSCOUT_REQUEST_ID_BYTES 16   /* random, when we make one */


typedef struct ngx_http_jobscout_pg_pool_s     ngx_http_jobscout_pg_pool_t;
typedef struct ngx_http_jobscout_pg_conn_s     ngx_http_jobscout_pg_conn_t;
typedef struct ngx_http_jobscout_pg_query_s    ngx_http_jobscout_pg_query_t;
typedef struct ngx_http_jobscout_redis_s       ngx_http_jobscout_redis_t;
typedef struct ngx_http_jobscout_redis_cmd_s   ngx_http_jobscout_redis_cmd_t;
typedef struct ngx_http_jobscout_ctx_s         ngx_http_jobscout_ctx_t;


typedef struct {
    ngx_str_t                       conninfo;   /* empty: not configured */
    ngx_uint_t                      pool_size;
    ngx_uint_t                      queue_size;
    ngx_msec_t                      connect_timeout;
    ngx_msec_t                      query_timeout;
    const char                     *listen;     /* on the first connection */
} ngx_http_jobscout_pg_conf_t;


typedef struct {
    ngx_str_t                       name;       /* as configured */
    ngx_str_t                       host;       /* numeric address or path */
    int                             port;       /* 0: unix socket */
    ngx_msec_t                      timeout;
} ngx_http_jobscout_redis_conf_t;


typedef struct {
    ngx_str_t                       key_file;
    ngx_str_t                       public_key_file;
    ngx_str_t                       sign_key;   /* secret or private PEM */
    ngx_str_t                       verify_key; /* secret or public PEM */
    jwt_alg_t                       alg;
    ngx_str_t                       issuer;
    ngx_str_t                       audience;
    time_t                          access_ttl;
    time_t                          refresh_ttl;
    time_t                          leeway;
} ngx_http_jobscout_jwt_conf_t;


/* jobscout_cache: the response cache (_cache.c); size 0: off */

typedef struct {
    size_t                          size;
    ngx_msec_t                      ttl;
    ngx_msec_t                      ready_ttl;
    ngx_shm_zone_t                 *zone;
} ngx_http_jobscout_cache_conf_t;


/* jobscout_login_throttle: failed logins per account (throttle.c) */

typedef struct {
    ngx_uint_t                      failures;   /* 0: off */
    time_t                          window;
    ngx_msec_t                      backoff;
    ngx_msec_t                      max;
    time_t                          known;
} ngx_http_jobscout_throttle_conf_t;


/* jobscout_error_report: where 5xx reports go (error_report.c) */

typedef struct {
    ngx_addr_t                      addr;
    ngx_socket_t                    fd;         /* per worker process */
} ngx_http_jobscout_reporter_t;


typedef struct {
    ngx_http_jobscout_pg_conf_t     pg;
    ngx_http_jobscout_redis_conf_t  redis;
    ngx_http_jobscout_jwt_conf_t    jwt;
    ngx_flag_t                      test_endpoints;
    ngx_flag_t                      api;        /* jobscout_api is used */
    ngx_str_t                       openapi;    /* the API description */
    ngx_thread_pool_t              *thread_pool;

    /* AES-256 key of the sources' webhook secrets; len 0: none */
    ngx_str_t                       webhook_key;
    ngx_msec_t                      source_test_timeout;
    ngx_http_jobscout_throttle_conf_t  throttle;
    ngx_http_jobscout_cache_conf_t  cache;

    /* CVs: the largest file taken, where files are kept (len 0: none) */
    off_t                           cv_max_size;
    ngx_str_t                       cv_storage;
    /* jobscout_cv_s3: cv_s3_host.len 0 when none */
    ngx_str_t                       cv_s3_host;
    ngx_str_t                       cv_s3_bucket;
    ngx_str_t                       cv_s3_region;
    ngx_str_t                       cv_s3_access_key;
    ngx_str_t                       cv_s3_secret;

    ngx_http_jobscout_reporter_t   *error_report;   /* NULL: off */
    /* jobscout_cors_origin: of ngx_str_t; NULL: no origin allowed */
    ngx_array_t                    *cors_origins;

    /* per worker process, created in init_process */
    ngx_http_jobscout_pg_pool_t    *pg_pool;
    ngx_http_jobscout_redis_t      *redis_client;
} ngx_http_jobscout_main_conf_t;


typedef ngx_int_t (*ngx_http_jobscout_handler_pt)(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);


#define NGX_HTTP_JOBSCOUT_ROUTE_TEST    0x01    /* jobscout_test_endpoints */
#define NGX_HTTP_JOBSCOUT_ROUTE_BODY    0x02    /* takes a JSON object */
#define NGX_HTTP_JOBSCOUT_ROUTE_USER    0x04    /* a valid access token */
#define NGX_HTTP_JOBSCOUT_ROUTE_ADMIN   0x08    /* ... with role admin */
#define NGX_HTTP_JOBSCOUT_ROUTE_RAW     0x10    /* takes any body, as is */
#define NGX_HTTP_JOBSCOUT_ROUTE_PUBLIC  0x20    /* the same for all: cached */
#define NGX_HTTP_JOBSCOUT_ROUTE_FILE    0x40    /* takes a file, to disk */
#define NGX_HTTP_JOBSCOUT_ROUTE_SHARED  0x80    /* one answer for all: cache */
#define NGX_HTTP_JOBSCOUT_ROUTE_OWN     0x100   /* a user's data: cache */
#define NGX_HTTP_JOBSCOUT_ROUTE_PROBE   0x200   /* readiness: cache briefly */
#define NGX_HTTP_JOBSCOUT_ROUTE_QUERY   0x400   /* reads query parameters */

typedef struct {
    ngx_uint_t                      method;
    ngx_str_t                       pattern;
    ngx_http_jobscout_handler_pt    handler;
    ngx_uint_t                      flags;
} ngx_http_jobscout_route_t;


/* the claims of a verified token */

typedef struct {
    ngx_str_t                       sub;        /* user id */
    ngx_str_t                       jti;
    ngx_str_t                       fam;        /* refresh token family */
    ngx_str_t                       role;
    time_t                          iat;
    time_t                          exp;
    time_t                          nbf;
    ngx_uint_t                      refresh;    /* a refresh token */
} ngx_http_jobscout_token_t;


#define NGX_HTTP_JOBSCOUT_TOKEN_UNCHECKED  0
#define NGX_HTTP_JOBSCOUT_TOKEN_VALID      1
#define NGX_HTTP_JOBSCOUT_TOKEN_NONE       2
#define NGX_HTTP_JOBSCOUT_TOKEN_INVALID    3


struct ngx_http_jobscout_ctx_s {
    ngx_str_t                       request_id;
    ngx_str_t                       params[NGX_HTTP_JOBSCOUT_MAX_PARAMS];
    ngx_uint_t                      nparams;

    ngx_http_jobscout_route_t      *route;
    json_t                         *body;       /* the JSON object sent */
    ngx_str_t                       raw;        /* the body of a RAW route */

    /* the first invalid field found, answered as 422 */
    const char                     *invalid_field;
    const char                     *invalid_message;
    unsigned                        reading_body:1;
    ngx_http_event_handler_pt       read_body;  /* nginx's, while it reads */

    /* the bearer token, verified once, also for the variables */
    ngx_uint_t                      token_state;
    ngx_http_jobscout_token_t       token;

    /* asynchronous operations a handler still waits for */
    ngx_uint_t                      pending;
    void                           *data;       /* the handler's own state */
    void                           *cache;      /* the response cache's */
};


/*
 * PostgreSQL.  Every query runs a named statement, prepared on each pooled
 * connection the first time that connection runs it: PostgreSQL then
 * parses and plans it once, not on every request.  Names are unique.
 *
 * A statement without a name is sent with its values every time
 * (PQsendQueryParams) and planned for them: for queries whose best plan
 * depends on which optional filters are set ("$n IS NULL OR ..." folds
 * away only in such a custom plan; a prepared statement's generic plan
 * would keep every filter and miss their indexes).
 */

#define NGX_HTTP_JOBSCOUT_PG_MAX_STMTS  256

typedef struct {
    const char                     *name;
    const char                     *sql;
    int                             nparams;
    ngx_uint_t                      id;         /* set on first use */
} ngx_http_jobscout_pg_stmt_t;


/*
 * A query is allocated by the caller from r->pool.  Its handler
 * is called exactly once, always from the event loop (never from inside
 * ngx_http_jobscout_pg_query()), unless the request went away first.  On
 * failure res is NULL and status/error say what to answer.  When
 * ngx_http_jobscout_pg_query() returns NGX_ERROR the query was not sent and
 * status/error are set already.
 */

typedef void (*ngx_http_jobscout_pg_handler_pt)(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);

struct ngx_http_jobscout_pg_query_s {
    ngx_http_request_t             *request;
    ngx_http_jobscout_pg_stmt_t    *stmt;
    const char *const              *values;
    ngx_http_jobscout_pg_handler_pt handler;
    void                           *data;

    ngx_uint_t                      status;     /* HTTP status on failure */
    const char                     *error;      /* message on failure */

    /* private to the pool */
    ngx_uint_t                      state;
    ngx_http_jobscout_pg_conn_t    *conn;
    ngx_queue_t                     queue;
    ngx_event_t                     wait;
    ngx_http_cleanup_t             *cleanup;
};

ngx_int_t ngx_http_jobscout_pg_query(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q);
ngx_int_t ngx_http_jobscout_pg_send_error(ngx_http_request_t *r,
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
ngx_int_t ngx_http_jobscout_pg_row(ngx_http_jobscout_pg_query_t *q,
    PGresult *res, ngx_int_t (*none)(ngx_http_request_t *r));
ngx_http_jobscout_pg_pool_t *ngx_http_jobscout_pg_pool_create(
    ngx_cycle_t *cycle, ngx_http_jobscout_pg_conf_t *conf);
void ngx_http_jobscout_pg_pool_close(ngx_http_jobscout_pg_pool_t *pool);
/* a connection is up: a query would not wait for one to connect */
ngx_uint_t ngx_http_jobscout_pg_ready(ngx_http_jobscout_pg_pool_t *pool);
char *ngx_http_jobscout_pg_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/*
 * Redis.  The same contract as a query: the handler runs once, from the
 * event loop, with reply NULL on failure (status/error set).  The command
 * is not sent when ngx_http_jobscout_redis_command() returns an HTTP status
 * (503 while Redis is down) instead of NGX_OK.
 */

typedef void (*ngx_http_jobscout_redis_handler_pt)(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);

struct ngx_http_jobscout_redis_cmd_s {
    ngx_http_request_t                 *request;
    ngx_http_jobscout_redis_handler_pt  handler;
    void                               *data;

    ngx_uint_t                          status;
    const char                         *error;

    /* private to the client */
    ngx_http_jobscout_redis_t          *client;
    ngx_event_t                         timer;
    ngx_http_cleanup_t                 *cleanup;
};

ngx_int_t ngx_http_jobscout_redis_command(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen);
ngx_http_jobscout_redis_t *ngx_http_jobscout_redis_create(ngx_cycle_t *cycle,
    ngx_http_jobscout_redis_conf_t *conf);
void ngx_http_jobscout_redis_close(ngx_http_jobscout_redis_t *client);
ngx_uint_t ngx_http_jobscout_redis_up(ngx_http_jobscout_redis_t *client);
void ngx_http_jobscout_redis_run_id(ngx_http_request_t *r, ngx_str_t *run_id);
char *ngx_http_jobscout_redis_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/* nginx connections around the sockets of libpq and hiredis */

#define NGX_HTTP_JOBSCOUT_BACKOFF_MIN  100


ngx_connection_t *ngx_http_jobscout_event_attach(ngx_socket_t fd, void *data,
    ngx_event_handler_pt read_handler, ngx_event_handler_pt write_handler,
    ngx_log_t *log);
void ngx_http_jobscout_event_release(ngx_connection_t *c);
ngx_int_t ngx_http_jobscout_event_set(ngx_event_t *ev, ngx_uint_t active);
ngx_int_t ngx_http_jobscout_socket_readable(ngx_socket_t fd);
void ngx_http_jobscout_event_retry(ngx_event_t *timer, ngx_msec_t *backoff);


/*
 * The response cache (_cache.c): cache_run() is the route's handler or its
 * cached answer; cache_answer() sees every answer before its header.
 */

char *ngx_http_jobscout_cache_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_jobscout_cache_init_conf(ngx_conf_t *cf,
    ngx_http_jobscout_main_conf_t *jmcf);
ngx_int_t ngx_http_jobscout_cache_run(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_cache_answer(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t status, u_char *body,
    size_t len);
void ngx_http_jobscout_cache_notified(const char *payload);
/* $jobscout_cache: HIT, MISS, BYPASS (not usable now), or not found */
ngx_int_t ngx_http_jobscout_cache_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
void ngx_http_jobscout_cache_listen(ngx_uint_t up);


/* "name=value" parameters of directives */

ngx_int_t ngx_http_jobscout_conf_param(ngx_str_t *arg, const char *name,
    ngx_str_t *value);
ngx_int_t ngx_http_jobscout_conf_msec(ngx_str_t *value);


/* 5xx reports for error tracking */

char *ngx_http_jobscout_error_report_directive(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_jobscout_error_report_open(ngx_cycle_t *cycle,
    ngx_http_jobscout_reporter_t *rep);
void ngx_http_jobscout_error_report_close(ngx_http_jobscout_reporter_t *rep);
void ngx_http_jobscout_error_report(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message);


/* JSON responses */

ngx_int_t ngx_http_jobscout_send_json(ngx_http_request_t *r,
    ngx_uint_t status, u_char *body, size_t len);
ngx_table_elt_t *ngx_http_jobscout_header_in(ngx_http_request_t *r,
    const char *name);
char *ngx_http_jobscout_cors_origin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_jobscout_cors_headers(ngx_http_request_t *r);
ngx_int_t ngx_http_jobscout_unsubscribe(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_cors_preflight(ngx_http_request_t *r,
    ngx_str_t *methods);
ngx_int_t ngx_http_jobscout_add_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value);
ngx_int_t ngx_http_jobscout_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *message);
void ngx_http_jobscout_finalize(ngx_http_request_t *r, ngx_int_t rc);
ngx_http_jobscout_ctx_t *ngx_http_jobscout_init_ctx(ngx_http_request_t *r);
u_char *ngx_http_jobscout_json_escape(u_char *dst, u_char *src, size_t len);
size_t ngx_http_jobscout_json_escaped_len(u_char *src, size_t len);


/* JSON request bodies and JSON building */

ngx_int_t ngx_http_jobscout_read_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/* a body as JSON (no name twice), or NULL and why in message */
json_t *ngx_http_jobscout_json_parse(u_char *data, size_t len,
    u_char *message, size_t size);
/* a task for jobscoutd (jobscout_task.h), args taken: free() it */
char *ngx_http_jobscout_task_json(const char *kind, json_t *args,
    u_char *id);
ngx_int_t ngx_http_jobscout_send_jansson(ngx_http_request_t *r,
    ngx_uint_t status, json_t *json);
/* the first row's value of column col, copied into the pool */
ngx_int_t ngx_http_jobscout_pg_copy(ngx_pool_t *pool, PGresult *res, int col,
    ngx_str_t *value);
ngx_int_t ngx_http_jobscout_send_pg_json(ngx_http_request_t *r,
    ngx_uint_t status, PGresult *res);
void ngx_http_jobscout_pg_json_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
ngx_int_t ngx_http_jobscout_invalid(ngx_http_request_t *r, const char *field,
    const char *message);
ngx_int_t ngx_http_jobscout_send_invalid(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/*
 * Validators of ctx->body: NGX_OK, or NGX_DECLINED with the refused field
 * recorded in ctx, for one 422 by ngx_http_jobscout_send_invalid().
 */

ngx_int_t ngx_http_jobscout_body_refuse(ngx_http_jobscout_ctx_t *ctx,
    const char *field, const char *message);
ngx_int_t ngx_http_jobscout_body_allow(ngx_http_jobscout_ctx_t *ctx,
    const char **allowed);
ngx_int_t ngx_http_jobscout_body_string(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, size_t min, size_t max,
    ngx_str_t *value);
/* a name others see (in mails, the console): no bidi or line controls */
ngx_int_t ngx_http_jobscout_check_name(ngx_http_jobscout_ctx_t *ctx,
    const char *name, ngx_str_t *value);
ngx_int_t ngx_http_jobscout_body_boolean(ngx_http_jobscout_ctx_t *ctx,
    const char *name, const char **value);
ngx_int_t ngx_http_jobscout_body_text(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, size_t max,
    ngx_str_t *value);


/*
 * Query-string arguments: a route lists the names it takes, each with how
 * often it may come (1, or more for a repeatable one); args[i] receives
 * the decoded, NUL-terminated values of specs[i].  The validators record a
 * refused argument in ctx like the body validators.
 */

typedef struct {
    const char                     *name;
    ngx_uint_t                      max;
} ngx_http_jobscout_arg_spec_t;

typedef struct {
    ngx_str_t                      *values;
    ngx_uint_t                      n;
} ngx_http_jobscout_arg_t;

ngx_int_t ngx_http_jobscout_args_parse(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_spec_t *specs,
    ngx_http_jobscout_arg_t *args);
ngx_int_t ngx_http_jobscout_args_none(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/* valid UTF-8 without control characters (NUL included) */
ngx_int_t ngx_http_jobscout_arg_text(ngx_str_t *value);
ngx_int_t ngx_http_jobscout_arg_length(ngx_http_jobscout_ctx_t *ctx,
    const char *name, ngx_str_t *value, size_t min, size_t max);
ngx_int_t ngx_http_jobscout_arg_flag(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_arg_t *arg, const char *name, const char **value);
ngx_int_t ngx_http_jobscout_arg_int(ngx_http_jobscout_ctx_t *ctx,
    const char *name, ngx_str_t *value, ngx_int_t min, ngx_int_t max,
    ngx_int_t *n);
ngx_int_t ngx_http_jobscout_arg_limit(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_t *arg,
    ngx_int_t dflt, ngx_int_t max, ngx_int_t *limit);
ngx_int_t ngx_http_jobscout_arg_time(ngx_http_jobscout_ctx_t *ctx,
    const char *name, ngx_str_t *value, int64_t *micros);
ngx_int_t ngx_http_jobscout_valid_uuid(ngx_str_t *s);

/*
 * Keyset pages.  A cursor wraps the key of the last row sent,
 * "[key|...]micros|uuid"; the query builds it with
 * NGX_HTTP_JOBSCOUT_SQL_KEY and reads a cursor's time back with
 * NGX_HTTP_JOBSCOUT_SQL_MICROS.  A page query answers one row: the items'
 * JSON array and the key of the last item when more follow (else NULL).
 */

#define NGX_HTTP_JOBSCOUT_SQL_KEY(ts, id)                                    \
    "(extract(epoch FROM " ts ") * 1000000)::bigint || '|' || " id

#define NGX_HTTP_JOBSCOUT_SQL_MICROS(param)                                  \
    "(timestamptz 'epoch' + " param "::bigint * interval '1 microsecond')"

ngx_int_t ngx_http_jobscout_cursor_decode(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_str_t *cursor, ngx_str_t *fields,
    ngx_uint_t n);
ngx_int_t ngx_http_jobscout_send_page(ngx_http_request_t *r, PGresult *res);


/* tokens */

ngx_int_t ngx_http_jobscout_jwt_verify_request(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_jwt_verify(ngx_http_request_t *r, u_char *token,
    size_t len, ngx_http_jobscout_token_t *t);
char *ngx_http_jobscout_jwt_issue(ngx_http_request_t *r, ngx_str_t *sub,
    ngx_str_t *role, ngx_str_t *fam, ngx_uint_t refresh, ngx_str_t *jti);
ngx_int_t ngx_http_jobscout_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_jobscout_random_hex(u_char *dst, size_t bytes);
ngx_int_t ngx_http_jobscout_send_unauthorized(ngx_http_request_t *r,
    const char *message);
char *ngx_http_jobscout_jwt_key_directive(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_jobscout_jwt_ttl_directive(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
/* a key file of 1 to 65536 bytes, its trailing newlines cut */
ngx_int_t ngx_http_jobscout_conf_read_key(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *key);


/*
 * Sessions: PostgreSQL holds them and their revocations (auth_sessions);
 * Redis caches the revoked token families as keys with a TTL, trusted
 * only while the marker written by priming is there (see
 * ngx_http_jobscout_sessions.c).  A refresh token's use is noted in Redis
 * for the few seconds a parallel retry may bring it back.
 */

#define NGX_HTTP_JOBSCOUT_REVOKED_FAM    "jobscout:revoked:fam:"
#define NGX_HTTP_JOBSCOUT_USED_REFRESH   "jobscout:refresh:used:"
#define NGX_HTTP_JOBSCOUT_CACHE_PRIMED   "jobscout:revoked:primed"
#define NGX_HTTP_JOBSCOUT_CACHE_PRIMING  "jobscout:revoked:priming"

typedef void (*ngx_http_jobscout_revoked_pt)(ngx_http_request_t *r,
    void *data, ngx_int_t ok);

ngx_int_t ngx_http_jobscout_session_check(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_cache_revoked(ngx_http_request_t *r,
    ngx_str_t *fams, ngx_uint_t n, time_t ttl,
    ngx_http_jobscout_redis_handler_pt handler, void *data);
void ngx_http_jobscout_cache_noted(redisReply *reply);
ngx_int_t ngx_http_jobscout_send_unavailable(ngx_http_request_t *r,
    const char *message);
const char *ngx_http_jobscout_cstr(ngx_pool_t *pool, ngx_str_t *s);

/*
 * E-mailed tokens: 32 random bytes as 64 hex digits in token, the SHA-256
 * (all that is stored) as 64 hex digits in hash; both NUL-terminated, so
 * 65 bytes each.
 */
ngx_int_t ngx_http_jobscout_new_token(u_char *token, u_char *hash);

/*
 * A CTE queuing the mail of kind (workers/lib/jobscout_task.h's format)
 * for each row of "from" (its email and full_name) in the task outbox
 * (sql/migrations/0014): written in the statement that makes the token,
 * relayed to Redis by jobscoutd, so that no answered request loses its
 * mail to Redis.  token: the parameter holding the raw token (NULL::text
 * for a notice).
 */
#define NGX_HTTP_JOBSCOUT_SQL_OUTBOX_MAIL(kind, token, from)                 \
    " mail AS ("                                                             \
    "  INSERT INTO task_outbox (id, queue, task)"                            \
    "  SELECT m.id, '" JOBSCOUT_QUEUE_MAIL "',"                              \
    "         json_build_object('id', m.id, 'kind', '" kind "',"             \
    "           'args', json_build_object('to', m.email,"                    \
    "             'name', coalesce(m.full_name, ''), 'token', " token "),"   \
    "           'attempt', 0, 'enqueued_at', task_now_ms())::text"           \
    "    FROM (SELECT replace(gen_random_uuid()::text, '-', '') AS id,"      \
    "                 email, full_name FROM " from ") m"                     \
    ")"

ngx_int_t ngx_http_jobscout_check_password(ngx_http_jobscout_ctx_t *ctx,
    ngx_str_t *password, ngx_str_t *email);
/* an address as registration takes it; lower-cased in place */
ngx_int_t ngx_http_jobscout_check_email(ngx_http_jobscout_ctx_t *ctx,
    ngx_str_t *email);
ngx_int_t ngx_http_jobscout_send_str(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *json);


/*
 * Login attempts per account, whatever the address (throttle.c).  Keys
 * are the SHA-256 of the lower-cased address, never the address itself.
 * check() counts an attempt before the password is checked and answers,
 * through ngx_http_jobscout_throttle_checked(), whether it may go on;
 * passed() refunds the attempt of a successful login and remembers its
 * client address.  Both return NGX_DECLINED when throttling is off.
 */

typedef struct {
    ngx_str_t                       attempts;   /* Redis keys */
    ngx_str_t                       pause;
    ngx_str_t                       known;
    ngx_uint_t                      attempt;    /* this one's number */
    time_t                          retry;      /* paused: seconds left */
} ngx_http_jobscout_throttle_t;

ngx_int_t ngx_http_jobscout_throttle_check(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t, ngx_str_t *email,
    ngx_http_jobscout_redis_handler_pt handler, void *data);
/* NGX_OK: go on; NGX_BUSY: paused (t->retry); NGX_ERROR: Redis failed */
ngx_int_t ngx_http_jobscout_throttle_checked(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t, redisReply *reply);
/* a failed attempt that used up the budget: the owner is told, once */
ngx_uint_t ngx_http_jobscout_throttle_spent(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t);
ngx_int_t ngx_http_jobscout_throttle_passed(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t,
    ngx_http_jobscout_redis_handler_pt handler, void *data);
ngx_int_t ngx_http_jobscout_send_throttled(ngx_http_request_t *r,
    ngx_http_jobscout_throttle_t *t);
char *ngx_http_jobscout_throttle_directive(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
void ngx_http_jobscout_throttle_init_conf(
    ngx_http_jobscout_throttle_conf_t *conf);

/* a JSON error with Retry-After when retry is not 0 (limit.c) */
ngx_int_t ngx_http_jobscout_limit_answer(ngx_http_request_t *r,
    ngx_uint_t status, const char *code, const char *message, time_t retry);

/* revokes every session of the user; NGX_OK: done() will be called */
ngx_int_t ngx_http_jobscout_revoke_sessions(ngx_http_request_t *r,
    ngx_str_t *user, ngx_http_jobscout_revoked_pt done, void *data);


/* passwords: bcrypt in the thread pool */

typedef void (*ngx_http_jobscout_password_pt)(ngx_http_request_t *r,
    void *data, ngx_int_t ok, u_char *hash);

ngx_int_t ngx_http_jobscout_password_hash(ngx_http_request_t *r,
    ngx_str_t *password, ngx_http_jobscout_password_pt handler, void *data);
ngx_int_t ngx_http_jobscout_password_verify(ngx_http_request_t *r,
    ngx_str_t *password, ngx_str_t *hash,
    ngx_http_jobscout_password_pt handler, void *data);
ngx_int_t ngx_http_jobscout_password_init(ngx_conf_t *cf,
    ngx_http_jobscout_main_conf_t *jmcf);


/* routes */

ngx_int_t ngx_http_jobscout_route_continue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

ngx_int_t ngx_http_jobscout_route(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

ngx_int_t ngx_http_jobscout_health(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_health_ready(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_test_sleep(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_register(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_login(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_refresh(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_logout(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_verify_email(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_resend_verification(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_forgot_password(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_auth_reset_password(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/* the signed-in user's account */

ngx_int_t ngx_http_jobscout_users_me(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_users_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_users_fcm_put(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_users_fcm_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_users_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_users_export(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/* the "preferences" of PATCH /users/me, a validator as the body's */
ngx_int_t ngx_http_jobscout_check_preferences(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, json_t *prefs);


/*
 * Alerts and the application tracker (_alerts.c, _applications.c).  Both
 * kinds of application are rows of user_job_alerts: an alert points at a
 * scraped job, an application logged by hand at the user's private
 * logged_jobs row (migration 0005 says why).  $1 of every statement is
 * the token's subject, and rows are found through NGX_HTTP_JOBSCOUT_SQL_ME:
 * another user's row is not found, as a missing one.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ME                                             \
    "(SELECT id FROM users WHERE id = $1::uuid AND deleted_at IS NULL"      \
    " AND is_active)"

/* an alert "a" and its job; logged: logged_jobs, or a CTE inserting there */

#define NGX_HTTP_JOBSCOUT_SQL_ALERT_JOINS(logged)                            \
    " LEFT JOIN jobs j ON j.id = a.job_id"                                   \
    " LEFT JOIN " logged " l ON l.id = a.logged_job_id"                      \
    " LEFT JOIN companies co ON co.id = coalesce(j.company_id, l.company_id)"

/* what the API shows of an alert: the same for both kinds */

#define NGX_HTTP_JOBSCOUT_SQL_ALERT                                          \
    "json_build_object(" NGX_HTTP_JOBSCOUT_SQL_ALERT_FIELDS ")"

/*
 * One alert alone also shows its score's parts: match_parts() costs about
 * a millisecond, too much for each item of a list.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ALERT_DETAIL                                   \
    "json_build_object(" NGX_HTTP_JOBSCOUT_SQL_ALERT_FIELDS ","              \
    " 'match_parts', match_parts(a.user_id, a.job_id))"

#define NGX_HTTP_JOBSCOUT_SQL_ALERT_FIELDS                                   \
    "'id', a.id,"                                                            \
    " 'kind', CASE WHEN a.logged_job_id IS NULL THEN 'alert'"                \
    "              ELSE 'logged' END,"                                       \
    " 'match_score', a.match_score, 'is_read', a.is_read,"                   \
    " 'is_saved', a.is_saved, 'is_applied', a.is_applied,"                   \
    " 'application_status', a.application_status,"                           \
    " 'next_statuses', application_next_statuses(a.application_status),"     \
    " 'applied_at', a.applied_at, 'notes', a.notes,"                         \
    " 'notified_at', a.notified_at, 'backfilled', a.backfilled,"             \
    " 'created_at', a.created_at,"                                           \
    " 'job', json_build_object('id', j.id,"                                  \
    "   'title', coalesce(j.title, l.title),"                                \
    "   'company', json_build_object('slug', co.slug,"                       \
    "       'name', coalesce(co.name, l.company), 'logo_url', co.logo_url)," \
    "   'location', j.location, 'location_type', j.location_type,"           \
    "   'employment_type', j.employment_type,"                               \
    "   'salary_min', j.salary_min, 'salary_max', j.salary_max,"             \
    "   'salary_currency', j.salary_currency,"                               \
    "   'apply_url', coalesce(j.apply_url, l.url),"                          \
    "   'posted_at', j.posted_at, 'discovered_at', j.discovered_at,"         \
    "   'expires_at', j.expires_at, 'is_active', j.is_active)"

/*
 * Lists: $2 the limit, $3 and $4 the cursor's time and id (NULL: the first
 * page), $5 the status filter.  ALERT_AFTER keeps the rows past the
 * cursor in the order (at DESC, id DESC); ALERT_PAGE answers the CTE
 * "page" of up to $2 + 1 such rows as a keyset page.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ALERT_AFTER(at)                                \
    "(a." at ", a.id) < (coalesce(" NGX_HTTP_JOBSCOUT_SQL_MICROS("$3")      \
    ", 'infinity'), coalesce($4::uuid,"                                      \
    " 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"

#define NGX_HTTP_JOBSCOUT_SQL_ALERT_PAGE(at)                                 \
    " SELECT coalesce(json_agg(" NGX_HTTP_JOBSCOUT_SQL_ALERT                 \
    "          ORDER BY a.n) FILTER (WHERE a.n <= $2::integer), '[]')::text," \
    "        CASE WHEN count(*) > $2::integer THEN max("                     \
    NGX_HTTP_JOBSCOUT_SQL_KEY("a." at, "a.id")                               \
    "          ) FILTER (WHERE a.n = $2::integer) END"                       \
    " FROM (SELECT *, row_number() OVER (ORDER BY " at " DESC, id DESC)"     \
    "         AS n FROM page) a"                                             \
    NGX_HTTP_JOBSCOUT_SQL_ALERT_JOINS("logged_jobs")

/* user_job_alerts_notes_chk */
#define NGX_HTTP_JOBSCOUT_NOTES_MAX  2000

typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[8];
    ngx_uint_t                      status;     /* answered on success */
    const char                     *missing;    /* answered with 404 */
    u_char                          id[37];     /* {id}, a UUID */
    unsigned                        page:1;     /* a keyset page */
} ngx_http_jobscout_tracker_t;

ngx_http_jobscout_tracker_t *ngx_http_jobscout_tracker_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_tracker_list_args(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_tracker_t *st,
    ngx_http_jobscout_arg_t *args);
ngx_int_t ngx_http_jobscout_tracker_run(ngx_http_request_t *r,
    ngx_http_jobscout_tracker_t *st, ngx_http_jobscout_pg_stmt_t *stmt);

ngx_int_t ngx_http_jobscout_alerts_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_alerts_unread_count(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_alerts_read_all(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_alerts_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_alerts_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_alerts_status(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_alerts_history(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_applications_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_applications_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_applications_dashboard(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/* the profile (_profile.c) */

ngx_int_t ngx_http_jobscout_profile_skills_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_skills_add(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_skills_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_skills_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/* education and experience: the route's path names the section */
ngx_int_t ngx_http_jobscout_profile_entries(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_entry_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_entry_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_entry_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_profile_entry_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/* the values of a statement of the user: $1 the token's subject, n in all */
const char **ngx_http_jobscout_profile_values(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t n);
/* a route of no argument on the row {id}: its statement's $2 */
ngx_int_t ngx_http_jobscout_profile_by_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt,
    const char *missing);

/* jobs for the user (_recommended.c) */

ngx_int_t ngx_http_jobscout_jobs_recommended(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_jobs_skill_gap(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/*
 * What a job shows, in a list and alone: j is the job, c its company.
 * Required skills come first.
 */

#define NGX_HTTP_JOBSCOUT_JOB_FIELDS                                         \
    "'id', j.id, 'title', j.title,"                                          \
    " 'company', json_build_object('slug', c.slug, 'name', c.name,"          \
    "                              'logo_url', c.logo_url),"                 \
    " 'location', j.location, 'location_type', j.location_type,"             \
    " 'employment_type', j.employment_type,"                                 \
    " 'salary_min', j.salary_min, 'salary_max', j.salary_max,"               \
    " 'salary_currency', j.salary_currency, 'apply_url', j.apply_url,"       \
    " 'posted_at', j.posted_at, 'discovered_at', j.discovered_at,"           \
    " 'listed_at', j.listed_at, 'valid_through', j.valid_through,"           \
    " 'skills', coalesce((SELECT json_agg(json_build_object("                \
    "                         'name', s.skill_name,"                         \
    "                         'required', s.is_required,"                    \
    "                         'min_years', s.min_years)"                     \
    "                     ORDER BY NOT s.is_required, s.skill_name)"         \
    "                FROM job_skills s WHERE s.job_id = j.id), '[]')"

/* a keyset page's body ({"items", "next_cursor"}) from res, in the pool */
ngx_int_t ngx_http_jobscout_page_body(ngx_http_request_t *r, PGresult *res,
    int col, ngx_str_t *body);

ngx_int_t ngx_http_jobscout_jobs_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_jobs_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_company_jobs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_test_jobs_explain(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/* the parameters of the listing queries */
#define NGX_HTTP_JOBSCOUT_JOBS_NPARAMS  13

/* a listing's query string into its values; NGX_DECLINED: refused */
ngx_int_t ngx_http_jobscout_jobs_parse(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_str_t *company, const char **values,
    ngx_uint_t *kind);
ngx_int_t ngx_http_jobscout_companies_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_companies_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_openapi(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_test_routes(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

char *ngx_http_jobscout_openapi_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_jobscout_valid_slug(ngx_str_t *slug);


/*
 * The admin API (_admin*.c).  Every admin statement checks the caller in
 * the query itself, so that a user demoted or disabled loses access at
 * once: $1 is the token's subject, $2 the request id (for the audit),
 * the route's own values follow from $3.  A statement answers one row
 * (status, body): a 2xx status with the JSON document, or a 4xx status
 * with the error's message; or (status, items, next key) for a keyset
 * page; no row is a 404 with the message given to the runner.
 *
 *   NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE        "WITH admin AS (...)": one row,
 *                                          the caller, when an admin
 *   NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED     the 403 row, then UNION ALL
 *                                          the answer for an admin
 *                                          (_DENIED_PAGE for a page)
 *   NGX_HTTP_JOBSCOUT_SQL_AUDIT(a, t, c)   a CTE "audit" recording action
 *                                          a on target type t for every
 *                                          row (target_id, before, after)
 *                                          of the CTE c
 *
 * Writes join "admin", so that nothing is written for anyone else.
 */

/* $2 is named here too: a statement that audits nothing still takes it */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE                                      \
    "WITH admin AS (SELECT id, $2::text AS request_id FROM users"            \
    "               WHERE id = $1::uuid AND is_admin"                        \
    "               AND is_active AND deleted_at IS NULL)"

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED                                   \
    " SELECT 403, 'administrators only'::text"                               \
    "  WHERE NOT EXISTS (SELECT FROM admin)"                                 \
    " UNION ALL"

/* the same for a keyset page's three columns */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED_PAGE                              \
    " SELECT 403, 'administrators only'::text, NULL::text"                   \
    "  WHERE NOT EXISTS (SELECT FROM admin)"                                 \
    " UNION ALL"

#define NGX_HTTP_JOBSCOUT_SQL_AUDIT(action, type, changed)                   \
    "audit AS (INSERT INTO admin_audit (admin_id, action, target_type,"      \
    "          target_id, before, after, request_id)"                        \
    "  SELECT (SELECT id FROM admin), '" action "', '" type "',"             \
    "         c.target_id::text, c.before, c.after, $2 FROM " changed " c)"

/* the values of an admin statement: $1 and $2 set, n in all */

const char **ngx_http_jobscout_admin_values(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t n);
ngx_int_t ngx_http_jobscout_admin_query(ngx_http_request_t *r,
    ngx_http_jobscout_pg_stmt_t *stmt, const char **values,
    const char *missing);
void ngx_http_jobscout_admin_done(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
/* NGX_OK: the statement answered 200; else answered, finalized: NGX_DONE */
ngx_int_t ngx_http_jobscout_admin_ok(ngx_http_jobscout_pg_query_t *q,
    PGresult *res, const char *missing);
ngx_int_t ngx_http_jobscout_admin_send(ngx_http_request_t *r,
    PGresult *res, const char *missing);
/* {id} number i as a UUID in *value; NGX_DECLINED: it is not one */
ngx_int_t ngx_http_jobscout_admin_uuid_param(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t i, const char **value);
/* the answer to uuid_param's rc: NGX_DECLINED a 404 saying missing */
ngx_int_t ngx_http_jobscout_admin_missing(ngx_http_request_t *r,
    ngx_int_t rc, const char *missing);
ngx_int_t ngx_http_jobscout_send_page_at(ngx_http_request_t *r,
    PGresult *res, int col);

/* the caller is an admin still: then next(r, ctx), else answered 403 */
ngx_int_t ngx_http_jobscout_admin_check(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_handler_pt next);

ngx_int_t ngx_http_jobscout_admin_adapters(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_stats(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_audit(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/* _admin_companies.c */
ngx_int_t ngx_http_jobscout_admin_companies_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_companies_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_companies_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_companies_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_companies_deactivate(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx);
/* a creation's or a change's fields into f[5], a validator as the body's */
ngx_int_t ngx_http_jobscout_admin_company_body(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **f, ngx_uint_t create);

/* _admin_sources.c */
ngx_int_t ngx_http_jobscout_admin_sources_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_create(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_update(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_deactivate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_reactivate(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_logs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_scrape_logs(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/* _admin_tasks.c: dry runs, runs now, dead letters */
ngx_int_t ngx_http_jobscout_admin_sources_test(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_test_saved(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_sources_scrape(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_dead_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_dead_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_dead_requeue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_dead_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/*
 * What the routes handing work to jobscoutd share (_admin_tasks.c,
 * _admin_dead.c): one route's state, from its first statement to its
 * answer; task_new sets ctx->data to it and its values' $1 and $2.
 */

typedef struct {
    ngx_http_jobscout_pg_query_t    query;
    const char                    **values;
    const char                     *missing;    /* the 404's message */
    ngx_str_t                       id;         /* source or task id */

    /* dry runs */
    ngx_str_t                       reply;      /* the reply list */
    ngx_int_t                       max_pages;
    ngx_msec_t                      deadline;
    ngx_event_t                     poll;

    /* dead letters */
    ngx_int_t                       limit;
    ngx_str_t                       offset;     /* the cursor's */
    ngx_str_t                       last;       /* its id, "" if none */
    ngx_str_t                       raw;        /* the entry as found */
    ngx_str_t                       queue;      /* where it goes back */
    char                           *requeued;   /* the entry put back */
    unsigned                        change:1;   /* requeue or delete */
    unsigned                        requeue:1;
} ngx_http_jobscout_admin_task_t;

ngx_http_jobscout_admin_task_t *ngx_http_jobscout_admin_task_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx, ngx_uint_t nvalues,
    const char *missing);
ngx_int_t ngx_http_jobscout_admin_task_query(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st, ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler);
/* a Redis command of argc words; hiredis copies them */
ngx_int_t ngx_http_jobscout_admin_redis(ngx_http_request_t *r,
    ngx_http_jobscout_redis_handler_pt handler, void *data, ngx_uint_t argc,
    ngx_str_t *argv);
ngx_int_t ngx_http_jobscout_admin_unavailable(ngx_http_request_t *r);

/*
 * Queues a run of the source (a JSON source id) on scrape:high, as
 * trigger ("manual" or "webhook") with that trigger's rate limit: the
 * handler gets the script's reply, [1, task id] queued, [0, seconds]
 * rate-limited, [2, 0] already pending or running.
 */
ngx_int_t ngx_http_jobscout_queue_scrape(ngx_http_request_t *r,
    ngx_str_t *source_id, const char *trigger, ngx_uint_t interval,
    ngx_http_jobscout_redis_handler_pt handler, void *data);
/* its answer: 202, 429 with Retry-After, 409 (202 if pending_accepted) */
ngx_int_t ngx_http_jobscout_scrape_queued(ngx_http_request_t *r,
    redisReply *reply, ngx_str_t *source_id, ngx_uint_t pending_accepted);

/* _admin_users.c */
ngx_int_t ngx_http_jobscout_admin_users_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_users_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_users_disable(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_users_enable(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_users_promote(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_admin_users_demote(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);

/* _webhooks.c */
ngx_int_t ngx_http_jobscout_admin_sources_webhook_secret(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_webhook_source(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/*
 * An X-JobScout-Signature value, "t=<digits>,v1=<64 hex>[,v1=...]": *t,
 * and up to max v1 values (pointing into value) in v1[], *nv1 of them.
 */
ngx_int_t ngx_http_jobscout_webhook_signature(ngx_str_t *value, time_t *t,
    ngx_str_t *v1, ngx_uint_t max, ngx_uint_t *nv1);
char *ngx_http_jobscout_webhook_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/*
 * Admin lists and changes (_admin_companies.c, _admin_sources.c).
 *
 * A list's values: $3 the limit, $4 and $5 the cursor's time and id (NULL:
 * the first page), its filters from $6.  ADMIN_AFTER keeps the rows past
 * the cursor in the order (at DESC, id DESC); "page" is a CTE of up to
 * $3 + 1 such rows, and ADMIN_PAGE answers it as a keyset page, item the
 * JSON of a row named alias (with the joins given), after the 403 row of
 * ADMIN_DENIED_PAGE.  having: more that must hold, else no row (404).
 *
 * A change of the row $3::uuid of table: "old" the row (locked), "new"
 * the columns cols as the change makes them (a SELECT from old; no row:
 * refused as changed meanwhile, 409); the row is updated only when new
 * differs, and only a real change is audited (image: the row's JSON in
 * the audit).  "cur" is the row as it stands; the caller answers from it.
 */

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_AFTER(at, id)                            \
    "(" at ", " id ") < (coalesce(" NGX_HTTP_JOBSCOUT_SQL_MICROS("$4")       \
    ", 'infinity'),"                                                         \
    " coalesce($5::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_PAGE(item, alias, at, joins, having)     \
    " SELECT 200, coalesce(json_agg(" item " ORDER BY " alias ".n)"          \
    "          FILTER (WHERE " alias ".n <= $3::integer), '[]')::text,"      \
    "        CASE WHEN count(*) > $3::integer THEN max("                     \
    NGX_HTTP_JOBSCOUT_SQL_KEY(alias "." at, alias ".id")                     \
    "          ) FILTER (WHERE " alias ".n = $3::integer) END"               \
    "   FROM (SELECT *, row_number() OVER (ORDER BY " at " DESC, id DESC)"   \
    "           AS n FROM page) " alias joins                                \
    "  HAVING EXISTS (SELECT FROM admin)" having

#define NGX_HTTP_JOBSCOUT_SQL_ADMIN_CHANGE(table, cols, image, action,       \
                                           type, new)                        \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","                                      \
    " old AS (SELECT t.* FROM " table " t, admin"                            \
    "          WHERE t.id = $3::uuid FOR UPDATE OF t),"                      \
    " new AS (" new "),"                                                     \
    " upd AS (UPDATE " table " SET (" cols ") = (SELECT " cols " FROM new)"  \
    "          WHERE id = $3::uuid AND EXISTS (SELECT FROM new)"             \
    "            AND ROW(" cols ") IS DISTINCT FROM"                         \
    "                (SELECT ROW(" cols ") FROM new)"                        \
    "         RETURNING *),"                                                 \
    " changed AS (SELECT u.id AS target_id, " image("o") " AS before,"       \
    "                    " image("u") " AS after FROM upd u, old o),"        \
    NGX_HTTP_JOBSCOUT_SQL_AUDIT(action, type, "changed") ","                 \
    " cur AS (SELECT * FROM upd UNION ALL SELECT o.* FROM old o"             \
    "          WHERE EXISTS (SELECT FROM new)"                               \
    "            AND NOT EXISTS (SELECT FROM upd))"                          \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED                                       \
    " SELECT 409, 'the " type " changed meanwhile: send the change again'"   \
    "   FROM old WHERE NOT EXISTS (SELECT FROM new)"                         \
    " UNION ALL"

#define NGX_HTTP_JOBSCOUT_ADMIN_URL_REQUIRED  0x01
#define NGX_HTTP_JOBSCOUT_ADMIN_URL_NULLABLE  0x02
/* or a board token: 1-100 of [A-Za-z0-9._-], as the adapters read one */
#define NGX_HTTP_JOBSCOUT_ADMIN_URL_TOKEN     0x04

/* a list's n values, its args parsed, limit and cursor ($3..$5) set */
const char **ngx_http_jobscout_admin_list_values(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_arg_spec_t *specs,
    ngx_http_jobscout_arg_t *args, ngx_uint_t n);
/* the allowed string equal to s, or NULL */
const char *ngx_http_jobscout_admin_one_of(ngx_str_t *s,
    const char **allowed);
/* an argument that must be one of allowed; *value NULL when not given */
ngx_int_t ngx_http_jobscout_admin_arg_one_of(ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_arg_t *arg, const char *name, const char **allowed,
    const char *message, const char **value);
/* an absolute http(s) URL: *value NULL when absent, "" for null */
ngx_uint_t ngx_http_jobscout_admin_is_url(const char *s);
ngx_int_t ngx_http_jobscout_admin_body_url(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char *name, ngx_uint_t flags,
    const char **value);
/*
 * A source to try: company_id (optional), scraper_class, source_url and
 * config checked as a creation's (the adapter catalogue's word), into
 * fields[0..3] (config as compact JSON); NGX_DECLINED: refused, in ctx.
 */
ngx_int_t ngx_http_jobscout_admin_source_trial(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, const char **fields);
/* a route of no argument on the row {id}: $3, the statement's only value */
ngx_int_t ngx_http_jobscout_admin_by_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_pg_stmt_t *stmt,
    const char *missing);


/*
 * CVs (_cv.c: the routes; _cv_file.c: the file, in a thread of the pool).
 * A file is stored as "<storage>/<user id>/<sha256>", its key (the
 * user_cvs.file_path) "<user id>/<sha256>".
 */

#define NGX_HTTP_JOBSCOUT_CV_PDF   "application/pdf"
#define NGX_HTTP_JOBSCOUT_CV_DOCX                                            \
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define NGX_HTTP_JOBSCOUT_CV_NAME_MAX      255     /* bytes of a file name */
#define NGX_HTTP_JOBSCOUT_CV_BOUNDARY_MAX  70      /* RFC 2046 */

typedef struct {
    /* the body nginx wrote, what may be taken, where it goes */
    ngx_fd_t                        fd;
    off_t                           size;
    off_t                           max_size;
    char                           *storage;
    char                           *user;

    /* CRLF "--" boundary; boundary_len 0: the body is the file */
    u_char                          delimiter[4
                                        + NGX_HTTP_JOBSCOUT_CV_BOUNDARY_MAX];
    size_t                          boundary_len;

    /* the file's name as sent, "" when none */
    u_char                          name[NGX_HTTP_JOBSCOUT_CV_NAME_MAX + 1];

    /* status 0: stored; else the answer */
    ngx_uint_t                      status;
    const char                     *code;
    const char                     *message;
    ngx_err_t                       err;

    const char                     *type;      /* as told by the content */
    off_t                           file_size;
    char                            sha256[65];
    char                            key[37 + 65];
    unsigned                        created:1;  /* not stored before */
} ngx_http_jobscout_cv_file_t;

void ngx_http_jobscout_cv_file_store(ngx_http_jobscout_cv_file_t *f);
void ngx_http_jobscout_cv_file_remove(ngx_http_jobscout_cv_file_t *f);
ngx_int_t ngx_http_jobscout_cv_param(ngx_str_t *value, const char *name,
    ngx_str_t *param);
ngx_int_t ngx_http_jobscout_cv_filename(ngx_str_t *value, u_char *name,
    size_t size);
/* before the body is read: NGX_OK, or refused with 415 (answered) */
ngx_int_t ngx_http_jobscout_cv_media_type(ngx_http_request_t *r);
ngx_int_t ngx_http_jobscout_cv_upload(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_cv_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
ngx_int_t ngx_http_jobscout_cv_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
/* "attachment; filename=...; filename*=UTF-8''..." of a file's name */
ngx_int_t ngx_http_jobscout_cv_disposition(ngx_http_request_t *r,
    ngx_str_t *name, ngx_str_t *value);
/* _cv_s3.c: the CV of key from the bucket (NGX_DONE: redirected) */
ngx_int_t ngx_http_jobscout_cv_s3_send(ngx_http_request_t *r, u_char *key,
    ngx_str_t *name, ngx_str_t *type);
char *ngx_http_jobscout_cv_s3_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


/*
 * Prometheus metrics (_metrics.c): counters in a shared zone, bumped by
 * one-line calls; a no-op when no location says "jobscout_metrics".
 */

#define NGX_HTTP_JOBSCOUT_METRIC_PG_ERRORS           0
#define NGX_HTTP_JOBSCOUT_METRIC_PG_RECONNECTS       1
#define NGX_HTTP_JOBSCOUT_METRIC_REDIS_COMMANDS      2
#define NGX_HTTP_JOBSCOUT_METRIC_REDIS_ERRORS        3
#define NGX_HTTP_JOBSCOUT_METRIC_REDIS_RECONNECTS    4
#define NGX_HTTP_JOBSCOUT_METRIC_LIMITED             5   /* jobscout_limit */
#define NGX_HTTP_JOBSCOUT_METRIC_LIMITED_NGINX       6   /* limit_req ... */
#define NGX_HTTP_JOBSCOUT_METRIC_LIMITED_LOGIN       7   /* login_throttle */
#define NGX_HTTP_JOBSCOUT_METRIC_AUTH_MISSING        8
#define NGX_HTTP_JOBSCOUT_METRIC_AUTH_INVALID        9
#define NGX_HTTP_JOBSCOUT_METRIC_AUTH_FORBIDDEN      10
#define NGX_HTTP_JOBSCOUT_METRIC_AUTH_CREDENTIALS    11
#define NGX_HTTP_JOBSCOUT_METRIC_AUTH_SIGNATURE      12
#define NGX_HTTP_JOBSCOUT_METRIC_N                   13

void ngx_http_jobscout_metrics_count(ngx_uint_t metric);
void ngx_http_jobscout_metrics_unauthorized(ngx_uint_t token_state);
/* the pool's connections busy and idle, and the queries waiting */
void ngx_http_jobscout_pg_pool_stats(ngx_http_jobscout_pg_pool_t *pool,
    ngx_uint_t *busy, ngx_uint_t *idle, ngx_uint_t *waiting);

/* _routes.c: the route table, ended by a NULL handler */
extern ngx_http_jobscout_route_t  ngx_http_jobscout_routes[];


extern ngx_module_t  ngx_http_jobscout_module;


#endif /* _NGX_HTTP_JOBSCOUT_H_INCLUDED_ */
