/**
 * @file calendar_cache.h
 * @brief The calendar in force: loaded from the database (settings, days, zone file) and kept
 *        for HOTLINE_CALENDAR_TTL_MS; changes made through this instance apply at once.
 */
#ifndef HOTLINE_CALENDAR_CACHE_H
#define HOTLINE_CALENDAR_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/calendar.h"
#include "store/db.h"

/**
 * A snapshot of the calendar; release it with calendar_release. Snapshots are immutable.
 * @return DB_OK, a database failure, or DB_ERROR when the zone file cannot be read
 */
enum db_status calendar_acquire(struct db *db, const struct calendar **out);

void calendar_release(const struct calendar *c);

/** Forget the cached calendar (after a change made here). */
void calendar_invalidate(void);

/** Read a zone's TZif file from HOTLINE_ZONEINFO. @return false when missing or malformed */
bool tzfile_load(const char *zone, struct tz *out);

#endif
