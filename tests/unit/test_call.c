/**
 * @file test_call.c
 * @brief Call event validation, the derivation of call records (outcomes, ring and talk time,
 *        the threshold) and its order independence, and the missed-call decisions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/call.h"

#define NOW_TEXT "2026-11-27T18:00:00+08:00"
#define THRESHOLD HL_SEC(15)

static hl_time now_time(void)
{
    hl_time t;
    assert_true(tf_parse_rfc3339(NOW_TEXT, &t));
    return t;
}

static bool has_error(const struct verrors *e, const char *field)
{
    for (int i = 0; i < e->n; i++)
        if (strcmp(e->e[i].field, field) == 0)
            return true;
    return false;
}

static void test_bad_events(void **state)
{
    (void)state;
    struct {
        const char *body, *field;
    } rows[] = {
        {"{}", "call_id"},
        {"{}", "event"},
        {"{}", "at"},
        {"[]", ""},
        {"{\"call_id\":\"\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\"}", "call_id"},
        {"{\"call_id\":7,\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\"}", "call_id"},
        {"{\"call_id\":\"a\",\"event\":\"ring\",\"at\":\"2026-11-27T09:00:00+08:00\"}", "event"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"yesterday\"}", "at"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27 09:00:00\"}", "at"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00\"}", "at"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-30T09:00:00+08:00\"}", "at"},
        {"{\"call_id\":\"a\",\"event\":\"ringing\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"from\":\"call me\"}", "from"},
        {"{\"call_id\":\"a\",\"event\":\"ringing\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"to\":12345}", "to"},
        {"{\"call_id\":\"a\",\"event\":\"ringing\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"direction\":\"in\"}", "direction"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"cause\":\"bored\"}", "cause"},
        {"{\"call_id\":\"a\",\"event\":\"answered\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"cause\":\"normal\"}", "cause"},
        {"{\"call_id\":\"a\",\"event\":\"offered\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"from\":\"13800138000\",\"to\":\"12345\"}", "direction"},
        {"{\"call_id\":\"a\",\"event\":\"offered\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"direction\":\"inbound\",\"to\":\"12345\"}", "from"},
        {"{\"call_id\":\"a\",\"event\":\"offered\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"direction\":\"inbound\",\"from\":null}", "to"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"parent_call_id\":\"a\"}", "parent_call_id"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"agent\":\"\"}", "agent"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"event_id\":null}", "event_id"},
        {"{\"call_id\":\"a\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\","
         "\"colour\":\"red\"}", "colour"},
        {"{\"call_id\":\"a\\u0000b\",\"event\":\"hangup\",\"at\":\"2026-11-27T09:00:00+08:00\"}",
         "call_id"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *j = json_loads(rows[i].body, JSON_ALLOW_NUL, NULL);
        assert_non_null(j);
        struct call_event ev;
        struct verrors e = {0};
        if (call_event_parse(j, "86", now_time(), &ev, &e))
            fail_msg("accepted %s", rows[i].body);
        if (!has_error(&e, rows[i].field))
            fail_msg("%s: no error for \"%s\"", rows[i].body, rows[i].field);
        json_decref(j);
    }
}

static void test_good_event(void **state)
{
    (void)state;
    json_t *j = json_loads("{\"call_id\":\"1700000000.42\",\"event\":\"offered\","
                           "\"at\":\"2026-11-27T09:00:00.250+08:00\",\"direction\":\"inbound\","
                           "\"from\":\"+86 138-0013-8000\",\"to\":\"95555\",\"queue\":\"support\","
                           "\"event_id\":\"ev-1\"}",
                           0, NULL);
    struct call_event ev;
    struct verrors e = {0};
    assert_true(call_event_parse(j, "86", now_time(), &ev, &e));
    assert_int_equal(ev.kind, CALL_EV_OFFERED);
    assert_int_equal(ev.direction, CALL_DIR_INBOUND);
    assert_int_equal(ev.cause, -1);
    assert_string_equal(ev.from_norm, "8613800138000");
    assert_string_equal(ev.to_norm, "8695555");
    assert_string_equal(ev.queue, "support");
    char key[CALL_DEDUP_KEY_MAX];
    call_event_dedup_key(&ev, key, sizeof key);
    assert_string_equal(key, "id:ev-1");
    ev.event_id = NULL;
    call_event_dedup_key(&ev, key, sizeof key);
    assert_string_equal(key, "at:offered:1795741200250000");
    json_decref(j);

    /* a withheld number is null, and not an error */
    j = json_loads("{\"call_id\":\"x\",\"event\":\"offered\",\"at\":\"2026-11-27T09:00:00Z\","
                   "\"direction\":\"inbound\",\"from\":null,\"to\":\"95555\"}",
                   0, NULL);
    assert_true(call_event_parse(j, "86", now_time(), &ev, &e));
    assert_null(ev.from);
    assert_string_equal(ev.from_norm, "");
    json_decref(j);
}

/* ---- derivation ------------------------------------------------------------------------- */

struct spec {
    const char *kind;
    int at_s; /* seconds after 09:00 */
    const char *dir, *from, *agent, *cause;
};

static int kind_of(const char *name)
{
    return enum_index(call_event_names, name);
}

/* Build events from a compact table; strings are static. */
static size_t build(const struct spec *s, size_t n, struct call_event *ev, char keys[][64])
{
    hl_time base;
    assert_true(tf_parse_rfc3339("2026-11-27T09:00:00+08:00", &base));
    for (size_t i = 0; i < n; i++) {
        memset(&ev[i], 0, sizeof ev[i]);
        ev[i].kind = (enum call_event_kind)kind_of(s[i].kind);
        ev[i].at = base + HL_SEC(s[i].at_s);
        ev[i].direction = s[i].dir ? enum_index(call_direction_names, s[i].dir) : -1;
        ev[i].cause = s[i].cause ? enum_index(call_cause_names, s[i].cause) : -1;
        ev[i].call_id = "c1";
        ev[i].agent = s[i].agent;
        if (s[i].from) {
            ev[i].from = s[i].from;
            assert_true(phone_normalize(s[i].from, "86", ev[i].from_norm));
            ev[i].to = "95555";
            strcpy(ev[i].to_norm, "8695555");
        }
        call_event_dedup_key(&ev[i], keys[i], 64);
        ev[i].dedup_key = keys[i];
    }
    return n;
}

#define IN "inbound"
#define OUT "outbound"
#define CALLER "13800138000"

static void test_outcomes(void **state)
{
    (void)state;
    struct {
        const char *name;
        struct spec ev[6];
        int outcome, state, ring_ms, talk_ms, within;
        const char *agent;
    } rows[] = {
        {"still ringing", {{"offered", 0, IN, CALLER}, {"ringing", 2, NULL, NULL, "li"}},
         -1, CALL_STATE_RINGING, -1, -1, -1, "li"},
        {"talking", {{"offered", 0, IN, CALLER}, {"answered", 9, NULL, NULL, "li"}},
         -1, CALL_STATE_TALKING, 9000, -1, 1, "li"},
        {"answered in time",
         {{"offered", 0, IN, CALLER}, {"ringing", 1, NULL, NULL, "wang"},
          {"answered", 12, NULL, NULL, "li"}, {"hangup", 72, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_ANSWERED, CALL_STATE_ENDED, 12000, 60000, 1, "li"},
        {"answered exactly at the threshold",
         {{"offered", 0, IN, CALLER}, {"answered", 15}, {"hangup", 20, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_ANSWERED, CALL_STATE_ENDED, 15000, 5000, 1, NULL},
        {"answered late",
         {{"offered", 0, IN, CALLER}, {"answered", 16}, {"hangup", 20, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_ANSWERED, CALL_STATE_ENDED, 16000, 4000, 0, NULL},
        {"caller hung up in the queue",
         {{"offered", 0, IN, CALLER}, {"hangup", 40, NULL, NULL, NULL, "abandoned"}},
         CALL_OUTCOME_ABANDONED, CALL_STATE_ENDED, 40000, -1, 0, NULL},
        {"normal clearing before any answer is abandonment",
         {{"offered", 0, IN, CALLER}, {"hangup", 8, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_ABANDONED, CALL_STATE_ENDED, 8000, -1, 0, NULL},
        {"nobody answered",
         {{"offered", 0, IN, CALLER}, {"ringing", 1, NULL, NULL, "li"},
          {"hangup", 30, NULL, NULL, NULL, "no_answer"}},
         CALL_OUTCOME_MISSED, CALL_STATE_ENDED, 30000, -1, 0, "li"},
        {"busy", {{"offered", 0, IN, CALLER}, {"hangup", 1, NULL, NULL, NULL, "busy"}},
         CALL_OUTCOME_MISSED, CALL_STATE_ENDED, 1000, -1, 0, NULL},
        {"no cause", {{"offered", 0, IN, CALLER}, {"hangup", 5}},
         CALL_OUTCOME_MISSED, CALL_STATE_ENDED, 5000, -1, 0, NULL},
        {"failed", {{"offered", 0, IN, CALLER}, {"hangup", 0, NULL, NULL, NULL, "failed"}},
         CALL_OUTCOME_FAILED, CALL_STATE_ENDED, 0, -1, 0, NULL},
        {"transferred before an answer",
         {{"offered", 0, IN, CALLER}, {"transferred", 5}, {"hangup", 5, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_TRANSFERRED, CALL_STATE_ENDED, 5000, -1, 0, NULL},
        {"transferred after an answer is answered",
         {{"offered", 0, IN, CALLER}, {"answered", 3, NULL, NULL, "li"}, {"transferred", 50},
          {"hangup", 51, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_ANSWERED, CALL_STATE_ENDED, 3000, 48000, 1, "li"},
        {"outbound not picked up is missed, no threshold",
         {{"offered", 0, OUT, CALLER, "li"}, {"hangup", 30, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_MISSED, CALL_STATE_ENDED, 30000, -1, -1, "li"},
        {"clock skew: an answer before the offer is zero ring time",
         {{"offered", 4, IN, CALLER}, {"answered", 3}, {"hangup", 2, NULL, NULL, NULL, "normal"}},
         CALL_OUTCOME_ANSWERED, CALL_STATE_ENDED, 0, 0, 1, NULL},
        {"only a hangup known",
         {{"hangup", 9, NULL, NULL, NULL, "no_answer"}},
         CALL_OUTCOME_MISSED, CALL_STATE_ENDED, 0, -1, -1, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = 0;
        while (n < 6 && rows[i].ev[n].kind)
            n++;
        struct call_event ev[6];
        char keys[6][64];
        build(rows[i].ev, n, ev, keys);
        struct call_record r;
        call_derive(ev, n, THRESHOLD, &r);
        if (r.outcome != rows[i].outcome || (int)r.state != rows[i].state ||
            r.ring_us != (rows[i].ring_ms < 0 ? -1 : rows[i].ring_ms * 1000LL) ||
            r.talk_us != (rows[i].talk_ms < 0 ? -1 : rows[i].talk_ms * 1000LL) ||
            r.within_threshold != rows[i].within)
            fail_msg("%s: outcome %d state %d ring %lld talk %lld within %d", rows[i].name,
                     r.outcome, r.state, (long long)r.ring_us, (long long)r.talk_us,
                     r.within_threshold);
        if (rows[i].agent)
            assert_string_equal(r.agent, rows[i].agent);
        else
            assert_null(r.agent);
        assert_int_equal(r.event_count, (int)n);
    }
}

static void assert_same_record(const struct call_record *a, const struct call_record *b)
{
    assert_int_equal(a->direction, b->direction);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->outcome, b->outcome);
    assert_int_equal(a->cause, b->cause);
    assert_int_equal(a->offered_at, b->offered_at);
    assert_int_equal(a->answered_at, b->answered_at);
    assert_int_equal(a->ended_at, b->ended_at);
    assert_int_equal(a->transferred_at, b->transferred_at);
    assert_int_equal(a->ring_us, b->ring_us);
    assert_int_equal(a->talk_us, b->talk_us);
    assert_int_equal(a->within_threshold, b->within_threshold);
    const char *sa[] = {a->from, a->to, a->agent, a->queue, a->parent_call_id};
    const char *sb[] = {b->from, b->to, b->agent, b->queue, b->parent_call_id};
    for (int i = 0; i < 5; i++) {
        if (!sa[i] || !sb[i])
            assert_ptr_equal(sa[i], sb[i]);
        else
            assert_string_equal(sa[i], sb[i]);
    }
}

/* Any order of the same events, with duplicates, gives the same record. */
static void test_order_does_not_matter(void **state)
{
    (void)state;
    const struct spec spec[] = {
        {"offered", 0, IN, CALLER}, {"ringing", 1, NULL, NULL, "wang"},
        {"ringing", 6, NULL, NULL, "li"}, {"answered", 14, NULL, NULL, "li"},
        {"transferred", 60, NULL, NULL, "zhao"}, {"hangup", 61, NULL, NULL, NULL, "normal"},
    };
    enum { N = 6 };
    struct call_event ref_ev[N];
    char ref_keys[N][64];
    build(spec, N, ref_ev, ref_keys);
    struct call_record ref;
    call_derive(ref_ev, N, THRESHOLD, &ref);
    srand(42);
    for (int round = 0; round < 500; round++) {
        struct call_event ev[2 * N];
        char keys[2 * N][64];
        build(spec, N, ev, keys);
        size_t n = N;
        for (size_t i = 0; i < N; i++)
            if (rand() % 3 == 0)
                ev[n++] = ev[i]; /* a duplicate delivery that slipped through */
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)rand() % (i + 1);
            struct call_event t = ev[i];
            ev[i] = ev[j];
            ev[j] = t;
        }
        struct call_record r;
        call_derive(ev, n, THRESHOLD, &r);
        assert_same_record(&r, &ref);
    }
}

static void test_callback_decisions(void **state)
{
    (void)state;
    struct {
        struct spec ev[3];
        bool callback, reached;
    } rows[] = {
        {{{"offered", 0, IN, CALLER}, {"hangup", 30, NULL, NULL, NULL, "no_answer"}}, true, false},
        {{{"offered", 0, IN, CALLER}, {"hangup", 30, NULL, NULL, NULL, "abandoned"}}, true, false},
        {{{"offered", 0, IN, CALLER}, {"hangup", 0, NULL, NULL, NULL, "failed"}}, false, false},
        {{{"offered", 0, IN, CALLER}, {"transferred", 3}, {"hangup", 3}}, false, false},
        {{{"offered", 0, IN, CALLER}, {"answered", 3}}, false, true},
        {{{"offered", 0, IN, NULL}, {"hangup", 30, NULL, NULL, NULL, "no_answer"}}, false, false},
        {{{"offered", 0, OUT, CALLER}, {"hangup", 30, NULL, NULL, NULL, "no_answer"}}, false,
         false},
        {{{"offered", 0, OUT, CALLER}, {"answered", 9}}, false, true},
        {{{"offered", 0, IN, CALLER}}, false, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = 0;
        while (n < 3 && rows[i].ev[n].kind)
            n++;
        struct call_event ev[3];
        char keys[3][64];
        build(rows[i].ev, n, ev, keys);
        struct call_record r;
        call_derive(ev, n, THRESHOLD, &r);
        const char *cb = call_callback_number(&r), *reached = call_reached_number(&r);
        if (!cb != !rows[i].callback || !reached != !rows[i].reached)
            fail_msg("row %zu: callback %s reached %s", i, cb ? cb : "-", reached ? reached : "-");
        if (cb)
            assert_string_equal(cb, "8613800138000");
        if (reached && r.direction == CALL_DIR_INBOUND)
            assert_string_equal(reached, "8613800138000");
        if (reached && r.direction == CALL_DIR_OUTBOUND)
            assert_string_equal(reached, "8695555");
    }
}

static void test_seconds(void **state)
{
    (void)state;
    struct {
        int64_t us;
        const char *want;
    } rows[] = {{-5, "0.000"},        {0, "0.000"},          {999, "0.000"},
                {1000, "0.001"},      {15000000, "15.000"},  {61234567, "61.234"},
                {INT64_MAX, "999999999.999"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[32];
        call_format_seconds(rows[i].us, out, sizeof out);
        assert_string_equal(out, rows[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_events),
        cmocka_unit_test(test_good_event),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_callback_decisions),
        cmocka_unit_test(test_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
