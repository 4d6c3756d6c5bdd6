/**
 * @file csv.c
 * @brief CSV writing.
 */
#include "util/csv.h"

#include <stdlib.h>
#include <string.h>

static void text_field(struct strbuf *sb, const char *s)
{
    bool formula = strchr("=+-@\t\r", s[0]) && s[0] != '\0';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        strbuf_puts(sb, s);
        return;
    }
    strbuf_puts(sb, formula ? "\"'" : "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            strbuf_puts(sb, "\"\"");
        else
            strbuf_append(sb, p, 1);
    }
    strbuf_puts(sb, "\"");
}

void csv_field(struct strbuf *sb, const json_t *value, bool first)
{
    if (!first)
        strbuf_puts(sb, ",");
    if (!value || json_is_null(value))
        return;
    if (json_is_string(value)) {
        text_field(sb, json_string_value(value));
        return;
    }
    if (json_is_object(value) || json_is_array(value)) {
        char *s = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(CSV_REAL_PRECISION));
        text_field(sb, s ? s : "");
        free(s);
        return;
    }
    char *s = json_dumps(value, JSON_ENCODE_ANY | JSON_REAL_PRECISION(CSV_REAL_PRECISION));
    strbuf_puts(sb, s ? s : "");
    free(s);
}

void csv_header(struct strbuf *sb, const json_t *obj)
{
    bool first = true;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        json_t *name = json_string(key);
        csv_field(sb, name, first);
        json_decref(name);
        first = false;
    }
    strbuf_puts(sb, "\r\n");
}

void csv_row(struct strbuf *sb, const json_t *obj)
{
    bool first = true;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        csv_field(sb, v, first);
        first = false;
    }
    strbuf_puts(sb, "\r\n");
}
