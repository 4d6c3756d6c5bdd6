/**
 * @file test_incident.c
 * @brief Incident reports, the incident state machine and the acknowledgement clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "domain/incident.h"
#include "domain/incident_state.h"
#include "domain/roles.h"

#define S(x) INCIDENT_##x

static bool has_error(const struct verrors *e, const char *field)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0)
            return true;
    return false;
}

static void test_bad_reports(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        bool from_ticket;
        const char *field;
    } rows[] = {
        {"{}", false, "hazard"},
        {"{}", false, "location"},
        {"{}", false, "description"},
        {"{}", true, "severity"},
        {"{\"hazard\":\"dragon\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\"}",
         false, "hazard"},
        {"{\"hazard\":\"gas_leak\",\"severity\":\"extreme\",\"location\":\"x\",\"description\":"
         "\"y\"}", false, "severity"},
        {"{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"\",\"description\":\"y\"}",
         false, "location"},
        {"{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\","
         "\"reporter_phone\":\"abc\"}", false, "reporter_phone"},
        {"{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\","
         "\"status\":\"closed\"}", false, "status"},
        {"{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"call_id\":\"c1\"}",
         true, "call_id"},
        {"{\"hazard\":\"gas_leak\",\"severity\":\"high\",\"location\":\"x\",\"description\":\"y\","
         "\"area_code\":\"\"}", false, "area_code"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = json_loads(rows[i].body, 0, NULL);
        assert_non_null(j);
        struct incident_input in;
        struct verrors e = {0};
        assert_false(incident_input_from_json(j, "86", rows[i].from_ticket, &in, &e));
        if (!has_error(&e, rows[i].field))
            fail_msg("row %zu: no error for %s", i, rows[i].field);
        json_decref(j);
    }
}

static void test_good_report(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"hazard\":\"gas_leak\",\"severity\":\"critical\",\"location\":"
                           "\"No. 5 Jianshe Road, by the school\",\"area_code\":\"A12\","
                           "\"street\":\"Jianshe Road\",\"description\":\"Strong smell\","
                           "\"reporter_name\":\"王五\",\"reporter_phone\":\"138 0013 8000\"}",
                           0, NULL);
    struct incident_input in;
    struct verrors e = {0};
    assert_true(incident_input_from_json(j, "86", false, &in, &e));
    assert_string_equal(in.reporter_phone_norm, "8613800138000");
    assert_string_equal(in.street, "Jianshe Road");
    json_decref(j);
    /* from a ticket, the description may come from the ticket */
    j = json_loads("{\"hazard\":\"burst_main\",\"severity\":\"high\",\"location\":\"x\"}", 0,
                   NULL);
    assert_true(incident_input_from_json(j, "86", true, &in, &e));
    assert_null(in.description);
    json_decref(j);
}

static void test_transition_table(void **state)
{
    (void)state;
    static const struct {
        enum incident_status from, to;
        unsigned role;
        bool allowed;
    } rows[] = {
        /* refused first */
        {S(REPORTED), S(REPAIRING), ROLE_OPERATIONS, false},
        {S(REPORTED), S(CLOSED), ROLE_ADMIN, false},
        {S(REPORTED), S(ACKNOWLEDGED), ROLE_AGENT, false},
        {S(RELAYED), S(ACKNOWLEDGED), ROLE_SUPERVISOR, false},
        {S(CLOSED), S(REPAIRING), ROLE_OPERATIONS, false},
        {S(CLOSED), S(REPORTED), ROLE_ADMIN, false},
        {S(RESOLVED), S(CLOSED), ROLE_AGENT, false},
        {S(RESOLVED), S(CLOSED), ROLE_OPERATIONS, false},
        {S(ACKNOWLEDGED), S(RELAYED), ROLE_OPERATIONS, false},
        /* allowed */
        {S(REPORTED), S(RELAYED), ROLE_AGENT, true},
        {S(REPORTED), S(ACKNOWLEDGED), ROLE_OPERATIONS, true},
        {S(RELAYED), S(ACKNOWLEDGED), ROLE_OPERATIONS, true},
        {S(ACKNOWLEDGED), S(REPAIRING), ROLE_OPERATIONS, true},
        {S(REPAIRING), S(RESOLVED), ROLE_SUPERVISOR, true},
        {S(RESOLVED), S(REPAIRING), ROLE_OPERATIONS, true},
        {S(RESOLVED), S(CLOSED), ROLE_MANAGER, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool got = (incident_transition_roles(rows[i].from, rows[i].to) & rows[i].role) != 0;
        if (got != rows[i].allowed)
            fail_msg("row %zu: %s -> %s", i, incident_status_names[rows[i].from],
                     incident_status_names[rows[i].to]);
    }
    char text[128];
    incident_transitions_text(S(REPORTED), 0, text, sizeof text);
    assert_string_equal(text, "relayed, acknowledged");
    incident_transitions_text(S(REPORTED), ROLE_AGENT, text, sizeof text);
    assert_string_equal(text, "relayed");
    incident_transitions_text(S(CLOSED), 0, text, sizeof text);
    assert_string_equal(text, "none");
    assert_true(incident_transition_needs_note(S(RESOLVED)));
    assert_false(incident_transition_needs_note(S(REPAIRING)));
}

static void test_ack_clock(void **state)
{
    (void)state;
    const hl_time due = HL_MIN(1000);
    static const struct {
        enum incident_status status;
        int level;
        int64_t now_min; /* minutes after the epoch */
        int escalate_to;
        bool has_next;
        int64_t next_min;
    } rows[] = {
        {S(REPORTED), 0, 999, 0, true, 1000},   /* before the deadline: nothing */
        {S(REPORTED), 0, 1000, 1, true, 1005},  /* at it: the supervisor */
        {S(RELAYED), 1, 1004, 0, true, 1005},   /* waiting for the next level */
        {S(RELAYED), 1, 1005, 2, false, 0},     /* the manager; nothing more after */
        {S(REPORTED), 2, 2000, 0, false, 0},    /* at the top */
        {S(ACKNOWLEDGED), 0, 2000, 0, false, 0}, /* acknowledged: no clock */
        {S(REPAIRING), 1, 2000, 0, false, 0},
        {S(REPORTED), 0, 1100, 1, true, 1005},  /* a late look raises one level at a time */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct incident_clock c = {rows[i].status, due, rows[i].level};
        struct incident_sweep d;
        incident_sweep_decide(&c, HL_MIN(rows[i].now_min), 5, &d);
        if (d.escalate_to != rows[i].escalate_to || d.has_next_due != rows[i].has_next ||
            (d.has_next_due && d.next_due != HL_MIN(rows[i].next_min)))
            fail_msg("row %zu: escalate_to %d, next %d", i, d.escalate_to, d.has_next_due);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_reports),
        cmocka_unit_test(test_good_report),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_ack_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
