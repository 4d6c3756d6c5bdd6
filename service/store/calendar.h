/**
 * @file calendar.h
 * @brief The calendar settings row and the calendar days (holidays, make-up working days).
 */
#ifndef HOTLINE_STORE_CALENDAR_H
#define HOTLINE_STORE_CALENDAR_H

#include "domain/calendar.h"
#include "domain/calendar_input.h"
#include "store/db.h"

/**
 * The settings as the API shows them (JSON text, caller frees), with version and who changed
 * them last.
 */
enum db_status store_calendar_settings_json(struct db *db, char **json);

/**
 * Everything needed to build a struct calendar: the settings JSON (without meta; parse it with
 * calendar_settings_from_json) and every day override.
 * @param[out] settings caller frees
 */
enum db_status store_calendar_load(struct db *db, char **settings, struct calendar *days_into,
                                   int *version);

/** Replace the settings. @param[out] json the new settings as GET shows them */
enum db_status store_calendar_put(struct db *db, const struct calendar_settings *s,
                                  const char *actor, hl_time now, char **json);

/** One day's override as JSON. @return DB_NOT_FOUND when the day has none */
enum db_status store_calendar_day_get(struct db *db, const char *date, char **json);

/** Set a day's override. @param[out] created whether it is new */
enum db_status store_calendar_day_put(struct db *db, const char *date,
                                      const struct calendar_day_input *in, const char *actor,
                                      hl_time now, bool *created, char **json);

/** Remove a day's override. @return DB_NOT_FOUND when it had none */
enum db_status store_calendar_day_delete(struct db *db, const char *date);

/** Overrides between two dates (inclusive) as a JSON array. */
enum db_status store_calendar_days_list(struct db *db, const char *from, const char *to,
                                        char **json);

#endif
