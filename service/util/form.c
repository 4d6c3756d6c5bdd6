/**
 * @file form.c
 * @brief The form decoder of form.h.
 */
#include "util/form.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode [s, s+n) into a new JSON string; NULL when malformed or not UTF-8. */
static json_t *decode_component(const char *s, size_t n)
{
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    size_t o = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (s[i] == '+') {
            buf[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
            ok = hi >= 0 && lo >= 0 && (hi | lo) != 0;
            buf[o++] = (char)(ok ? hi * 16 + lo : 0);
            i += 2;
        } else {
            buf[o++] = s[i];
        }
    }
    json_t *v = ok ? json_stringn(buf, o) : NULL; /* jansson refuses invalid UTF-8 */
    free(buf);
    return v;
}

static bool add_pair(json_t *obj, const char *pair, size_t n, char *err, size_t errlen)
{
    const char *eq = memchr(pair, '=', n);
    size_t klen = eq ? (size_t)(eq - pair) : n;
    json_t *key = decode_component(pair, klen);
    json_t *value = decode_component(eq ? eq + 1 : pair + n, eq ? n - klen - 1 : 0);
    const char *k = json_string_value(key);
    bool ok = false;
    if (!key || !value)
        snprintf(err, errlen, "a field has a bad %%-escape, %%00 or invalid UTF-8");
    else if (!k[0] || strlen(k) != json_string_length(key))
        snprintf(err, errlen, "a field has an empty or invalid name");
    else if (strlen(k) >= 2 && strcmp(k + strlen(k) - 2, "[]") == 0) {
        json_t *arr = json_object_get(obj, k);
        if (!arr) {
            arr = json_array();
            json_object_set_new(obj, k, arr);
        }
        ok = json_array_append(arr, value) == 0;
    } else if (json_object_get(obj, k)) {
        snprintf(err, errlen, "the field %.40s is given more than once", k);
    } else {
        ok = json_object_set(obj, k, value) == 0;
    }
    json_decref(key);
    json_decref(value);
    return ok;
}

json_t *form_decode(const char *body, size_t len, char *err, size_t errlen)
{
    json_t *obj = json_object();
    int fields = 0;
    for (size_t i = 0; obj && i < len;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t n = amp ? (size_t)(amp - (body + i)) : len - i;
        if (n > 0 && ++fields > FORM_MAX_FIELDS) {
            snprintf(err, errlen, "at most %d fields are accepted", FORM_MAX_FIELDS);
            json_decref(obj);
            return NULL;
        }
        if (n > 0 && !add_pair(obj, body + i, n, err, errlen)) {
            json_decref(obj);
            return NULL;
        }
        i += n + 1;
    }
    if (!obj)
        snprintf(err, errlen, "out of memory");
    return obj;
}
