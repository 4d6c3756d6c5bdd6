/**
 * @file validate.c
 * @brief The spec runner of validate.h.
 */
#include "domain/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void verr_add(struct verrors *errs, const char *field, const char *fmt, ...)
{
    if (errs->n >= VERRORS_MAX)
        return;
    struct verror *e = &errs->e[errs->n++];
    snprintf(e->field, sizeof e->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

int enum_index(const char *const *values, const char *s)
{
    for (int i = 0; values && values[i]; i++)
        if (strcmp(values[i], s) == 0)
            return i;
    return -1;
}

bool text_is_clean(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
            return false;
    return true;
}

bool utf8_is_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p++;
        if (c == 0)
            return false;
        if (c < 0x80)
            continue;
        int more;
        unsigned cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            more = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            more = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            more = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (end - p < more)
            return false;
        for (int i = 0; i < more; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (*p & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
    }
    return true;
}

static void list_values(const char *const *values, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; values && values[i]; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", values[i]);
    }
}

static void check_string(const struct vfield *f, const json_t *v, struct vvalue *out,
                         struct verrors *errs)
{
    if (!json_is_string(v)) {
        verr_add(errs, f->name, "must be a string");
        return;
    }
    out->str = json_string_value(v);
    size_t len = json_string_length(v);
    if (len != strlen(out->str) || !text_is_clean(out->str))
        verr_add(errs, f->name, "must not contain control characters");
    else if ((long long)len < f->min)
        verr_add(errs, f->name, f->min == 1 ? "must not be empty" : "must be at least %lld bytes",
                 f->min);
    else if (f->max > 0 && (long long)len > f->max)
        verr_add(errs, f->name, "must be at most %lld bytes", f->max);
}

static void check_enum(const struct vfield *f, const json_t *v, struct vvalue *out,
                       struct verrors *errs)
{
    char allowed[256];
    list_values(f->values, allowed, sizeof allowed);
    int idx = json_is_string(v) ? enum_index(f->values, json_string_value(v)) : -1;
    if (idx < 0) {
        verr_add(errs, f->name, "must be one of: %s", allowed);
        return;
    }
    out->str = json_string_value(v);
    out->num = idx;
}

static void check_int(const struct vfield *f, const json_t *v, struct vvalue *out,
                      struct verrors *errs)
{
    if (!json_is_integer(v)) {
        verr_add(errs, f->name, "must be an integer");
        return;
    }
    out->num = json_integer_value(v);
    if (out->num < f->min || out->num > f->max)
        verr_add(errs, f->name, "must be between %lld and %lld", f->min, f->max);
}

static void check_phone(const struct vfield *f, const json_t *v, struct vvalue *out,
                        const char *cc, struct verrors *errs)
{
    if (!json_is_string(v) || json_string_length(v) > 40 ||
        json_string_length(v) != strlen(json_string_value(v)) ||
        !phone_normalize(json_string_value(v), cc, out->phone)) {
        verr_add(errs, f->name, "must be a phone number (digits, optional leading +, "
                                "spaces or dashes; 3 to 15 digits)");
        return;
    }
    out->str = json_string_value(v);
}

static void check_time(const struct vfield *f, const json_t *v, struct vvalue *out,
                       struct verrors *errs)
{
    if (!json_is_string(v) || !tf_parse_rfc3339(json_string_value(v), &out->time)) {
        verr_add(errs, f->name, "must be an RFC 3339 date-time, e.g. 2026-11-26T09:30:00+08:00");
        return;
    }
    out->str = json_string_value(v);
}

static void check_date(const struct vfield *f, const json_t *v, struct vvalue *out,
                       struct verrors *errs)
{
    int y, m, d;
    if (!json_is_string(v) || !tf_parse_date(json_string_value(v), &y, &m, &d)) {
        verr_add(errs, f->name, "must be a date YYYY-MM-DD");
        return;
    }
    out->str = json_string_value(v);
}

static void check_value(const struct vfield *f, const json_t *v, struct vvalue *out,
                        const char *cc, struct verrors *errs)
{
    switch (f->type) {
    case VT_STRING:
        check_string(f, v, out, errs);
        break;
    case VT_ENUM:
        check_enum(f, v, out, errs);
        break;
    case VT_INT:
        check_int(f, v, out, errs);
        break;
    case VT_BOOL:
        if (!json_is_boolean(v))
            verr_add(errs, f->name, "must be true or false");
        out->num = json_is_true(v);
        break;
    case VT_PHONE:
        check_phone(f, v, out, cc, errs);
        break;
    case VT_TIME:
        check_time(f, v, out, errs);
        break;
    case VT_DATE:
        check_date(f, v, out, errs);
        break;
    }
}

static const struct vfield *find_field(const struct vfield *spec, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (spec[i].name && strcmp(spec[i].name, key) == 0)
            return &spec[i];
    return NULL;
}

bool validate_object(const json_t *obj, const struct vfield *spec, size_t n, struct vvalue *out,
                     const char *cc, struct verrors *errs)
{
    int before = errs->n;
    memset(out, 0, n * sizeof *out);
    if (!json_is_object(obj)) {
        verr_add(errs, "", "the body must be a JSON object");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const struct vfield *f = find_field(spec, n, key);
        if (!f) {
            char safe[48];
            snprintf(safe, sizeof safe, "%s", text_is_clean(key) ? key : "?");
            verr_add(errs, safe, "unknown field");
            continue;
        }
        struct vvalue *o = &out[f - spec];
        o->present = true;
        if (json_is_null(v)) {
            o->is_null = true;
            if (!(f->flags & VF_NULLABLE))
                verr_add(errs, f->name, "must not be null");
            continue;
        }
        check_value(f, v, o, cc, errs);
    }
    for (size_t i = 0; i < n; i++)
        if (spec[i].name && (spec[i].flags & VF_REQUIRED) && !out[i].present)
            verr_add(errs, spec[i].name, "is required");
    return errs->n == before;
}
