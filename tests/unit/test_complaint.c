/**
 * @file test_complaint.c
 * @brief Complaints as pure code: the complaint transition table and its missing steps, the
 *        dispatch state machine, the satisfaction result, warnings before deadlines, business
 *        minutes, extensions, escalation by hand, and the inputs (bad ones first).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/complaint.h"
#include "domain/deadline.h"
#include "domain/ticket_state.h"

static hl_time at(const char *s)
{
    hl_time t;
    if (!tf_parse_rfc3339(s, &t))
        fail_msg("bad time in test table: %s", s);
    return t;
}

static void expect_time(hl_time got, const char *want, const char *label)
{
    if (got != at(want)) {
        char g[48];
        tf_format_rfc3339(got, 0, g, sizeof g);
        fail_msg("%s: got %s, want %s", label, g, want);
    }
}

static struct calendar *shanghai(void)
{
    struct calendar *c = malloc(sizeof *c);
    cal_defaults(c);
    tz_fixed(&c->tz, 8 * 3600);
    assert_true(cal_set_day(c, tf_days_from_civil(2026, 12, 31), false)); /* a holiday */
    return c;
}

#define S(x) TICKET_STATUS_##x

static void test_complaint_transitions(void **state)
{
    (void)state;
    struct {
        enum ticket_kind kind;
        enum ticket_status from, to;
        enum transition_via via;
        bool record, reviewed;
        enum transition_verdict verdict;
        enum complaint_step missing;
    } rows[] = {
        /* skipping the chain: refused, naming what is missing */
        {TICKET_KIND_COMPLAINT, S(NEW), S(CLOSED), VIA_REQUEST, true, false, TV_MISSING,
         STEP_RESOLUTION},
        {TICKET_KIND_COMPLAINT, S(NEW), S(CLOSED), VIA_REQUEST, false, false, TV_MISSING,
         STEP_RECORD},
        {TICKET_KIND_COMPLAINT, S(IN_PROGRESS), S(RESOLVED), VIA_REQUEST, false, false, TV_MISSING,
         STEP_RECORD},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(CLOSED), VIA_REQUEST, true, false, TV_MISSING,
         STEP_REVIEW},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(CLOSED), VIA_REQUEST, true, true, TV_MISSING,
         STEP_CALLBACK},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(REOPENED), VIA_REQUEST, true, true, TV_MISSING,
         STEP_CALLBACK},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(IN_PROGRESS), VIA_REQUEST, true, false, TV_MISSING,
         STEP_REVIEW},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(CLOSED), VIA_CALLBACK, true, false, TV_MISSING,
         STEP_REVIEW},
        {TICKET_KIND_COMPLAINT, S(CLOSED), S(RESOLVED), VIA_REQUEST, true, true, TV_REFUSED,
         STEP_NONE},
        {TICKET_KIND_INQUIRY, S(RESOLVED), S(IN_PROGRESS), VIA_REVIEW, true, false, TV_REFUSED,
         STEP_NONE},
        {TICKET_KIND_INQUIRY, S(NEW), S(CLOSED), VIA_REQUEST, false, false, TV_REFUSED, STEP_NONE},
        /* the chain, step by step */
        {TICKET_KIND_COMPLAINT, S(NEW), S(IN_PROGRESS), VIA_REQUEST, false, false, TV_OK,
         STEP_NONE},
        {TICKET_KIND_COMPLAINT, S(IN_PROGRESS), S(RESOLVED), VIA_REQUEST, true, false, TV_OK,
         STEP_NONE},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(IN_PROGRESS), VIA_REVIEW, true, false, TV_OK,
         STEP_NONE},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(CLOSED), VIA_CALLBACK, true, true, TV_OK, STEP_NONE},
        {TICKET_KIND_COMPLAINT, S(RESOLVED), S(REOPENED), VIA_CALLBACK, true, true, TV_OK,
         STEP_NONE},
        {TICKET_KIND_COMPLAINT, S(CLOSED), S(REOPENED), VIA_REQUEST, true, true, TV_OK, STEP_NONE},
        {TICKET_KIND_INQUIRY, S(RESOLVED), S(CLOSED), VIA_REQUEST, false, false, TV_OK, STEP_NONE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct complaint_facts f = {rows[i].record, rows[i].reviewed};
        enum complaint_step missing;
        enum transition_verdict v = ticket_transition_check(rows[i].kind, rows[i].from, rows[i].to,
                                                            rows[i].via, &f, &missing);
        if (v != rows[i].verdict || missing != rows[i].missing)
            fail_msg("row %zu: verdict %d missing %s", i, v, complaint_step_names[missing]);
    }
    /* POST /transitions offers a resolved complaint nothing: the review and callback decide */
    enum ticket_status out[TICKET_STATUS_COUNT];
    struct complaint_facts reviewed = {true, true}, unreviewed = {true, false};
    assert_int_equal(ticket_transitions_for(TICKET_KIND_COMPLAINT, S(RESOLVED), &reviewed, out),
                     0);
    assert_int_equal(ticket_transitions_for(TICKET_KIND_INQUIRY, S(RESOLVED), NULL, out), 2);
    char text[80];
    ticket_transitions_text_for(TICKET_KIND_COMPLAINT, S(RESOLVED), &reviewed, text,
                                sizeof text);
    assert_string_equal(text, "none");
    ticket_transitions_text_for(TICKET_KIND_COMPLAINT, S(RESOLVED), &unreviewed, text,
                                sizeof text);
    assert_string_equal(text, "reopened"); /* the customer calls again before the review */
    assert_int_equal(complaint_stage_of(S(RESOLVED), false), STAGE_AWAITING_REVIEW);
    assert_int_equal(complaint_stage_of(S(RESOLVED), true), STAGE_AWAITING_CALLBACK);
    assert_int_equal(complaint_stage_of(S(REOPENED), false), STAGE_HANDLING);
    assert_int_equal(complaint_stage_of(S(CLOSED), true), STAGE_ARCHIVED);
}

static void test_dispatch_machine(void **state)
{
    (void)state;
    struct {
        enum dispatch_status from;
        enum dispatch_action action;
        bool ok;
        enum dispatch_status to;
    } rows[] = {
        {DS_ACCEPTED, DA_RETURN, false, 0}, /* signed for: reply, not return */
        {DS_SENT, DA_REPLY, false, 0},      /* sign for it first */
        {DS_REPLIED, DA_ACCEPT, false, 0},
        {DS_SENT, DA_REDISPATCH, false, 0}, /* only a returned one is re-dispatched */
        {DS_REDISPATCHED, DA_RULE_KEEP, false, 0},
        {DS_SENT, DA_ACCEPT, true, DS_ACCEPTED},
        {DS_SENT, DA_RETURN, true, DS_RETURNED},
        {DS_ACCEPTED, DA_REPLY, true, DS_REPLIED},
        {DS_RETURNED, DA_REDISPATCH, true, DS_REDISPATCHED},
        {DS_RETURNED, DA_RULE_KEEP, true, DS_SENT},
        {DS_RETURNED, DA_RULE_REASSIGN, true, DS_REDISPATCHED},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        enum dispatch_status to = DS_COUNT;
        bool ok = dispatch_next(rows[i].from, rows[i].action, &to);
        if (ok != rows[i].ok || (ok && to != rows[i].to))
            fail_msg("row %zu", i);
    }
    char text[80];
    dispatch_actions_text(DS_RETURNED, text, sizeof text);
    assert_string_equal(text, "redispatch, rule_keep, rule_reassign");
    dispatch_actions_text(DS_REPLIED, text, sizeof text);
    assert_string_equal(text, "none");
}

static void test_callback_outcome(void **state)
{
    (void)state;
    struct {
        enum followup_outcome outcome;
        int attempts, satisfied, score;
        enum complaint_outcome want;
        bool needs;
    } rows[] = {
        {OUTCOME_REACHED, 1, -1, 0, CO_NONE, true},    /* reached, but no result said */
        {OUTCOME_NO_ANSWER, 1, -1, 0, CO_NONE, false}, /* tried again later */
        {OUTCOME_NO_ANSWER, 3, -1, 0, CO_UNREACHABLE, false},
        {OUTCOME_WRONG_NUMBER, 1, -1, 0, CO_UNREACHABLE, false},
        {OUTCOME_DECLINED, 1, -1, 0, CO_DECLINED, false},
        {OUTCOME_REACHED, 1, -1, 3, CO_UNSATISFIED, false},
        {OUTCOME_REACHED, 1, -1, 4, CO_SATISFIED, false},  /* the threshold itself */
        {OUTCOME_REACHED, 1, 0, 5, CO_UNSATISFIED, false}, /* what the customer says wins */
        {OUTCOME_REACHED, 1, 1, 0, CO_SATISFIED, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct attempt_effect e;
        followup_attempt_effect(rows[i].outcome, rows[i].attempts, 3, &e);
        bool needs;
        enum complaint_outcome o = complaint_callback_outcome(
            &e, rows[i].outcome, rows[i].satisfied, rows[i].score, 4, &needs);
        if (o != rows[i].want || needs != rows[i].needs)
            fail_msg("row %zu: got %d needs %d", i, o, needs);
    }
}

static void test_warnings(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        const char *start, *due;
        int percent;
        bool has;
        const char *warn;
    } rows[] = {
        {"2026-11-26T10:00:00+08:00", "2026-11-26T10:00:00+08:00", 80, false, NULL},
        {"2026-11-26T10:00:00+08:00", "2026-11-26T18:00:00+08:00", 0, false, NULL},
        {"2026-11-26T10:00:00+08:00", "2026-11-26T18:00:00+08:00", 100, false, NULL},
        {"2026-11-26T10:00:00+08:00", "2026-11-26T18:00:00+08:00", 80, true,
         "2026-11-26T16:24:00+08:00"},
        {"2026-11-26T10:00:00+08:00", "2026-11-27T10:00:00+08:00", 50, true,
         "2026-11-26T22:00:00+08:00"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hl_time w = 0;
        bool has = deadline_warning_at(at(rows[i].start), at(rows[i].due), rows[i].percent, &w);
        if (has != rows[i].has)
            fail_msg("row %zu", i);
        if (has)
            expect_time(w, rows[i].warn, "warning");
    }
    /* a complaint received at 10:00: the progress notice is warned of at 80% of 24 hours */
    struct ticket_clock t = {.status = TICKET_STATUS_NEW};
    assert_true(deadlines_for(c, TICKET_CLASS_HARD, TICKET_KIND_COMPLAINT,
                              at("2026-11-26T10:00:00+08:00"), &t.d));
    hl_time next;
    assert_true(ticket_next_due(&t, &next));
    expect_time(next, "2026-11-27T05:12:00+08:00", "progress warning first");
    struct sweep_decision d;
    sweep_decide(&t, at("2026-11-27T05:12:00+08:00"), &c->rules, &d);
    assert_int_equal(d.newly_warned, DL_BIT(DL_PROGRESS));
    assert_int_equal(d.newly_breached, 0);
    assert_int_equal(d.escalate_to, 0);
    expect_time(d.next_due, "2026-11-27T10:00:00+08:00", "then the notice itself");
    /* once: the next look does not warn again */
    struct ticket_clock t2 = d.after;
    sweep_decide(&t2, at("2026-11-27T06:00:00+08:00"), &c->rules, &d);
    assert_int_equal(d.newly_warned, 0);
    /* a sweeper that was away past both: overdue only, and never warned later */
    sweep_decide(&t, at("2026-11-28T12:00:00+08:00"), &c->rules, &d);
    assert_int_equal(d.newly_warned, 0);
    assert_int_equal(d.newly_breached, DL_BIT(DL_RESOLVE) | DL_BIT(DL_PROGRESS));
    assert_int_equal(d.after.warned & DL_BIT(DL_PROGRESS), DL_BIT(DL_PROGRESS));
    free(c);
}

static void test_business_minutes(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        const char *from;
        int minutes;
        const char *due;
    } rows[] = {
        {"2026-11-26T10:00:00+08:00", 120, "2026-11-26T12:00:00+08:00"}, /* lunch counts */
        {"2026-11-26T17:00:00+08:00", 120, "2026-11-27T10:00:00+08:00"}, /* over the night */
        {"2026-11-27T17:30:00+08:00", 120, "2026-11-30T10:30:00+08:00"}, /* over the weekend */
        {"2026-11-28T11:00:00+08:00", 120, "2026-11-30T11:00:00+08:00"}, /* sent on Saturday */
        {"2026-11-26T07:00:00+08:00", 60, "2026-11-26T10:00:00+08:00"},  /* before opening */
        {"2026-12-30T17:00:00+08:00", 120, "2027-01-01T10:00:00+08:00"}, /* the holiday */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hl_time due;
        assert_true(deadline_business_minutes(c, at(rows[i].from), rows[i].minutes, &due));
        expect_time(due, rows[i].due, rows[i].from);
    }
    free(c);
}

static void test_extensions(void **state)
{
    (void)state;
    struct rules r;
    struct calendar *c = shanghai();
    r = c->rules;
    struct ticket_clock t = {.status = TICKET_STATUS_IN_PROGRESS};
    t.d.has[DL_RESOLVE] = true;
    t.d.due[DL_RESOLVE] = at("2026-11-27T18:00:00+08:00");
    struct {
        enum ticket_status status;
        enum deadline_kind k;
        const char *until, *now;
        enum extension_verdict want;
    } rows[] = {
        {S(IN_PROGRESS), DL_WEEKLY, "2026-11-30T18:00:00+08:00", "2026-11-27T10:00:00+08:00",
         EXT_NOT_RUNNING},
        {S(RESOLVED), DL_RESOLVE, "2026-11-30T18:00:00+08:00", "2026-11-27T10:00:00+08:00",
         EXT_NOT_RUNNING},
        {S(IN_PROGRESS), DL_RESOLVE, "2026-11-30T18:00:00+08:00", "2026-11-27T18:00:00+08:00",
         EXT_PASSED},
        {S(IN_PROGRESS), DL_RESOLVE, "2026-11-27T17:00:00+08:00", "2026-11-27T10:00:00+08:00",
         EXT_NOT_LATER},
        {S(IN_PROGRESS), DL_RESOLVE, "2026-11-30T18:00:00+08:00", "2026-11-27T10:00:00+08:00",
         EXT_OK},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        t.status = rows[i].status;
        if (extension_request_check(&t, rows[i].k, at(rows[i].until), at(rows[i].now)) !=
            rows[i].want)
            fail_msg("row %zu", i);
    }
    /* approved late (the deadline passed meanwhile): the mark is cleared, the warning re-armed */
    t.status = S(IN_PROGRESS);
    t.breached = t.warned = DL_BIT(DL_RESOLVE);
    t.escalation_level = 1;
    t.has_next_escalation = true;
    struct ticket_clock u = t;
    assert_int_equal(deadline_extend(&u, DL_RESOLVE, at("2026-11-27T20:00:00+08:00"),
                                     at("2026-11-27T20:00:00+08:00"), &r),
                     EXT_UNTIL_PASSED);
    assert_int_equal(u.breached, t.breached); /* unchanged */
    assert_int_equal(deadline_extend(&u, DL_RESOLVE, at("2026-11-30T18:00:00+08:00"),
                                     at("2026-11-27T20:00:00+08:00"), &r),
                     EXT_OK);
    expect_time(u.d.due[DL_RESOLVE], "2026-11-30T18:00:00+08:00", "moved");
    assert_int_equal(u.breached, 0);
    assert_int_equal(u.warned, 0);
    assert_false(ticket_overdue(&u));
    assert_false(u.has_next_escalation);
    assert_int_equal(u.escalation_level, 1); /* who must act stays */
    expect_time(u.d.warn[DL_RESOLVE], "2026-11-30T04:00:00+08:00", "80% of the new 70 hours");
    free(c);
}

static void test_escalate_by_hand(void **state)
{
    (void)state;
    struct calendar *c = shanghai();
    struct {
        int level, to;
        bool overdue, ok;
        int after;
        bool next;
    } rows[] = {
        {2, -1, false, false, 2, false}, /* at the manager already */
        {1, 1, false, false, 1, false},  /* not above */
        {0, 3, false, false, 0, false},  /* beyond the manager */
        {0, -1, false, true, 1, false},  /* not overdue: no automatic next step */
        {0, -1, true, true, 1, true},    /* overdue: the sweeper goes on after the delay */
        {0, 2, true, true, 2, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct ticket_clock t = {.status = TICKET_STATUS_IN_PROGRESS,
                                 .escalation_level = rows[i].level};
        t.d.has[DL_RESOLVE] = true;
        t.d.due[DL_RESOLVE] = at("2026-11-26T18:00:00+08:00");
        t.breached = rows[i].overdue ? DL_BIT(DL_RESOLVE) : 0;
        bool ok = escalate_by_hand(&t, rows[i].to, at("2026-11-26T19:00:00+08:00"), &c->rules);
        if (ok != rows[i].ok || t.escalation_level != rows[i].after ||
            t.has_next_escalation != rows[i].next)
            fail_msg("row %zu", i);
        if (rows[i].next)
            expect_time(t.next_escalation_at, "2026-11-26T23:00:00+08:00", "after 240 minutes");
    }
    free(c);
}

/* Parse a JSON text (the test fails on a typo). */
static json_t *J(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad JSON in test table: %s", text);
    return j;
}

static void test_inputs(void **state)
{
    (void)state;
    struct {
        const char *body, *field; /* field: the first error expected, NULL: valid */
    } dispatch_rows[] = {
        {"{\"department\":\"billing\",\"contact_person\":\"  \",\"agreed\":\"refund\"}",
         "contact_person"},
        {"{\"department\":\"billing\",\"contact_person\":\"\",\"agreed\":\"refund\"}",
         "contact_person"},
        {"{\"department\":\"billing\",\"agreed\":\"refund\"}", "contact_person"},
        {"{\"department\":\"billing\",\"contact_person\":\"Wang\",\"agreed\":\"x\",\"at\":1}",
         "at"},
        {"[]", ""},
        {"{\"department\":\"billing\",\"contact_person\":\"Wang\",\"agreed\":\"refund\"}", NULL},
    };
    for (size_t i = 0; i < sizeof dispatch_rows / sizeof dispatch_rows[0]; i++) {
        json_t *b = J(dispatch_rows[i].body);
        struct dispatch_input in;
        struct verrors errs = {0};
        bool ok = dispatch_input_from_json(b, &in, &errs);
        if (ok != !dispatch_rows[i].field ||
            (!ok && strcmp(errs.e[0].field, dispatch_rows[i].field) != 0))
            fail_msg("dispatch row %zu: %s", i, errs.n ? errs.e[0].field : "ok");
        json_decref(b);
    }
    struct verrors errs = {0};
    struct dispatch_answer ans;
    json_t *b = J("{\"contact_person\":\"Zhao\"}");
    assert_false(dispatch_answer_from_json(b, DA_RETURN, &ans, &errs)); /* no reason */
    assert_string_equal(errs.e[0].field, "reason");
    memset(&errs, 0, sizeof errs);
    assert_true(dispatch_answer_from_json(b, DA_ACCEPT, &ans, &errs));
    json_decref(b);
    struct dispatch_ruling ru;
    b = J("{\"decision\":\"reassign\",\"reason\":\"not theirs\"}");
    memset(&errs, 0, sizeof errs);
    assert_false(dispatch_ruling_from_json(b, &ru, &errs));
    assert_string_equal(errs.e[0].field, "department");
    json_decref(b);
    b = J("{\"decision\":\"department_keeps\",\"reason\":\"it is theirs\"}");
    memset(&errs, 0, sizeof errs);
    assert_true(dispatch_ruling_from_json(b, &ru, &errs));
    assert_int_equal(ru.action, DA_RULE_KEEP);
    json_decref(b);
    struct decision_input dec;
    b = J("{\"decision\":\"sent_back\"}");
    memset(&errs, 0, sizeof errs);
    assert_false(review_input_from_json(b, &dec, &errs)); /* a reason is needed */
    assert_string_equal(errs.e[0].field, "reason");
    json_decref(b);
    b = J("{\"decision\":\"refused\",\"note\":\"   \"}");
    memset(&errs, 0, sizeof errs);
    assert_false(extension_decision_from_json(b, &dec, &errs));
    json_decref(b);
    struct escalation_input esc;
    b = J("{\"reason\":\"customer called three times\",\"to\":\"manager\"}");
    memset(&errs, 0, sizeof errs);
    assert_true(escalation_input_from_json(b, &esc, &errs));
    assert_int_equal(esc.to_level, 2);
    json_decref(b);
    struct extension_input ext;
    b = J("{\"until\":\"tomorrow\",\"reason\":\"waiting for billing\"}");
    memset(&errs, 0, sizeof errs);
    assert_false(extension_input_from_json(b, &ext, &errs));
    assert_string_equal(errs.e[0].field, "until");
    json_decref(b);
    /* the complaint record: an object of known members; null removes one only in a patch */
    b = J("{\"product\":\"Gas meter\",\"mood\":\"angry\"}");
    memset(&errs, 0, sizeof errs);
    assert_false(complaint_record_check(b, false, &errs));
    assert_string_equal(errs.e[0].field, "complaint.mood");
    json_decref(b);
    b = J("{\"product\":null}");
    memset(&errs, 0, sizeof errs);
    assert_false(complaint_record_check(b, false, &errs));
    memset(&errs, 0, sizeof errs);
    assert_true(complaint_record_check(b, true, &errs));
    json_decref(b);
    b = json_string("angry");
    memset(&errs, 0, sizeof errs);
    assert_false(complaint_record_check(b, false, &errs));
    assert_string_equal(errs.e[0].field, "complaint");
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complaint_transitions), cmocka_unit_test(test_dispatch_machine),
        cmocka_unit_test(test_callback_outcome),      cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_business_minutes),      cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_escalate_by_hand),      cmocka_unit_test(test_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
