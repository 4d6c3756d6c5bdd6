/**
 * @file test_calendar.c
 * @brief The business calendar and the duty-rule deadlines, table-driven: the hours around
 *        opening, lunch and closing; Friday evening; the eve of a 3-day holiday; a make-up
 *        Saturday; daylight-saving changes in America/New_York; a leap day; government tickets
 *        at 03:00 on a Sunday; and the sweeper's decisions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/ticket_state.h"

static struct calendar *load(const char *zone)
{
    struct calendar *c = malloc(sizeof *c);
    cal_defaults(c);
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static unsigned char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(tz_parse(buf, n, &c->tz));
    snprintf(c->zone, sizeof c->zone, "%s", zone);
    return c;
}

static hl_time at(const char *rfc3339)
{
    hl_time t;
    if (!tf_parse_rfc3339(rfc3339, &t))
        fail_msg("bad time in test table: %s", rfc3339);
    return t;
}

static int64_t day(const char *date)
{
    int y, m, d;
    assert_true(tf_parse_date(date, &y, &m, &d));
    return tf_days_from_civil(y, (unsigned)m, (unsigned)d);
}

static void expect_time(hl_time got, const char *want, const char *label)
{
    if (got != at(want)) {
        char g[48];
        tf_format_rfc3339(got, 0, g, sizeof g);
        fail_msg("%s: got %s, want %s", label, g, want);
    }
}

/* Shanghai with a 3-day New Year holiday (Fri 2027-01-01 .. Sun 01-03) and a make-up
 * working Saturday 2027-01-09. */
static struct calendar *shanghai(void)
{
    struct calendar *c = load("Asia/Shanghai");
    assert_true(cal_set_day(c, day("2027-01-01"), false));
    assert_true(cal_set_day(c, day("2027-01-02"), false));
    assert_true(cal_set_day(c, day("2027-01-03"), false));
    assert_true(cal_set_day(c, day("2027-01-09"), true));
    return c;
}

static void test_resolve_deadlines(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        const char *received, *general, *hard, *label;
    } rows[] = {
        {"2026-11-26T08:59:00+08:00", "2026-11-26T18:00:00+08:00", "2026-11-27T18:00:00+08:00", "08:59 Thu"},
        {"2026-11-26T09:00:00+08:00", "2026-11-26T18:00:00+08:00", "2026-11-27T18:00:00+08:00", "09:00 Thu"},
        {"2026-11-26T11:59:00+08:00", "2026-11-26T18:00:00+08:00", "2026-11-27T18:00:00+08:00", "11:59 Thu"},
        {"2026-11-26T12:30:00+08:00", "2026-11-26T18:00:00+08:00", "2026-11-27T18:00:00+08:00", "12:30 lunch"},
        {"2026-11-26T17:59:59+08:00", "2026-11-26T18:00:00+08:00", "2026-11-27T18:00:00+08:00", "17:59 Thu"},
        {"2026-11-26T18:00:00+08:00", "2026-11-27T18:00:00+08:00", "2026-11-30T18:00:00+08:00", "18:00 Thu"},
        {"2026-11-26T18:01:00+08:00", "2026-11-27T18:00:00+08:00", "2026-11-30T18:00:00+08:00", "18:01 Thu"},
        {"2026-11-27T17:55:00+08:00", "2026-11-27T18:00:00+08:00", "2026-11-30T18:00:00+08:00", "Fri 17:55"},
        {"2026-11-27T19:00:00+08:00", "2026-11-30T18:00:00+08:00", "2026-12-01T18:00:00+08:00", "Fri evening"},
        {"2026-11-28T10:00:00+08:00", "2026-11-30T18:00:00+08:00", "2026-12-01T18:00:00+08:00", "Saturday"},
        {"2026-11-29T23:59:00+08:00", "2026-11-30T18:00:00+08:00", "2026-12-01T18:00:00+08:00", "Sunday night"},
        {"2026-12-31T17:00:00+08:00", "2026-12-31T18:00:00+08:00", "2027-01-04T18:00:00+08:00", "holiday eve, open"},
        {"2026-12-31T18:30:00+08:00", "2027-01-04T18:00:00+08:00", "2027-01-05T18:00:00+08:00", "holiday eve, closed"},
        {"2027-01-02T11:00:00+08:00", "2027-01-04T18:00:00+08:00", "2027-01-05T18:00:00+08:00", "in the holiday"},
        {"2027-01-08T18:30:00+08:00", "2027-01-09T18:00:00+08:00", "2027-01-11T18:00:00+08:00", "Fri before make-up Sat"},
        {"2027-01-09T10:00:00+08:00", "2027-01-09T18:00:00+08:00", "2027-01-11T18:00:00+08:00", "make-up Saturday"},
        {"2027-01-10T10:00:00+08:00", "2027-01-11T18:00:00+08:00", "2027-01-12T18:00:00+08:00", "Sunday after it"},
        {"2028-02-28T18:30:00+08:00", "2028-02-29T18:00:00+08:00", "2028-03-01T18:00:00+08:00", "before a leap day"},
        {"2028-02-29T10:00:00+08:00", "2028-02-29T18:00:00+08:00", "2028-03-01T18:00:00+08:00", "leap day"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct deadlines d;
        assert_true(deadlines_for(c, TICKET_CLASS_GENERAL, TICKET_KIND_INQUIRY, at(rows[i].received), &d));
        assert_true(d.has[DL_RESOLVE]);
        assert_false(d.has[DL_RELAY] || d.has[DL_WEEKLY] || d.has[DL_PROGRESS]);
        expect_time(d.due[DL_RESOLVE], rows[i].general, rows[i].label);
        assert_true(deadlines_for(c, TICKET_CLASS_HARD, TICKET_KIND_INQUIRY, at(rows[i].received), &d));
        expect_time(d.due[DL_RESOLVE], rows[i].hard, rows[i].label);
        assert_true(strlen(d.rule[DL_RESOLVE]) > 10);
    }
    free(c);
}

static void test_business_hours(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        const char *t;
        bool open;
    } rows[] = {
        {"2026-11-26T08:59:59+08:00", false}, {"2026-11-26T09:00:00+08:00", true},
        {"2026-11-26T12:30:00+08:00", true},  {"2026-11-26T17:59:59+08:00", true},
        {"2026-11-26T18:00:00+08:00", false}, {"2026-11-28T10:00:00+08:00", false},
        {"2027-01-01T10:00:00+08:00", false}, {"2027-01-09T10:00:00+08:00", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (cal_in_business_hours(c, at(rows[i].t)) != rows[i].open)
            fail_msg("%s should be %s", rows[i].t, rows[i].open ? "open" : "closed");
    free(c);
}

static void test_calling_windows(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        const char *t, *next;
    } rows[] = {
        {"2026-11-26T08:00:00+08:00", "2026-11-26T09:00:00+08:00"},
        {"2026-11-26T10:15:00+08:00", "2026-11-26T10:15:00+08:00"},
        {"2026-11-26T12:00:00+08:00", "2026-11-26T14:00:00+08:00"}, /* lunch */
        {"2026-11-26T13:59:00+08:00", "2026-11-26T14:00:00+08:00"},
        {"2026-11-26T17:00:00+08:00", "2026-11-27T09:00:00+08:00"}, /* evening */
        {"2026-11-27T17:30:00+08:00", "2026-11-30T09:00:00+08:00"}, /* weekend */
        {"2026-12-31T17:30:00+08:00", "2027-01-04T09:00:00+08:00"}, /* holiday */
        {"2027-01-08T20:00:00+08:00", "2027-01-09T09:00:00+08:00"}, /* make-up Saturday */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hl_time next;
        assert_true(cal_next_calling_moment(c, at(rows[i].t), &next));
        expect_time(next, rows[i].next, rows[i].t);
    }
    free(c);
}

static void test_daylight_saving(void **state)
{
    (void)state;
    struct calendar *c = load("America/New_York");
    struct {
        enum ticket_class cls;
        const char *received, *due, *label;
    } rows[] = {
        /* spring forward on Sunday 2026-03-08 */
        {TICKET_CLASS_GENERAL, "2026-03-06T18:30:00-05:00", "2026-03-09T18:00:00-04:00", "general over spring DST"},
        {TICKET_CLASS_HARD, "2026-03-06T10:00:00-05:00", "2026-03-09T18:00:00-04:00", "hard over spring DST"},
        /* fall back on Sunday 2026-11-01 */
        {TICKET_CLASS_GENERAL, "2026-10-30T18:30:00-04:00", "2026-11-02T18:00:00-05:00", "general over autumn DST"},
        /* beyond the end of the transition table the footer rule applies */
        {TICKET_CLASS_GENERAL, "2040-03-09T18:30:00-05:00", "2040-03-12T18:00:00-04:00", "spring DST in 2040"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct deadlines d;
        assert_true(deadlines_for(c, rows[i].cls, TICKET_KIND_INQUIRY, at(rows[i].received), &d));
        expect_time(d.due[DL_RESOLVE], rows[i].due, rows[i].label);
    }
    /* special: 7 days after Sunday 2026-03-01 10:00 EST is Sunday 11:00 EDT → Monday 09:00 EDT */
    struct deadlines d;
    assert_true(deadlines_for(c, TICKET_CLASS_SPECIAL, TICKET_KIND_INQUIRY, at("2026-03-01T10:00:00-05:00"), &d));
    expect_time(d.due[DL_WEEKLY], "2026-03-09T09:00:00-04:00", "weekly over DST");
    /* wall-clock times that do not exist or exist twice */
    expect_time(cal_at(c, day("2026-03-08"), 2 * 3600 + 1800), "2026-03-08T03:30:00-04:00", "gap");
    expect_time(cal_at(c, day("2026-11-01"), 1 * 3600 + 1800), "2026-11-01T01:30:00-04:00", "overlap");
    free(c);
}

static void test_government_and_complaints(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct deadlines d;
    /* government: around the clock, 03:00 on a Sunday */
    assert_true(deadlines_for(c, TICKET_CLASS_GOVERNMENT, TICKET_KIND_INQUIRY, at("2026-11-29T03:00:00+08:00"), &d));
    assert_false(d.has[DL_RESOLVE]);
    expect_time(d.due[DL_RELAY], "2026-11-29T03:15:00+08:00", "relay at 03:00 Sunday");
    deadline_government_callback(c, at("2026-11-29T03:10:00+08:00"), &d);
    expect_time(d.due[DL_CALLBACK], "2026-11-29T04:10:00+08:00", "callback after relay");
    /* special: weekly callback in the first calling window 7 days on */
    assert_true(deadlines_for(c, TICKET_CLASS_SPECIAL, TICKET_KIND_INQUIRY, at("2026-11-26T10:00:00+08:00"), &d));
    expect_time(d.due[DL_WEEKLY], "2026-12-03T10:00:00+08:00", "weekly");
    assert_true(deadlines_for(c, TICKET_CLASS_SPECIAL, TICKET_KIND_INQUIRY, at("2026-11-26T17:30:00+08:00"), &d));
    expect_time(d.due[DL_WEEKLY], "2026-12-04T09:00:00+08:00", "weekly after the last window");
    /* complaints: a progress notice 24 hours on, whatever the class */
    assert_true(deadlines_for(c, TICKET_CLASS_HARD, TICKET_KIND_COMPLAINT, at("2026-11-27T19:00:00+08:00"), &d));
    expect_time(d.due[DL_PROGRESS], "2026-11-28T19:00:00+08:00", "progress notice");
    expect_time(d.due[DL_RESOLVE], "2026-12-01T18:00:00+08:00", "hard complaint");
    /* every number is configuration */
    c->rules.government_relay_minutes = 5;
    c->rules.complaint_notice_hours = 12;
    assert_true(deadlines_for(c, TICKET_CLASS_GOVERNMENT, TICKET_KIND_COMPLAINT, at("2026-11-29T03:00:00+08:00"), &d));
    expect_time(d.due[DL_RELAY], "2026-11-29T03:05:00+08:00", "configured relay");
    expect_time(d.due[DL_PROGRESS], "2026-11-29T15:00:00+08:00", "configured notice");
    free(c);
}

static void test_no_working_day_ahead(void **state)
{
    (void)state;
    struct calendar *c = load("Asia/Shanghai");
    c->working_week = 0;
    struct deadlines d;
    assert_false(deadlines_for(c, TICKET_CLASS_GENERAL, TICKET_KIND_INQUIRY, at("2026-11-26T10:00:00+08:00"), &d));
    free(c);
}

static void test_sweeper_decisions(void **state)
{
    (void)state;
    struct rules r;
    struct calendar *c = shanghai();
    r = c->rules;
    struct ticket_clock t = {.status = TICKET_STATUS_NEW};
    t.d.has[DL_RESOLVE] = true;
    t.d.due[DL_RESOLVE] = at("2026-11-26T18:00:00+08:00");
    hl_time next;
    assert_true(ticket_next_due(&t, &next));
    expect_time(next, "2026-11-26T18:00:00+08:00", "next due");

    struct sweep_decision s;
    sweep_decide(&t, at("2026-11-26T17:59:59+08:00"), &r, &s); /* not yet */
    assert_int_equal(s.newly_breached, 0);
    assert_int_equal(s.escalate_to, 0);

    sweep_decide(&t, at("2026-11-26T18:00:00+08:00"), &r, &s); /* at closing: overdue */
    assert_int_equal(s.newly_breached, DL_BIT(DL_RESOLVE));
    assert_int_equal(s.escalate_to, 1);
    assert_true(ticket_overdue(&s.after));
    assert_true(s.has_next_due);
    expect_time(s.next_due, "2026-11-26T22:00:00+08:00", "second level after 4 h");

    struct ticket_clock t2 = s.after;
    sweep_decide(&t2, at("2026-11-26T21:00:00+08:00"), &r, &s); /* nothing new */
    assert_int_equal(s.newly_breached, 0);
    assert_int_equal(s.escalate_to, 0);
    sweep_decide(&t2, at("2026-11-26T22:00:00+08:00"), &r, &s); /* manager */
    assert_int_equal(s.escalate_to, 2);
    assert_false(s.has_next_due); /* at the top, nothing else is due */
    struct ticket_clock t3 = s.after;
    sweep_decide(&t3, at("2026-11-30T22:00:00+08:00"), &r, &s);
    assert_int_equal(s.escalate_to, 0);
    assert_int_equal(s.newly_breached, 0);

    /* resolving stops every clock */
    t3.status = TICKET_STATUS_RESOLVED;
    assert_false(ticket_overdue(&t3));
    assert_false(ticket_next_due(&t3, &next));

    /* a government ticket: the relay passes, then the relay is made and the callback runs */
    struct ticket_clock g = {.status = TICKET_STATUS_NEW};
    g.d.has[DL_RELAY] = true;
    g.d.due[DL_RELAY] = at("2026-11-29T03:15:00+08:00");
    sweep_decide(&g, at("2026-11-29T03:15:00+08:00"), &r, &s);
    assert_int_equal(s.newly_breached, DL_BIT(DL_RELAY));
    g = s.after;
    g.relayed = true;
    deadline_government_callback(c, at("2026-11-29T03:20:00+08:00"), &g.d);
    assert_false(ticket_overdue(&g));
    assert_true(ticket_next_due(&g, &next));
    expect_time(next, "2026-11-29T04:08:00+08:00", "callback warning (80% of 60 minutes)");
    sweep_decide(&g, at("2026-11-29T04:08:00+08:00"), &r, &s);
    assert_int_equal(s.newly_warned, DL_BIT(DL_CALLBACK));
    assert_int_equal(s.escalate_to, 0); /* a warning does not escalate */
    g = s.after;
    assert_true(ticket_next_due(&g, &next));
    expect_time(next, "2026-11-29T04:20:00+08:00", "callback due");
    sweep_decide(&g, at("2026-11-29T04:20:00+08:00"), &r, &s);
    assert_int_equal(s.newly_breached, DL_BIT(DL_CALLBACK));
    assert_int_equal(s.escalate_to, 2); /* a second breach raises one more level */
    free(c);
}

static void test_state_machine(void **state)
{
    (void)state;
    struct {
        enum ticket_status from, to;
        bool ok;
    } rows[] = {
        {TICKET_STATUS_NEW, TICKET_STATUS_CLOSED, false},
        {TICKET_STATUS_NEW, TICKET_STATUS_REOPENED, false},
        {TICKET_STATUS_CLOSED, TICKET_STATUS_RESOLVED, false},
        {TICKET_STATUS_RESOLVED, TICKET_STATUS_IN_PROGRESS, false},
        {TICKET_STATUS_NEW, TICKET_STATUS_NEW, false},
        {TICKET_STATUS_NEW, TICKET_STATUS_IN_PROGRESS, true},
        {TICKET_STATUS_NEW, TICKET_STATUS_RESOLVED, true},
        {TICKET_STATUS_IN_PROGRESS, TICKET_STATUS_RELAYED, true},
        {TICKET_STATUS_RELAYED, TICKET_STATUS_IN_PROGRESS, true},
        {TICKET_STATUS_RESOLVED, TICKET_STATUS_CLOSED, true},
        {TICKET_STATUS_RESOLVED, TICKET_STATUS_REOPENED, true},
        {TICKET_STATUS_CLOSED, TICKET_STATUS_REOPENED, true},
        {TICKET_STATUS_REOPENED, TICKET_STATUS_RESOLVED, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (ticket_transition_allowed(rows[i].from, rows[i].to) != rows[i].ok)
            fail_msg("%s -> %s", ticket_status_names[rows[i].from], ticket_status_names[rows[i].to]);
    char text[128];
    ticket_transitions_text(TICKET_STATUS_RESOLVED, text, sizeof text);
    assert_string_equal(text, "closed, reopened");
}

static void test_tz_rules(void **state)
{
    (void)state;
    const char *bad[] = {"", "E5", "EST", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
                         "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "<+0330-3:30"};
    struct tz_rule r;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tz_parse_rule(bad[i], &r))
            fail_msg("accepted %s", bad[i]);
    assert_true(tz_parse_rule("CST-8", &r));
    assert_int_equal(r.std_off, 8 * 3600);
    assert_true(tz_parse_rule("<+0330>-3:30", &r));
    assert_int_equal(r.std_off, 3 * 3600 + 1800);
    assert_true(tz_parse_rule("AEST-10AEDT,M10.1.0,M4.1.0/3", &r)); /* southern hemisphere */
    struct tz tz;
    memset(&tz, 0, sizeof tz);
    tz.ntypes = 1;
    tz.rule = r;
    assert_int_equal(tz_offset_at(&tz, at("2026-01-15T00:00:00Z") / HL_USEC_PER_SEC), 11 * 3600);
    assert_int_equal(tz_offset_at(&tz, at("2026-07-15T00:00:00Z") / HL_USEC_PER_SEC), 10 * 3600);
    unsigned char junk[64] = "TZif2";
    assert_false(tz_parse(junk, sizeof junk, &tz));
    assert_false(tz_parse(junk, 10, &tz));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_deadlines),
        cmocka_unit_test(test_business_hours),
        cmocka_unit_test(test_calling_windows),
        cmocka_unit_test(test_daylight_saving),
        cmocka_unit_test(test_government_and_complaints),
        cmocka_unit_test(test_no_working_day_ahead),
        cmocka_unit_test(test_sweeper_decisions),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_tz_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
