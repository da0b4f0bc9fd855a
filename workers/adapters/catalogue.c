/* TEMPORARY scaffold: replaced by the real catalogue */
#include "catalogue.h"

const js_adapter_info_t *
js_catalogue_find(const char *scraper_class)
{
    (void) scraper_class;
    return NULL;
}

json_t *
js_catalogue_json(void)
{
    return json_array();
}

int
js_catalogue_check(const js_adapter_info_t *info, json_t *config,
    char *field, size_t fieldlen, char *reason, size_t reasonlen)
{
    (void) info; (void) config; (void) field; (void) fieldlen;
    (void) reason; (void) reasonlen;
    return 0;
}
