
/*
 * Job Scout: the signed-in user's CV, /api/v1/users/me/cv.
 *
 *   POST    a PDF or DOCX, as the one file of a multipart/form-data body
 *           or as the body itself (its Content-Type, and a
 *           Content-Disposition filename if it has a name): nginx writes
 *           the body to a file, a thread of the pool checks and stores it
 *           (_cv_file.c), then one statement makes it the user's CV and
 *           queues its processing (the cv role of jobscoutd) in the task
 *           outbox.  202 with the CV, status "pending".
 *   GET     the file, with its name and type, sent from disk
 *   DELETE  the CV and what was extracted from it; the file goes too
 *           (a trigger queues its removal: sql/migrations/0018)
 */


#include "ngx_http_jobscout.h"


/* how often the guard of a request waiting for its thread re-arms */
#define NGX_HTTP_JOBSCOUT_CV_GUARD  5000


typedef struct {
    ngx_http_request_t             *request;
    ngx_http_jobscout_pg_query_t    query;
    const char                     *values[6];
    ngx_http_jobscout_cv_file_t     file;
    ngx_event_t                     guard;
} ngx_http_jobscout_cv_t;


static ngx_http_jobscout_cv_t *ngx_http_jobscout_cv_new(
    ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_cv_init(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_cv_t *st);
static ngx_int_t ngx_http_jobscout_cv_boundary(ngx_http_request_t *r,
    ngx_http_jobscout_cv_file_t *f);
static void ngx_http_jobscout_cv_thread(void *data, ngx_log_t *log);
static void ngx_http_jobscout_cv_stored(ngx_event_t *ev);
static void ngx_http_jobscout_cv_guard(ngx_event_t *ev);
static void ngx_http_jobscout_cv_saved(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static void ngx_http_jobscout_cv_found(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_cv_send(ngx_http_request_t *r,
    ngx_http_jobscout_cv_t *st, PGresult *res);
static void ngx_http_jobscout_cv_deleted(ngx_http_jobscout_pg_query_t *q,
    PGresult *res);
static ngx_int_t ngx_http_jobscout_cv_run(ngx_http_request_t *r,
    ngx_http_jobscout_cv_t *st, ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler);
static ngx_int_t ngx_http_jobscout_cv_none(ngx_http_request_t *r);


/*
 * $1 the user, $2 the key, $3 the name, $4 the type, $5 the size, $6 the
 * SHA-256.  A CV there already is replaced, its extraction cleared; the
 * trigger of 0018 queues the removal of a file no longer used.
 */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_cv_save_stmt = {
    "cv_save",
    "WITH me AS (" NGX_HTTP_JOBSCOUT_SQL_ME "),"
    " c AS ("
    "  INSERT INTO user_cvs (user_id, file_path, original_name,"
    "                        content_type, size_bytes, sha256)"
    "  SELECT id, $2, $3, $4, $5::bigint, $6 FROM me"
    "  ON CONFLICT (user_id) DO UPDATE"
    "     SET file_path = excluded.file_path,"
    "         original_name = excluded.original_name,"
    "         content_type = excluded.content_type,"
    "         size_bytes = excluded.size_bytes, sha256 = excluded.sha256,"
    "         status = 'pending', failure_reason = NULL,"
    "         extracted_text = NULL, extracted_skills = NULL,"
    "         processed_at = NULL, created_at = now()"
    "  RETURNING *"
    "), task AS ("
    "  SELECT cv_queue_task('cv.process', jsonb_build_object("
    "           'cv_id', c.id, 'file_path', c.file_path)) FROM c"
    ")"
    " SELECT cv_json(c)::text, (SELECT count(*) FROM task) FROM c",
    6, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_cv_get_stmt = {
    "cv_get",
    "SELECT c.file_path, c.original_name, c.content_type FROM user_cvs c"
    " WHERE c.user_id = " NGX_HTTP_JOBSCOUT_SQL_ME,
    1, 0
};

/* the CV's skills go with it (cv_skills_store(), 0019) */

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_cv_delete_stmt = {
    "cv_delete",
    "WITH c AS (DELETE FROM user_cvs WHERE user_id = "
    NGX_HTTP_JOBSCOUT_SQL_ME " RETURNING id, user_id)"
    " SELECT c.id, cv_skills_store(c.user_id, '{}', '{}') FROM c",
    1, 0
};


static ngx_str_t  ngx_http_jobscout_cv_types[] = {
    ngx_string("multipart/form-data"),
    ngx_string(NGX_HTTP_JOBSCOUT_CV_PDF),
    ngx_string(NGX_HTTP_JOBSCOUT_CV_DOCX),
    ngx_string("application/octet-stream"),
    ngx_null_string
};


ngx_int_t
ngx_http_jobscout_cv_media_type(ngx_http_request_t *r)
{
    ngx_str_t  *type, *t;

    type = r->headers_in.content_type ? &r->headers_in.content_type->value
                                      : NULL;

    for (t = ngx_http_jobscout_cv_types; type && t->len; t++) {
        if (type->len >= t->len
            && ngx_strncasecmp(type->data, t->data, t->len) == 0
            && (type->len == t->len || type->data[t->len] == ';'
                || type->data[t->len] == ' '))
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


ngx_int_t
ngx_http_jobscout_cv_upload(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_table_elt_t                *h;
    ngx_list_part_t                *part;
    ngx_thread_task_t              *task;
    ngx_http_jobscout_cv_t         *st;
    ngx_http_request_body_t        *rb;
    ngx_http_jobscout_cv_file_t    *f;
    ngx_http_jobscout_main_conf_t  *jmcf;
    ngx_uint_t                      i;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->cv_storage.len == 0) {
        return ngx_http_jobscout_send_error(r,
                                        NGX_HTTP_SERVICE_UNAVAILABLE,
                                        "unavailable",
                                        "CV uploads are not configured");
    }

    rb = r->request_body;

    if (rb == NULL || rb->temp_file == NULL
        || rb->temp_file->file.offset == 0)
    {
        return ngx_http_jobscout_send_error(r,
                                        NGX_HTTP_JOBSCOUT_UNPROCESSABLE,
                                        "empty_file", "the file is empty");
    }

    task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_jobscout_cv_t));
    if (task == NULL) {
        return NGX_ERROR;
    }

    /* the state lives in the task, which the thread works on */

    st = task->ctx;

    if (ngx_http_jobscout_cv_init(r, ctx, st) != NGX_OK) {
        return NGX_ERROR;
    }

    f = &st->file;
    f->fd = rb->temp_file->file.fd;
    f->size = rb->temp_file->file.offset;
    f->max_size = jmcf->cv_max_size;
    f->storage = (char *) jmcf->cv_storage.data;
    f->user = (char *) st->values[0];

    if (ngx_http_jobscout_cv_boundary(r, f) != NGX_OK) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_BAD_REQUEST,
                                            "bad_request",
                                            "the multipart boundary is "
                                            "missing or invalid");
    }

    /* a body that is the file may say its name as a download would */

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; f->boundary_len == 0; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == sizeof("Content-Disposition") - 1
            && ngx_strncasecmp(h[i].key.data,
                               (u_char *) "Content-Disposition",
                               h[i].key.len) == 0)
        {
            (void) ngx_http_jobscout_cv_filename(&h[i].value, f->name,
                                                 sizeof(f->name));
            break;
        }
    }

    task->handler = ngx_http_jobscout_cv_thread;
    task->event.handler = ngx_http_jobscout_cv_stored;
    task->event.data = task;

    if (ngx_thread_task_post(jmcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the request waits for the thread, which uses its memory */
    r->main->blocked++;
    r->aio = 1;

    st->guard.handler = ngx_http_jobscout_cv_guard;
    st->guard.data = st;
    st->guard.log = r->connection->log;
    ngx_add_timer(&st->guard, NGX_HTTP_JOBSCOUT_CV_GUARD);

    return NGX_DONE;
}


/* "multipart/form-data; boundary=..." into f->delimiter; else none */

static ngx_int_t
ngx_http_jobscout_cv_boundary(ngx_http_request_t *r,
    ngx_http_jobscout_cv_file_t *f)
{
    ngx_str_t  *type, boundary;

    type = &r->headers_in.content_type->value;

    if (type->len < sizeof("multipart/form-data") - 1
        || ngx_strncasecmp(type->data, (u_char *) "multipart/form-data",
                           sizeof("multipart/form-data") - 1) != 0)
    {
        return NGX_OK;
    }

    if (ngx_http_jobscout_cv_param(type, "boundary", &boundary) != NGX_OK
        || boundary.len == 0
        || boundary.len > NGX_HTTP_JOBSCOUT_CV_BOUNDARY_MAX)
    {
        return NGX_DECLINED;
    }

    f->boundary_len = boundary.len;
    ngx_memcpy(f->delimiter, "\r\n--", 4);
    ngx_memcpy(f->delimiter + 4, boundary.data, boundary.len);

    return NGX_OK;
}


static void
ngx_http_jobscout_cv_guard(ngx_event_t *ev)
{
    ngx_add_timer(ev, NGX_HTTP_JOBSCOUT_CV_GUARD);
}


/* in a thread of the pool: nothing of nginx is touched here */

static void
ngx_http_jobscout_cv_thread(void *data, ngx_log_t *log)
{
    ngx_http_jobscout_cv_t *st = data;

    ngx_http_jobscout_cv_file_store(&st->file);
}


static void
ngx_http_jobscout_cv_stored(ngx_event_t *ev)
{
    ngx_int_t                     rc;
    ngx_thread_task_t            *task;
    ngx_http_request_t           *r;
    ngx_http_jobscout_cv_t       *st;
    ngx_http_jobscout_cv_file_t  *f;

    task = ev->data;
    st = task->ctx;
    f = &st->file;
    r = st->request;

    r->main->blocked--;
    r->aio = 0;

    if (st->guard.timer_set) {
        ngx_del_timer(&st->guard);
    }

    if (f->status) {
        if (f->err) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, f->err,
                          "jobscout: CV not stored in \"%s\"", f->storage);
        }

        ngx_http_jobscout_finalize(r,
            ngx_http_jobscout_send_error(r, f->status, f->code,
                                         f->message));
        return;
    }

    if (f->name[0] == '\0') {
        (void) ngx_cpystrn(f->name,
                           (u_char *) (ngx_strcmp(f->type,
                                                  NGX_HTTP_JOBSCOUT_CV_PDF)
                                       == 0 ? "cv.pdf" : "cv.docx"),
                           sizeof(f->name));
    }

    st->values[1] = f->key;
    st->values[2] = (const char *) f->name;
    st->values[3] = f->type;
    st->values[4] = (const char *) ngx_pnalloc(r->pool, NGX_OFF_T_LEN + 1);

    if (st->values[4] == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    *ngx_sprintf((u_char *) st->values[4], "%O", f->file_size) = '\0';
    st->values[5] = f->sha256;

    rc = ngx_http_jobscout_cv_run(r, st, &ngx_http_jobscout_cv_save_stmt,
                                  ngx_http_jobscout_cv_saved);
    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


static void
ngx_http_jobscout_cv_saved(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    ngx_int_t                rc;
    ngx_str_t                json;
    ngx_http_request_t      *r;
    ngx_http_jobscout_cv_t  *st;

    r = q->request;
    st = q->data;

    if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK
        && PQntuples(res) == 1)
    {
        if (ngx_http_jobscout_pg_copy(r->pool, res, 0, &json) != NGX_OK) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_http_jobscout_finalize(r,
                    ngx_http_jobscout_send_str(r, NGX_HTTP_ACCEPTED, &json));
        return;
    }

    /* no row took the file: one that was not there before goes */

    if (st->file.created) {
        ngx_http_jobscout_cv_file_remove(&st->file);
    }

    if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK) {
        rc = ngx_http_jobscout_send_unauthorized(r,
                                            "the account no longer exists");

    } else {
        rc = ngx_http_jobscout_pg_send_error(r, q, res);
    }

    ngx_http_jobscout_finalize(r, rc);
}


ngx_int_t
ngx_http_jobscout_cv_get(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_cv_t         *st;
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->cv_storage.len == 0) {
        return ngx_http_jobscout_cv_none(r);
    }

    st = ngx_http_jobscout_cv_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_cv_run(r, st, &ngx_http_jobscout_cv_get_stmt,
                                    ngx_http_jobscout_cv_found);
}


static void
ngx_http_jobscout_cv_found(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    if (ngx_http_jobscout_pg_row(q, res, ngx_http_jobscout_cv_none) == NGX_OK) {
        ngx_http_jobscout_finalize(q->request,
            ngx_http_jobscout_cv_send(q->request, q->data, res));
    }
}


/*
 * The file from disk, as the static module sends one: opened here (a
 * system call, no reading), then sendfile() or nginx's own output chain.
 */

static ngx_int_t
ngx_http_jobscout_cv_send(ngx_http_request_t *r, ngx_http_jobscout_cv_t *st,
    PGresult *res)
{
    ngx_fd_t                        fd;
    ngx_err_t                       err;
    ngx_int_t                       rc;
    ngx_buf_t                      *b;
    ngx_str_t                       path, name, type, disposition;
    ngx_chain_t                     out;
    ngx_file_info_t                 fi;
    ngx_pool_cleanup_t             *cln;
    ngx_pool_cleanup_file_t        *clnf;
    ngx_http_jobscout_main_conf_t  *jmcf;

    static ngx_str_t  key = ngx_string("Content-Disposition");

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    path.len = jmcf->cv_storage.len + 1 + PQgetlength(res, 0, 0);
    path.data = ngx_pnalloc(r->pool, path.len + 1);
    if (path.data == NULL) {
        return NGX_ERROR;
    }

    *ngx_sprintf(path.data, "%V/%s", &jmcf->cv_storage,
                 PQgetvalue(res, 0, 0)) = '\0';

    name.data = (u_char *) PQgetvalue(res, 0, 1);
    name.len = PQgetlength(res, 0, 1);
    type.data = (u_char *) PQgetvalue(res, 0, 2);
    type.len = PQgetlength(res, 0, 2);

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_pool_cleanup_file_t));
    if (cln == NULL) {
        return NGX_ERROR;
    }

    fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        err = ngx_errno;

        /* moved to the bucket by the cv role */

        if (err == NGX_ENOENT && jmcf->cv_s3_host.len) {
            return ngx_http_jobscout_cv_s3_send(r,
                                        (u_char *) PQgetvalue(res, 0, 0),
                                        &name, &type);
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, err,
                      "jobscout: the CV file \"%V\" cannot be opened",
                      &path);
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found",
                                            "the CV file is missing: "
                                            "upload it again");
    }

    cln->handler = ngx_pool_cleanup_file;
    clnf = cln->data;
    clnf->fd = fd;
    clnf->name = path.data;
    clnf->log = r->pool->log;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        return NGX_ERROR;
    }

    if (ngx_http_jobscout_cv_disposition(r, &name, &disposition) != NGX_OK
        || ngx_http_jobscout_add_header(r, &key, &disposition) != NGX_OK)
    {
        return NGX_ERROR;
    }

    r->headers_out.content_type.len = type.len;
    r->headers_out.content_type.data = ngx_pnalloc(r->pool, type.len);
    if (r->headers_out.content_type.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(r->headers_out.content_type.data, type.data, type.len);
    r->headers_out.content_type_len = type.len;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = ngx_file_size(&fi);
    r->headers_out.last_modified_time = ngx_file_mtime(&fi);

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->file = ngx_pcalloc(r->pool, sizeof(ngx_file_t));
    if (b->file == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b->file_pos = 0;
    b->file_last = ngx_file_size(&fi);
    b->in_file = b->file_last ? 1 : 0;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;
    b->sync = (b->file_last == 0);

    b->file->fd = fd;
    b->file->name = path;
    b->file->log = r->connection->log;
    b->file->directio = 0;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* RFC 6266: an ASCII name, and the UTF-8 one */

ngx_int_t
ngx_http_jobscout_cv_disposition(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
    u_char  *p;
    size_t   i;

    value->data = ngx_pnalloc(r->pool,
                          sizeof("attachment; filename=\"\"; filename*=UTF-8''")
                          - 1 + name->len + 3 * name->len);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(value->data, "attachment; filename=\"",
                   sizeof("attachment; filename=\"") - 1);

    for (i = 0; i < name->len; i++) {
        *p++ = (name->data[i] < 0x20 || name->data[i] >= 0x7f
                || name->data[i] == '"' || name->data[i] == '\\')
               ? '_' : name->data[i];
    }

    p = ngx_cpymem(p, "\"; filename*=UTF-8''",
                   sizeof("\"; filename*=UTF-8''") - 1);
    p = (u_char *) ngx_escape_uri(p, name->data, name->len, NGX_ESCAPE_ARGS);
    value->len = p - value->data;

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_cv_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_cv_t  *st;

    st = ngx_http_jobscout_cv_new(r, ctx);
    if (st == NULL) {
        return NGX_ERROR;
    }

    return ngx_http_jobscout_cv_run(r, st, &ngx_http_jobscout_cv_delete_stmt,
                                    ngx_http_jobscout_cv_deleted);
}


static void
ngx_http_jobscout_cv_deleted(ngx_http_jobscout_pg_query_t *q, PGresult *res)
{
    if (ngx_http_jobscout_pg_row(q, res, ngx_http_jobscout_cv_none) == NGX_OK) {
        ngx_http_jobscout_finalize(q->request,
            ngx_http_jobscout_send_json(q->request, NGX_HTTP_NO_CONTENT,
                                        NULL, 0));
    }
}


static ngx_http_jobscout_cv_t *
ngx_http_jobscout_cv_new(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_cv_t  *st;

    st = ngx_pcalloc(r->pool, sizeof(ngx_http_jobscout_cv_t));
    if (st == NULL) {
        return NULL;
    }

    return ngx_http_jobscout_cv_init(r, ctx, st) == NGX_OK ? st : NULL;
}


/* st zeroed: the token's subject is $1 */

static ngx_int_t
ngx_http_jobscout_cv_init(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx,
    ngx_http_jobscout_cv_t *st)
{
    st->values[0] = ngx_http_jobscout_cstr(r->pool, &ctx->token.sub);
    if (st->values[0] == NULL) {
        return NGX_ERROR;
    }

    ctx->data = st;
    st->request = r;
    st->query.values = st->values;
    st->query.data = st;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_cv_run(ngx_http_request_t *r, ngx_http_jobscout_cv_t *st,
    ngx_http_jobscout_pg_stmt_t *stmt,
    ngx_http_jobscout_pg_handler_pt handler)
{
    st->query.stmt = stmt;
    st->query.handler = handler;

    if (ngx_http_jobscout_pg_query(r, &st->query) != NGX_OK) {
        return ngx_http_jobscout_pg_send_error(r, &st->query, NULL);
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_jobscout_cv_none(ngx_http_request_t *r)
{
    return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                        "no CV was uploaded");
}
