/**
 * @file customer.c
 * @brief Customer records from JSON and CSV.
 */
#include "domain/customer.h"

#include <stdio.h>
#include <string.h>

const char *const customer_column_names[] = {"account_number", "name",   "phones", "address",
                                             "area_code",      "street", "tags",   NULL};

static const size_t column_max[CC_COUNT] = {
    [CC_ACCOUNT] = CUSTOMER_ACCOUNT_MAX, [CC_NAME] = CUSTOMER_NAME_MAX,
    [CC_ADDRESS] = CUSTOMER_ADDRESS_MAX, [CC_AREA] = CUSTOMER_PLACE_MAX,
    [CC_STREET] = CUSTOMER_PLACE_MAX,
};

bool customer_text_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
                             : (c & 0xf8) == 0xf0 ? 3 : -1;
        if (c == 0 || n < 0 || (c >= 0x80 && c < 0xc2) || c > 0xf4 || end - p <= n)
            return false;
        unsigned cp = n == 0 ? c : c & (0x3f >> n);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        p += n + 1;
    }
    return true;
}

/* Trimmed of surrounding spaces (spreadsheets pad cells). */
static const char *trim(char *s, size_t *len)
{
    while (*len && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
        s[--*len] = '\0';
    return s;
}

static bool text_ok(const char *s, size_t len)
{
    return customer_text_ok(s, len) && text_is_clean(s);
}

/* A scalar column; an empty value is NULL (refused for the required ones). */
static void set_scalar(enum customer_column c, const char *s, size_t len,
                       struct customer_input *out, struct verrors *errs)
{
    const char *name = customer_column_names[c];
    out->has[c] = true;
    const char **dst[CC_COUNT] = {[CC_ACCOUNT] = &out->account_number, [CC_NAME] = &out->name,
                                  [CC_ADDRESS] = &out->address,        [CC_AREA] = &out->area_code,
                                  [CC_STREET] = &out->street};
    *dst[c] = NULL;
    if (len == 0) {
        if (c == CC_ACCOUNT || c == CC_NAME)
            verr_add(errs, name, "is required");
        return;
    }
    if (!text_ok(s, len))
        verr_add(errs, name, "must be UTF-8 text without control characters");
    else if (len > column_max[c])
        verr_add(errs, name, "must be at most %zu bytes", column_max[c]);
    else if (c == CC_ACCOUNT && (s[0] == ' ' || s[len - 1] == ' ' || strpbrk(s, "\t\r\n")))
        verr_add(errs, name, "must not have surrounding spaces or line breaks");
    else
        *dst[c] = s;
}

static void add_phone(const char *s, size_t len, const char *cc, struct customer_input *out,
                      struct verrors *errs)
{
    char norm[PHONE_NORMAL_MAX];
    if (len > 40 || !text_ok(s, len) || !phone_normalize(s, cc, norm)) {
        verr_add(errs, "phones", "must be phone numbers (digits, optional leading +, spaces or "
                                 "dashes; 3 to 15 digits)");
        return;
    }
    for (int i = 0; i < out->nphones; i++)
        if (strcmp(out->phones_norm[i], norm) == 0)
            return; /* the same number twice counts once */
    if (out->nphones == CUSTOMER_PHONES_MAX) {
        verr_add(errs, "phones", "may hold at most %d numbers", CUSTOMER_PHONES_MAX);
        return;
    }
    out->phones[out->nphones] = s;
    memcpy(out->phones_norm[out->nphones++], norm, PHONE_NORMAL_MAX);
}

static void add_tag(const char *s, size_t len, struct customer_input *out, struct verrors *errs)
{
    if (len < 1 || len > CUSTOMER_TAG_MAX || !text_ok(s, len) || strpbrk(s, ";\t\r\n")) {
        verr_add(errs, "tags", "must be tags of 1 to %d characters without ';'",
                 CUSTOMER_TAG_MAX);
        return;
    }
    for (int i = 0; i < out->ntags; i++)
        if (strcmp(out->tags[i], s) == 0)
            return;
    if (out->ntags == CUSTOMER_TAGS_MAX) {
        verr_add(errs, "tags", "may hold at most %d tags", CUSTOMER_TAGS_MAX);
        return;
    }
    out->tags[out->ntags++] = s;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static void json_list(enum customer_column c, const json_t *v, const char *cc,
                      struct customer_input *out, struct verrors *errs)
{
    const char *name = customer_column_names[c];
    out->has[c] = true;
    if (json_is_null(v))
        return;
    int max = c == CC_PHONES ? CUSTOMER_PHONES_MAX : CUSTOMER_TAGS_MAX;
    if (!json_is_array(v) || json_array_size(v) > (size_t)max * 2) {
        verr_add(errs, name, "must be a list of at most %d strings", max);
        return;
    }
    size_t i;
    json_t *e;
    int before = errs->n;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            verr_add(errs, name, "must be a list of strings");
            return;
        }
        if (c == CC_PHONES)
            add_phone(json_string_value(e), json_string_length(e), cc, out, errs);
        else
            add_tag(json_string_value(e), json_string_length(e), out, errs);
        if (errs->n != before)
            return; /* one message per field */
    }
}

static void json_member(enum customer_column c, const json_t *v, const char *cc, bool patch,
                        struct customer_input *out, struct verrors *errs)
{
    const char *name = customer_column_names[c];
    if (c == CC_PHONES || c == CC_TAGS) {
        json_list(c, v, cc, out, errs);
    } else if (c == CC_ACCOUNT && patch) {
        verr_add(errs, name, "cannot be changed; it identifies the customer");
    } else if (json_is_null(v)) {
        out->has[c] = true;
        if (c == CC_ACCOUNT || c == CC_NAME)
            verr_add(errs, name, "must not be null");
    } else if (!json_is_string(v)) {
        verr_add(errs, name, "must be a string");
    } else {
        set_scalar(c, json_string_value(v), json_string_length(v), out, errs);
        if (json_string_length(v) == 0 && c != CC_ACCOUNT && c != CC_NAME)
            verr_add(errs, name, "must not be empty (null clears it)");
    }
}

bool customer_from_json(const json_t *body, const char *cc, bool patch,
                        struct customer_input *out, struct verrors *errs)
{
    int before = errs->n;
    memset(out, 0, sizeof *out);
    if (!json_is_object(body)) {
        verr_add(errs, "", "the body must be a JSON object");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        int c = enum_index(customer_column_names, key);
        if (c < 0)
            verr_add(errs, text_is_clean(key) ? key : "?", "unknown field");
        else
            json_member((enum customer_column)c, v, cc, patch, out, errs);
    }
    if (!patch) {
        if (!out->has[CC_ACCOUNT])
            verr_add(errs, "account_number", "is required");
        if (!out->has[CC_NAME])
            verr_add(errs, "name", "is required");
    } else if (json_object_size(body) == 0) {
        verr_add(errs, "", "name at least one field to change");
    }
    return errs->n == before;
}

/* ---- CSV ------------------------------------------------------------------------------------- */

bool customer_csv_header(char *const *fields, const size_t *lens, int n, int *colmap,
                         struct verrors *errs)
{
    int before = errs->n;
    bool seen[CC_COUNT] = {false};
    for (int i = 0; i < n; i++) {
        size_t len = lens[i];
        const char *name = trim(fields[i], &len);
        int c = customer_text_ok(name, len) ? enum_index(customer_column_names, name) : -1;
        char label[32];
        snprintf(label, sizeof label, "header column %d", i + 1);
        if (c < 0)
            verr_add(errs, label, "must be one of: account_number, name, phones, address, "
                                  "area_code, street, tags");
        else if (seen[c])
            verr_add(errs, label, "repeats %s", customer_column_names[c]);
        else
            seen[c] = true;
        colmap[i] = c;
    }
    if (!seen[CC_ACCOUNT])
        verr_add(errs, "header", "needs an account_number column");
    if (!seen[CC_NAME])
        verr_add(errs, "header", "needs a name column");
    return errs->n == before;
}

/* Split a ';' list in place and add each non-empty item. */
static void csv_list(enum customer_column c, char *s, size_t len, const char *cc,
                     struct customer_input *out, struct verrors *errs)
{
    out->has[c] = true;
    int before = errs->n;
    char *end = s + len;
    while (s < end && errs->n == before) {
        char *sep = memchr(s, ';', (size_t)(end - s));
        char *stop = sep ? sep : end;
        *stop = '\0';
        size_t n = (size_t)(stop - s);
        const char *item = trim(s, &n);
        if (n && c == CC_PHONES)
            add_phone(item, n, cc, out, errs);
        else if (n)
            add_tag(item, n, out, errs);
        s = stop + 1;
    }
}

bool customer_from_csv(char **fields, const size_t *lens, int n, const int *colmap, int ncols,
                       const char *cc, struct customer_input *out, struct verrors *errs)
{
    int before = errs->n;
    memset(out, 0, sizeof *out);
    if (n != ncols) {
        verr_add(errs, "", "the row has %d cells; the header has %d", n, ncols);
        return false;
    }
    for (int i = 0; i < n; i++) {
        size_t len = lens[i];
        enum customer_column c = (enum customer_column)colmap[i];
        if (c == CC_PHONES || c == CC_TAGS) {
            csv_list(c, fields[i], len, cc, out, errs);
            continue;
        }
        const char *s = trim(fields[i], &len);
        if (strlen(s) != len)
            verr_add(errs, customer_column_names[c], "must not contain NUL bytes");
        else
            set_scalar(c, s, len, out, errs);
    }
    return errs->n == before;
}
