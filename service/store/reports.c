/**
 * @file reports.c
 * @brief SQL for the reports.
 *
 * One statement per report. Each source below is a CTE that reads the rows of the period
 * through one index (migration 0012 and earlier) and aggregates them with GROUPING SETS: one
 * row per group plus the total (t = 1). The group key is the day (width_bucket over the
 * days' start instants, computed from the business calendar by the caller), the agent or the
 * class; a source that cannot be broken down that way (calls have no class, "overdue now" has
 * no day) gives only its total, and its figures are null in the group rows. The final SELECT
 * joins every source to the list of groups and names each figure, in the order of `figures`.
 * The sources are MATERIALIZED: each is computed once, however the join is planned.
 *
 * Parameters: $1 start, $2 end (exclusive), $3 now, $4 the day bounds, $5 the ring threshold
 * in seconds, $6 the ticket classes. The statement text depends only on the grouping (four
 * texts); values are always parameters.
 */
#include "store/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ticket.h"
#include "util/strbuf.h"

enum source {
    SRC_CALLS,    /* inbound call legs offered in the period */
    SRC_CREATED,  /* tickets created */
    SRC_RESOLVE,  /* general and hard resolution deadlines due */
    SRC_RELAY,    /* government relay deadlines due */
    SRC_CALLBACK, /* government callback deadlines due */
    SRC_FOLLOWDL, /* weekly callback and complaint progress-notice deadlines due */
    SRC_ATTEMPTS, /* follow-up calls made */
    SRC_FAILED,   /* follow-up tasks that failed */
    SRC_RESOLVED, /* complaints resolved */
    SRC_REVIEWED, /* complaints reviewed by a manager (approved or sent back) */
    SRC_OVERDUE,  /* tickets overdue now */
    SRC_COUNT,
};

/* What a source reads and its key for each grouping (day: the instant; NULL: not broken
 * down that way). */
static const struct {
    const char *from;
    const char *key[3]; /* REPORT_GROUP_DAY, _AGENT, _CLASS */
} sources[SRC_COUNT] = {
    [SRC_CALLS] = {"calls c WHERE c.direction = 'inbound' AND c.offered_at >= $1::timestamptz "
                   "AND c.offered_at < $2::timestamptz",
                   {"c.offered_at", "c.agent", NULL}},
    [SRC_CREATED] = {"tickets t WHERE t.created_at >= $1::timestamptz AND t.created_at < "
                     "$2::timestamptz",
                     {"t.created_at", "t.owner", "t.class"}},
    /* decided: met, or its time has come */
    [SRC_RESOLVE] = {"tickets t WHERE t.resolve_due_at >= $1::timestamptz AND t.resolve_due_at "
                     "< $2::timestamptz AND t.class IN ('general', 'hard') AND "
                     "(t.resolved_at IS NOT NULL OR t.resolve_due_at <= $3::timestamptz)",
                     {"t.resolve_due_at", "t.owner", "t.class"}},
    /* ... and still owed: resolving a ticket before the deadline ends it */
    [SRC_RELAY] = {"tickets t WHERE t.relay_due_at >= $1::timestamptz AND t.relay_due_at < "
                   "$2::timestamptz AND (t.relayed_at IS NOT NULL OR t.relay_due_at <= "
                   "$3::timestamptz) AND NOT (t.relayed_at IS NULL AND "
                   "coalesce(t.resolved_at <= t.relay_due_at, false))",
                   {"t.relay_due_at", "t.owner", "t.class"}},
    [SRC_CALLBACK] = {"tickets t WHERE t.callback_due_at >= $1::timestamptz AND "
                      "t.callback_due_at < $2::timestamptz AND (t.called_back_at IS NOT NULL "
                      "OR t.callback_due_at <= $3::timestamptz) AND NOT (t.called_back_at IS "
                      "NULL AND coalesce(t.resolved_at <= t.callback_due_at, false))",
                      {"t.callback_due_at", "t.owner", "t.class"}},
    /* One deadline may have had several tasks (a failed one, then another): a deadline is met
     * on time when one of them was done by it, and owed unless every task was cancelled (the
     * ticket resolved) before it. */
    [SRC_FOLLOWDL] = {"(SELECT f.ticket_id, f.kind, f.deadline_at, bool_or(f.status = 'done' "
                      "AND f.closed_at <= f.deadline_at) AS on_time, bool_or(NOT (f.status = "
                      "'cancelled' AND f.closed_at <= f.deadline_at)) AS owed FROM followups f "
                      "WHERE f.deadline_at >= $1::timestamptz AND f.deadline_at < "
                      "$2::timestamptz AND f.kind IN ('weekly_callback', 'progress_notice') "
                      "GROUP BY f.ticket_id, f.kind, f.deadline_at) u JOIN tickets t ON t.id = "
                      "u.ticket_id WHERE u.owed AND (u.on_time OR u.deadline_at <= "
                      "$3::timestamptz)",
                      {"u.deadline_at", "t.owner", "t.class"}},
    [SRC_ATTEMPTS] = {"followup_attempts a JOIN followups f ON f.id = a.followup_id LEFT JOIN "
                      "tickets t ON t.id = f.ticket_id WHERE a.at >= $1::timestamptz AND a.at < "
                      "$2::timestamptz",
                      {"a.at", "a.actor", "t.class"}},
    [SRC_FAILED] = {"followups f LEFT JOIN tickets t ON t.id = f.ticket_id WHERE f.status = "
                    "'failed' AND f.closed_at >= $1::timestamptz AND f.closed_at < "
                    "$2::timestamptz",
                    {"f.closed_at", "f.agent", "t.class"}},
    [SRC_RESOLVED] = {"ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = "
                      "'transition' AND e.after ->> 'status' = 'resolved' AND e.at >= "
                      "$1::timestamptz AND e.at < $2::timestamptz AND t.kind = 'complaint'",
                      {"e.at", "t.owner", "t.class"}},
    /* the predicate is migration 0014's partial index, word for word */
    [SRC_REVIEWED] = {"ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE (e.kind = "
                      "'reviewed' OR (e.kind = 'transition' AND e.after ->> 'via' = 'review')) "
                      "AND e.at >= $1::timestamptz AND e.at < $2::timestamptz AND t.kind = "
                      "'complaint'",
                      {"e.at", "t.owner", "t.class"}},
    [SRC_OVERDUE] = {"tickets t WHERE t.overdue", {NULL, "t.owner", "t.class"}},
};

#define RATE(num, den) "round((" num ")::numeric / nullif(" den ", 0), 4)"
#define N(cond) "count(*) FILTER (WHERE " cond ")"

/* Inbound legs: the service level of README "Calls". */
#define ANSWERED "c.outcome = 'answered'"
#define ANSWERED_IN "c.outcome = 'answered' AND c.answered_within_threshold"
#define SL_BASE                                                                                    \
    "c.outcome IN ('answered', 'missed') OR (c.outcome = 'abandoned' AND "                         \
    "c.ring_seconds > $5::numeric)"

#define CREATED(col, v)                                                                            \
    {                                                                                              \
        "tickets_created_" v, SRC_CREATED, N("t." col " = '" v "'"), true                          \
    }
#define RULE(name, src, cond, met)                                                                 \
    {name "_deadlines", src, N(cond), true}, {name "_on_time", src, N(cond " AND " met), true},    \
    {                                                                                              \
        name "_on_time_rate", src, RATE(N(cond " AND " met), N(cond)), false                       \
    }
#define SATISFACTION                                                                               \
    "f.kind = 'satisfaction' AND t.kind = 'complaint' AND a.satisfaction IS NOT NULL"
#define REOPENED                                                                                   \
    "EXISTS (SELECT 1 FROM ticket_events r WHERE r.ticket_id = e.ticket_id AND r.id > e.id AND "   \
    "r.kind = 'transition' AND r.after ->> 'status' = 'reopened')"

/* Every figure in output order: its source, its aggregate over the source's rows, and whether
 * it is a count (0 when the group has no rows) or a ratio or average (null then). */
static const struct figure {
    const char *name;
    int source;
    const char *agg;
    bool count;
} figures[] = {
    {"calls_offered", SRC_CALLS, N("c.outcome IS DISTINCT FROM 'transferred'"), true},
    {"calls_answered", SRC_CALLS, N(ANSWERED), true},
    {"calls_answered_within_threshold", SRC_CALLS, N(ANSWERED_IN), true},
    {"calls_abandoned", SRC_CALLS, N("c.outcome = 'abandoned'"), true},
    {"calls_abandoned_within_threshold", SRC_CALLS,
     N("c.outcome = 'abandoned' AND c.ring_seconds <= $5::numeric"), true},
    {"calls_missed", SRC_CALLS, N("c.outcome = 'missed'"), true},
    {"calls_failed", SRC_CALLS, N("c.outcome = 'failed'"), true},
    {"calls_in_progress", SRC_CALLS, N("c.outcome IS NULL"), true},
    {"service_level", SRC_CALLS, RATE(N(ANSWERED_IN), N(SL_BASE)), false},
    {"asa_seconds", SRC_CALLS, "round(avg(c.ring_seconds) FILTER (WHERE " ANSWERED "), 2)", false},
    {"talk_seconds_avg", SRC_CALLS, "round(avg(c.talk_seconds) FILTER (WHERE " ANSWERED "), 2)",
     false},
    {"tickets_created", SRC_CREATED, "count(*)", true},
    CREATED("class", "general"),
    CREATED("class", "hard"),
    CREATED("class", "special"),
    CREATED("class", "government"),
    CREATED("kind", "inquiry"),
    CREATED("kind", "complaint"),
    CREATED("kind", "suggestion"),
    CREATED("kind", "repair"),
    CREATED("kind", "emergency"),
    RULE("general", SRC_RESOLVE, "t.class = 'general'", "t.resolved_at <= t.resolve_due_at"),
    RULE("hard", SRC_RESOLVE, "t.class = 'hard'", "t.resolved_at <= t.resolve_due_at"),
    RULE("weekly_callback", SRC_FOLLOWDL, "u.kind = 'weekly_callback'", "u.on_time"),
    RULE("relay", SRC_RELAY, "true", "t.relayed_at <= t.relay_due_at"),
    RULE("government_callback", SRC_CALLBACK, "true", "t.called_back_at <= t.callback_due_at"),
    {"overdue_now", SRC_OVERDUE, "count(*)", true},
    RULE("complaint_notice", SRC_FOLLOWDL, "u.kind = 'progress_notice'", "u.on_time"),
    {"complaints_resolved", SRC_RESOLVED, "count(*)", true},
    {"complaints_reopened", SRC_RESOLVED, N(REOPENED), true},
    {"complaints_reopen_rate", SRC_RESOLVED, RATE(N(REOPENED), "count(*)"), false},
    {"complaints_reviewed", SRC_REVIEWED, "count(*)", true},
    {"complaints_satisfaction_scored", SRC_ATTEMPTS, N(SATISFACTION), true},
    {"complaints_satisfied", SRC_ATTEMPTS, N(SATISFACTION " AND a.satisfaction >= 4"), true},
    {"complaints_satisfaction_rate", SRC_ATTEMPTS,
     RATE(N(SATISFACTION " AND a.satisfaction >= 4"), N(SATISFACTION)), false},
    {"followups_made", SRC_ATTEMPTS, "count(*)", true},
    {"followups_reached", SRC_ATTEMPTS, N("a.outcome = 'reached'"), true},
    {"followups_declined", SRC_ATTEMPTS, N("a.outcome = 'declined'"), true},
    {"followups_no_answer", SRC_ATTEMPTS, N("a.outcome IN ('no_answer', 'busy')"), true},
    {"followups_failed", SRC_FAILED, "count(*)", true},
};

#define NFIGURES (sizeof figures / sizeof figures[0])

/* The key of a source for the grouping, or NULL when it gives only its total. */
static const char *key_of(int src, enum report_group g)
{
    return g == REPORT_GROUP_NONE ? NULL : sources[src].key[g];
}

static void source_cte(struct strbuf *sql, int src, enum report_group g, const char *key_type)
{
    const char *key = key_of(src, g);
    char k[160];
    if (key && g == REPORT_GROUP_DAY)
        snprintf(k, sizeof k, "width_bucket(%s, $4::timestamptz[])", key);
    else
        snprintf(k, sizeof k, "%s", key ? key : "");
    strbuf_printf(sql, ", s%d AS MATERIALIZED (SELECT ", src);
    if (key)
        strbuf_printf(sql, "%s AS k, GROUPING(%s) AS t", k, k);
    else
        strbuf_printf(sql, "NULL::%s AS k, 1 AS t", key_type);
    for (size_t i = 0; i < NFIGURES; i++)
        if (figures[i].source == src)
            strbuf_printf(sql, ", %s AS %s", figures[i].agg, figures[i].name);
    strbuf_printf(sql, " FROM %s", sources[src].from);
    if (key)
        strbuf_printf(sql, " GROUP BY GROUPING SETS ((%s), ())", k);
    strbuf_puts(sql, ")");
}

static char *build_sql(enum report_group g)
{
    const char *key_type = g == REPORT_GROUP_DAY ? "int" : "text";
    struct strbuf sql;
    strbuf_init(&sql);
    /* types every parameter, whichever the text below uses */
    strbuf_puts(&sql, "WITH p AS (SELECT $1::timestamptz, $2::timestamptz, $3::timestamptz, "
                      "$4::timestamptz[], $5::numeric, $6::text[])");
    for (int s = 0; s < SRC_COUNT; s++)
        source_cte(&sql, s, g, key_type);
    strbuf_puts(&sql, ", keys AS (");
    switch (g) {
    case REPORT_GROUP_DAY:
        strbuf_puts(&sql, "SELECT generate_series(1, array_length($4::timestamptz[], 1) - 1) AS k");
        break;
    case REPORT_GROUP_CLASS:
        strbuf_puts(&sql, "SELECT unnest($6::text[]) AS k");
        break;
    case REPORT_GROUP_AGENT: {
        bool first = true;
        for (int s = 0; s < SRC_COUNT; s++)
            if (key_of(s, g)) {
                strbuf_printf(&sql, "%sSELECT k FROM s%d WHERE t = 0", first ? "" : " UNION ", s);
                first = false;
            }
        break;
    }
    case REPORT_GROUP_NONE:
        strbuf_printf(&sql, "SELECT NULL::%s AS k WHERE false", key_type);
        break;
    }
    strbuf_puts(&sql, "), r AS (SELECT k, false AS total FROM keys UNION ALL SELECT NULL, true) "
                      "SELECT r.total, r.k::text AS k, row_to_json(x)::text AS figures FROM r");
    for (int s = 0; s < SRC_COUNT; s++)
        strbuf_printf(&sql,
                      " LEFT JOIN s%d ON (s%d.t = 1) = r.total AND (r.total OR s%d.k IS "
                      "NOT DISTINCT FROM r.k)",
                      s, s, s);
    strbuf_puts(&sql, " CROSS JOIN LATERAL (SELECT ");
    for (size_t i = 0; i < NFIGURES; i++) {
        const struct figure *f = &figures[i];
        strbuf_puts(&sql, i ? ", " : "");
        if (!f->count)
            strbuf_printf(&sql, "s%d.%s", f->source, f->name);
        else if (key_of(f->source, g))
            strbuf_printf(&sql, "coalesce(s%d.%s, 0)", f->source, f->name);
        else
            strbuf_printf(&sql, "CASE WHEN r.total THEN coalesce(s%d.%s, 0) END", f->source,
                          f->name);
        strbuf_printf(&sql, " AS %s", f->name);
    }
    strbuf_puts(&sql, ") x ORDER BY r.total, ");
    strbuf_puts(&sql,
                g == REPORT_GROUP_CLASS ? "array_position($6::text[], r.k)" : "r.k NULLS LAST");
    return strbuf_steal(&sql, NULL);
}

/* "{a,b}" of instants, each RFC 3339. */
static char *bounds_literal(const hl_time *bounds, int n)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{");
    for (int i = 0; i < n; i++) {
        char at[48];
        tf_format_rfc3339(bounds[i], 0, at, sizeof at);
        strbuf_printf(&sb, "%s\"%s\"", i ? "," : "", at);
    }
    strbuf_puts(&sb, "}");
    return strbuf_steal(&sb, NULL);
}

static json_t *row_json(const PGresult *res, int row, enum report_group g)
{
    bool total = strcmp(db_get(res, row, "total"), "t") == 0;
    json_t *figs = json_loads(db_get(res, row, "figures"), 0, NULL);
    json_t *key = json_null();
    if (!total && !db_is_null(res, row, "k"))
        key = g == REPORT_GROUP_DAY ? json_integer(strtoll(db_get(res, row, "k"), NULL, 10))
                                    : json_string(db_get(res, row, "k"));
    if (!figs || !key) {
        json_decref(figs);
        json_decref(key);
        return NULL;
    }
    return json_pack("{s:o, s:b, s:o}", "key", key, "total", total, "figures", figs);
}

struct report_tx {
    const char *sql;
    const char *const *params;
    PGresult *res;
};

/* The statement's estimated cost grows with the period and passes jit_above_cost from about a
 * week on; compiling its ~400 expressions then took 7 of 8 seconds at 10,000,000 tickets
 * (README "Reports", Cost), for a query that runs once. So JIT is off for this transaction. */
static enum db_status report_tx(struct db *db, void *arg)
{
    struct report_tx *tx = arg;
    PQclear(tx->res);
    tx->res = NULL;
    PGresult *res = NULL;
    enum db_status s = db_exec_sql(db, "SET LOCAL jit = off", 0, NULL, &res);
    PQclear(res);
    return s == DB_OK ? db_exec_sql(db, tx->sql, 6, tx->params, &tx->res) : s;
}

enum db_status store_report(struct db *db, const struct report_query *q, json_t **rows)
{
    *rows = NULL;
    char start[48], end[48], now[48], ring[16], classes[128] = "{";
    tf_format_rfc3339(q->bounds[0], 0, start, sizeof start);
    tf_format_rfc3339(q->bounds[q->ndays], 0, end, sizeof end);
    tf_format_rfc3339(q->now, 0, now, sizeof now);
    snprintf(ring, sizeof ring, "%d", q->ring_threshold_s);
    for (int i = 0; ticket_class_names[i]; i++) {
        size_t len = strlen(classes);
        snprintf(classes + len, sizeof classes - len, "%s%s", i ? "," : "", ticket_class_names[i]);
    }
    strcat(classes, "}");
    char *sql = build_sql(q->group);
    char *bounds = bounds_literal(q->bounds, q->ndays + 1);
    const char *params[] = {start, end, now, bounds, ring, classes};
    struct report_tx tx = {sql, params, NULL};
    enum db_status s = sql && bounds ? db_transaction(db, report_tx, &tx) : DB_ERROR;
    PGresult *res = tx.res;
    free(sql);
    free(bounds);
    if (s != DB_OK) {
        PQclear(res);
        return s;
    }
    json_t *out = json_array();
    for (int i = 0; out && i < PQntuples(res); i++) {
        json_t *r = row_json(res, i, q->group);
        if (!r || json_array_append_new(out, r) != 0) {
            json_decref(out);
            out = NULL;
        }
    }
    PQclear(res);
    *rows = out;
    return out ? DB_OK : DB_ERROR;
}
