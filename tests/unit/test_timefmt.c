/**
 * @file test_timefmt.c
 * @brief RFC 3339 parsing/formatting and civil-date arithmetic, table-driven, bad inputs first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/timefmt.h"

static void test_rejects_bad_times(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "2026-11-26",
        "2026-11-26T09:00:00",          /* no offset */
        "2026-11-26T09:00+08:00",       /* no seconds */
        "2026-13-01T00:00:00Z",         /* month 13 */
        "2026-02-29T00:00:00Z",         /* not a leap year */
        "2026-11-31T00:00:00Z",
        "2026-11-26T24:00:00Z",
        "2026-11-26T09:60:00Z",
        "2026-11-26T09:00:00+8:00",
        "2026-11-26T09:00:00+08",
        "2026-11-26T09:00:00.Z",
        "2026-11-26T09:00:00.1234567890Z",
        "2026-11-26X09:00:00Z",
        "2026-11-26T09:00:00Zjunk",
        " 2026-11-26T09:00:00Z",
        "yesterday",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+23:59",    /* year 0 in UTC (fuzz_time) */
        "9999-12-31T23:59:59-23:59",    /* year 10000 in UTC (fuzz_time) */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hl_time t = 42;
        if (tf_parse_rfc3339(bad[i], &t))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(t, 42);
    }
}

static void test_parses_and_formats(void **state)
{
    (void)state;
    struct {
        const char *in;
        int64_t epoch_us;
        const char *utc;
    } rows[] = {
        {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"},
        {"2026-11-26T17:00:00+08:00", INT64_C(1795683600) * 1000000, "2026-11-26T09:00:00Z"},
        {"2026-11-26t09:00:00z", INT64_C(1795683600) * 1000000, "2026-11-26T09:00:00Z"},
        {"2026-11-26 09:00:00.5Z", INT64_C(1795683600) * 1000000 + 500000,
         "2026-11-26T09:00:00.500000Z"},
        {"2024-02-29T12:00:00-05:00", INT64_C(1709226000) * 1000000, "2024-02-29T17:00:00Z"},
        {"1969-12-31T23:59:59Z", -1000000, "1969-12-31T23:59:59Z"},
        {"2016-12-31T23:59:60Z", INT64_C(1483228799) * 1000000, "2016-12-31T23:59:59Z"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hl_time t;
        if (!tf_parse_rfc3339(rows[i].in, &t))
            fail_msg("rejected %s", rows[i].in);
        assert_int_equal(t, rows[i].epoch_us);
        char out[48];
        tf_format_rfc3339(t, 0, out, sizeof out);
        assert_string_equal(out, rows[i].utc);
    }
    char out[48];
    tf_format_rfc3339(INT64_C(1795683600) * 1000000, 8 * 3600, out, sizeof out);
    assert_string_equal(out, "2026-11-26T17:00:00+08:00");
    tf_format_rfc3339(INT64_C(1795683600) * 1000000, -(5 * 3600 + 30 * 60), out, sizeof out);
    assert_string_equal(out, "2026-11-26T03:30:00-05:30");
}

static void test_civil_days_round_trip(void **state)
{
    (void)state;
    for (int64_t d = -800000; d <= 800000; d += 97) {
        int y;
        unsigned m, dd;
        tf_civil_from_days(d, &y, &m, &dd);
        assert_true(tf_valid_date(y, (int)m, (int)dd) || y < 1 || y > 9999);
        assert_int_equal(tf_days_from_civil(y, m, dd), d);
    }
    assert_int_equal(tf_weekday(0), 4);                                /* 1970-01-01 Thursday */
    assert_int_equal(tf_weekday(tf_days_from_civil(2026, 11, 26)), 4); /* a Thursday */
    assert_int_equal(tf_weekday(tf_days_from_civil(2026, 11, 29)), 0); /* Sunday */
    assert_int_equal(tf_weekday(-1), 3);
}

static void test_dates(void **state)
{
    (void)state;
    int y, m, d;
    const char *bad[] = {"2026-1-01", "2026-00-10", "2026-02-30", "20261126", "2026-11-26T",
                         "abcd-ef-gh", "2100-02-29"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(tf_parse_date(bad[i], &y, &m, &d));
    assert_true(tf_parse_date("2000-02-29", &y, &m, &d));
    assert_int_equal(y * 10000 + m * 100 + d, 20000229);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_bad_times),
        cmocka_unit_test(test_parses_and_formats),
        cmocka_unit_test(test_civil_days_round_trip),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
