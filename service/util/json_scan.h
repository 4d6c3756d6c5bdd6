/**
 * @file json_scan.h
 * @brief Read one top-level integer member of a JSON object text without parsing all of it:
 *        for the id and version of a representation PostgreSQL built, which can be large.
 */
#ifndef HOTLINE_UTIL_JSON_SCAN_H
#define HOTLINE_UTIL_JSON_SCAN_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Find the member key of the top-level object in json and read its value as an integer.
 * Nested objects and arrays, and strings (escapes included), are skipped, so a key of the same
 * name inside them is not taken. The text is trusted to be well-formed JSON.
 * @return false when json is not an object, has no such top-level member, or its value is not
 *         an integer that fits in int64_t.
 */
bool json_scan_int(const char *json, const char *key, int64_t *out);

#endif
