/**
 * @file test_cursor.c
 * @brief Cursors round-trip and forged ones are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/cursor.h"

static void test_forged_cursors(void **state)
{
    (void)state;
    const char *bad[] = {"", "bogus", "=====", "YzE6", "YzI6MTA", "YzE6MTA6MjA",
                         "YzE6LTE6", "YzE6MTAA", "Y", "YzE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
                         "../../etc/passwd", "YzE6MQ==", "YzE6MWE"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t k[1] = {7};
        if (cursor_decode(bad[i], k, 1))
            fail_msg("accepted %s", bad[i]);
    }
    int64_t two[2];
    char c[CURSOR_MAX_LEN];
    int64_t one[1] = {10};
    cursor_encode(one, 1, c);
    assert_string_equal(c, "YzE6MTA"); /* "c1:10" */
    assert_false(cursor_decode(c, two, 2)); /* a cursor of another list shape */
}

static void test_round_trip(void **state)
{
    (void)state;
    int64_t rows[][2] = {{1, 0}, {0, 0}, {-5, 7}, {INT64_MAX, INT64_MIN}, {1764147600000000, 42}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char c[CURSOR_MAX_LEN];
        cursor_encode(rows[i], 2, c);
        int64_t back[2];
        assert_true(cursor_decode(c, back, 2));
        assert_int_equal(back[0], rows[i][0]);
        assert_int_equal(back[1], rows[i][1]);
        assert_true(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                    strlen(c));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forged_cursors),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
