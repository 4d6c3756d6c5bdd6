/**
 * @file test_report.c
 * @brief Report periods: bad parameters first, then the local days and where they begin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/report.h"

static const struct {
    const char *from, *to; /* to NULL: the daily report's one day */
    const char *field;     /* the field named in the error, NULL: valid */
    int ndays;
} rows[] = {
    {NULL, NULL, "date", 0},
    {"", NULL, "date", 0},
    {"2026-11-31", NULL, "date", 0},
    {"2026-13-01", NULL, "date", 0},
    {"2026-1-01", NULL, "date", 0},
    {"26-11-27", NULL, "date", 0},
    {"2026-11-27T00:00:00+08:00", NULL, "date", 0},
    {"1999-12-31", NULL, "date", 0},
    {"2200-01-01", NULL, "date", 0},
    {"2026-11-27", "2026-11-26", "to", 0}, /* to before from */
    {"2026-01-01", "2026-02-01", "to", 0}, /* 32 days */
    {"2026-11-27", "nope", "to", 0},
    {NULL, "2026-11-27", "date", 0}, /* missing from, named although to is fine */
    {"nope", NULL, "date", 0},
    {"2026-02-29", "2026-03-01", "date", 0}, /* not a leap year */
    {"2026-11-27", NULL, NULL, 1},
    {"2026-11-27", "2026-11-27", NULL, 1},
    {"2026-11-23", "2026-11-27", NULL, 5},
    {"2028-02-28", "2028-03-01", NULL, 3},  /* a leap day */
    {"2026-07-01", "2026-07-31", NULL, 31}, /* the longest month */
    {"2026-02-01", "2026-02-28", NULL, 28},
};

static void test_period_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct verrors errs = {0};
        struct report_period p;
        bool ok = rows[i].to
                      ? report_period_parse(rows[i].from, rows[i].to, "date", "to", &p, &errs)
                      : report_period_parse(rows[i].from, NULL, "date", NULL, &p, &errs);
        if (!rows[i].field) {
            if (!ok)
                fail_msg("row %zu refused: %s %s", i, errs.e[0].field, errs.e[0].message);
            assert_int_equal(p.ndays, rows[i].ndays);
            assert_int_equal(p.last_day - p.first_day + 1, rows[i].ndays);
        } else {
            if (ok)
                fail_msg("row %zu accepted", i);
            assert_string_equal(errs.e[0].field, rows[i].field);
        }
    }
}

static void test_day_bounds(void **state)
{
    (void)state;
    struct calendar c;
    cal_defaults(&c);
    tz_fixed(&c.tz, 8 * 3600);
    struct verrors errs = {0};
    struct report_period p;
    assert_true(report_period_parse("2026-11-24", "2026-11-25", "from", "to", &p, &errs));
    hl_time b[3];
    report_day_bounds(&c, &p, b);
    hl_time want;
    assert_true(tf_parse_rfc3339("2026-11-24T00:00:00+08:00", &want));
    assert_int_equal(b[0], want);
    assert_int_equal(b[1] - b[0], HL_HOUR(24));
    assert_int_equal(b[2] - b[1], HL_HOUR(24));
    char label[16];
    report_day_label(p.last_day, label, sizeof label);
    assert_string_equal(label, "2026-11-25");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_table),
        cmocka_unit_test(test_day_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
