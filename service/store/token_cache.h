/**
 * @file token_cache.h
 * @brief An in-process cache of valid API tokens, kept honest by PostgreSQL LISTEN/NOTIFY.
 *
 * Without it every request costs a database round trip to look its token up. The cache holds
 * only tokens found valid (never "unknown"), and is used only while this process's listener
 * connection is LISTENing on the `hotline_tokens` channel; a change to api_tokens (revocation,
 * by `hotlined token revoke` or by hand) notifies every instance, each empties its cache and
 * acknowledges, and `token revoke` waits for those acknowledgements before it returns. So a
 * revoked token is refused by every instance from the moment the command returns. When the
 * listener is not connected (database down, restart) the cache is off and every request looks
 * its token up as before. Entries also expire after TOKEN_CACHE_TTL_S, in case a change reaches
 * the database without a notification (a failover to a replica that missed it).
 */
#ifndef HOTLINE_STORE_TOKEN_CACHE_H
#define HOTLINE_STORE_TOKEN_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "store/tokens.h"

#define TOKEN_CACHE_TTL_S 60
#define TOKEN_CACHE_CHANNEL "hotline_tokens"
#define TOKEN_CACHE_ACK_CHANNEL "hotline_tokens_ack"
/* application_name of a listener connection once it is LISTENing: what `token revoke` counts */
#define TOKEN_CACHE_LISTENER_APP "hotlined-tokens"

/**
 * Find an active token by hash: from the cache when it is on and holds the hash, else from the
 * database (store_token_find), remembering a valid answer.
 * @param[out] role,name filled on DB_OK
 * @return as store_token_find
 */
enum db_status store_token_find_cached(struct db *db, const char *hash_hex,
                                       char role[TOKEN_ROLE_MAX], char name[TOKEN_NAME_MAX]);

/**
 * Start the listener thread (hotlined serve). Until it is LISTENing the cache stays off.
 * @return false when the thread cannot be created.
 */
bool token_cache_start(void);

/** Stop the listener thread and empty the cache. Safe to call when not started. */
void token_cache_stop(void);

/** Counters for tests and /metrics. */
struct token_cache_stats {
    uint64_t hits, misses, flushes;
    bool on; /* the listener is LISTENing and the cache is used */
};

void token_cache_stats_get(struct token_cache_stats *out);

#endif
