/**
 * @file tz.c
 * @brief TZif parsing and offset arithmetic.
 */
#include "domain/tz.h"

#include <string.h>

#include "domain/timefmt.h"

/* ---- TZif ----------------------------------------------------------------------------------- */

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

struct counts {
    int64_t isut, isstd, leap, time, type, chr;
};

static bool read_counts(const unsigned char *p, size_t len, struct counts *c)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return false;
    c->isut = be(p + 20, 4);
    c->isstd = be(p + 24, 4);
    c->leap = be(p + 28, 4);
    c->time = be(p + 32, 4);
    c->type = be(p + 36, 4);
    c->chr = be(p + 40, 4);
    return c->isut >= 0 && c->isstd >= 0 && c->leap >= 0 && c->time >= 0 && c->type >= 1 &&
           c->chr >= 0 && c->time <= TZ_MAX_TRANSITIONS && c->type <= TZ_MAX_TYPES &&
           c->leap <= 1000 && c->chr <= 10000 && c->isut <= c->type && c->isstd <= c->type;
}

static size_t block_size(const struct counts *c, int tsize)
{
    return (size_t)(c->time * tsize + c->time + c->type * 6 + c->chr + c->leap * (tsize + 4) +
                    c->isstd + c->isut);
}

static bool read_block(const unsigned char *p, const struct counts *c, int tsize, struct tz *out)
{
    out->ntrans = (int)c->time;
    out->ntypes = (int)c->type;
    for (int i = 0; i < out->ntrans; i++) {
        out->trans[i] = be(p + (size_t)i * tsize, tsize);
        if (i > 0 && out->trans[i] <= out->trans[i - 1])
            return false;
    }
    p += c->time * tsize;
    for (int i = 0; i < out->ntrans; i++) {
        out->idx[i] = p[i];
        if (p[i] >= c->type)
            return false;
    }
    p += c->time;
    for (int i = 0; i < out->ntypes; i++, p += 6) {
        int64_t off = be(p, 4);
        if (off < -25 * 3600 || off > 26 * 3600 || p[4] > 1)
            return false;
        out->type_off[i] = (int)off;
        out->type_dst[i] = p[4] == 1;
    }
    return true;
}

bool tz_parse(const unsigned char *data, size_t len, struct tz *out)
{
    memset(out, 0, sizeof *out);
    struct counts c;
    if (!data || !read_counts(data, len, &c))
        return false;
    size_t v1 = 44 + block_size(&c, 4);
    if (v1 > len)
        return false;
    if (data[4] == '\0')
        return read_block(data + 44, &c, 4, out);
    const unsigned char *h2 = data + v1;
    struct counts c2;
    if (!read_counts(h2, len - v1, &c2))
        return false;
    size_t v2 = 44 + block_size(&c2, 8);
    if (v1 + v2 > len || !read_block(h2 + 44, &c2, 8, out))
        return false;
    const char *foot = (const char *)h2 + v2;
    size_t left = len - v1 - v2;
    if (left >= 2 && foot[0] == '\n') {
        char rule[128];
        size_t n = 0;
        while (n + 1 < left && n < sizeof rule - 1 && foot[n + 1] != '\n') {
            rule[n] = foot[n + 1];
            n++;
        }
        rule[n] = '\0';
        if (n > 0 && !tz_parse_rule(rule, &out->rule))
            return false;
    }
    return true;
}

void tz_fixed(struct tz *out, int offset_sec)
{
    memset(out, 0, sizeof *out);
    out->ntypes = 1;
    out->type_off[0] = offset_sec;
    out->rule.present = true;
    out->rule.std_off = offset_sec;
}

/* ---- POSIX TZ rules --------------------------------------------------------------------------- */

static const char *parse_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e && e - s >= 4 ? e + 1 : NULL;
    }
    const char *p = s;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

static const char *parse_num(const char *s, int max, int *out)
{
    int v = 0, n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) {
        v = v * 10 + (*s++ - '0');
        n++;
    }
    if (n == 0 || v > max)
        return NULL;
    *out = v;
    return s;
}

/* [+-]hh[:mm[:ss]] in seconds; hours up to 167 (RFC 8536 allows it in rule times). */
static const char *parse_hms(const char *s, int *secs)
{
    int sign = 1, h, m = 0, sec = 0;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!(s = parse_num(s, 167, &h)))
        return NULL;
    if (*s == ':' && !(s = parse_num(s + 1, 59, &m)))
        return NULL;
    if (s && *s == ':' && !(s = parse_num(s + 1, 59, &sec)))
        return NULL;
    *secs = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *parse_date(const char *s, struct tz_date *d)
{
    d->secs = 7200;
    if (*s == 'M') {
        d->kind = 'M';
        if (!(s = parse_num(s + 1, 12, &d->month)) || *s != '.' ||
            !(s = parse_num(s + 1, 5, &d->week)) || *s != '.' ||
            !(s = parse_num(s + 1, 6, &d->wday)) || d->month < 1 || d->week < 1)
            return NULL;
    } else if (*s == 'J') {
        d->kind = 'J';
        if (!(s = parse_num(s + 1, 365, &d->day)) || d->day < 1)
            return NULL;
    } else {
        d->kind = 'N';
        if (!(s = parse_num(s, 365, &d->day)))
            return NULL;
    }
    if (*s == '/' && !(s = parse_hms(s + 1, &d->secs)))
        return NULL;
    return s;
}

bool tz_parse_rule(const char *s, struct tz_rule *r)
{
    memset(r, 0, sizeof *r);
    int off;
    if (!(s = parse_name(s)) || !(s = parse_hms(s, &off)))
        return false;
    r->std_off = -off; /* POSIX counts west as positive */
    r->present = true;
    if (*s == '\0')
        return true;
    if (!(s = parse_name(s)))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, &off)))
            return false;
        r->dst_off = -off;
    }
    if (*s != ',' || !(s = parse_date(s + 1, &r->start)) || *s != ',' ||
        !(s = parse_date(s + 1, &r->end)))
        return false;
    return *s == '\0';
}

/* Day number (since the epoch) of a rule date in a year. */
static int64_t rule_day(const struct tz_date *d, int year)
{
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int64_t jan1 = tf_days_from_civil(year, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->day - 1 + (leap && d->day >= 60);
    if (d->kind == 'N')
        return jan1 + d->day;
    int64_t first = tf_days_from_civil(year, (unsigned)d->month, 1);
    int64_t day = first + (d->wday - tf_weekday(first) + 7) % 7 + (int64_t)(d->week - 1) * 7;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int len = mdays[d->month - 1] + (d->month == 2 && leap);
    while (day >= first + len)
        day -= 7;
    return day;
}

static int rule_offset(const struct tz_rule *r, int64_t utc)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t days = (utc + r->std_off) / 86400 - ((utc + r->std_off) % 86400 < 0);
    int year;
    unsigned m, d;
    tf_civil_from_days(days, &year, &m, &d);
    int64_t start = rule_day(&r->start, year) * 86400 + r->start.secs - r->std_off;
    int64_t end = rule_day(&r->end, year) * 86400 + r->end.secs - r->dst_off;
    bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- offsets ---------------------------------------------------------------------------------- */

static int first_standard_type(const struct tz *tz)
{
    for (int i = 0; i < tz->ntypes; i++)
        if (!tz->type_dst[i])
            return i;
    return 0;
}

int tz_offset_at(const struct tz *tz, int64_t utc)
{
    if (tz->ntrans == 0 || utc < tz->trans[0]) {
        if (tz->ntrans == 0 && tz->rule.present)
            return rule_offset(&tz->rule, utc);
        return tz->type_off[first_standard_type(tz)];
    }
    if (utc >= tz->trans[tz->ntrans - 1] && tz->rule.present)
        return rule_offset(&tz->rule, utc);
    int lo = 0, hi = tz->ntrans - 1; /* trans[lo] <= utc */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (tz->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz->type_off[tz->idx[lo]];
}

int64_t tz_local_to_utc(const struct tz *tz, int64_t local)
{
    /* The offsets in force a day before and a day after bracket any single change. */
    int before = tz_offset_at(tz, local - 86400), after = tz_offset_at(tz, local + 86400);
    int64_t a = local - before, b = local - after;
    bool a_ok = tz_offset_at(tz, a) == before, b_ok = tz_offset_at(tz, b) == after;
    if (a_ok && b_ok)
        return a < b ? a : b;
    if (a_ok)
        return a;
    if (b_ok)
        return b;
    return a; /* in a gap: keep the earlier offset, which lands after the change */
}
