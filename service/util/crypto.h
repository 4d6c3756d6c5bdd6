/**
 * @file crypto.h
 * @brief SHA-256, HMAC-SHA256, random bytes and API token text (OpenSSL libcrypto underneath).
 */
#ifndef HOTLINE_UTIL_CRYPTO_H
#define HOTLINE_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_HEX_LEN 65 /* 64 hex digits + NUL */
#define TOKEN_TEXT_LEN 48 /* "hl_" + 43 base64url + NUL, rounded */

/** Hex SHA-256 of data. */
void crypto_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

/** Hex HMAC-SHA256 of data under key. */
void crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
                            char out[SHA256_HEX_LEN]);

/** Fill buf with cryptographically secure random bytes. @return false on failure. */
bool crypto_random(void *buf, size_t len);

/** Lowercase hex of n random bytes into out (2n+1 bytes). @return false on failure. */
bool crypto_random_hex(char *out, size_t nbytes);

/** A new API token "hl_" + 32 random bytes in base64url. @return false on failure. */
bool crypto_new_token(char out[TOKEN_TEXT_LEN]);

/** Constant-time equality of two equal-length buffers. */
bool crypto_equal(const void *a, const void *b, size_t len);

#endif
