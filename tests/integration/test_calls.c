/**
 * @file test_calls.c
 * @brief Calls over real HTTP and a real database: answered, abandoned, missed and transferred
 *        calls; retries and shuffled delivery giving identical records; batches with a bad
 *        event; the Zammad-compatible endpoint; tickets from calls; the screen-pop for three
 *        spellings of one number; and missed call → callback task → rang back → task closed.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs srv;
static const char *cti, *agent, *supervisor, *admin;

#define DAY "2026-11-27"
#define NOW DAY "T18:00:00+08:00"

static int setup(void **state)
{
    (void)state;
    hs_start_at(&srv, "calls", NULL, NOW);
    cti = h_token("cti", "pbx1");
    agent = h_token("agent", "li");
    supervisor = h_token("supervisor", "zhao");
    admin = h_token("admin", "ops");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(hs_stop(&srv), 0);
    return 0;
}

/* "2026-11-27THH:MM:SS+08:00" for hour h plus s seconds. */
static const char *at(int h, int s)
{
    static __thread char buf[8][40];
    static __thread int slot;
    char *p = buf[slot++ % 8];
    snprintf(p, 40, DAY "T%02d:%02d:%02d+08:00", h + s / 3600, (s / 60) % 60, s % 60);
    return p;
}

/* POST one event or a batch; expects 200. @return the parsed answer (caller frees). */
static struct h_resp *post(const char *body)
{
    struct h_resp *r = h_req(&srv, "POST", "/calls/events", cti, body, NULL);
    h_expect(r, 200);
    return r;
}

static void post_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void post_ok(const char *fmt, ...)
{
    char body[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    struct h_resp *r = post(body);
    if (body[0] == '[' && h_int(r->json, "rejected") + h_int(r->json, "duplicates") != 0)
        fail_msg("not every event was applied: %s", r->body);
    else if (body[0] != '[')
        assert_string_equal(h_str(r->json, "status"), "applied");
    h_free(r);
}

static json_t *get_call(const char *call_id)
{
    struct h_resp *r = h_get(&srv, agent, "/calls/%s", call_id);
    h_expect(r, 200);
    json_t *j = json_incref(r->json);
    h_free(r);
    return j;
}

static double num(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        fail_msg("member %s is not a number", key);
    return json_number_value(v);
}

static long long count(const char *sql)
{
    return h_db_long(sql);
}

static long long pending_tasks(const char *norm)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followups WHERE kind = 'missed_call' AND "
                              "status = 'pending' AND phone_norm = '%s'", norm);
    return count(sql);
}

/* ---- the four kinds of call ------------------------------------------------------------- */

static void test_answered_call(void **state)
{
    (void)state;
    post_ok("{\"call_id\":\"ans-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"+86 139-0000-0001\",\"to\":\"95555\",\"queue\":\"support\","
            "\"event_id\":\"a1\"}", at(9, 0));
    post_ok("{\"call_id\":\"ans-1\",\"event\":\"ringing\",\"at\":\"%s\",\"agent\":\"li\"}",
            at(9, 3));
    post_ok("{\"call_id\":\"ans-1\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"li\"}",
            at(9, 12));
    post_ok("{\"call_id\":\"ans-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"normal\"}",
            at(9, 72));
    /* a retry is recorded once and answered 200 with duplicate: true */
    char retry[256];
    snprintf(retry, sizeof retry, "{\"call_id\":\"ans-1\",\"event\":\"answered\",\"at\":\"%s\","
                                  "\"agent\":\"li\"}", at(9, 12));
    struct h_resp *r = post(retry);
    assert_true(json_is_true(json_object_get(r->json, "duplicate")));
    assert_string_equal(h_str(r->json, "status"), "duplicate");
    h_free(r);
    snprintf(retry, sizeof retry, "{\"call_id\":\"ans-1\",\"event\":\"offered\",\"at\":\"%s\","
                                  "\"direction\":\"inbound\",\"from\":null,\"to\":\"95555\","
                                  "\"event_id\":\"a1\"}", at(9, 1));
    r = post(retry); /* the same event id, even if the retry's time differs */
    assert_true(json_is_true(json_object_get(r->json, "duplicate")));
    h_free(r);

    json_t *c = get_call("ans-1");
    assert_string_equal(h_str(c, "state"), "ended");
    assert_string_equal(h_str(c, "outcome"), "answered");
    assert_string_equal(h_str(c, "direction"), "inbound");
    assert_string_equal(h_str(c, "agent"), "li");
    assert_string_equal(h_str(c, "queue"), "support");
    assert_string_equal(h_str(c, "from"), "+86 139-0000-0001");
    assert_string_equal(h_str(c, "from_normalized"), "8613900000001");
    assert_string_equal(h_str(c, "offered_at"), "2026-11-27T09:00:00+08:00");
    assert_string_equal(h_str(c, "answered_at"), "2026-11-27T09:00:12+08:00");
    assert_string_equal(h_str(c, "ended_at"), "2026-11-27T09:01:12+08:00");
    assert_true(num(c, "ring_seconds") == 12.0);
    assert_true(num(c, "talk_seconds") == 60.0);
    assert_true(json_is_true(json_object_get(c, "answered_within_threshold")));
    assert_int_equal(h_int(c, "event_count"), 4);
    assert_int_equal(json_array_size(json_object_get(c, "events")), 4);
    assert_int_equal(json_array_size(json_object_get(c, "chain")), 1);
    json_decref(c);
    assert_int_equal(count("SELECT count(*) FROM call_events WHERE call_id = 'ans-1'"), 4);
    assert_int_equal(pending_tasks("8613900000001"), 0);
}

static void test_abandoned_call(void **state)
{
    (void)state;
    post_ok("{\"call_id\":\"abd-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000002\",\"to\":\"95555\",\"queue\":\"billing\"}", at(10, 0));
    post_ok("{\"call_id\":\"abd-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"abandoned\"}",
            at(10, 40));
    json_t *c = get_call("abd-1");
    assert_string_equal(h_str(c, "outcome"), "abandoned");
    assert_true(num(c, "ring_seconds") == 40.0);
    assert_true(json_is_null(json_object_get(c, "talk_seconds")));
    assert_true(json_is_false(json_object_get(c, "answered_within_threshold")));
    json_decref(c);
    /* the caller gets a callback task, in the call's queue */
    assert_int_equal(pending_tasks("8613900000002"), 1);
    assert_int_equal(count("SELECT count(*) FROM followups WHERE source_call_id = 'abd-1' AND "
                           "agent_group = 'billing' AND due_at = '" DAY "T10:00:40+08:00' AND "
                           "created_by = 'pbx1'"),
                     1);
}

static void test_missed_call(void **state)
{
    (void)state;
    post_ok("{\"call_id\":\"mis-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000003\",\"to\":\"95555\"}", at(11, 0));
    post_ok("{\"call_id\":\"mis-1\",\"event\":\"ringing\",\"at\":\"%s\",\"agent\":\"wang\"}",
            at(11, 1));
    post_ok("{\"call_id\":\"mis-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"no_answer\"}",
            at(11, 31));
    json_t *c = get_call("mis-1");
    assert_string_equal(h_str(c, "outcome"), "missed");
    assert_string_equal(h_str(c, "cause"), "no_answer");
    assert_string_equal(h_str(c, "agent"), "wang");
    assert_true(num(c, "ring_seconds") == 31.0);
    json_decref(c);
    assert_int_equal(pending_tasks("8613900000003"), 1);
}

static void test_transferred_call(void **state)
{
    (void)state;
    /* an IVR leg hands the call to the queue; an agent answers, then transfers to a colleague */
    post_ok("[{\"call_id\":\"tr-ivr\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000004\",\"to\":\"95555\"},"
            "{\"call_id\":\"tr-ivr\",\"event\":\"transferred\",\"at\":\"%s\"},"
            "{\"call_id\":\"tr-ivr\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"transferred\"}]",
            at(12, 0), at(12, 20), at(12, 20));
    post_ok("[{\"call_id\":\"tr-q\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000004\",\"to\":\"95555\",\"queue\":\"support\","
            "\"parent_call_id\":\"tr-ivr\"},"
            "{\"call_id\":\"tr-q\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"li\"},"
            "{\"call_id\":\"tr-q\",\"event\":\"transferred\",\"at\":\"%s\",\"agent\":\"li\"},"
            "{\"call_id\":\"tr-q\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"normal\"}]",
            at(12, 20), at(12, 26), at(12, 90), at(12, 90));
    post_ok("[{\"call_id\":\"tr-b\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000004\",\"to\":\"8001\",\"parent_call_id\":\"tr-q\"},"
            "{\"call_id\":\"tr-b\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"wang\"},"
            "{\"call_id\":\"tr-b\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"normal\"}]",
            at(12, 90), at(12, 95), at(12, 300));
    json_t *c = get_call("tr-ivr");
    assert_string_equal(h_str(c, "outcome"), "transferred");
    json_t *chain = json_object_get(c, "chain");
    assert_int_equal(json_array_size(chain), 3);
    assert_string_equal(h_str(json_array_get(chain, 0), "call_id"), "tr-ivr");
    assert_string_equal(h_str(json_array_get(chain, 1), "call_id"), "tr-q");
    assert_string_equal(h_str(json_array_get(chain, 2), "call_id"), "tr-b");
    json_decref(c);
    c = get_call("tr-q");
    assert_string_equal(h_str(c, "outcome"), "answered");
    assert_string_equal(h_str(c, "parent_call_id"), "tr-ivr");
    assert_string_equal(h_str(c, "transferred_at"), "2026-11-27T12:01:30+08:00");
    assert_true(json_is_true(json_object_get(c, "answered_within_threshold")));
    json_decref(c);
    c = get_call("tr-b");
    assert_string_equal(h_str(c, "agent"), "wang");
    assert_string_equal(h_str(json_array_get(json_object_get(c, "chain"), 0), "call_id"),
                        "tr-ivr");
    json_decref(c);
    /* a leg handed on is not a missed caller */
    assert_int_equal(pending_tasks("8613900000004"), 0);
}

/* ---- order and retries do not matter ---------------------------------------------------- */

static const char *const scenario_answered[] = {
    "{\"call_id\":\"%s\",\"event\":\"offered\",\"at\":\"" DAY "T13:00:00+08:00\","
    "\"direction\":\"inbound\",\"from\":\"%s\",\"to\":\"95555\",\"queue\":\"support\","
    "\"event_id\":\"%s-1\"}",
    "{\"call_id\":\"%s\",\"event\":\"ringing\",\"at\":\"" DAY "T13:00:02+08:00\","
    "\"agent\":\"wang\"}",
    "{\"call_id\":\"%s\",\"event\":\"ringing\",\"at\":\"" DAY "T13:00:07.5+08:00\","
    "\"agent\":\"li\",\"event_id\":\"%s-3\"}",
    "{\"call_id\":\"%s\",\"event\":\"answered\",\"at\":\"" DAY "T13:00:16+08:00\","
    "\"agent\":\"li\"}",
    "{\"call_id\":\"%s\",\"event\":\"hangup\",\"at\":\"" DAY "T13:03:00+08:00\","
    "\"cause\":\"normal\",\"event_id\":\"%s-5\"}",
    NULL};

static const char *const scenario_transferred[] = {
    "{\"call_id\":\"%s\",\"event\":\"offered\",\"at\":\"" DAY "T14:00:00+08:00\","
    "\"direction\":\"inbound\",\"from\":\"%s\",\"to\":\"95555\",\"event_id\":\"%s-1\"}",
    "{\"call_id\":\"%s\",\"event\":\"ringing\",\"at\":\"" DAY "T14:00:01+08:00\","
    "\"agent\":\"li\"}",
    "{\"call_id\":\"%s\",\"event\":\"answered\",\"at\":\"" DAY "T14:00:04+08:00\","
    "\"agent\":\"li\",\"event_id\":\"%s-3\"}",
    "{\"call_id\":\"%s\",\"event\":\"transferred\",\"at\":\"" DAY "T14:02:00+08:00\","
    "\"agent\":\"zhao\"}",
    "{\"call_id\":\"%s\",\"event\":\"hangup\",\"at\":\"" DAY "T14:02:00+08:00\","
    "\"cause\":\"normal\"}",
    NULL};

static void render(char *out, size_t n, const char *tmpl, const char *call_id, const char *from)
{
    /* templates use %s for the call id, then the number (offered) or the call id (event ids) */
    if (strstr(tmpl, "\"from\""))
        snprintf(out, n, tmpl, call_id, from, call_id);
    else
        snprintf(out, n, tmpl, call_id, call_id);
}

/* The record without what differs by construction: its id, the raw events, the chain. */
static json_t *comparable(const char *call_id)
{
    json_t *c = get_call(call_id);
    const char *drop[] = {"call_id", "events", "chain", "tickets", "from", "from_normalized"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        json_object_del(c, drop[i]);
    return c;
}

static void deliver_shuffled(const char *const *tmpl, const char *call_id, const char *from,
                             unsigned *seed)
{
    char *copies[32];
    int n = 0;
    for (int i = 0; tmpl[i]; i++) {
        int times = 1 + (int)(rand_r(seed) % 3); /* every event once, some two or three times */
        for (int k = 0; k < times && n < 32; k++) {
            copies[n] = malloc(512);
            render(copies[n++], 512, tmpl[i], call_id, from);
        }
    }
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rand_r(seed) % (unsigned)(i + 1));
        char *t = copies[i];
        copies[i] = copies[j];
        copies[j] = t;
    }
    for (int i = 0; i < n;) {
        int chunk = 1 + (int)(rand_r(seed) % 4); /* singles and batches mixed */
        char body[4096];
        size_t len = 0;
        if (chunk == 1) {
            len = (size_t)snprintf(body, sizeof body, "%s", copies[i++]);
        } else {
            len += (size_t)snprintf(body + len, sizeof body - len, "[");
            for (int k = 0; k < chunk && i < n; k++)
                len += (size_t)snprintf(body + len, sizeof body - len, "%s%s", k ? "," : "",
                                        copies[i++]);
            snprintf(body + len, sizeof body - len, "]");
        }
        struct h_resp *r = post(body);
        h_free(r);
    }
    for (int i = 0; i < n; i++)
        free(copies[i]);
}

static void check_permutations(const char *const *tmpl, const char *prefix,
                               const char *number_prefix, int rounds, unsigned seed)
{
    char ref_id[32];
    snprintf(ref_id, sizeof ref_id, "%s-ref", prefix);
    for (int i = 0; tmpl[i]; i++) {
        char body[512];
        render(body, sizeof body, tmpl[i], ref_id, "13700000000");
        struct h_resp *r = post(body);
        h_free(r);
    }
    json_t *ref = comparable(ref_id);
    for (int round = 0; round < rounds; round++) {
        char id[32], from[24], norm[32];
        snprintf(id, sizeof id, "%s-%d", prefix, round);
        snprintf(from, sizeof from, "%s%04d", number_prefix, round + 1);
        snprintf(norm, sizeof norm, "86%s", from);
        deliver_shuffled(tmpl, id, from, &seed);
        json_t *got = comparable(id);
        if (!json_equal(got, ref)) {
            char *a = json_dumps(ref, JSON_SORT_KEYS), *b = json_dumps(got, JSON_SORT_KEYS);
            fail_msg("%s differs from the in-order record (seed %u)\n in order: %s\n shuffled: %s",
                     id, seed, a, b);
        }
        json_decref(got);
        /* a hangup seen before its answer made a callback task for a moment; none is left */
        assert_int_equal(pending_tasks(norm), 0);
    }
    json_decref(ref);
}

static void test_shuffled_and_duplicated_delivery(void **state)
{
    (void)state;
    unsigned seed = (unsigned)h_now();
    long long before = count("SELECT count(*) FROM call_events");
    check_permutations(scenario_answered, "perm-a", "1370000", 40, seed);
    check_permutations(scenario_transferred, "perm-t", "1360000", 40, seed + 1);
    /* every duplicate was refused: 5 events per call, 41 calls per scenario */
    assert_int_equal(count("SELECT count(*) FROM call_events") - before, 2 * 41 * 5);
}

/* ---- bad input -------------------------------------------------------------------------- */

static void test_bad_events_change_nothing(void **state)
{
    (void)state;
    long long events = count("SELECT count(*) FROM call_events");
    long long calls = count("SELECT count(*) FROM calls");
    struct {
        const char *body, *field;
    } rows[] = {
        {"{\"event\":\"hangup\",\"at\":\"" DAY "T09:00:00+08:00\"}", "call_id"},
        {"{\"call_id\":\"bad-1\",\"event\":\"ring\",\"at\":\"" DAY "T09:00:00+08:00\"}", "event"},
        {"{\"call_id\":\"bad-1\",\"event\":\"hangup\",\"at\":\"27/11/2026 09:00\"}", "at"},
        {"{\"call_id\":\"bad-1\",\"event\":\"ringing\",\"at\":\"" DAY "T09:00:00+08:00\","
         "\"from\":\"call me maybe\"}", "from"},
        {"{\"call_id\":\"bad-1\",\"event\":\"hangup\",\"at\":\"" DAY "T09:00:00+08:00\","
         "\"cause\":\"bored\"}", "cause"},
        {"{\"call_id\":\"bad-1\",\"event\":\"hangup\",\"at\":\"2026-12-30T09:00:00+08:00\"}", "at"},
        {"[{\"call_id\":\"bad-1\",\"event\":\"ring\",\"at\":\"" DAY "T09:00:00+08:00\"},"
         "{\"call_id\":\"bad-2\",\"event\":\"hangup\",\"at\":\"soon\"}]", "[1].at"},
        {"[]", ""},
        {"[1]", "[0]"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct h_resp *r = h_req(&srv, "POST", "/calls/events", cti, rows[i].body, NULL);
        h_expect_problem(r, 400);
        json_t *errs = json_object_get(r->json, "errors");
        bool found = false;
        for (size_t k = 0; k < json_array_size(errs); k++)
            found |= strcmp(h_str(json_array_get(errs, k), "field"), rows[i].field) == 0;
        if (!found)
            fail_msg("%s: no error for \"%s\": %s", rows[i].body, rows[i].field, r->body);
        h_free(r);
    }
    /* more than 100 events */
    char *big = malloc(120 * 120);
    strcpy(big, "[");
    for (int i = 0; i < 101; i++)
        sprintf(big + strlen(big), "%s{\"call_id\":\"big-%d\",\"event\":\"hangup\",\"at\":\"%s\"}",
                i ? "," : "", i, at(9, 0));
    strcat(big, "]");
    struct h_resp *r = h_req(&srv, "POST", "/calls/events", cti, big, NULL);
    h_expect_problem(r, 400);
    h_free(r);
    free(big);
    r = h_req(&srv, "POST", "/calls/events", cti, "{\"call_id\":", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    r = h_req(&srv, "POST", "/calls/events", cti, "<event/>", xml);
    h_expect_problem(r, 415);
    h_free(r);
    assert_int_equal(count("SELECT count(*) FROM call_events"), events);
    assert_int_equal(count("SELECT count(*) FROM calls"), calls);
}

static void test_batch_with_one_bad_event(void **state)
{
    (void)state;
    long long before = count("SELECT count(*) FROM call_events");
    char body[1024];
    snprintf(body, sizeof body,
             "[{\"call_id\":\"bat-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":"
             "\"outbound\",\"from\":\"8001\",\"to\":\"13900000005\",\"agent\":\"li\"},"
             "{\"call_id\":\"bat-1\",\"event\":\"answered\",\"at\":\"yesterday\"},"
             "{\"call_id\":\"bat-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"no_answer\"},"
             "{\"call_id\":\"bat-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"no_answer\"}]",
             at(15, 0), at(15, 25), at(15, 25));
    struct h_resp *r = post(body);
    assert_int_equal(h_int(r->json, "applied"), 2);
    assert_int_equal(h_int(r->json, "duplicates"), 1);
    assert_int_equal(h_int(r->json, "rejected"), 1);
    json_t *res = json_object_get(r->json, "results");
    assert_int_equal(json_array_size(res), 4);
    const char *want[] = {"applied", "rejected", "applied", "duplicate"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(h_str(json_array_get(res, i), "status"), want[i]);
        assert_int_equal(h_int(json_array_get(res, i), "index"), (long long)i);
    }
    json_t *errs = json_object_get(json_array_get(res, 1), "errors");
    assert_string_equal(h_str(json_array_get(errs, 0), "field"), "at");
    h_free(r);
    assert_int_equal(count("SELECT count(*) FROM call_events") - before, 2);
    json_t *c = get_call("bat-1");
    assert_string_equal(h_str(c, "outcome"), "missed");
    assert_string_equal(h_str(c, "direction"), "outbound");
    assert_true(json_is_null(json_object_get(c, "answered_within_threshold")));
    json_decref(c);
    /* an outbound call that did not reach the customer is no missed caller */
    assert_int_equal(pending_tasks("8613900000005"), 0);
}

/* ---- missed call → callback task → the caller rings back → task closed ------------------ */

static void test_missed_call_callback_closed_by_answered_call(void **state)
{
    (void)state;
    post_ok("[{\"call_id\":\"cb-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"+86 139 0000 0006\",\"to\":\"95555\"},"
            "{\"call_id\":\"cb-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"no_answer\"}]",
            at(16, 0), at(16, 30));
    assert_int_equal(pending_tasks("8613900000006"), 1);
    long long task = count("SELECT id FROM followups WHERE source_call_id = 'cb-1'");
    /* trying again and giving up again: still one task for the number */
    post_ok("[{\"call_id\":\"cb-2\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000006\",\"to\":\"95555\"},"
            "{\"call_id\":\"cb-2\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"abandoned\"}]",
            at(16, 60), at(16, 65));
    assert_int_equal(pending_tasks("8613900000006"), 1);
    assert_int_equal(count("SELECT count(*) FROM calls WHERE from_norm = '8613900000006' AND "
                           "followup_id IS NOT NULL"),
                     2);
    /* the screen-pop shows it */
    struct h_resp *r = h_get(&srv, agent, "/callers/13900000006");
    h_expect(r, 200);
    json_t *pending = json_object_get(r->json, "pending_followups");
    assert_int_equal(json_array_size(pending), 1);
    assert_string_equal(h_str(json_array_get(pending, 0), "kind"), "missed_call");
    assert_int_equal(h_int(json_array_get(pending, 0), "id"), task);
    h_free(r);
    /* the caller rings back and is answered: the task closes by itself */
    post_ok("[{\"call_id\":\"cb-3\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"0086 139 0000 0006\",\"to\":\"95555\"},"
            "{\"call_id\":\"cb-3\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"li\"}]",
            at(17, 0), at(17, 5));
    assert_int_equal(pending_tasks("8613900000006"), 0);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followups WHERE id = %lld AND status = "
                              "'done' AND outcome = 'reached' AND closed_at IS NOT NULL", task);
    assert_int_equal(count(sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM followup_attempts WHERE followup_id = %lld "
                              "AND call_id = 'cb-3' AND outcome = 'reached'", task);
    assert_int_equal(count(sql), 1);
    /* a missed call reported late, after the number was reached since, makes no task */
    post_ok("[{\"call_id\":\"cb-0\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000006\",\"to\":\"95555\"},"
            "{\"call_id\":\"cb-0\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"no_answer\"}]",
            at(16, 40), at(16, 50));
    assert_int_equal(pending_tasks("8613900000006"), 0);
    /* an agent's outbound call that reaches the customer closes the task too */
    post_ok("[{\"call_id\":\"cb-4\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000007\",\"to\":\"95555\"},"
            "{\"call_id\":\"cb-4\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"busy\"}]",
            at(16, 0), at(16, 1));
    assert_int_equal(pending_tasks("8613900000007"), 1);
    post_ok("[{\"call_id\":\"cb-5\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"outbound\","
            "\"from\":\"8001\",\"to\":\"139-0000-0007\",\"agent\":\"li\"},"
            "{\"call_id\":\"cb-5\",\"event\":\"answered\",\"at\":\"%s\"}]",
            at(17, 30), at(17, 40));
    assert_int_equal(pending_tasks("8613900000007"), 0);
}

static void test_missed_call_task_in_calling_window_and_webhook(void **state)
{
    (void)state;
    struct h_resp *r = h_req(&srv, "POST", "/webhooks", admin,
                             "{\"url\":\"http://127.0.0.1:9/desk\",\"secret\":\"0123456789abcdef\","
                             "\"events\":[\"call.missed\"]}",
                             NULL);
    h_expect(r, 201);
    h_free(r);
    long long queued = count("SELECT count(*) FROM outbox WHERE event = 'call.missed'");
    /* Friday 19:00, after the calling windows: the callback is due Monday at 09:00 */
    post_ok("[{\"call_id\":\"late-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":"
            "\"inbound\",\"from\":\"13900000008\",\"to\":\"95555\"},"
            "{\"call_id\":\"late-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"abandoned\"}]",
            at(19, 0), at(19, 20));
    assert_int_equal(count("SELECT count(*) FROM followups WHERE source_call_id = 'late-1' AND "
                           "due_at = '2026-11-30T09:00:00+08:00'"),
                     1);
    /* inside a window it is due at once */
    post_ok("[{\"call_id\":\"early-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":"
            "\"inbound\",\"from\":\"13900000009\",\"to\":\"95555\"},"
            "{\"call_id\":\"early-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"no_answer\"}]",
            at(15, 0), at(15, 30));
    assert_int_equal(count("SELECT count(*) FROM followups WHERE source_call_id = 'early-1' AND "
                           "due_at = '2026-11-27T15:00:30+08:00'"),
                     1);
    /* each missed call is told to the subscribers once */
    assert_int_equal(count("SELECT count(*) FROM outbox WHERE event = 'call.missed'"), queued + 2);
    h_db_exec("UPDATE webhooks SET active = false WHERE url = 'http://127.0.0.1:9/desk'");
}

/* ---- screen-pop ------------------------------------------------------------------------- */

static void test_screen_pop_three_spellings(void **state)
{
    (void)state;
    post_ok("[{\"call_id\":\"pop-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13800138000\",\"to\":\"95555\"},"
            "{\"call_id\":\"pop-1\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"li\"},"
            "{\"call_id\":\"pop-1\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"normal\"}]",
            at(8, 0), at(8, 5), at(8, 65));
    post_ok("[{\"call_id\":\"pop-2\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"+86 138-0013-8000\",\"to\":\"95555\"},"
            "{\"call_id\":\"pop-2\",\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"abandoned\"}]",
            at(8, 600), at(8, 630));
    struct h_resp *r = h_req(&srv, "POST", "/tickets", agent,
                             "{\"class\":\"hard\",\"kind\":\"complaint\",\"subject\":\"Billed twice\","
                             "\"caller_name\":\"张三\",\"caller_phone\":\"8613800138000\"}",
                             NULL);
    h_expect(r, 201);
    long long ticket = h_int(r->json, "id");
    h_free(r);
    r = h_req(&srv, "POST", "/tickets", agent,
              "{\"class\":\"general\",\"subject\":\"Closed long ago\","
              "\"caller_phone\":\"13800138000\"}", NULL);
    h_expect(r, 201);
    h_free(r);
    h_db_exec("UPDATE tickets SET status = 'closed' WHERE subject = 'Closed long ago'");
    h_db_exec("INSERT INTO followups (kind, phone, phone_norm, due_at, status, satisfaction, "
              "created_by, created_at, updated_at, closed_at) VALUES ('custom', '13800138000', "
              "'8613800138000', now(), 'done', 4, 'test', now(), now(), now())");

    const char *spellings[] = {"/callers/%2B86%20138-0013-8000", "/callers/8613800138000",
                               "/callers/13800138000"};
    char *first = NULL;
    for (size_t i = 0; i < 3; i++) {
        r = h_get(&srv, agent, "%s", spellings[i]);
        h_expect(r, 200);
        if (!first) {
            first = strdup(r->body);
            assert_string_equal(h_str(r->json, "phone"), "8613800138000");
            assert_string_equal(h_str(r->json, "caller_name"), "张三");
            json_t *calls = json_object_get(r->json, "recent_calls");
            assert_int_equal(json_array_size(calls), 2);
            assert_string_equal(h_str(json_array_get(calls, 0), "call_id"), "pop-2");
            assert_string_equal(h_str(json_array_get(calls, 0), "outcome"), "abandoned");
            json_t *open = json_object_get(r->json, "open_tickets");
            assert_int_equal(json_array_size(open), 1);
            assert_int_equal(h_int(json_array_get(open, 0), "id"), ticket);
            assert_true(json_is_false(json_object_get(json_array_get(open, 0), "overdue")));
            assert_non_null(json_string_value(
                json_object_get(json_array_get(open, 0), "resolve_due_at")));
            /* the missed call's callback and the complaint's own follow-up (by its ticket) */
            json_t *pending = json_object_get(r->json, "pending_followups");
            bool missed = false, of_ticket = false;
            for (size_t k = 0; k < json_array_size(pending); k++) {
                json_t *f = json_array_get(pending, k);
                missed |= strcmp(h_str(f, "kind"), "missed_call") == 0;
                of_ticket |= json_integer_value(json_object_get(f, "ticket_id")) == ticket;
            }
            assert_true(missed && of_ticket);
            json_t *sat = json_object_get(r->json, "last_satisfaction");
            assert_int_equal(h_int(sat, "satisfaction"), 4);
        } else {
            assert_string_equal(r->body, first); /* the same caller, whatever the spelling */
        }
        h_free(r);
    }
    free(first);
    /* an unknown caller is an empty desk, not an error */
    r = h_get(&srv, agent, "/callers/02012345678");
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "recent_calls")), 0);
    assert_true(json_is_null(json_object_get(r->json, "last_satisfaction")));
    h_free(r);
    r = h_get(&srv, agent, "/callers/not-a-number");
    h_expect_problem(r, 400);
    assert_string_equal(h_str(json_array_get(json_object_get(r->json, "errors"), 0), "field"),
                        "phone");
    h_free(r);
    r = h_get(&srv, cti, "/callers/13800138000");
    h_expect_problem(r, 403);
    h_free(r);
}

/* ---- Zammad --------------------------------------------------------------------------- */

static struct h_resp *zammad(const char *query_token, const char *bearer, const char *body,
                             bool json)
{
    char path[256];
    if (query_token)
        snprintf(path, sizeof path, "/cti/zammad?token=%s", query_token);
    else
        snprintf(path, sizeof path, "/cti/zammad");
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    return h_req(&srv, "POST", path, bearer, body, json ? NULL : form);
}

static void test_zammad_endpoint(void **state)
{
    (void)state;
    struct h_resp *r = zammad(cti, NULL,
                              "event=newCall&from=8613900000008&to=95555&direction=in&callId=zm-1"
                              "&user%5B%5D=li&queue=support",
                              false);
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "status"), "applied");
    h_free(r);
    /* Zammad would reject a repeated newCall; we record it once */
    r = zammad(cti, NULL, "event=newCall&from=8613900000008&to=95555&direction=in&callId=zm-1",
               false);
    h_expect(r, 200);
    assert_true(json_is_true(json_object_get(r->json, "duplicate")));
    h_free(r);
    r = zammad(NULL, cti,
               "{\"event\":\"answer\",\"from\":\"8613900000008\",\"to\":\"95555\","
               "\"direction\":\"in\",\"callId\":\"zm-1\",\"user\":[\"li\"]}",
               true);
    h_expect(r, 200);
    h_free(r);
    r = zammad(cti, NULL, "event=hangup&callId=zm-1&cause=normalClearing&direction=in", false);
    h_expect(r, 200);
    h_free(r);
    json_t *c = get_call("zm-1");
    assert_string_equal(h_str(c, "outcome"), "answered");
    assert_string_equal(h_str(c, "agent"), "li");
    assert_string_equal(h_str(c, "from_normalized"), "8613900000008");
    assert_string_equal(h_str(json_array_get(json_object_get(c, "events"), 0), "source"),
                        "zammad");
    json_decref(c);
    /* an anonymous caller who gives up: recorded, but there is nobody to call back */
    r = zammad(cti, NULL, "event=newCall&from=anonymous&to=95555&direction=in&callId=zm-2", false);
    h_expect(r, 200);
    h_free(r);
    r = zammad(cti, NULL, "event=hangup&callId=zm-2&cause=cancel", false);
    h_expect(r, 200);
    h_free(r);
    c = get_call("zm-2");
    assert_string_equal(h_str(c, "outcome"), "abandoned");
    assert_true(json_is_null(json_object_get(c, "from")));
    json_decref(c);

    long long before = count("SELECT count(*) FROM call_events");
    r = zammad(cti, NULL, "event=newCall&from=x&to=95555&direction=sideways", false);
    h_expect_problem(r, 400);
    assert_non_null(strstr(r->body, "\"callId\""));
    assert_non_null(strstr(r->body, "\"direction\""));
    assert_non_null(strstr(r->body, "\"from\""));
    h_free(r);
    r = zammad(cti, NULL, "event=hangup&callId=zm-1&callId=zm-2", false);
    h_expect_problem(r, 400);
    h_free(r);
    r = zammad(cti, NULL, "event=hangup&callId=zm%ZZ", false);
    h_expect_problem(r, 400);
    h_free(r);
    r = zammad("hl_wrong-token-000000", NULL, "event=hangup&callId=zm-1", false);
    h_expect_problem(r, 401);
    h_free(r);
    r = zammad(agent, NULL, "event=hangup&callId=zm-1", false);
    h_expect_problem(r, 403);
    h_free(r);
    r = zammad(NULL, NULL, "event=hangup&callId=zm-1", false);
    h_expect_problem(r, 401);
    h_free(r);
    /* the JSON endpoint takes no forms */
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    r = h_req(&srv, "POST", "/calls/events", cti, "event=hangup", form);
    h_expect_problem(r, 415);
    h_free(r);
    assert_int_equal(count("SELECT count(*) FROM call_events"), before);
}

/* ---- tickets from calls ----------------------------------------------------------------- */

static void test_tickets_from_calls(void **state)
{
    (void)state;
    post_ok("[{\"call_id\":\"tk-1\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000009\",\"to\":\"95555\"},"
            "{\"call_id\":\"tk-1\",\"event\":\"answered\",\"at\":\"%s\",\"agent\":\"wang\"}]",
            at(7, 0), at(7, 9));
    /* the phone system registers the ticket: the number and the agent come from the call */
    struct h_resp *r = h_req(&srv, "POST", "/tickets", cti,
                             "{\"class\":\"general\",\"subject\":\"Opening hours\","
                             "\"call_id\":\"tk-1\"}",
                             NULL);
    h_expect(r, 201);
    assert_string_equal(h_str(r->json, "caller_phone"), "13900000009");
    assert_string_equal(h_str(r->json, "caller_phone_normalized"), "8613900000009");
    assert_string_equal(h_str(r->json, "owner"), "wang");
    json_t *call = json_object_get(r->json, "call");
    assert_string_equal(h_str(call, "offered_at"), "2026-11-27T07:00:00+08:00");
    assert_string_equal(h_str(call, "agent"), "wang");
    assert_string_equal(h_str(call, "number"), "13900000009");
    h_free(r);
    /* an agent registering keeps ownership, and a number given wins */
    r = h_req(&srv, "POST", "/tickets", agent,
              "{\"class\":\"general\",\"subject\":\"Second question\",\"call_id\":\"tk-1\","
              "\"caller_phone\":\"13900000010\"}",
              NULL);
    h_expect(r, 201);
    assert_string_equal(h_str(r->json, "owner"), "li");
    assert_string_equal(h_str(r->json, "caller_phone"), "13900000010");
    h_free(r);

    /* linking a ticket later */
    r = h_req(&srv, "POST", "/tickets", agent, "{\"class\":\"hard\",\"subject\":\"Later\"}", NULL);
    h_expect(r, 201);
    long long id = h_int(r->json, "id");
    h_free(r);
    char body[64];
    snprintf(body, sizeof body, "{\"ticket_id\":%lld}", id);
    r = h_req(&srv, "POST", "/calls/tk-1/tickets", agent, body, NULL);
    h_expect(r, 200);
    assert_string_equal(h_str(r->json, "call_id"), "tk-1");
    assert_string_equal(h_str(r->json, "caller_phone"), "13900000009");
    assert_int_equal(h_int(r->json, "version"), 2);
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    h_free(r);
    r = h_req(&srv, "POST", "/calls/tk-1/tickets", agent, body, NULL); /* again: no change */
    h_expect(r, 200);
    assert_int_equal(h_int(r->json, "version"), 2);
    h_free(r);
    r = h_get(&srv, agent, "/tickets/%lld/events", id);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(h_str(json_array_get(items, 1), "kind"), "call_linked");
    h_free(r);
    json_t *c = get_call("tk-1");
    assert_int_equal(json_array_size(json_object_get(c, "tickets")), 3);
    json_decref(c);

    post_ok("{\"call_id\":\"tk-2\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":\"inbound\","
            "\"from\":\"13900000011\",\"to\":\"95555\"}", at(7, 100));
    r = h_req(&srv, "POST", "/calls/tk-2/tickets", agent, body, NULL);
    h_expect_problem(r, 409);
    h_free(r);
    r = h_req(&srv, "POST", "/calls/no-such-call/tickets", agent, body, NULL);
    h_expect_problem(r, 404);
    h_free(r);
    r = h_req(&srv, "POST", "/calls/tk-2/tickets", agent, "{\"ticket_id\":99999999}", NULL);
    h_expect_problem(r, 404);
    h_free(r);
    r = h_req(&srv, "POST", "/calls/tk-2/tickets", agent, "{\"ticket_id\":\"1\"}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
    r = h_req(&srv, "POST", "/calls/tk-2/tickets", agent, "{}", NULL);
    h_expect_problem(r, 400);
    h_free(r);
}

/* ---- lists and roles -------------------------------------------------------------------- */

static void test_list_calls(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        post_ok("[{\"call_id\":\"ls-%d\",\"event\":\"offered\",\"at\":\"%s\",\"direction\":"
                "\"inbound\",\"from\":\"13900000012\",\"to\":\"95555\"},{\"call_id\":\"ls-%d\","
                "\"event\":\"hangup\",\"at\":\"%s\",\"cause\":\"busy\"}]",
                i, at(5, i * 60), i, at(5, i * 60 + 10));
    char path[512] = "/calls?number=%2B8613900000012&limit=2";
    int seen = 0, pages = 0;
    for (;;) {
        struct h_resp *r = h_get(&srv, agent, "%s", path);
        h_expect(r, 200);
        json_t *items = json_object_get(r->json, "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            char want[16];
            snprintf(want, sizeof want, "ls-%d", 4 - seen++); /* newest first */
            assert_string_equal(h_str(json_array_get(items, i), "call_id"), want);
        }
        pages++;
        json_t *next = json_object_get(r->json, "next_cursor");
        if (json_is_null(next)) {
            h_free(r);
            break;
        }
        snprintf(path, sizeof path, "/calls?number=13900000012&limit=2&cursor=%s",
                 json_string_value(next));
        h_free(r);
    }
    assert_int_equal(seen, 5);
    assert_int_equal(pages, 3);
    struct h_resp *r = h_get(&srv, supervisor, "/calls?outcome=missed&direction=inbound&"
                                               "offered_from=" DAY "T05:01:00%%2B08:00&"
                                               "offered_to=" DAY "T05:03:00%%2B08:00");
    h_expect(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);
    h_free(r);
    r = h_get(&srv, admin, "/calls?agent=li&limit=200");
    h_expect(r, 200);
    assert_true(json_array_size(json_object_get(r->json, "items")) >= 3);
    h_free(r);
    const char *bad[] = {"/calls?outcome=lost", "/calls?direction=in", "/calls?number=abc",
                         "/calls?offered_from=today", "/calls?limit=0", "/calls?cursor=xyz",
                         "/calls?agent=", "/calls?sort=asc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = h_get(&srv, agent, "%s", bad[i]);
        if (r->status != 400)
            fail_msg("%s answered %ld", bad[i], r->status);
        h_expect_problem(r, 400);
        h_free(r);
    }
    r = h_get(&srv, agent, "/calls/no-such-call");
    h_expect_problem(r, 404);
    h_free(r);
}

static void test_roles(void **state)
{
    (void)state;
    char body[256];
    snprintf(body, sizeof body, "{\"call_id\":\"role-1\",\"event\":\"hangup\",\"at\":\"%s\"}",
             at(9, 0));
    struct h_resp *r = h_req(&srv, "POST", "/calls/events", agent, body, NULL);
    h_expect_problem(r, 403);
    h_free(r);
    r = h_req(&srv, "POST", "/calls/events", NULL, body, NULL);
    h_expect_problem(r, 401);
    h_free(r);
    r = h_req(&srv, "POST", "/calls/events", admin, body, NULL);
    h_expect(r, 200);
    h_free(r);
    /* a PBX that cannot set headers puts the token in the URL */
    char path[256];
    snprintf(path, sizeof path, "/calls/events?token=%s", cti);
    r = h_req(&srv, "POST", path, NULL, body, NULL);
    h_expect(r, 200);
    assert_true(json_is_true(json_object_get(r->json, "duplicate")));
    h_free(r);
    snprintf(path, sizeof path, "/calls/events?token=%s", agent);
    r = h_req(&srv, "POST", path, NULL, body, NULL);
    h_expect_problem(r, 403);
    h_free(r);
    /* a phone system posts events but does not read customers' call history */
    r = h_get(&srv, cti, "/calls");
    h_expect_problem(r, 403);
    h_free(r);
    r = h_get(&srv, cti, "/calls/role-1");
    h_expect_problem(r, 403);
    h_free(r);
}

static void test_logs_keep_numbers_and_tokens_out(void **state)
{
    (void)state;
    char *log = h_read_file(srv.log_path);
    assert_non_null(log);
    assert_non_null(strstr(log, "\"route\":\"/cti/zammad\""));
    const char *secrets[] = {"13900000006", "138-0013-8000", "13800138000", cti, agent};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(log, secrets[i]))
            fail_msg("the log contains %s", secrets[i]);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answered_call),
        cmocka_unit_test(test_abandoned_call),
        cmocka_unit_test(test_missed_call),
        cmocka_unit_test(test_transferred_call),
        cmocka_unit_test(test_shuffled_and_duplicated_delivery),
        cmocka_unit_test(test_bad_events_change_nothing),
        cmocka_unit_test(test_batch_with_one_bad_event),
        cmocka_unit_test(test_missed_call_callback_closed_by_answered_call),
        cmocka_unit_test(test_missed_call_task_in_calling_window_and_webhook),
        cmocka_unit_test(test_screen_pop_three_spellings),
        cmocka_unit_test(test_zammad_endpoint),
        cmocka_unit_test(test_tickets_from_calls),
        cmocka_unit_test(test_list_calls),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_logs_keep_numbers_and_tokens_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
