/**
 * @file timefmt.c
 * @brief Civil-date arithmetic (Howard Hinnant's algorithms) and strict RFC 3339 parsing.
 */
#include "domain/timefmt.h"

#include <stdio.h>
#include <string.h>

int64_t tf_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void tf_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool tf_valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= max;
}

int tf_weekday(int64_t days)
{
    return (int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

/* Reads exactly n digits; returns -1 when any is missing. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool tf_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int yy = digits(s, 4), mm = digits(s + 5, 2), dd = digits(s + 8, 2);
    if (yy < 0 || mm < 0 || dd < 0 || !tf_valid_date(yy, mm, dd))
        return false;
    *y = yy;
    *m = mm;
    *d = dd;
    return true;
}

static bool parse_offset(const char *p, int *offset_sec)
{
    if (*p == 'Z' || *p == 'z') {
        *offset_sec = 0;
        return p[1] == '\0';
    }
    if (*p != '+' && *p != '-')
        return false;
    int hh = digits(p + 1, 2);
    if (hh < 0 || p[3] != ':')
        return false;
    int mi = digits(p + 4, 2);
    if (mi < 0 || p[6] != '\0' || hh > 23 || mi > 59)
        return false;
    *offset_sec = (hh * 3600 + mi * 60) * (*p == '-' ? -1 : 1);
    return true;
}

bool tf_parse_rfc3339(const char *s, hl_time *out)
{
    if (!s || strlen(s) < 20 || strlen(s) > 40)
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int y, m, d;
    if (!tf_parse_date(date, &y, &m, &d))
        return false;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return false;
    const char *p = s + 11;
    int hh = digits(p, 2), mi = -1, ss = -1;
    if (hh >= 0 && p[2] == ':')
        mi = digits(p + 3, 2);
    if (mi >= 0 && p[5] == ':')
        ss = digits(p + 6, 2);
    if (hh < 0 || mi < 0 || ss < 0 || hh > 23 || mi > 59 || ss > 60)
        return false;
    p += 8;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n < 6)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0 || n > 9)
            return false;
        for (int i = n; i < 6; i++)
            frac *= 10;
    }
    int offset;
    if (!parse_offset(p, &offset))
        return false;
    if (ss == 60)
        ss = 59; /* a leap second is read as the last second of its minute */
    int64_t secs = tf_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mi * 60 +
                   ss - offset;
    /* The instant itself must lie in years 1-9999 (UTC): "0001-01-01T00:00:00+23:59" is in
     * year 0 and "9999-12-31T23:59:59-23:59" in 10000, which neither we nor PostgreSQL can
     * write back as RFC 3339 (found by fuzz_time). */
    if (secs < tf_days_from_civil(1, 1, 1) * 86400 ||
        secs > tf_days_from_civil(9999, 12, 31) * 86400 + 86399)
        return false;
    *out = secs * HL_USEC_PER_SEC + frac;
    return true;
}

void tf_format_rfc3339(hl_time t, int offset_sec, char *out, size_t outlen)
{
    int64_t local = t / HL_USEC_PER_SEC - (t % HL_USEC_PER_SEC < 0) + offset_sec;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t sod = local - days * 86400;
    int y;
    unsigned m, d;
    tf_civil_from_days(days, &y, &m, &d);
    char zone[16];
    if (offset_sec == 0) {
        strcpy(zone, "Z");
    } else {
        int a = offset_sec < 0 ? -offset_sec : offset_sec;
        snprintf(zone, sizeof zone, "%c%02d:%02d", offset_sec < 0 ? '-' : '+', a / 3600,
                 (a % 3600) / 60);
    }
    int64_t us = t % HL_USEC_PER_SEC;
    if (us < 0)
        us += HL_USEC_PER_SEC;
    char frac[16] = "";
    if (us)
        snprintf(frac, sizeof frac, ".%06d", (int)us);
    snprintf(out, outlen, "%04d-%02u-%02uT%02d:%02d:%02d%s%s", y, m, d, (int)(sod / 3600),
             (int)(sod % 3600 / 60), (int)(sod % 60), frac, zone);
}
