/**
 * @file cursor.h
 * @brief Opaque keyset-pagination cursors: up to CURSOR_MAX_KEYS integers, base64url encoded.
 */
#ifndef HOTLINE_DOMAIN_CURSOR_H
#define HOTLINE_DOMAIN_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURSOR_MAX_KEYS 3
#define CURSOR_MAX_LEN 128

/**
 * Encode n keys into out (CURSOR_MAX_LEN bytes).
 */
void cursor_encode(const int64_t *keys, int n, char out[CURSOR_MAX_LEN]);

/**
 * Decode a cursor made by cursor_encode with exactly n keys.
 * @return false for anything that cursor_encode could not have produced.
 */
bool cursor_decode(const char *s, int64_t *keys, int n);

#endif
