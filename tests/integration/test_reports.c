/**
 * @file test_reports.c
 * @brief Reports over real HTTP and a real database: a scripted Tuesday and Wednesday of calls,
 *        tickets, deadlines and follow-up calls (the clock moved with hs_clock, call events
 *        posted as a phone system), and every figure checked against values computed by hand
 *        in the comments; the daily report equal to a one-day summary; CSV and JSON agreeing
 *        cell for cell; bad parameters, roles and Accept headers refused; the calls-today
 *        gauge of /metrics.
 *
 * Business calendar: the defaults (Monday to Friday 09:00-18:00, Asia/Shanghai). Ring
 * threshold 15 s.
 */
#include "harness.h"
#include "harness_prom.h"

#include "domain/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D "2026-11-25"  /* Wednesday: the day of the daily report */
#define D1 "2026-11-24" /* Tuesday */
#define WEEK_AGO "2026-11-18"

static struct hs srv;
static const char *cti, *li, *wang, *zhao, *boss, *admin;

/* ticket ids, named as in the script below */
static long long t0h, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11;

static void clock_at(const char *day, const char *hhmm)
{
    char at[64];
    snprintf(at, sizeof at, "%sT%s:00+08:00", day, hhmm);
    hs_clock(&srv, at);
}

static long long ticket(const char *token, const char *day, const char *hhmm, const char *cls,
                        const char *kind)
{
    clock_at(day, hhmm);
    char body[320];
    /* a complaint is resolved only with its record (issue 5) */
    const char *record = strcmp(kind, "complaint") == 0
                             ? ",\"caller_phone\":\"13800138011\",\"complaint\":{\"product\":"
                               "\"gas\",\"what_happened\":\"x\",\"customer_wants\":\"y\"}"
                             : "";
    snprintf(body, sizeof body, "{\"class\":\"%s\",\"kind\":\"%s\",\"subject\":\"report\"%s}",
             cls, kind, record);
    struct h_resp *r = h_req(&srv, "POST", "/tickets", token, body, NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

static void transition(const char *token, long long id, const char *to)
{
    char path[64], body[128];
    snprintf(path, sizeof path, "/tickets/%lld/transitions", id);
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"note\":\"told the customer\"}", to);
    struct h_resp *r = h_req(&srv, "POST", path, token, body, NULL);
    h_expect(r, 200);
    h_free(r);
}

/* The pending rule task of a kind on a ticket. */
static long long task(long long ticket_id, const char *kind)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT id FROM followups WHERE ticket_id = %lld AND kind = '%s' "
             "AND status = 'pending'",
             ticket_id, kind);
    return h_db_long(sql);
}

static void attempt(const char *token, long long followup, const char *outcome, int score)
{
    char path[64], body[128];
    snprintf(path, sizeof path, "/followups/%lld/attempts", followup);
    if (score)
        snprintf(body, sizeof body, "{\"outcome\":\"%s\",\"satisfaction\":%d}", outcome, score);
    else
        snprintf(body, sizeof body, "{\"outcome\":\"%s\"}", outcome);
    struct h_resp *r = h_req(&srv, "POST", path, token, body, NULL);
    h_expect(r, 201);
    h_free(r);
}

/* A manager's review of a complaint awaiting it. */
static void review(long long id, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/review", id);
    struct h_resp *r = h_req(&srv, "POST", path, boss, body, NULL);
    h_expect(r, 200);
    h_free(r);
}

/* A satisfaction callback task, as the complaint loop (issue 5) will create it. */
static long long satisfaction_task(long long ticket_id)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "INSERT INTO followups (kind, ticket_id, due_at, agent, created_by, "
             "created_at, updated_at) VALUES ('satisfaction', %lld, '" D
             "T09:00:00+08:00', 'li', 'test', now(), now()) RETURNING id",
             ticket_id);
    return h_db_long(sql);
}

static long long custom_task(const char *token, long long ticket_id)
{
    char path[64];
    snprintf(path, sizeof path, "/tickets/%lld/followups", ticket_id);
    struct h_resp *r = h_req(&srv, "POST", path, token,
                             "{\"kind\":\"custom\",\"phone\":\"+86 139-0000-0777\",\"due_at\":\"" D
                             "T15:00:00+08:00\"}",
                             NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    return id;
}

static void post_events(const char *batch)
{
    struct h_resp *r = h_req(&srv, "POST", "/calls/events", cti, batch, NULL);
    h_expect(r, 200);
    if (batch[0] == '[' ? h_int(r->json, "rejected") + h_int(r->json, "duplicates") != 0
                        : strcmp(h_str(r->json, "status"), "applied") != 0)
        fail_msg("not every event was applied: %s", r->body);
    h_free(r);
}

/* One inbound call: offered at `offered`; answered `ring` seconds later by agent (ring < 0:
 * never answered); ended `talk` seconds after the answer (or the offer) with cause (NULL:
 * still going). Every call from its own number, so no missed-call task closes by itself. */
static void call(const char *id, const char *offered, int ring, const char *agent, int talk,
                 const char *cause)
{
    static int number = 100;
    hl_time t0;
    if (!tf_parse_rfc3339(offered, &t0))
        fail_msg("bad time %s", offered);
    char ev[4][400], at[48];
    int n = 0;
    snprintf(ev[n++], sizeof ev[0],
             "{\"call_id\":\"%s\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
             "\"from\":\"+86 139-0000-0%03d\",\"to\":\"95555\",\"queue\":\"support\"}",
             id, offered, number++);
    if (ring >= 0) {
        tf_format_rfc3339(t0 + HL_SEC(ring), 8 * 3600, at, sizeof at);
        snprintf(ev[n++], sizeof ev[0],
                 "{\"call_id\":\"%s\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"%s\"}", id,
                 at, agent);
    }
    if (cause) {
        tf_format_rfc3339(t0 + HL_SEC((ring > 0 ? ring : 0) + talk), 8 * 3600, at, sizeof at);
        snprintf(ev[n++], sizeof ev[0],
                 "{\"call_id\":\"%s\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"%s\"}", id, at,
                 cause);
    }
    char batch[2048] = "[";
    for (int i = 0; i < n; i++) {
        strcat(batch, i ? "," : "");
        strcat(batch, ev[i]);
    }
    strcat(batch, "]");
    post_events(batch);
}

/* ---- the script -------------------------------------------------------------------------- */

static void script(void)
{
    /* A week before: two special tickets; their weekly callbacks fall due on D at 10:00 and
     * 11:00 (7 days, inside the 09-12 calling window). */
    t7 = ticket(li, WEEK_AGO, "10:00", "special", "suggestion");
    t8 = ticket(wang, WEEK_AGO, "11:00", "special", "suggestion");

    /* Tuesday (D1). */
    t11 = ticket(li, D1, "09:00", "general", "complaint"); /* due D1 18:00, notice D 09:00 */
    t0h = ticket(li, D1, "10:00", "hard", "repair");       /* due D 18:00 (2nd business day) */
    clock_at(D1, "12:00");
    transition(li, t11, "resolved"); /* on time; its progress notice is cancelled before due */
    clock_at(D1, "12:30");
    review(t11, "{\"decision\":\"sent_back\",\"reason\":\"Say what was refunded\"}");
    clock_at(D1, "13:00");
    transition(li, t11, "resolved"); /* resolved again, on time */
    t9 = ticket(li, D1, "14:00", "general", "complaint");    /* late; notice due D 14:00 */
    t10 = ticket(wang, D1, "15:00", "general", "complaint"); /* late; notice due D 15:00 */

    /* Wednesday (D). */
    t1 = ticket(li, D, "09:05", "general", "inquiry");
    long long sat_t11 = satisfaction_task(t11), sat_t1 = satisfaction_task(t1);
    t4 = ticket(li, D, "09:30", "hard", "repair");          /* due Thursday 18:00: not in D */
    attempt(li, task(t7, "weekly_callback"), "reached", 0); /* 09:30 <= 10:00: on time */
    t2 = ticket(li, D, "10:00", "general", "inquiry");      /* never resolved: late */
    attempt(wang, sat_t11, "reached", 2);                   /* a complaint, not satisfied */
    clock_at(D, "10:15");
    attempt(wang, sat_t1, "reached", 1); /* not a complaint: not in the complaint figures */
    clock_at(D, "10:50");
    long long weekly8 = task(t8, "weekly_callback");
    attempt(li, weekly8, "no_answer", 0); /* retried at 11:50 ... */
    t3 = ticket(wang, D, "11:00", "general", "complaint");
    clock_at(D, "11:30");
    attempt(li, weekly8, "reached", 0); /* ... reached 11:30: before the retry, after 11:00 */
    t5 = ticket(li, D, "13:00", "government", "inquiry");   /* relay due 13:15 */
    attempt(li, task(t9, "progress_notice"), "reached", 0); /* 13:00 <= 14:00: on time */
    clock_at(D, "13:10");
    transition(li, t5, "relayed"); /* on time; callback due 14:10 */
    clock_at(D, "14:30");
    attempt(wang, task(t5, "government_callback"), "reached", 0); /* late */
    t6 = ticket(wang, D, "15:00", "government", "inquiry");       /* never relayed: late */
    transition(li, t1, "resolved");                               /* on time */
    clock_at(D, "15:30");
    attempt(wang, custom_task(wang, t4), "declined", 0);
    clock_at(D, "16:00");
    attempt(wang, custom_task(wang, t2), "wrong_number", 0); /* the task fails; agent li */
    transition(li, t0h, "resolved");                         /* hard, on time */
    clock_at(D, "16:30");
    attempt(li, satisfaction_task(t3), "reached", 5); /* a complaint, satisfied */
    clock_at(D, "17:00");
    transition(wang, t3, "resolved");
    clock_at(D, "17:30");
    transition(wang, t3, "reopened"); /* deadline again D 18:00 */
    clock_at(D, "17:45");
    transition(wang, t3, "resolved"); /* on time */
    clock_at(D, "17:50");
    review(t3, "{\"decision\":\"approved\"}"); /* the satisfaction callback is scheduled */

    /* The calls, posted by the phone system at 20:00. */
    clock_at(D, "20:00");
    call("c9", D1 "T23:59:50+08:00", 15, "li", 60, "normal"); /* Tuesday's, answered at 15 s */
    call("c1", D "T09:00:00+08:00", 10, "li", 120, "normal");
    call("c2", D "T09:10:00+08:00", 20, "wang", 300, "normal");
    call("c3", D "T10:00:00+08:00", -1, NULL, 5, "abandoned");  /* gave up within 15 s */
    call("c4", D "T10:30:00+08:00", -1, NULL, 40, "abandoned"); /* gave up after 40 s */
    call("c5", D "T11:00:00+08:00", -1, NULL, 30, "no_answer"); /* missed */
    call("c6", D "T11:30:00+08:00", 5, "li", 360, "normal");
    call("c7", D "T16:00:00+08:00", 8, "wang", 0, NULL); /* still talking */
    call("c11", D "T19:59:50+08:00", -1, NULL, 0, NULL); /* still ringing */
    /* an IVR leg handed to an agent's leg: the call counts once, on the leg that carried it */
    post_events("[{\"call_id\":\"c10a\",\"event\":\"offered\",\"at\":\"" D "T12:00:00+08:00\","
                "\"direction\":\"inbound\",\"from\":\"+86 139-0000-0999\",\"to\":\"95555\"},"
                "{\"call_id\":\"c10a\",\"event\":\"transferred\",\"at\":\"" D "T12:00:03+08:00\"},"
                "{\"call_id\":\"c10a\",\"event\":\"hangup\",\"at\":\"" D "T12:00:03+08:00\","
                "\"cause\":\"transferred\"},"
                "{\"call_id\":\"c10b\",\"event\":\"offered\",\"at\":\"" D "T12:00:03+08:00\","
                "\"direction\":\"inbound\",\"from\":\"+86 139-0000-0999\",\"to\":\"95555\","
                "\"parent_call_id\":\"c10a\"},"
                "{\"call_id\":\"c10b\",\"event\":\"answered\",\"at\":\"" D "T12:00:09+08:00\","
                "\"agent\":\"li\"},"
                "{\"call_id\":\"c10b\",\"event\":\"hangup\",\"at\":\"" D "T12:03:09+08:00\","
                "\"cause\":\"normal\"}]");
    /* an outbound call is not in the inbound figures */
    post_events("{\"call_id\":\"o1\",\"event\":\"offered\",\"at\":\"" D "T14:00:00+08:00\","
                "\"direction\":\"outbound\",\"from\":\"95555\",\"to\":\"+86 139-0000-0888\","
                "\"agent\":\"li\"}");

    /* the sweeper marks what is overdue at 20:00: T2, T6, T9 and T10 */
    long long overdue = 0;
    for (int i = 0; i < 100 && overdue != 4; i++) {
        h_sleep_ms(100);
        overdue = h_db_long("SELECT count(*) FROM tickets WHERE overdue");
    }
    assert_int_equal(overdue, 4);
}

static int setup(void **state)
{
    (void)state;
    hs_start(&srv, "reports", NULL);
    cti = h_token("cti", "pbx1");
    li = h_token("agent", "li");
    wang = h_token("agent", "wang");
    zhao = h_token("supervisor", "zhao");
    boss = h_token("manager", "boss");
    admin = h_token("admin", "ops");
    script();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

/* ---- checking figures -------------------------------------------------------------------- */

/* spec: "name=value name=value ..." with value a number or null. */
static void expect(const json_t *figures, const char *label, const char *spec)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *item = strtok_r(buf, " \n", &save); item; item = strtok_r(NULL, " \n", &save)) {
        char *eq = strchr(item, '=');
        assert_non_null(eq);
        *eq = '\0';
        const char *name = item, *want = eq + 1;
        json_t *v = json_object_get(figures, name);
        if (!v)
            fail_msg("%s: no figure %s", label, name);
        if (strcmp(want, "null") == 0) {
            if (!json_is_null(v))
                fail_msg("%s: %s is %g, want null", label, name, json_number_value(v));
        } else if (!json_is_number(v) || fabs(json_number_value(v) - atof(want)) > 1e-9) {
            char *got = json_dumps(v, JSON_ENCODE_ANY);
            fail_msg("%s: %s is %s, want %s", label, name, got, want);
        }
    }
}

static json_t *get_json(const char *token, const char *path)
{
    struct h_resp *r = h_req(&srv, "GET", path, token, NULL, NULL);
    h_expect(r, 200);
    const char *ct = h_header(r, "Content-Type");
    assert_non_null(ct);
    assert_string_equal(ct, "application/json");
    json_t *j = json_incref(r->json);
    h_free(r);
    return j;
}

/* Every figure of the daily report of D, computed by hand. */
static const char *const daily_d =
    /* inbound legs offered on D: c1 c2 c3 c4 c5 c6 c7 c10b c11 (c10a was handed on) */
    "calls_offered=9 calls_answered=4 calls_answered_within_threshold=3 "
    "calls_abandoned=2 calls_abandoned_within_threshold=1 calls_missed=1 calls_failed=0 "
    "calls_in_progress=2 "
    /* answered within 15 s: c1 c6 c10b; counted: 4 answered + c4 (after 15 s) + c5 missed */
    "service_level=0.5 "
    /* rings 10 20 5 6; talks 120 300 360 180 */
    "asa_seconds=10.25 talk_seconds_avg=240 "
    "tickets_created=6 tickets_created_general=3 tickets_created_hard=1 "
    "tickets_created_special=0 tickets_created_government=2 tickets_created_inquiry=4 "
    "tickets_created_complaint=1 tickets_created_suggestion=0 tickets_created_repair=1 "
    "tickets_created_emergency=0 "
    /* same day: T1 15:00, T3 17:45 (after the reopening) on time, T2 never */
    "general_deadlines=3 general_on_time=2 general_on_time_rate=0.6667 "
    /* two days: T0h from Tuesday, resolved 16:00 */
    "hard_deadlines=1 hard_on_time=1 hard_on_time_rate=1 "
    /* weekly: T7 at 09:30 for 10:00; T8 at 11:30 for 11:00 (its retry was due 11:50) */
    "weekly_callback_deadlines=2 weekly_callback_on_time=1 weekly_callback_on_time_rate=0.5 "
    /* relay: T5 13:10 for 13:15; T6 never */
    "relay_deadlines=2 relay_on_time=1 relay_on_time_rate=0.5 "
    /* callback: T5 14:30 for 14:10 */
    "government_callback_deadlines=1 government_callback_on_time=0 "
    "government_callback_on_time_rate=0 "
    /* notices: T9 13:00 for 14:00, T10 never (15:00); T11's was cancelled before it was due */
    "complaint_notice_deadlines=2 complaint_notice_on_time=1 complaint_notice_on_time_rate=0.5 "
    /* T3 resolved twice; the first was reopened */
    "complaints_resolved=2 complaints_reopened=1 complaints_reopen_rate=0.5 "
    /* T3 approved at 17:50 (T11 was sent back on Tuesday) */
    "complaints_reviewed=1 "
    /* T3: 5 (satisfied), T11: 2; T1's 1 is not a complaint */
    "complaints_satisfaction_scored=2 complaints_satisfied=1 complaints_satisfaction_rate=0.5 "
    /* T7, T8 twice, T9, T5, three satisfaction calls, the declined and the wrong number */
    "followups_made=10 followups_reached=7 followups_declined=1 followups_no_answer=1 "
    "followups_failed=1";

static void test_daily(void **state)
{
    (void)state;
    json_t *j = get_json(zhao, "/reports/daily?date=" D);
    assert_string_equal(h_str(j, "date"), D);
    assert_string_equal(h_str(j, "zone"), "Asia/Shanghai");
    assert_true(json_is_true(json_object_get(j, "business_day")));
    assert_string_equal(h_str(j, "start"), D "T00:00:00+08:00");
    assert_string_equal(h_str(j, "end"), "2026-11-26T00:00:00+08:00");
    assert_int_equal(h_int(j, "ring_threshold_seconds"), 15);
    json_t *f = json_object_get(j, "figures");
    expect(f, "daily", daily_d);
    expect(f, "daily", "overdue_now=4"); /* T2, T6, T9, T10 */
    /* every figure is named above: nothing unchecked */
    char names[4096];
    snprintf(names, sizeof names, " %s overdue_now=4", daily_d);
    const char *key;
    json_t *v;
    json_object_foreach(f, key, v)
    {
        char needle[80];
        snprintf(needle, sizeof needle, " %s=", key);
        if (!strstr(names, needle))
            fail_msg("figure %s is not checked", key);
    }
    /* ... and the contract lists exactly these, in this order */
    char path[512];
    snprintf(path, sizeof path, "%s/openapi/openapi.yaml", getenv("HOTLINE_TEST_ROOT"));
    char *spec = h_read_file(path);
    assert_non_null(spec);
    const char *req = strstr(spec, "    ReportFigures:");
    assert_non_null(req);
    req = strstr(req, "required: [");
    assert_non_null(req);
    char listed[4096] = "", got[4096] = "";
    sscanf(req + strlen("required: ["), "%4095[^]]", listed);
    json_object_foreach(f, key, v)
    {
        strcat(got, *got ? ", " : "");
        strcat(got, key);
    }
    assert_string_equal(listed, got);
    free(spec);
    json_decref(j);
}

static void test_summary_by_day(void **state)
{
    (void)state;
    json_t *j = get_json(boss, "/reports/summary?from=" D1 "&to=" D "&group_by=day");
    assert_string_equal(h_str(j, "group_by"), "day");
    json_t *rows = json_object_get(j, "rows");
    assert_int_equal(json_array_size(rows), 2);
    json_t *tue = json_array_get(rows, 0), *wed = json_array_get(rows, 1);
    assert_string_equal(h_str(tue, "day"), D1);
    assert_string_equal(h_str(wed, "day"), D);
    assert_true(json_is_true(json_object_get(tue, "business_day")));
    expect(tue, "Tuesday",
           /* c9 offered 23:59:50 on Tuesday, answered after midnight */
           "calls_offered=1 calls_answered=1 service_level=1 asa_seconds=15 talk_seconds_avg=60 "
           /* T11 T0h T9 T10 */
           "tickets_created=4 tickets_created_general=3 tickets_created_hard=1 "
           "tickets_created_complaint=3 tickets_created_repair=1 "
           /* T11 on time; T9 and T10 not */
           "general_deadlines=3 general_on_time=1 general_on_time_rate=0.3333 "
           "hard_deadlines=0 hard_on_time_rate=null complaint_notice_deadlines=0 "
           /* T11 resolved, sent back by the manager, resolved again */
           "complaints_resolved=2 complaints_reopened=0 complaints_reopen_rate=0 "
           "complaints_reviewed=1 followups_made=0 complaints_satisfaction_rate=null "
           /* a figure of now has no day */
           "overdue_now=null");
    /* Wednesday's row is the daily report but for overdue_now, a figure of now */
    expect(wed, "Wednesday", daily_d);
    expect(wed, "Wednesday", "overdue_now=null");
    json_t *daily = get_json(zhao, "/reports/daily?date=" D);
    expect(json_object_get(j, "total"), "total",
           "calls_offered=10 calls_answered=5 calls_answered_within_threshold=4 "
           "calls_in_progress=2 service_level=0.5714 asa_seconds=11.2 talk_seconds_avg=204 "
           "tickets_created=10 tickets_created_general=6 tickets_created_hard=2 "
           "tickets_created_government=2 tickets_created_complaint=4 tickets_created_inquiry=4 "
           "general_deadlines=6 general_on_time=3 general_on_time_rate=0.5 "
           "hard_on_time_rate=1 overdue_now=4 complaints_resolved=4 complaints_reopened=1 "
           "complaints_reopen_rate=0.25 complaints_reviewed=2 followups_made=10");
    json_decref(daily);
    json_decref(j);
    /* a one-day summary's total is the daily report */
    j = get_json(zhao, "/reports/summary?from=" D "&to=" D);
    daily = get_json(zhao, "/reports/daily?date=" D);
    assert_true(json_equal(json_object_get(j, "total"), json_object_get(daily, "figures")));
    json_decref(daily);
    json_decref(j);
}

static json_t *row_of(json_t *rows, const char *member, const char *key)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *k = json_object_get(row, member);
        if (key ? json_is_string(k) && strcmp(json_string_value(k), key) == 0 : json_is_null(k))
            return row;
    }
    fail_msg("no row %s", key ? key : "null");
    return NULL;
}

static void test_summary_by_agent(void **state)
{
    (void)state;
    json_t *j = get_json(admin, "/reports/summary?from=" D "&to=" D "&group_by=agent");
    json_t *rows = json_object_get(j, "rows");
    assert_int_equal(json_array_size(rows), 3); /* li, wang, and calls without an agent */
    expect(row_of(rows, "agent", "li"), "li",
           "calls_offered=3 calls_answered=3 service_level=1 asa_seconds=7 talk_seconds_avg=220 "
           "tickets_created=4 general_deadlines=2 general_on_time=1 hard_on_time=1 "
           "weekly_callback_deadlines=1 weekly_callback_on_time=1 relay_on_time_rate=1 "
           "government_callback_on_time_rate=0 overdue_now=2 complaint_notice_on_time_rate=1 "
           "complaints_resolved=0 complaints_reviewed=0 complaints_satisfaction_scored=1 "
           "complaints_satisfied=1 "
           "followups_made=5 followups_reached=4 followups_no_answer=1 followups_declined=0 "
           "followups_failed=1");
    expect(row_of(rows, "agent", "wang"), "wang",
           "calls_offered=2 calls_answered=1 calls_in_progress=1 service_level=0 "
           "asa_seconds=20 talk_seconds_avg=300 tickets_created=2 general_deadlines=1 "
           "general_on_time=1 weekly_callback_on_time_rate=0 relay_on_time_rate=0 "
           "government_callback_deadlines=0 overdue_now=2 complaint_notice_on_time_rate=0 "
           "complaints_resolved=2 complaints_reopened=1 complaints_reviewed=1 "
           "complaints_satisfaction_scored=1 complaints_satisfied=0 followups_made=5 followups_reached=3 followups_declined=1");
    expect(row_of(rows, "agent", NULL), "no agent",
           "calls_offered=4 calls_answered=0 calls_abandoned=2 calls_missed=1 "
           "calls_in_progress=1 service_level=0 asa_seconds=null tickets_created=0");
    expect(json_object_get(j, "total"), "total", daily_d);
    expect(json_object_get(j, "total"), "total", "overdue_now=4");
    json_decref(j);
}

static void test_summary_by_class(void **state)
{
    (void)state;
    json_t *j = get_json(zhao, "/reports/summary?from=" D "&to=" D "&group_by=class");
    json_t *rows = json_object_get(j, "rows");
    assert_int_equal(json_array_size(rows), 4);
    const char *order[] = {"general", "hard", "special", "government"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(h_str(json_array_get(rows, (size_t)i), "class"), order[i]);
    /* calls have no class: null in the class rows, counted in the total */
    expect(row_of(rows, "class", "general"), "general",
           "calls_offered=null service_level=null tickets_created=3 general_deadlines=3 "
           "general_on_time=2 overdue_now=3 complaint_notice_deadlines=2 complaints_resolved=2 "
           "complaints_reviewed=1 "
           "complaints_satisfaction_scored=2 complaints_satisfied=1 followups_made=5 "
           "followups_failed=1");
    expect(row_of(rows, "class", "hard"), "hard",
           "tickets_created=1 hard_deadlines=1 hard_on_time=1 followups_made=1 "
           "followups_declined=1 overdue_now=0");
    expect(row_of(rows, "class", "special"), "special",
           "tickets_created=0 weekly_callback_deadlines=2 weekly_callback_on_time=1 "
           "followups_made=3 followups_reached=2 followups_no_answer=1");
    expect(row_of(rows, "class", "government"), "government",
           "tickets_created=2 relay_deadlines=2 relay_on_time=1 government_callback_deadlines=1 "
           "government_callback_on_time=0 overdue_now=1 followups_made=1");
    expect(json_object_get(j, "total"), "total", "calls_offered=9 service_level=0.5");
    json_decref(j);
}

/* ---- CSV --------------------------------------------------------------------------------- */

/* The JSON value as its CSV cell (the report has no quoted cells). */
static void cell_of(const json_t *v, char *out, size_t n)
{
    if (json_is_null(v)) {
        snprintf(out, n, "%s", "");
    } else if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        snprintf(out, n, "%s", s);
        free(s);
    }
}

/* The CSV body has one line per JSON object in lines, keys in the header. */
static void expect_csv(const char *body, json_t *lines)
{
    char *copy = strdup(body), *save = NULL;
    char *line = strtok_r(copy, "\n", &save);
    assert_non_null(line);
    /* header */
    json_t *first = json_array_get(lines, 0);
    const char *key;
    json_t *v;
    char want[8192] = "";
    json_object_foreach(first, key, v)
    {
        strcat(want, *want ? "," : "");
        strcat(want, key);
    }
    strcat(want, "\r");
    assert_string_equal(line, want);
    size_t i;
    json_t *obj;
    json_array_foreach(lines, i, obj)
    {
        line = strtok_r(NULL, "\n", &save);
        if (!line)
            fail_msg("CSV has %zu lines, JSON %zu", i, json_array_size(lines));
        want[0] = '\0';
        bool firstcell = true;
        json_object_foreach(obj, key, v)
        {
            char cell[256];
            cell_of(v, cell, sizeof cell);
            strcat(want, firstcell ? "" : ",");
            strcat(want, cell);
            firstcell = false;
        }
        strcat(want, "\r");
        assert_string_equal(line, want);
    }
    assert_null(strtok_r(NULL, "\n", &save));
    free(copy);
}

static struct h_resp *get_csv(const char *path)
{
    const char *hdr[] = {"Accept: text/csv", NULL};
    struct h_resp *r = h_req(&srv, "GET", path, zhao, NULL, hdr);
    h_expect(r, 200);
    const char *ct = h_header(r, "Content-Type");
    assert_non_null(ct);
    assert_string_equal(ct, "text/csv; charset=utf-8; header=present");
    const char *vary = h_header(r, "Vary");
    assert_non_null(vary);
    assert_non_null(strstr(vary, "Accept"));
    return r;
}

static void test_csv_matches_json(void **state)
{
    (void)state;
    const char *groups[] = {"day", "agent", "class"};
    for (int g = 0; g < 3; g++) {
        char path[160];
        snprintf(path, sizeof path, "/reports/summary?from=" D1 "&to=" D "&group_by=%s", groups[g]);
        json_t *j = get_json(zhao, path);
        struct h_resp *r = get_csv(path);
        assert_non_null(strstr(h_header(r, "Content-Disposition"), ".csv"));
        /* the CSV is the rows, then the total named "total" */
        json_t *lines = json_deep_copy(json_object_get(j, "rows"));
        json_t *total = json_object();
        json_object_set_new(total, groups[g], json_string("total"));
        if (g == 0)
            json_object_set_new(total, "business_day", json_null());
        json_object_update(total, json_object_get(j, "total"));
        json_array_append_new(lines, total);
        expect_csv(r->body, lines);
        json_decref(lines);
        h_free(r);
        json_decref(j);
    }
    json_t *j = get_json(zhao, "/reports/daily?date=" D);
    struct h_resp *r = get_csv("/reports/daily?date=" D);
    json_t *line = json_pack("{s:O, s:O}", "date", json_object_get(j, "date"), "business_day",
                             json_object_get(j, "business_day"));
    json_object_update(line, json_object_get(j, "figures"));
    json_t *lines = json_pack("[o]", line);
    expect_csv(r->body, lines);
    json_decref(lines);
    h_free(r);
    json_decref(j);
}

/* ---- refusals ---------------------------------------------------------------------------- */

static void expect_field(const char *token, const char *path, long status, const char *field)
{
    struct h_resp *r = h_req(&srv, "GET", path, token, NULL, NULL);
    h_expect_problem(r, status);
    if (field) {
        json_t *errs = json_object_get(r->json, "errors");
        assert_true(json_array_size(errs) >= 1);
        assert_string_equal(h_str(json_array_get(errs, 0), "field"), field);
    }
    h_free(r);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    expect_field(zhao, "/reports/daily", 400, "date");
    expect_field(zhao, "/reports/daily?date=2026-02-30", 400, "date");
    expect_field(zhao, "/reports/daily?date=yesterday", 400, "date");
    expect_field(zhao, "/reports/daily?date=" D "&group_by=day", 400, NULL); /* not declared */
    expect_field(zhao, "/reports/summary?to=" D, 400, "from");
    expect_field(zhao, "/reports/summary?from=" D, 400, "to");
    expect_field(zhao, "/reports/summary?from=" D "&to=" D1, 400, "to"); /* from after to */
    expect_field(zhao, "/reports/summary?from=2026-01-01&to=2026-02-01", 400, "to"); /* 32 days */
    expect_field(zhao, "/reports/summary?from=" D1 "&to=" D "&group_by=week", 400, "group_by");
    expect_field(zhao, "/reports/summary?from=20261124&to=" D, 400, "from");
    /* who may read reports */
    expect_field(NULL, "/reports/daily?date=" D, 401, NULL);
    expect_field(li, "/reports/daily?date=" D, 403, NULL);
    expect_field(cti, "/reports/summary?from=" D "&to=" D, 403, NULL);
    /* a representation the route does not have */
    const char *html[] = {"Accept: text/html", NULL};
    struct h_resp *r = h_req(&srv, "GET", "/reports/daily?date=" D, zhao, NULL, html);
    h_expect_problem(r, 406);
    h_free(r);
    /* the longest period is fine */
    json_t *j = get_json(zhao, "/reports/summary?from=2026-07-01&to=2026-07-31");
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 31);
    json_decref(j);
}

/* ---- the metrics extension point --------------------------------------------------------- */

static void test_calls_today_gauge(void **state)
{
    (void)state;
    struct h_resp *r = h_get(&srv, admin, "/metrics");
    h_expect(r, 200);
    assert_true(prom_check(r->body) > 50);
    /* at 20:00 on D: c11 ringing; c1 c2 c6 c10b answered and c7 talking; c3 c4 abandoned */
    assert_true(prom_value(r->body, "hotline_calls_today{state=\"waiting\"}") == 1);
    assert_true(prom_value(r->body, "hotline_calls_today{state=\"answered\"}") == 5);
    assert_true(prom_value(r->body, "hotline_calls_today{state=\"abandoned\"}") == 2);
    h_free(r);
    /* after midnight the day starts again */
    clock_at("2026-11-26", "00:00");
    r = h_get(&srv, admin, "/metrics");
    h_expect(r, 200);
    assert_true(prom_value(r->body, "hotline_calls_today{state=\"answered\"}") == 0);
    h_free(r);
    clock_at(D, "20:00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daily),
        cmocka_unit_test(test_summary_by_day),
        cmocka_unit_test(test_summary_by_agent),
        cmocka_unit_test(test_summary_by_class),
        cmocka_unit_test(test_csv_matches_json),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_calls_today_gauge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
