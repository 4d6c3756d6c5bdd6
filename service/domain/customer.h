/**
 * @file customer.h
 * @brief The customer directory's records: validation of a customer given as JSON (POST,
 *        PATCH, an NDJSON import line) or as a CSV row, with phones in normal form.
 *
 * Customer data is confidential (信息保密): nothing here logs, and error messages name fields,
 * never values.
 */
#ifndef HOTLINE_DOMAIN_CUSTOMER_H
#define HOTLINE_DOMAIN_CUSTOMER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/phone.h"
#include "domain/validate.h"

#define CUSTOMER_ACCOUNT_MAX 64
#define CUSTOMER_NAME_MAX 200
#define CUSTOMER_ADDRESS_MAX 500
#define CUSTOMER_PLACE_MAX 64 /* area code, street */
#define CUSTOMER_PHONES_MAX 5
#define CUSTOMER_TAGS_MAX 20
#define CUSTOMER_TAG_MAX 40

/** The columns of a record, in the order of customer_column_names. */
enum customer_column { CC_ACCOUNT, CC_NAME, CC_PHONES, CC_ADDRESS, CC_AREA, CC_STREET, CC_TAGS,
                       CC_COUNT };

/** "account_number", "name", "phones", "address", "area_code", "street", "tags". */
extern const char *const customer_column_names[];

/** A validated record; strings are borrowed from the document or the CSV row. */
struct customer_input {
    bool has[CC_COUNT]; /* the member was given (PATCH: the column changes) */
    const char *account_number, *name, *address, *area_code, *street; /* NULL: empty */
    int nphones, ntags;
    const char *phones[CUSTOMER_PHONES_MAX];
    char phones_norm[CUSTOMER_PHONES_MAX][PHONE_NORMAL_MAX];
    const char *tags[CUSTOMER_TAGS_MAX];
};

/**
 * Validate a customer as JSON: {"account_number", "name", "phones": [...], "address",
 * "area_code", "street", "tags": [...]}.
 * @param patch false: account_number and name required (POST, import lines); true: any
 *        member but account_number may be given, at least one (PATCH), null clears
 * @return true when valid; otherwise errs holds every problem.
 */
bool customer_from_json(const json_t *body, const char *country_code, bool patch,
                        struct customer_input *out, struct verrors *errs);

/**
 * Read a CSV header row into colmap (colmap[i]: the column of field i).
 * Every field must name a column, once; account_number and name are required.
 */
bool customer_csv_header(char *const *fields, const size_t *lens, int n, int *colmap,
                         struct verrors *errs);

/**
 * Validate a CSV row of n cells against a header of ncols columns. Phones and tags are lists
 * separated by ';' (split in place, so cells must be writable and NUL-terminated); an empty
 * cell is an empty value.
 */
bool customer_from_csv(char **fields, const size_t *lens, int n, const int *colmap, int ncols,
                       const char *country_code, struct customer_input *out,
                       struct verrors *errs);

/** True when s[0..len) is well-formed UTF-8 without NUL. */
bool customer_text_ok(const char *s, size_t len);

#endif
