/**
 * @file validate.h
 * @brief Request bodies described as data: a field spec array, run against a JSON object.
 *
 * The runner checks shape (types, required, unknown fields) and meaning that needs no state
 * (lengths, ranges, enum members, phone numbers, RFC 3339 times) and collects every problem
 * as {field, message}, so a client learns all its mistakes at once.
 */
#ifndef HOTLINE_DOMAIN_VALIDATE_H
#define HOTLINE_DOMAIN_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/phone.h"
#include "domain/timefmt.h"

enum vtype {
    VT_STRING, /* min/max: length in bytes */
    VT_ENUM,   /* values: NULL-terminated list; num = index */
    VT_INT,    /* min/max: inclusive range */
    VT_BOOL,   /* num = 0/1 */
    VT_PHONE,  /* phone: the normal form; str: as given */
    VT_TIME,   /* RFC 3339; time = the instant */
    VT_DATE,   /* YYYY-MM-DD; str */
};

#define VF_REQUIRED 1u
#define VF_NULLABLE 2u

struct vfield {
    const char *name;
    enum vtype type;
    unsigned flags;
    long long min, max;
    const char *const *values;
};

struct vvalue {
    bool present; /* the key was in the object */
    bool is_null; /* ... with the value null (only when VF_NULLABLE) */
    const char *str; /* borrowed from the JSON object */
    long long num;
    hl_time time;
    char phone[PHONE_NORMAL_MAX];
};

#define VERRORS_MAX 16

struct verror {
    char field[64];
    char message[160];
};

struct verrors {
    int n;
    struct verror e[VERRORS_MAX];
};

/** Append an error (silently dropped beyond VERRORS_MAX). */
void verr_add(struct verrors *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Validate obj against spec[0..n).
 * @param country_code for VT_PHONE normalisation
 * @param[out] out n values, parallel to spec
 * @return true when errs gained no entry.
 */
bool validate_object(const json_t *obj, const struct vfield *spec, size_t n, struct vvalue *out,
                     const char *country_code, struct verrors *errs);

/** Index of s in a NULL-terminated list, or -1. */
int enum_index(const char *const *values, const char *s);

/** True when s is free of control characters other than tab, CR and LF. */
bool text_is_clean(const char *s);

/** True when s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or code points
 *  above U+10FFFF) and holds no NUL byte. */
bool utf8_is_valid(const char *s, size_t len);

#endif
