/*
 * What lib/config.c builds its directive table from, as nginx's
 * ngx_conf_file.c is for its modules: the tokenizer, error messages
 * ending in "in file:line", and generic setters that store one argument
 * into the js_conf_t field at a row's offset, checked against what the
 * row's post points to:
 *
 *   js_conf_set_msec_slot       int ms,    post js_conf_bounds_t
 *   js_conf_set_msec_pair_slot  two ints,  post js_conf_pair_t
 *   js_conf_set_num_slot        int,       post js_conf_bounds_t
 *   js_conf_set_size_slot       size_t,    post js_conf_bounds_t (k, m)
 *   js_conf_set_enum_slot       int,       post js_conf_enum_t (on/off too)
 *   js_conf_set_str_slot        char *,    post NULL or JS_CONF_EMPTY_OK
 *   js_conf_set_path_slot       char *,    post NULL or JS_CONF_READABLE
 *   js_conf_set_url_slot        char *,    post js_conf_url_t
 *
 * Only config.c and config_file.c include this.
 */

#ifndef JS_CONFIG_FILE_H
#define JS_CONFIG_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The field a table row sets, at its offset in js_conf_t. */
#define JS_CONF_FIELD(ctx, d, type)                                         \
    ((type *) ((char *) (ctx)->cf + (d)->offset))

typedef struct js_conf_directive_s  js_conf_directive_t;

typedef struct {
    js_conf_t                  *cf;
    const js_conf_directive_t  *directives;
    size_t                      ndirectives;   /* 64 at most */
    const char *const          *roles;
    int                         line;
    uint64_t                    seen;  /* bit per directive, duplicates */
    char                       *err;
    size_t                      errlen;
} js_conf_ctx_t;

/* args: the directive's arguments, NULL-terminated. */
typedef int (*js_conf_set_pt)(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);

struct js_conf_directive_s {
    const char          *name;
    int                  min_args;
    int                  max_args;
    int                  once;
    js_conf_set_pt       set;
    size_t               offset;
    const void          *post;
};

/* Numbers, sizes and durations (ms). */
typedef struct {
    long                 min;
    long                 max;
} js_conf_bounds_t;

/*
 * Two durations, the second stored at offset second and not less than
 * the first; the names say which is which in that error.
 */
typedef struct {
    js_conf_bounds_t     bounds;
    size_t               second;
    const char          *first_name;
    const char          *second_name;
} js_conf_pair_t;

typedef struct {
    const char          *name;
    int                  value;
} js_conf_enum_value_t;

/* "invalid <what> ...": the values end with a NULL name. */
typedef struct {
    const char                  *what;
    const js_conf_enum_value_t  *values;
} js_conf_enum_t;

/* Strings and paths: post is NULL or points to these flags. */
#define JS_CONF_EMPTY_OK   0x01
#define JS_CONF_READABLE   0x02

/* An http(s) URL: characters refused; base: trailing '/' dropped. */
typedef struct {
    const char          *reject;
    int                  base;
} js_conf_url_t;

int js_conf_error(js_conf_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int js_conf_oom(js_conf_ctx_t *ctx);

/* path relative to prefix, or path itself when absolute (malloc'ed). */
char *js_conf_path(const char *prefix, const char *path);

/* Replaces *field (freed) with a copy of the first len bytes of v. */
int js_conf_store(js_conf_ctx_t *ctx, char **field, const char *v,
    size_t len);

/* Values that end up in protocol lines must not smuggle line breaks. */
int js_conf_printable(js_conf_ctx_t *ctx, const char *name, const char *v);

int js_conf_set_msec_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);
int js_conf_set_msec_pair_slot(js_conf_ctx_t *ctx,
    const js_conf_directive_t *d, char **args);
int js_conf_set_num_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);
int js_conf_set_size_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);
int js_conf_set_enum_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);
int js_conf_set_str_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);
int js_conf_set_path_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);
int js_conf_set_url_slot(js_conf_ctx_t *ctx, const js_conf_directive_t *d,
    char **args);

/* The absolute prefix with a trailing '/', against the cwd (malloc'ed). */
char *js_conf_prefix(const char *prefix);

/* Reads ctx->cf->file and runs each directive's setter, in order. */
int js_conf_parse_file(js_conf_ctx_t *ctx);

#endif
