/**
 * @file webhooks.h
 * @brief Webhook subscriptions in PostgreSQL.
 */
#ifndef HOTLINE_STORE_WEBHOOKS_H
#define HOTLINE_STORE_WEBHOOKS_H

#include "domain/timefmt.h"
#include "domain/webhook.h"
#include "store/db.h"

/** Subscribe. @param[out] json the subscription without its secret (caller frees) */
enum db_status store_webhook_create(struct db *db, const struct webhook_input *in,
                                    const char *actor, hl_time now, char **json);

/** Active subscriptions (secrets never shown) as a JSON array. */
enum db_status store_webhooks_json(struct db *db, char **json);

/** Deactivate. @return DB_NOT_FOUND when there is no such active subscription */
enum db_status store_webhook_deactivate(struct db *db, int64_t id, hl_time now);

#endif
