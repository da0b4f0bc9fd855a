
/*
 * Job Scout: the dead letters, the tasks jobscoutd gave up on
 * (JOBSCOUT_DEAD): GET /admin/dead-letters[/{id}] lists and shows them,
 * POST .../{id}/requeue puts one back on its queue, anew, DELETE drops it.
 *
 * A dead letter is changed in three steps: Redis finds it; one statement
 * checks the caller and writes the audit with the task as it is; then
 * Redis removes it, only if it is still there unchanged (LREM of the very
 * entry).  The audit comes before the change, since the two stores cannot
 * commit together: a change is never left unrecorded, at the price of an
 * audit row for an attempt that lost a race with another operator (it
 * is answered 404).
 */


#include "ngx_http_jobscout.h"
#include "jobscout_task.h"


/* dead letters are scanned in chunks of this many */
#define NGX_HTTP_JOBSCOUT_DEAD_CHUNK          "100"

/* the cursor's id when the last item of a page has none (not a task) */
#define NGX_HTTP_JOBSCOUT_DEAD_NO_ID  "00000000-0000-0000-0000-000000000000"


static ngx_int_t ngx_http_jobscout_admin_dead_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_task_t *st);
static ngx_int_t ngx_http_jobscout_admin_hex(u_char *p, size_t n);
static ngx_int_t ngx_http_jobscout_admin_dead_page(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static void ngx_http_jobscout_admin_dead_paged(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static ngx_int_t ngx_http_jobscout_admin_dead_find(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx);
static ngx_int_t ngx_http_jobscout_admin_dead_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t change, ngx_uint_t requeue);
static ngx_int_t ngx_http_jobscout_admin_dead_eval(ngx_http_request_t *r,
    const char *script, ngx_http_jobscout_redis_handler_pt handler,
    ngx_http_jobscout_admin_task_t *st, ngx_uint_t nargs, ngx_str_t *args);
static void ngx_http_jobscout_admin_dead_found(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);
static json_t *ngx_http_jobscout_admin_dead_item(redisReply *entry);
static const char *ngx_http_jobscout_admin_dead_requeued(
    ngx_http_request_t *r, ngx_http_jobscout_admin_task_t *st, json_t *task);
static ngx_int_t ngx_http_jobscout_admin_dead_audit(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st);
static void ngx_http_jobscout_admin_dead_audited(
    ngx_http_jobscout_pg_query_t *q, PGresult *res);
static void ngx_http_jobscout_admin_dead_done(
    ngx_http_jobscout_redis_cmd_t *cmd, redisReply *reply);


/*
 * The id of a dead letter, nil for an entry that is not a task; then the
 * position of the one with id ARGV[1] (0-based), or nil.  Shared by the
 * scripts below.  KEYS[1]: the dead letters.
 */

#define NGX_HTTP_JOBSCOUT_DEAD_FIND_LUA                                      \
    "local function id_of(raw)"                                              \
    "  local ok, t = pcall(cjson.decode, raw)"                               \
    "  if ok and type(t) == 'table' then return t['id'] end"                 \
    " end"                                                                   \
    " local function find(id)"                                               \
    "  local n = redis.call('LLEN', KEYS[1])"                                \
    "  for i = 0, n - 1, " NGX_HTTP_JOBSCOUT_DEAD_CHUNK " do"                \
    "   local chunk = redis.call('LRANGE', KEYS[1], i,"                      \
    "                            i + " NGX_HTTP_JOBSCOUT_DEAD_CHUNK " - 1)"  \
    "   for j, raw in ipairs(chunk) do"                                      \
    "    if id_of(raw) == id then return i + j - 1 end"                      \
    "   end"                                                                 \
    "  end"                                                                  \
    " end"

/* ARGV: the id.  The entry, or nil. */

static const char  ngx_http_jobscout_dead_get_lua[] =
    NGX_HTTP_JOBSCOUT_DEAD_FIND_LUA
    " local at = find(ARGV[1])"
    " if at then return redis.call('LINDEX', KEYS[1], at) end";

/*
 * ARGV: the offset the cursor gives, the id of the entry before it ("" on
 * the first page), the limit.  Should entries have come or gone above
 * that entry since, the page starts after wherever it is now.  Returns
 * the start, then up to limit + 1 entries.
 */

static const char  ngx_http_jobscout_dead_page_lua[] =
    NGX_HTTP_JOBSCOUT_DEAD_FIND_LUA
    " local start = tonumber(ARGV[1])"
    " if ARGV[2] ~= '' then"
    "  local before = redis.call('LINDEX', KEYS[1], start - 1)"
    "  if not before or id_of(before) ~= ARGV[2] then"
    "   local at = find(ARGV[2])"
    "   if at then start = at + 1 end"
    "  end"
    " end"
    " local page = redis.call('LRANGE', KEYS[1], start,"
    "                         start + tonumber(ARGV[3]))"
    " table.insert(page, 1, start)"
    " return page";

/* KEYS: the dead letters, the queue.  ARGV: the entry, its requeued form */

static const char  ngx_http_jobscout_dead_requeue_lua[] =
    "if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end"
    " redis.call('LPUSH', KEYS[2], ARGV[2])"
    " return 1";


/*
 * A change of a dead letter, audited: $3 its id, $4 the task as found
 * (NULL: none has that id), $5 what it becomes (NULL: gone), $6 why it
 * cannot be done (NULL: it can).
 */

#define NGX_HTTP_JOBSCOUT_SQL_DEAD_CHANGE(action)                            \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_CTE ","                                      \
    " changed AS (SELECT $3::text AS target_id, $4::jsonb AS before,"        \
    "        $5::jsonb AS after"                                             \
    "   FROM admin WHERE $4::jsonb IS NOT NULL AND $6::text IS NULL),"       \
    " " NGX_HTTP_JOBSCOUT_SQL_AUDIT(action, "task", "changed")               \
    NGX_HTTP_JOBSCOUT_SQL_ADMIN_DENIED                                       \
    " SELECT 404, 'no such dead letter'::text"                               \
    "   FROM admin WHERE $4::jsonb IS NULL"                                  \
    " UNION ALL"                                                             \
    " SELECT 409, $6::text"                                                  \
    "   FROM admin WHERE $4::jsonb IS NOT NULL AND $6::text IS NOT NULL"     \
    " UNION ALL"                                                             \
    " SELECT 200, NULL FROM changed"

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_requeue_stmt = {
    "admin_dead_requeue",
    NGX_HTTP_JOBSCOUT_SQL_DEAD_CHANGE("task.requeue"),
    6, 0
};

static ngx_http_jobscout_pg_stmt_t  ngx_http_jobscout_admin_delete_stmt = {
    "admin_dead_delete",
    NGX_HTTP_JOBSCOUT_SQL_DEAD_CHANGE("task.delete"),
    6, 0
};


/* GET /admin/dead-letters?limit=&cursor=: newest first */

ngx_int_t
ngx_http_jobscout_admin_dead_list(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                          *p, *end;
    ngx_str_t                        key[2];
    ngx_http_jobscout_arg_t          args[2];
    ngx_http_jobscout_admin_task_t  *st;

    static ngx_http_jobscout_arg_spec_t  specs[] = {
        { "limit", 1 }, { "cursor", 1 }, { NULL, 0 }
    };

    st = ngx_http_jobscout_admin_task_new(r, ctx, 2, "");
    if (st == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(args, sizeof(args));
    ngx_str_set(&st->offset, "0");
    ngx_str_set(&st->last, "");

    if (ngx_http_jobscout_args_parse(r, ctx, specs, args) != NGX_OK
        || ngx_http_jobscout_arg_limit(r, ctx, &args[0], 20, 100,
                                       &st->limit) != NGX_OK
        || (args[1].n
            && ngx_http_jobscout_cursor_decode(r, ctx, &args[1].values[0],
                                               key, 2) != NGX_OK))
    {
        return ngx_http_jobscout_send_invalid(r, ctx);
    }

    if (args[1].n) {

        /*
         * "offset|id": the id of the entry before, as a UUID's digits.
         * The offset stays below 10^15: Lua's numbers are doubles, and
         * one past 2^53 would reach LRANGE as a float it refuses.
         */

        if (key[0].data[0] == '-' || key[0].len > 15) {
            return ngx_http_jobscout_invalid(r, "cursor",
                                             "is not a valid cursor");
        }

        st->offset = key[0];

        if (ngx_strcmp(key[1].data, NGX_HTTP_JOBSCOUT_DEAD_NO_ID) != 0) {
            st->last.data = ngx_pnalloc(r->pool, 32);
            if (st->last.data == NULL) {
                return NGX_ERROR;
            }

            end = key[1].data + key[1].len;

            for (p = key[1].data; p < end; p++) {
                if (*p != '-') {
                    st->last.data[st->last.len++] = ngx_tolower(*p);
                }
            }
        }
    }

    return ngx_http_jobscout_admin_check(r, ctx,
                                         ngx_http_jobscout_admin_dead_page);
}


static ngx_int_t
ngx_http_jobscout_admin_dead_page(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    u_char                          *limit;
    ngx_str_t                        argv[3];
    ngx_http_jobscout_admin_task_t  *st;

    st = ctx->data;

    limit = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (limit == NULL) {
        return NGX_ERROR;
    }

    argv[0] = st->offset;
    argv[1] = st->last;
    argv[2].data = limit;
    argv[2].len = ngx_sprintf(limit, "%i", st->limit) - limit;

    return ngx_http_jobscout_admin_dead_eval(r,
                                         ngx_http_jobscout_dead_page_lua,
                                         ngx_http_jobscout_admin_dead_paged,
                                         st, 3, argv);
}


static void
ngx_http_jobscout_admin_dead_paged(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    u_char              *p, buf[NGX_INT64_LEN + 40];
    json_t              *page, *items, *item, *id;
    ngx_int_t            rc;
    ngx_str_t            key, cursor;
    ngx_uint_t           i, n;
    const char          *s;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements == 0
        || reply->element[0]->type != REDIS_REPLY_INTEGER)
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    n = ngx_min(reply->elements - 1, (ngx_uint_t) st->limit);
    items = json_array();
    page = json_pack("{s:o,s:n}", "items", items, "next_cursor");
    item = NULL;

    for (i = 1; page && i <= n; i++) {
        item = ngx_http_jobscout_admin_dead_item(reply->element[i]);

        if (json_array_append_new(items, item) != 0) {
            json_decref(page);
            page = NULL;
        }
    }

    if (page && reply->elements - 1 > n) {

        /* more follow: where they start, and the id of the last item */

        id = json_object_get(item, "id");
        s = json_is_string(id) ? json_string_value(id) : "";

        p = ngx_sprintf(buf, "%L|", reply->element[0]->integer + n);

        if (ngx_strlen(s) == 32
            && ngx_http_jobscout_admin_hex((u_char *) s, 32) == NGX_OK)
        {
            p = ngx_sprintf(p, "%*s-%*s-%*s-%*s-%*s", 8, s, 4, s + 8,
                            4, s + 12, 4, s + 16, 12, s + 20);

        } else {
            p = ngx_cpymem(p, NGX_HTTP_JOBSCOUT_DEAD_NO_ID,
                           sizeof(NGX_HTTP_JOBSCOUT_DEAD_NO_ID) - 1);
        }

        key.data = buf;
        key.len = p - buf;
        cursor.data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(key.len));

        if (cursor.data == NULL) {
            json_decref(page);
            page = NULL;

        } else {
            ngx_encode_base64url(&cursor, &key);
            json_object_set_new(page, "next_cursor",
                                json_stringn((char *) cursor.data,
                                             cursor.len));
        }
    }

    if (page == NULL) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    rc = ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, page);
    json_decref(page);

    ngx_http_jobscout_finalize(r, rc);
}


/* GET /admin/dead-letters/{id} */

ngx_int_t
ngx_http_jobscout_admin_dead_get(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_dead_one(r, ctx, 0, 0);
}


/* POST /admin/dead-letters/{id}/requeue: back onto its queue, anew */

ngx_int_t
ngx_http_jobscout_admin_dead_requeue(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_dead_one(r, ctx, 1, 1);
}


/* DELETE /admin/dead-letters/{id} */

ngx_int_t
ngx_http_jobscout_admin_dead_delete(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    return ngx_http_jobscout_admin_dead_one(r, ctx, 1, 0);
}


/*
 * A route on the dead letter {id}.  Shown after the check of the caller;
 * changed after the statement that checks the caller and audits, which
 * needs the task: it is read first, nothing answered before the check.
 */

static ngx_int_t
ngx_http_jobscout_admin_dead_one(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_uint_t change, ngx_uint_t requeue)
{
    ngx_int_t                        rc;
    ngx_http_jobscout_admin_task_t  *st;

    st = ngx_http_jobscout_admin_task_new(r, ctx, change ? 6 : 2,
                                          "no such dead letter");
    if (st == NULL) {
        return NGX_ERROR;
    }

    /*
     * An id that is no task's names none: answered as a missing one, once
     * the caller is known to be an admin.
     */

    rc = ngx_http_jobscout_admin_dead_id(r, ctx, st);
    if (rc == NGX_ERROR) {
        return rc;
    }

    if (!change) {
        return ngx_http_jobscout_admin_check(r, ctx,
                                         ngx_http_jobscout_admin_dead_find);
    }

    st->change = 1;
    st->requeue = requeue;
    st->values[2] = (const char *) st->id.data;

    if (rc == NGX_DECLINED) {
        return ngx_http_jobscout_admin_dead_audit(r, st);
    }

    return ngx_http_jobscout_admin_dead_find(r, ctx);
}


/* {id}: a task id, 32 lower-case hex digits; NGX_DECLINED: not one */

static ngx_int_t
ngx_http_jobscout_admin_dead_id(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx, ngx_http_jobscout_admin_task_t *st)
{
    ngx_str_t  *id;

    id = &ctx->params[0];

    if (id->len != 32
        || ngx_http_jobscout_admin_hex(id->data, 32) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    st->id.data = ngx_pnalloc(r->pool, 33);
    if (st->id.data == NULL) {
        return NGX_ERROR;
    }

    st->id.len = 32;
    *ngx_cpymem(st->id.data, id->data, 32) = '\0';

    return NGX_OK;
}


/* n lower-case hex digits, as task ids are written */

static ngx_int_t
ngx_http_jobscout_admin_hex(u_char *p, size_t n)
{
    while (n--) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
            return NGX_DECLINED;
        }

        p++;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jobscout_admin_dead_find(ngx_http_request_t *r,
    ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_admin_task_t  *st;

    st = ctx->data;

    if (st->id.len == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found", st->missing);
    }

    return ngx_http_jobscout_admin_dead_eval(r,
                                         ngx_http_jobscout_dead_get_lua,
                                         ngx_http_jobscout_admin_dead_found,
                                         st, 1, &st->id);
}


/* a script of the dead letters, KEYS[1], with nargs ARGV: NGX_DONE */

static ngx_int_t
ngx_http_jobscout_admin_dead_eval(ngx_http_request_t *r, const char *script,
    ngx_http_jobscout_redis_handler_pt handler,
    ngx_http_jobscout_admin_task_t *st, ngx_uint_t nargs, ngx_str_t *args)
{
    ngx_str_t   argv[7];
    ngx_uint_t  i;

    ngx_str_set(&argv[0], "EVAL");
    argv[1].data = (u_char *) script;
    argv[1].len = ngx_strlen(script);
    ngx_str_set(&argv[2], "1");
    ngx_str_set(&argv[3], JOBSCOUT_DEAD);

    for (i = 0; i < nargs; i++) {
        argv[4 + i] = args[i];
    }

    if (ngx_http_jobscout_admin_redis(r, handler, st, 4 + nargs, argv)
        != NGX_OK)
    {
        return ngx_http_jobscout_admin_unavailable(r);
    }

    return NGX_DONE;
}


static void
ngx_http_jobscout_admin_dead_found(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    char                *before;
    json_t              *item;
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || (reply->type != REDIS_REPLY_STRING
                          && reply->type != REDIS_REPLY_NIL))
    {
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    item = (reply->type == REDIS_REPLY_STRING)
           ? ngx_http_jobscout_admin_dead_item(reply) : NULL;

    if (!st->change) {
        rc = item ? ngx_http_jobscout_send_jansson(r, NGX_HTTP_OK, item)
             : reply->type == REDIS_REPLY_NIL
               ? ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                              "not_found", st->missing)
               : NGX_ERROR;
        json_decref(item);
        ngx_http_jobscout_finalize(r, rc);
        return;
    }

    /* $4, $5, $6: the task, what it becomes, why it cannot */

    if (item) {
        st->raw.len = reply->len;
        st->raw.data = ngx_pnalloc(r->pool, reply->len);
        before = json_dumps(item, JSON_COMPACT);
        st->values[3] = before ? (char *) ngx_pnalloc(r->pool,
                                                      ngx_strlen(before) + 1)
                               : NULL;

        if (st->raw.data == NULL || st->values[3] == NULL) {
            free(before);
            json_decref(item);
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

        ngx_memcpy(st->raw.data, reply->str, reply->len);
        ngx_cpystrn((u_char *) st->values[3], (u_char *) before,
                    ngx_strlen(before) + 1);
        free(before);

        if (st->requeue) {
            st->values[5] = ngx_http_jobscout_admin_dead_requeued(r, st,
                                                                item);
            st->values[4] = st->requeued;
        }

        json_decref(item);

        if (st->values[5] == NULL && st->requeue && st->requeued == NULL) {
            ngx_http_jobscout_finalize(r, NGX_ERROR);
            return;
        }

    } else if (reply->type == REDIS_REPLY_STRING) {
        ngx_http_jobscout_finalize(r, NGX_ERROR);
        return;
    }

    rc = ngx_http_jobscout_admin_dead_audit(r, st);
    if (rc != NGX_DONE) {
        ngx_http_jobscout_finalize(r, rc);
    }
}


/* the statement that checks the caller and audits a change: NGX_DONE */

static ngx_int_t
ngx_http_jobscout_admin_dead_audit(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st)
{
    return ngx_http_jobscout_admin_task_query(r, st,
                                  st->requeue
                                  ? &ngx_http_jobscout_admin_requeue_stmt
                                  : &ngx_http_jobscout_admin_delete_stmt,
                                  ngx_http_jobscout_admin_dead_audited);
}


/*
 * A dead letter as the API shows it: the task stored, or {"raw": ...}
 * for an entry that is not a JSON object (bytes that are not UTF-8 shown
 * as "?").  NULL when out of memory.
 */

static json_t *
ngx_http_jobscout_admin_dead_item(redisReply *entry)
{
    u_char    *p, *start, *end, *text, *t;
    json_t    *item;
    uint32_t   ch;

    item = json_loadb(entry->str, entry->len, 0, NULL);

    if (json_is_object(item)) {
        return item;
    }

    json_decref(item);

    text = ngx_alloc(entry->len + 1, ngx_cycle->log);
    if (text == NULL) {
        return NULL;
    }

    p = (u_char *) entry->str;
    end = p + entry->len;
    t = text;

    while (p < end) {
        start = p;

        if (*p < 0x80) {
            *t++ = (*p == '\0') ? '?' : *p;
            p++;
            continue;
        }

        ch = ngx_utf8_decode(&p, end - p);

        if (ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff)) {
            *t++ = '?';
            p = (p == start) ? p + 1 : p;
            continue;
        }

        t = ngx_cpymem(t, start, p - start);
    }

    item = json_pack("{s:s%}", "raw", text, (size_t) (t - text));
    ngx_free(text);

    return item;
}


/*
 * What a task becomes when requeued: attempt 0, no error, no failed_at,
 * on the queue it names, one of Job Scout's.  NULL, or why it cannot be.
 */

static const char *
ngx_http_jobscout_admin_dead_requeued(ngx_http_request_t *r,
    ngx_http_jobscout_admin_task_t *st, json_t *task)
{
    char        *payload;
    json_t      *queue, *copy;
    const char  *name;

    queue = json_object_get(task, "queue");
    name = json_string_value(queue);

    if (!json_is_string(json_object_get(task, "id"))
        || !json_is_string(json_object_get(task, "kind")))
    {
        return "the entry is not a task";
    }

    if (name == NULL
        || json_string_length(queue) <= sizeof(JOBSCOUT_QUEUE_PREFIX) - 1
        || ngx_strncmp(name, JOBSCOUT_QUEUE_PREFIX,
                       sizeof(JOBSCOUT_QUEUE_PREFIX) - 1) != 0
        || ngx_strlen(name) != json_string_length(queue))
    {
        return "the task names no queue of Job Scout to go back to";
    }

    copy = json_copy(task);

    if (copy == NULL
        || json_object_set_new(copy, "attempt", json_integer(0)) != 0)
    {
        json_decref(copy);
        return NULL;
    }

    json_object_del(copy, "error");
    json_object_del(copy, "failed_at");

    payload = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);

    st->queue.len = ngx_strlen(name);
    st->queue.data = ngx_pnalloc(r->pool, st->queue.len);
    st->requeued = payload ? ngx_pnalloc(r->pool,
                                         ngx_strlen(payload) + 1)
                           : NULL;

    if (st->queue.data == NULL || st->requeued == NULL) {
        free(payload);
        st->requeued = NULL;
        return NULL;
    }

    ngx_memcpy(st->queue.data, name, st->queue.len);
    ngx_cpystrn((u_char *) st->requeued, (u_char *) payload,
                ngx_strlen(payload) + 1);
    free(payload);

    return NULL;
}


/* audited: now the change, if the entry is still there as it was found */

static void
ngx_http_jobscout_admin_dead_audited(ngx_http_jobscout_pg_query_t *q,
    PGresult *res)
{
    ngx_http_jobscout_admin_task_t *st = q->data;

    ngx_int_t   rc;
    ngx_str_t   argv[7];

    if (ngx_http_jobscout_admin_ok(q, res, st->missing) != NGX_OK) {
        return;
    }

    if (st->requeue) {
        ngx_str_set(&argv[0], "EVAL");
        argv[1].data = (u_char *) ngx_http_jobscout_dead_requeue_lua;
        argv[1].len = sizeof(ngx_http_jobscout_dead_requeue_lua) - 1;
        ngx_str_set(&argv[2], "2");
        ngx_str_set(&argv[3], JOBSCOUT_DEAD);
        argv[4] = st->queue;
        argv[5] = st->raw;
        argv[6].data = (u_char *) st->requeued;
        argv[6].len = ngx_strlen(st->requeued);

        rc = ngx_http_jobscout_admin_redis(q->request,
                                           ngx_http_jobscout_admin_dead_done,
                                           st, 7, argv);

    } else {
        ngx_str_set(&argv[0], "LREM");
        ngx_str_set(&argv[1], JOBSCOUT_DEAD);
        ngx_str_set(&argv[2], "1");
        argv[3] = st->raw;

        rc = ngx_http_jobscout_admin_redis(q->request,
                                           ngx_http_jobscout_admin_dead_done,
                                           st, 4, argv);
    }

    if (rc != NGX_OK) {
        ngx_http_jobscout_finalize(q->request,
                            ngx_http_jobscout_admin_unavailable(q->request));
    }
}


static void
ngx_http_jobscout_admin_dead_done(ngx_http_jobscout_redis_cmd_t *cmd,
    redisReply *reply)
{
    ngx_http_jobscout_admin_task_t *st = cmd->data;

    json_t              *json;
    ngx_int_t            rc;
    ngx_http_request_t  *r;

    r = cmd->request;

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "jobscout: dead letter %V audited, but not changed",
                      &st->id);
        ngx_http_jobscout_finalize(r, ngx_http_jobscout_admin_unavailable(r));
        return;
    }

    if (reply->integer == 0) {
        rc = ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                          "no such dead letter: another "
                                          "change came first");

    } else if (st->requeue) {
        json = json_pack("{s:s%,s:s%,s:s}",
                         "task_id", st->id.data, st->id.len,
                         "queue", st->queue.data, st->queue.len,
                         "status", "requeued");
        rc = json ? ngx_http_jobscout_send_jansson(r, NGX_HTTP_ACCEPTED, json)
                  : NGX_ERROR;
        json_decref(json);

    } else {
        rc = ngx_http_jobscout_send_json(r, NGX_HTTP_NO_CONTENT, NULL, 0);
    }

    ngx_http_jobscout_finalize(r, rc);
}

