/**
 * @file tz.h
 * @brief IANA time zones from TZif data (RFC 8536), pure: the caller reads the file.
 *
 * Offsets come from the transition table, and beyond its end from the POSIX TZ footer rule
 * ("EST5EDT,M3.2.0,M11.1.0"), so daylight-saving changes are right in any year.
 */
#ifndef HOTLINE_DOMAIN_TZ_H
#define HOTLINE_DOMAIN_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TZ_MAX_TRANSITIONS 2400
#define TZ_MAX_TYPES 64

/** A POSIX TZ rule (the TZif footer). */
struct tz_rule {
    bool present;
    int std_off; /* seconds east of UTC */
    bool has_dst;
    int dst_off;
    /* start and end of DST: kind 'M' (month.week.day), 'J' (Julian 1-365, no Feb 29) or 'N'
     * (zero-based day of year); secs: local time of day of the change */
    struct tz_date {
        char kind;
        int month, week, wday, day;
        int secs;
    } start, end;
};

struct tz {
    int ntrans;
    int64_t trans[TZ_MAX_TRANSITIONS]; /* UTC seconds */
    uint8_t idx[TZ_MAX_TRANSITIONS];
    int ntypes;
    int type_off[TZ_MAX_TYPES];
    bool type_dst[TZ_MAX_TYPES];
    struct tz_rule rule;
};

/**
 * Parse TZif bytes.
 * @return true on success; false on anything malformed or beyond the limits above.
 */
bool tz_parse(const unsigned char *data, size_t len, struct tz *out);

/** Parse a POSIX TZ string such as "CST-8" or "EST5EDT,M3.2.0,M11.1.0". */
bool tz_parse_rule(const char *s, struct tz_rule *out);

/** A fixed offset zone (UTC when 0), for tests and fallbacks. */
void tz_fixed(struct tz *out, int offset_sec);

/** The UTC offset in seconds at a UTC instant (seconds). */
int tz_offset_at(const struct tz *tz, int64_t utc);

/**
 * The UTC instant of a local wall-clock time (seconds since the epoch, as if local were UTC).
 * A time that occurs twice (clocks set back) maps to the first; a time that does not exist
 * (clocks set forward) maps to the instant the same distance after the change, i.e. it moves
 * forward by the size of the gap.
 */
int64_t tz_local_to_utc(const struct tz *tz, int64_t local);

#endif
