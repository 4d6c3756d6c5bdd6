/**
 * @file tokens.h
 * @brief API tokens: only SHA-256 hashes are stored.
 */
#ifndef HOTLINE_STORE_TOKENS_H
#define HOTLINE_STORE_TOKENS_H

#include "domain/timefmt.h"
#include "store/db.h"

#define TOKEN_NAME_MAX 65
#define TOKEN_ROLE_MAX 16

/** Store a new token hash. @return DB_DUPLICATE when an active token has this name. */
enum db_status store_token_insert(struct db *db, const char *name, const char *role,
                                  const char *hash_hex, hl_time now);

/** Revoke the active token of this name. @return DB_NOT_FOUND when there is none. */
enum db_status store_token_revoke(struct db *db, const char *name, hl_time now);

/**
 * Find the active token with this hash.
 * @param[out] role,name filled on DB_OK
 * @return DB_NOT_FOUND when unknown or revoked.
 */
enum db_status store_token_find(struct db *db, const char *hash_hex, char role[TOKEN_ROLE_MAX],
                                char name[TOKEN_NAME_MAX]);

#endif
