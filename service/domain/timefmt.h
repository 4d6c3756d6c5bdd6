/**
 * @file timefmt.h
 * @brief Instants as microseconds since the Unix epoch (UTC), RFC 3339 parsing and formatting.
 */
#ifndef HOTLINE_DOMAIN_TIMEFMT_H
#define HOTLINE_DOMAIN_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** An instant: microseconds since 1970-01-01T00:00:00Z. */
typedef int64_t hl_time;

#define HL_USEC_PER_SEC INT64_C(1000000)
#define HL_SEC(s) ((hl_time)(s) * HL_USEC_PER_SEC)
#define HL_MIN(m) HL_SEC((int64_t)(m) * 60)
#define HL_HOUR(h) HL_SEC((int64_t)(h) * 3600)

/** Days since 1970-01-01 of a proleptic Gregorian civil date. */
int64_t tf_days_from_civil(int y, unsigned m, unsigned d);

/** Civil date of a day count since 1970-01-01. */
void tf_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);

/** True when y-m-d is a real calendar date (leap years included). */
bool tf_valid_date(int y, int m, int d);

/** Day of week of a day count since the epoch: 0 = Sunday … 6 = Saturday. */
int tf_weekday(int64_t days);

/**
 * Parse an RFC 3339 date-time ("2026-11-26T09:00:00+08:00", fraction optional, "Z" allowed).
 * @param[out] out the instant
 * @return true on success; false (and *out untouched) on any syntax or range error.
 */
bool tf_parse_rfc3339(const char *s, hl_time *out);

/**
 * Parse a full date "YYYY-MM-DD".
 * @return true when syntax and date are valid.
 */
bool tf_parse_date(const char *s, int *y, int *m, int *d);

/**
 * Format an instant as RFC 3339 with the given UTC offset in seconds ("Z" when 0); microseconds
 * are written only when not zero.
 * @param out at least 40 bytes
 */
void tf_format_rfc3339(hl_time t, int offset_sec, char *out, size_t outlen);

#endif
