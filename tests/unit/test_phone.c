/**
 * @file test_phone.c
 * @brief Phone normalisation and masking rules (README "Phone numbers").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/phone.h"

static void test_rejects_non_numbers(void **state)
{
    (void)state;
    const char *bad[] = {"",   "   ",         "abc",        "138 0013 800O", "+",
                         "12", "++8613800138000", "+0123456789", "1234567890123456789",
                         "13800138000;DROP TABLE tickets", "00", "138\n00138000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[PHONE_NORMAL_MAX];
        if (phone_normalize(bad[i], "86", out))
            fail_msg("accepted \"%s\" as %s", bad[i], out);
    }
}

static void test_spellings_of_one_number(void **state)
{
    (void)state;
    struct {
        const char *in, *cc, *want;
    } rows[] = {
        {"+86 138-0013-8000", "86", "8613800138000"},
        {"8613800138000", "86", "8613800138000"},
        {"13800138000", "86", "8613800138000"},
        {"0086 138 0013 8000", "86", "8613800138000"},
        {"(138) 0013.8000", "86", "8613800138000"},
        {"010-6512-3456", "86", "861065123456"},
        {"+86 10 6512 3456", "86", "861065123456"},
        {"12345", "86", "8612345"},
        {"+1 (212) 555-0100", "86", "12125550100"},
        {"(212) 555-0100", "1", "12125550100"},
        {"862125550100", "86", "862125550100"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[PHONE_NORMAL_MAX];
        if (!phone_normalize(rows[i].in, rows[i].cc, out))
            fail_msg("rejected %s", rows[i].in);
        assert_string_equal(out, rows[i].want);
    }
}

static void test_masks(void **state)
{
    (void)state;
    struct {
        const char *in, *want;
    } rows[] = {
        {"13800138000", "138****8000"},
        {"+86 138-0013-8000", "+86 1**-****-8000"},
        {"12345", "***45"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[64];
        phone_mask(rows[i].in, out, sizeof out);
        assert_string_equal(out, rows[i].want);
    }
    char out[32];
    name_mask("张三丰", out, sizeof out);
    assert_string_equal(out, "张*");
    name_mask("Li", out, sizeof out);
    assert_string_equal(out, "L*");
    name_mask("", out, sizeof out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_non_numbers),
        cmocka_unit_test(test_spellings_of_one_number),
        cmocka_unit_test(test_masks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
