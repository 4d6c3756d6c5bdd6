/**
 * @file test_zammad.c
 * @brief Zammad generic CTI requests (as decoded forms or JSON) mapped onto call events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/zammad.h"
#include "util/form.h"

static json_t *form(const char *body)
{
    char err[120];
    json_t *j = form_decode(body, strlen(body), err, sizeof err);
    if (!j)
        fail_msg("%s: %s", body, err);
    return j;
}

static bool has_error(const struct verrors *e, const char *field)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0)
            return true;
    return false;
}

static void test_bad_requests(void **state)
{
    (void)state;
    struct {
        const char *body, *field;
    } rows[] = {
        {"", "event"},
        {"", "callId"},
        {"event=ring&callId=1", "event"},
        {"event=newCall&from=4930&to=4930555&direction=in", "callId"},
        {"event=newCall&callId=&from=4930555&to=4930555&direction=in", "callId"},
        {"event=newCall&callId=1&from=4930555&to=4930555", "direction"},
        {"event=newCall&callId=1&from=4930555&to=4930555&direction=inbound", "direction"},
        {"event=newCall&callId=1&from=sip%3Abob%40example.org&to=4930555&direction=in", "from"},
        {"event=newCall&callId=1&from=4930555&to=x&direction=in", "to"},
        {"event=hangup&callId=1&cause=bored", "cause"},
        {"event=answer&callId=1&user%5B%5D=%01", "user[]"},
        {"event=answer&callId=1&queue=a%01b", "queue"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = form(rows[i].body);
        struct call_event ev;
        struct verrors e = {0};
        if (zammad_to_event(j, "49", 1000, &ev, &e))
            fail_msg("accepted %s", rows[i].body);
        if (!has_error(&e, rows[i].field))
            fail_msg("%s: no error for %s", rows[i].body, rows[i].field);
        json_decref(j);
    }
    struct call_event ev;
    struct verrors e = {0};
    json_t *arr = json_array();
    assert_false(zammad_to_event(arr, "49", 1000, &ev, &e));
    json_decref(arr);
}

static void test_mapping(void **state)
{
    (void)state;
    struct {
        const char *body;
        int kind, direction, cause;
        const char *from_norm, *to_norm, *agent, *parent;
    } rows[] = {
        {"event=newCall&from=493055571600&to=491711234567&direction=in&callId=abc&"
         "user%5B%5D=Alice+Smith&user%5B%5D=Bob&queue=helpdesk&xcid=x1&fullUserId%5B%5D=7",
         CALL_EV_OFFERED, CALL_DIR_INBOUND, -1, "493055571600", "491711234567", "Alice Smith",
         NULL},
        {"event=newCall&from=anonymous&to=0301234567&direction=in&callId=abc",
         CALL_EV_OFFERED, CALL_DIR_INBOUND, -1, "", "49301234567", NULL, NULL},
        {"event=answer&callId=abc&direction=out&from=0301234567&to=4930555&answeringNumber=42",
         CALL_EV_ANSWERED, CALL_DIR_OUTBOUND, -1, "49301234567", "494930555", "42", NULL},
        {"event=hangup&call_id=abc&cause=normalClearing", CALL_EV_HANGUP, -1, CALL_CAUSE_NORMAL,
         "", "", NULL, NULL},
        {"event=hangup&callId=abc&cause=cancel", CALL_EV_HANGUP, -1, CALL_CAUSE_ABANDONED, "", "",
         NULL, NULL},
        {"event=hangup&callId=abc&cause=noAnswer", CALL_EV_HANGUP, -1, CALL_CAUSE_NO_ANSWER, "",
         "", NULL, NULL},
        {"event=hangup&callId=abc&cause=busy", CALL_EV_HANGUP, -1, CALL_CAUSE_BUSY, "", "", NULL,
         NULL},
        {"event=hangup&callId=abc&cause=congestion", CALL_EV_HANGUP, -1, CALL_CAUSE_FAILED, "", "",
         NULL, NULL},
        {"event=hangup&callId=abc&cause=notFound", CALL_EV_HANGUP, -1, CALL_CAUSE_FAILED, "", "",
         NULL, NULL},
        {"event=hangup&callId=abc2&cause=forwarded&origCallId=abc", CALL_EV_HANGUP, -1,
         CALL_CAUSE_TRANSFERRED, "", "", NULL, "abc"},
        {"event=answer&callId=abc&origCallId=abc&cause=busy", CALL_EV_ANSWERED, -1, -1, "", "",
         NULL, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = form(rows[i].body);
        struct call_event ev;
        struct verrors e = {0};
        if (!zammad_to_event(j, "49", 1000, &ev, &e))
            fail_msg("refused %s: %s %s", rows[i].body, e.e[0].field, e.e[0].message);
        assert_int_equal(ev.kind, rows[i].kind);
        assert_int_equal(ev.direction, rows[i].direction);
        assert_int_equal(ev.cause, rows[i].cause);
        assert_int_equal(ev.at, 1000);
        assert_string_equal(ev.from_norm, rows[i].from_norm);
        assert_string_equal(ev.to_norm, rows[i].to_norm);
        if (rows[i].agent)
            assert_string_equal(ev.agent, rows[i].agent);
        else
            assert_null(ev.agent);
        if (rows[i].parent)
            assert_string_equal(ev.parent_call_id, rows[i].parent);
        else
            assert_null(ev.parent_call_id);
        assert_non_null(ev.event_id); /* a repeated Zammad event is a duplicate */
        json_decref(j);
    }
}

static void test_json_body(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"event\":\"answer\",\"from\":\"493023125741\",\"to\":\"4922147\","
                           "\"direction\":\"out\",\"callId\":\"f4eb\",\"user\":[\"Max\"]}",
                           0, NULL);
    struct call_event ev;
    struct verrors e = {0};
    assert_true(zammad_to_event(j, "49", 1000, &ev, &e));
    assert_string_equal(ev.agent, "Max");
    assert_string_equal(ev.call_id, "f4eb");
    json_decref(j);
}

static void test_form_decoding(void **state)
{
    (void)state;
    const char *bad[] = {"a=%ZZ", "a=%4", "a=%", "a=%00", "=x", "a=1&a=2", "a=%C3%28",
                         "%5B%5D%00=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[120];
        json_t *j = form_decode(bad[i], strlen(bad[i]), err, sizeof err);
        if (j)
            fail_msg("accepted %s", bad[i]);
    }
    char many[1024] = "";
    for (int i = 0; i <= FORM_MAX_FIELDS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "k%d=v&", i);
    char err[120];
    assert_null(form_decode(many, strlen(many), err, sizeof err));
    const char *good = "a=1+2%2B3&&b=&c&u%5B%5D=x&u%5B%5D=y&name=%E5%BC%A0";
    json_t *j = form_decode(good, strlen(good), err, sizeof err);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "a")), "1 2+3");
    assert_string_equal(json_string_value(json_object_get(j, "b")), "");
    assert_string_equal(json_string_value(json_object_get(j, "c")), "");
    assert_int_equal(json_array_size(json_object_get(j, "u[]")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "u[]"), 1)), "y");
    assert_string_equal(json_string_value(json_object_get(j, "name")), "张");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_form_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
