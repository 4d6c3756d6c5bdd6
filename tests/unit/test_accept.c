/**
 * @file test_accept.c
 * @brief Content negotiation: which representation an Accept header gets, refusals first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/accept.h"

static const char *const offers[] = {"application/json", "text/csv", NULL};

static const struct {
    const char *accept;
    int want; /* index in offers, -1: 406 */
} rows[] = {
    /* nothing acceptable */
    {"text/html", -1},
    {"image/*", -1},
    {"text/csv;q=0", -1},
    {"application/json;q=0, text/csv;q=0", -1},
    {"*/*;q=0", -1},
    {"application/json;q=0, */*;q=0", -1},
    {"text/csv;q=abc", -1}, /* a malformed q drops the range */
    {"text/csv;q=1.5", -1},
    {"text/csv;q=0.0001", -1},
    {"text", -1},
    {"/csv", -1},
    /* the default */
    {NULL, 0},
    {"", 0},
    {"  ", 0},
    {"*/*", 0},
    {"application/json", 0},
    {"APPLICATION/JSON", 0},
    {"application/*", 0},
    {"application/json, text/csv", 0}, /* a tie goes to the server's order */
    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 0}, /* a browser */
    /* CSV */
    {"text/csv", 1},
    {"Text/CSV", 1},
    {"text/csv; charset=utf-8; header=present", 1},
    {"text/*", 1},
    {"application/json;q=0.5, text/csv", 1},
    {"text/csv;q=0.9, */*;q=0.1", 1},
    {" text/csv ;q=1.0 , application/json;q=0.999", 1},
    {"*/*, application/json;q=0", 1}, /* the more specific range decides */
    {"text/csv, */*;q=0.5", 1},
};

static void test_accept_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int got = http_accept_pick(rows[i].accept, offers);
        if (got != rows[i].want)
            fail_msg("Accept: %s -> %d, want %d", rows[i].accept ? rows[i].accept : "(none)", got,
                     rows[i].want);
    }
}

static void test_accept_limits(void **state)
{
    (void)state;
    const char *none[] = {NULL};
    assert_int_equal(http_accept_pick("*/*", none), -1);
    /* many ranges and a very long one: bounded work, no crash */
    char big[8192];
    size_t n = 0;
    while (n + 12 < sizeof big) {
        memcpy(big + n, "text/html, ", 11);
        n += 11;
    }
    big[n] = '\0';
    assert_int_equal(http_accept_pick(big, offers), -1);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(http_accept_pick(big, offers), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_table),
        cmocka_unit_test(test_accept_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
