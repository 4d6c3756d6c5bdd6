/**
 * @file test_validate.c
 * @brief The body spec runner and the ticket specs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/ticket.h"

static json_t *parse(const char *s)
{
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(j);
    return j;
}

static bool has_error(const struct verrors *e, const char *field)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0)
            return true;
    return false;
}

static void test_bad_ticket_bodies(void **state)
{
    (void)state;
    struct {
        const char *body;
        const char *field;
    } rows[] = {
        {"{}", "class"},
        {"{}", "subject"},
        {"{\"class\":\"general\",\"subject\":\"\"}", "subject"},
        {"{\"class\":7,\"subject\":\"x\"}", "class"},
        {"{\"class\":\"General\",\"subject\":\"x\"}", "class"},
        {"{\"class\":\"general\",\"subject\":\"x\",\"kind\":\"rant\"}", "kind"},
        {"{\"class\":\"general\",\"subject\":[\"x\"]}", "subject"},
        {"{\"class\":\"general\",\"subject\":null}", "subject"},
        {"{\"class\":\"general\",\"subject\":\"x\",\"caller_phone\":\"12ab\"}", "caller_phone"},
        {"{\"class\":\"general\",\"subject\":\"x\",\"caller_phone\":5551234}", "caller_phone"},
        {"{\"class\":\"general\",\"subject\":\"x\",\"extra\":true}", "extra"},
        {"{\"class\":\"general\",\"subject\":\"a\\u0001b\"}", "subject"},
        {"{\"class\":\"general\",\"subject\":\"x\",\"owner\":\"\"}", "owner"},
        {"{\"class\":\"general\",\"subject\":\"x\",\"caller_name\":\"\"}", "caller_name"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = parse(rows[i].body);
        struct ticket_input in;
        struct verrors e = {0};
        assert_false(ticket_input_for_create(j, "86", &in, &e));
        if (!has_error(&e, rows[i].field))
            fail_msg("%s: no error for %s", rows[i].body, rows[i].field);
        json_decref(j);
    }
    struct verrors e = {0};
    struct ticket_input in;
    json_t *arr = parse("[]");
    assert_false(ticket_input_for_create(arr, "86", &in, &e));
    json_decref(arr);
}

static void test_long_subject(void **state)
{
    (void)state;
    char body[400];
    char subject[TICKET_SUBJECT_MAX + 2];
    memset(subject, 's', sizeof subject - 1);
    subject[sizeof subject - 1] = '\0';
    snprintf(body, sizeof body, "{\"class\":\"general\",\"subject\":\"%s\"}", subject);
    json_t *j = parse(body);
    struct ticket_input in;
    struct verrors e = {0};
    assert_false(ticket_input_for_create(j, "86", &in, &e));
    assert_true(has_error(&e, "subject"));
    json_decref(j);
}

static void test_good_ticket_body(void **state)
{
    (void)state;
    json_t *j = parse("{\"class\":\"government\",\"kind\":\"complaint\",\"subject\":\"Road\","
                      "\"caller_phone\":\"+86 138-0013-8000\",\"details\":null}");
    struct ticket_input in;
    struct verrors e = {0};
    assert_true(ticket_input_for_create(j, "86", &in, &e));
    assert_int_equal(e.n, 0);
    assert_int_equal(in.cls, TICKET_CLASS_GOVERNMENT);
    assert_int_equal(in.kind, TICKET_KIND_COMPLAINT);
    assert_string_equal(in.caller_phone_norm, "8613800138000");
    assert_true(in.has_details);
    assert_null(in.details);
    json_decref(j);
    j = parse("{\"class\":\"general\",\"subject\":\"x\"}");
    assert_true(ticket_input_for_create(j, "86", &in, &e));
    assert_int_equal(in.kind, TICKET_KIND_INQUIRY);
    json_decref(j);
}

static void test_patch_rules(void **state)
{
    (void)state;
    const char *bad[] = {"{}", "{\"owner\":\"x\"}", "{\"call_id\":\"x\"}", "{\"subject\":null}",
                         "{\"class\":null}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = parse(bad[i]);
        struct ticket_input in;
        struct verrors e = {0};
        if (ticket_input_for_patch(j, "86", &in, &e))
            fail_msg("accepted patch %s", bad[i]);
        json_decref(j);
    }
    json_t *cur = parse("{\"subject\":\"a\",\"department\":null,\"class\":\"general\"}");
    json_t *p = parse("{\"subject\":\"a\",\"department\":\"ops\",\"class\":\"hard\"}");
    struct ticket_input in;
    struct verrors e = {0};
    assert_true(ticket_input_for_patch(p, "86", &in, &e));
    json_t *before, *after;
    assert_int_equal(ticket_patch_diff(cur, &in, &before, &after), 2);
    assert_true(json_is_null(json_object_get(before, "department")));
    assert_string_equal(json_string_value(json_object_get(after, "class")), "hard");
    assert_null(json_object_get(after, "subject"));
    json_decref(before);
    json_decref(after);
    json_decref(cur);
    json_decref(p);
}

/* The edge refuses query values and paths that are not UTF-8 before they reach SQL. */
static void test_utf8(void **state)
{
    (void)state;
    struct {
        const char *s;
        size_t len;
        bool ok;
    } rows[] = {
        {"\xff", 1, false},                 /* never valid */
        {"\xc0\xaf", 2, false},             /* overlong '/' */
        {"\xe0\x80\xaf", 3, false},         /* overlong '/' */
        {"\xed\xa0\x80", 3, false},         /* UTF-16 surrogate */
        {"\xf4\x90\x80\x80", 4, false},     /* above U+10FFFF */
        {"\xe5\xbc", 2, false},             /* truncated */
        {"\xe5\xbc\x41", 3, false},         /* bad continuation */
        {"a\0b", 3, false},                 /* NUL */
        {"\x80", 1, false},                 /* lone continuation */
        {"", 0, true},
        {"plain ascii", 11, true},
        {"\xe5\xbc\xa0\xe4\xb8\x89", 6, true}, /* 张三 */
        {"\xf0\x9f\x98\x80", 4, true},      /* emoji */
        {"\xf4\x8f\xbf\xbf", 4, true},      /* U+10FFFF */
        {"\xc2\x80", 2, true},              /* U+0080 */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (utf8_is_valid(rows[i].s, rows[i].len) != rows[i].ok)
            fail_msg("row %zu: expected %s", i, rows[i].ok ? "valid" : "invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_ticket_bodies),
        cmocka_unit_test(test_long_subject),
        cmocka_unit_test(test_good_ticket_body),
        cmocka_unit_test(test_patch_rules),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
