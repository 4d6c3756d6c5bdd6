/**
 * @file test_followup.c
 * @brief Follow-up scheduling in calling windows, attempt effects, retry backoff, inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/followup.h"
#include "domain/retry.h"
#include "domain/webhook.h"

static hl_time at(const char *s)
{
    hl_time t;
    assert_true(tf_parse_rfc3339(s, &t));
    return t;
}

static struct calendar *shanghai(void)
{
    struct calendar *c = malloc(sizeof *c);
    cal_defaults(c);
    tz_fixed(&c->tz, 8 * 3600); /* Asia/Shanghai has had no DST since 1991 */
    int64_t holiday = tf_days_from_civil(2026, 12, 31);
    assert_true(cal_set_day(c, holiday, false));
    return c;
}

static void test_schedule(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        enum followup_kind kind;
        bool urgent;
        const char *wanted, *due;
    } rows[] = {
        {FOLLOWUP_CUSTOM, false, "2026-11-26T12:30:00+08:00", "2026-11-26T14:00:00+08:00"},
        {FOLLOWUP_CUSTOM, false, "2026-11-26T08:00:00+08:00", "2026-11-26T09:00:00+08:00"},
        {FOLLOWUP_CUSTOM, false, "2026-11-26T16:59:59+08:00", "2026-11-26T16:59:59+08:00"},
        {FOLLOWUP_CUSTOM, false, "2026-11-26T17:00:00+08:00", "2026-11-27T09:00:00+08:00"},
        {FOLLOWUP_WEEKLY_CALLBACK, false, "2026-11-28T10:00:00+08:00", "2026-11-30T09:00:00+08:00"},
        {FOLLOWUP_CUSTOM, false, "2026-12-30T18:00:00+08:00", "2027-01-01T09:00:00+08:00"},
        {FOLLOWUP_GOVERNMENT_CALLBACK, false, "2026-11-29T03:10:00+08:00", "2026-11-29T03:10:00+08:00"},
        {FOLLOWUP_AGREED_CALLBACK, true, "2026-11-26T19:00:00+08:00", "2026-11-26T19:00:00+08:00"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hl_time due;
        assert_true(followup_schedule(c, rows[i].kind, rows[i].urgent, at(rows[i].wanted), &due));
        if (due != at(rows[i].due))
            fail_msg("row %zu: %s", i, rows[i].wanted);
    }
    hl_time due;
    assert_true(followup_satisfaction_due(c, at("2026-11-27T16:00:00+08:00"), &due));
    assert_true(due == at("2026-11-30T09:00:00+08:00")); /* Friday → Monday morning */
    assert_true(followup_satisfaction_due(c, at("2026-12-30T11:00:00+08:00"), &due));
    assert_true(due == at("2027-01-01T09:00:00+08:00")); /* over the holiday */
    free(c);
}

static void test_attempt_effects(void **state)
{
    (void)state;
    struct {
        enum followup_outcome outcome;
        int attempts;
        enum followup_status status;
        bool reschedule, completed, failed;
    } rows[] = {
        {OUTCOME_NO_ANSWER, 1, FOLLOWUP_PENDING, true, false, false},
        {OUTCOME_BUSY, 2, FOLLOWUP_PENDING, true, false, false},
        {OUTCOME_NO_ANSWER, 3, FOLLOWUP_FAILED, false, false, true},
        {OUTCOME_WRONG_NUMBER, 1, FOLLOWUP_FAILED, false, false, true},
        {OUTCOME_DECLINED, 1, FOLLOWUP_DONE, false, true, false},
        {OUTCOME_REACHED, 3, FOLLOWUP_DONE, false, true, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct attempt_effect e;
        followup_attempt_effect(rows[i].outcome, rows[i].attempts, 3, &e);
        assert_int_equal(e.status, rows[i].status);
        assert_int_equal(e.reschedule, rows[i].reschedule);
        assert_int_equal(e.completed, rows[i].completed);
        assert_int_equal(e.failed, rows[i].failed);
    }
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(retry_delay_ms(1, 1000, 300000, 0), 1000);
    assert_int_equal(retry_delay_ms(2, 1000, 300000, 0), 2000);
    assert_int_equal(retry_delay_ms(5, 1000, 300000, 0), 16000);
    assert_int_equal(retry_delay_ms(30, 1000, 300000, 0), 300000);
    assert_int_equal(retry_delay_ms(3, 1000, 300000, 999), 4999);
    assert_int_equal(retry_delay_ms(3, 1000, 300000, 1000), 4000);
}

static void test_inputs(void **state)
{
    (void)state;
    const char *bad_attempts[] = {"{}", "{\"outcome\":\"maybe\"}",
                                  "{\"outcome\":\"busy\",\"satisfaction\":4}",
                                  "{\"outcome\":\"reached\",\"satisfaction\":0}",
                                  "{\"outcome\":\"reached\",\"extra\":1}"};
    for (size_t i = 0; i < sizeof bad_attempts / sizeof bad_attempts[0]; i++) {
        json_t *j = json_loads(bad_attempts[i], 0, NULL);
        struct attempt_input in;
        struct verrors e = {0};
        if (attempt_input_from_json(j, &in, &e))
            fail_msg("accepted %s", bad_attempts[i]);
        json_decref(j);
    }
    const char *bad_hooks[] = {
        "{\"url\":\"gopher://x.example\",\"secret\":\"0123456789abcdef\",\"events\":[\"call.missed\"]}",
        "{\"url\":\"http://x.example\",\"secret\":\"0123456789abcdef\",\"events\":[\"call.missed\",\"call.missed\"]}",
        "{\"url\":\"http://x.example\",\"secret\":\"0123456789abcdef\"}",
        "{\"url\":\"http://x.example\",\"secret\":\"0123456789abcdef\",\"events\":[1]}",
    };
    for (size_t i = 0; i < sizeof bad_hooks / sizeof bad_hooks[0]; i++) {
        json_t *j = json_loads(bad_hooks[i], 0, NULL);
        struct webhook_input in;
        struct verrors e = {0};
        if (webhook_input_from_json(j, &in, &e))
            fail_msg("accepted %s", bad_hooks[i]);
        json_decref(j);
    }
    json_t *j = json_loads("{\"url\":\"https://x.example/h\",\"secret\":\"0123456789abcdef\","
                           "\"events\":[\"call.missed\",\"ticket.overdue\"]}", 0, NULL);
    struct webhook_input in;
    struct verrors e = {0};
    assert_true(webhook_input_from_json(j, &in, &e));
    assert_int_equal(in.nevents, 2);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_attempt_effects),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
