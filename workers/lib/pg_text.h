/*
 * PostgreSQL's text output read back, as libpq gives it in text mode:
 *
 *   js_pg_text_array("{a,\"b c\",NULL}", &elems, &buf)    3: "a", "b c",
 *       NULL (a SQL NULL); the strings point into buf; both to free();
 *       -1 (errno EINVAL malformed, ENOMEM)
 *   js_decimal_cmp("120000.00", "99999.5")    > 0, compared exactly
 *   js_decimal_parse(s, ...)    a plain decimal's parts, or -1
 */

#ifndef JS_PG_TEXT_H
#define JS_PG_TEXT_H

#include <stddef.h>

int js_pg_text_array(const char *s, char ***elems, char **buf);

/* <0, 0, >0; either not a plain decimal: as strcmp() */
int js_decimal_cmp(const char *a, const char *b);

/* s's sign, integer digits and fraction digits, their leading and
 * trailing zeros left out: 0, or -1 */
int js_decimal_parse(const char *s, int *neg, const char **ip, size_t *il,
    const char **fp, size_t *fl);

#endif
