
/*
 * Job Scout: the API's description.  "jobscout_openapi_file" reads an
 * OpenAPI 3.1 document (conf/openapi.json) when the configuration is read,
 * so "nginx -t" refuses a broken one, and GET /api/v1/openapi.json serves
 * it, compacted, from memory.  t/060_openapi.t holds it to the route table.
 */


#include "ngx_http_jobscout.h"


ngx_int_t
ngx_http_jobscout_openapi(ngx_http_request_t *r, ngx_http_jobscout_ctx_t *ctx)
{
    ngx_http_jobscout_main_conf_t  *jmcf;

    jmcf = ngx_http_get_module_main_conf(r, ngx_http_jobscout_module);

    if (jmcf->openapi.len == 0) {
        return ngx_http_jobscout_send_error(r, NGX_HTTP_NOT_FOUND,
                                            "not_found",
                                            "no API description is "
                                            "configured");
    }

    return ngx_http_jobscout_send_json(r, NGX_HTTP_OK, jmcf->openapi.data,
                                       jmcf->openapi.len);
}


/* jobscout_openapi_file <file>: relative to the configuration's directory */

char *
ngx_http_jobscout_openapi_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_jobscout_main_conf_t *jmcf = conf;

    char          *text;
    json_t        *doc, *version;
    ngx_str_t     *value, file;
    json_error_t   error;

    if (jmcf->openapi.data) {
        return "is duplicate";
    }

    value = cf->args->elts;
    file = value[1];

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* ngx_conf_full_name() NUL-terminates */

    doc = json_load_file((char *) file.data, JSON_REJECT_DUPLICATES, &error);

    if (doc == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": cannot read \"%V\": %s (line %d, "
                           "column %d)", &cmd->name, &file, error.text,
                           error.line, error.column);
        return NGX_CONF_ERROR;
    }

    version = json_object_get(doc, "openapi");

    if (!json_is_string(version)
        || ngx_strncmp(json_string_value(version), "3.1.", 4) != 0
        || !json_is_object(json_object_get(doc, "paths")))
    {
        json_decref(doc);
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is not an OpenAPI 3.1 document "
                           "with paths", &cmd->name, &file);
        return NGX_CONF_ERROR;
    }

    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);

    if (text == NULL) {
        return NGX_CONF_ERROR;
    }

    jmcf->openapi.len = ngx_strlen(text);
    jmcf->openapi.data = ngx_pnalloc(cf->pool, jmcf->openapi.len);

    if (jmcf->openapi.data == NULL) {
        free(text);
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(jmcf->openapi.data, text, jmcf->openapi.len);
    free(text);

    return NGX_CONF_OK;
}
