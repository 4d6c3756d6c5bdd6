/**
 * @file log.h
 * @brief JSON log lines on stdout, one write per line. Never pass customer data unmasked.
 */
#ifndef HOTLINE_LOG_H
#define HOTLINE_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/** Set the minimum level written. */
void log_set_level(enum log_level level);

/** Parse "debug|info|warn|error". @return -1 when unknown. */
int log_level_parse(const char *s);

/** True when a line at this level would be written. */
int log_enabled(enum log_level level);

/**
 * Write {"ts","level","msg", ...fields} as one line.
 * @param fields an object whose members are merged in; stolen (may be NULL)
 */
void log_json(enum log_level level, const char *msg, json_t *fields);

/**
 * Write {"ts","level","msg", members} as one line, without building a jansson object: for the
 * per-request access line. members is JSON object members text ("\"k\":1,\"s\":\"v\""), already
 * escaped by the caller. A line that would exceed 1 KiB is written without the members, with
 * "truncated":true instead, so it stays valid JSON.
 */
void log_json_members(enum log_level level, const char *msg, const char *members);

/** Printf-style message with no extra fields. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Replace every run of 5+ digits with its masked form, in place (for messages from libpq). */
void log_mask_digits(char *s);

#endif
