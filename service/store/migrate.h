/**
 * @file migrate.h
 * @brief Schema migrations embedded from migrations/NNNN_name.sql, applied in order under an advisory lock.
 */
#ifndef HOTLINE_STORE_MIGRATE_H
#define HOTLINE_STORE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"

struct migration {
    const char *name; /* "0001_foundation" */
    const char *sql;
};

extern const struct migration hotline_migrations[];
extern const size_t hotline_migrations_count;

/**
 * Apply every migration not yet recorded in schema_migrations, each in its own transaction.
 * Two processes running this together serialise on an advisory lock.
 * @param[out] applied how many were applied now
 * @return true on success; false with err filled.
 */
bool store_migrate(int *applied, char *err, size_t errlen);

/**
 * Is the database reachable with every embedded migration applied? Migrations of a newer
 * release (which migrated first, during a rolling upgrade) do not matter.
 * @return DB_OK when so, DB_CONFLICT when one is missing, other statuses on failure.
 */
enum db_status store_schema_check(struct db *db);

#endif
