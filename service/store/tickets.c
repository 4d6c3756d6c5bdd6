/**
 * @file tickets.c
 * @brief SQL for tickets and ticket_events.
 */
#include "store/tickets.h"
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* The call a ticket was registered from: date, time, the customer's number and the agent. */
#define TICKET_CALL_JSON                                                                           \
    "(SELECT json_build_object('call_id', c.call_id, 'direction', c.direction, 'number', "        \
    "CASE WHEN c.direction = 'outbound' THEN c.to_number ELSE c.from_number END, 'agent', "       \
    "c.agent, 'queue', c.queue, 'offered_at', c.offered_at, 'answered_at', c.answered_at, "       \
    "'ended_at', c.ended_at, 'outcome', c.outcome) FROM calls c WHERE c.call_id = t.call_id) "    \
    "AS call"

/* The public representation of a ticket row "t"; keys are the column aliases. */
#define TICKET_JSON_COLUMNS                                                                        \
    "t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, "      \
    "t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, "          \
    "t.created_by, t.created_at, t.updated_at, t.version, t.resolve_due_at, t.relay_due_at, "     \
    "t.relayed_at, t.callback_due_at, t.called_back_at, t.next_callback_due_at, "                 \
    "t.progress_due_at, t.deadline_rules, t.overdue, t.overdue_since, t.escalation_level, "       \
    "(ARRAY['agent','supervisor','manager'])[t.escalation_level + 1] AS must_act, "               \
    "t.escalated_at, t.next_due_at, t.resolved_at, t.closed_at, t.reopen_count, "              \
    "t.complaint, t.complaint_stage, t.reviewed_at, t.reviewed_by, t.complaint_outcome, "       \
    TICKET_CALL_JSON

DB_STMT(q_create, 24,
        "WITH t AS (INSERT INTO tickets (class, kind, subject, details, caller_name, "
        "caller_phone, caller_phone_norm, owner, department, call_id, created_by, created_at, "
        "updated_at, resolve_due_at, relay_due_at, next_callback_due_at, progress_due_at, "
        "deadline_rules, next_due_at, resolve_warn_at, relay_warn_at, callback_warn_at, "
        "next_callback_warn_at, progress_warn_at, complaint) VALUES ($1, $2, $3, $4, $5, $6, "
        "$7, $8, $9, $10, $11, $12::timestamptz, $12::timestamptz, $13::timestamptz, "
        "$14::timestamptz, $15::timestamptz, $16::timestamptz, $17::jsonb, $18::timestamptz, "
        "$19::timestamptz, $20::timestamptz, $21::timestamptz, $22::timestamptz, "
        "$23::timestamptz, $24::jsonb) RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) "
        "SELECT t.id, t.created_at, t.created_by, 'created', to_jsonb(t) - 'version' FROM t) "
        "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT " TICKET_JSON_COLUMNS " FROM t) x");

DB_STMT(q_get, 1,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " TICKET_JSON_COLUMNS
        " FROM tickets t WHERE t.id = $1) x");

DB_STMT(q_get_lock, 1,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " TICKET_JSON_COLUMNS
        " FROM tickets t WHERE t.id = $1 FOR UPDATE) x");

/* $2..$15: a flag and a value per mutable field; a false flag keeps the column. */
DB_STMT(q_update, 22,
        "WITH t AS (UPDATE tickets SET "
        "class = CASE WHEN $2::bool THEN $3 ELSE class END, "
        "kind = CASE WHEN $4::bool THEN $5 ELSE kind END, "
        "subject = CASE WHEN $6::bool THEN $7 ELSE subject END, "
        "details = CASE WHEN $8::bool THEN $9 ELSE details END, "
        "caller_name = CASE WHEN $10::bool THEN $11 ELSE caller_name END, "
        "caller_phone = CASE WHEN $12::bool THEN $13 ELSE caller_phone END, "
        "caller_phone_norm = CASE WHEN $12::bool THEN $14 ELSE caller_phone_norm END, "
        "department = CASE WHEN $15::bool THEN $16 ELSE department END, "
        "complaint = CASE WHEN $21::bool THEN $22::jsonb ELSE complaint END, "
        "updated_at = $17::timestamptz, version = version + 1 "
        "WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after) "
        "SELECT t.id, $17::timestamptz, $18, $19, $20::jsonb -> 'before', $20::jsonb -> 'after' "
        "FROM t) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " TICKET_JSON_COLUMNS " FROM t) x");

DB_STMT(q_events, 3,
        "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT e.id, e.at, e.actor, e.kind, "
        "e.before, e.after, e.note FROM ticket_events e WHERE e.ticket_id = $1 AND e.id > $2 "
        "ORDER BY e.id LIMIT $3) x ORDER BY x.id");

DB_STMT(q_exists, 1, "SELECT 1 FROM tickets WHERE id = $1");
DB_STMT(q_event_add, 6,
        "INSERT INTO ticket_events (ticket_id, at, actor, kind, after, note) "
        "VALUES ($1, $2::timestamptz, $3, $4, $5::jsonb, $6)");

#define US(col) "(extract(epoch FROM " col ") * 1000000)::bigint AS " col "_us"

#define STATE_COLUMNS                                                                              \
    "id, version, class, kind, status, " US("created_at") ", " US("resolve_due_at") ", "          \
    US("relay_due_at") ", " US("callback_due_at") ", " US("next_callback_due_at") ", "            \
    US("progress_due_at") ", " US("next_escalation_at") ", relayed_at IS NOT NULL AS relayed, "   \
    "called_back_at IS NOT NULL AS called_back, breached, escalation_level, "                     \
    US("resolve_warn_at") ", " US("relay_warn_at") ", " US("callback_warn_at") ", "               \
    US("next_callback_warn_at") ", " US("progress_warn_at") ", warned, owner, "                   \
    "reviewed_at IS NOT NULL AS reviewed, coalesce(complaint ?& "                                   \
    "ARRAY['product', 'what_happened', 'customer_wants'], false) AS record_complete, "          \
    US("resolved_at")

DB_STMT(q_state, 1, "SELECT " STATE_COLUMNS " FROM tickets WHERE id = $1");
DB_STMT(q_state_lock, 1, "SELECT " STATE_COLUMNS " FROM tickets WHERE id = $1 FOR UPDATE");

/* The sweeper's claim: only rows with something due, through tickets_next_due; rows another
 * instance holds are skipped, and re-checked after its commit has moved next_due_at on. */
DB_STMT(q_due_claim, 2,
        "SELECT " STATE_COLUMNS " FROM tickets WHERE next_due_at <= $1::timestamptz "
        "ORDER BY next_due_at LIMIT $2::int FOR UPDATE SKIP LOCKED");

/* The sweeper's marks: overdue and warning events ($9, $11: arrays of {deadline, due_at}).
 * Escalations are written by store_escalation_record, as hand escalations are. */
DB_STMT(q_due_apply, 11,
        "WITH u AS (UPDATE tickets SET breached = $2::int, overdue = $3::bool, "
        "overdue_since = CASE WHEN $3::bool THEN coalesce(overdue_since, $4::timestamptz) END, "
        "escalation_level = $5::int, "
        "escalated_at = CASE WHEN $6::int > 0 THEN $4::timestamptz ELSE escalated_at END, "
        "next_escalation_at = $7::timestamptz, next_due_at = $8::timestamptz, warned = $10::int, "
        "version = version + 1, updated_at = $4::timestamptz WHERE id = $1 RETURNING id), "
        "ov AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) "
        "SELECT u.id, $4::timestamptz, 'sweeper', 'overdue', d FROM u, "
        "jsonb_array_elements($9::jsonb) d), "
        "wa AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) "
        "SELECT u.id, $4::timestamptz, 'sweeper', 'warning', d FROM u, "
        "jsonb_array_elements($11::jsonb) d) "
        "SELECT count(*) AS n FROM u");

DB_STMT(q_state_update, 36,
        "WITH t AS (UPDATE tickets SET status = $2, resolve_due_at = $3::timestamptz, "
        "relay_due_at = $4::timestamptz, callback_due_at = $5::timestamptz, "
        "next_callback_due_at = $6::timestamptz, progress_due_at = $7::timestamptz, "
        "deadline_rules = CASE WHEN $36::bool THEN deadline_rules || $8::jsonb "
        "ELSE coalesce($8::jsonb, deadline_rules) END, breached = $9::int, "
        "overdue = $10::bool, "
        "overdue_since = CASE WHEN $10::bool THEN coalesce(overdue_since, $11::timestamptz) END, "
        "escalation_level = $12::int, next_escalation_at = $13::timestamptz, "
        "next_due_at = $14::timestamptz, "
        "resolved_at = CASE WHEN $15::bool THEN $11::timestamptz WHEN $16::bool THEN NULL "
        "ELSE resolved_at END, "
        "closed_at = CASE WHEN $17::bool THEN $11::timestamptz WHEN $18::bool THEN NULL "
        "ELSE closed_at END, "
        "reopen_count = reopen_count + CASE WHEN $19::bool THEN 1 ELSE 0 END, "
        "relayed_at = CASE WHEN $20::bool THEN $11::timestamptz ELSE relayed_at END, "
        "called_back_at = CASE WHEN $21::bool THEN $11::timestamptz ELSE called_back_at END, "
        "resolve_warn_at = $27::timestamptz, relay_warn_at = $28::timestamptz, "
        "callback_warn_at = $29::timestamptz, next_callback_warn_at = $30::timestamptz, "
        "progress_warn_at = $31::timestamptz, warned = $32::int, "
        "reviewed_at = CASE WHEN $33::bool THEN NULL WHEN $34::bool THEN $11::timestamptz "
        "ELSE reviewed_at END, "
        "reviewed_by = CASE WHEN $33::bool THEN NULL WHEN $34::bool THEN $22 ELSE reviewed_by END, "
        "complaint_outcome = coalesce($35, complaint_outcome), "
        "updated_at = $11::timestamptz, version = version + 1 WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after, note) "
        "SELECT t.id, $11::timestamptz, $22, $23, $24::jsonb, $25::jsonb, $26 FROM t) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " TICKET_JSON_COLUMNS " FROM t) x");

/* deadline_at keeps the deadline a task stands for while due_at may move to a retry (the
 * reports compare the call made with it). */
DB_STMT(q_sync_followups, 2,
        "WITH t AS (SELECT id, status, caller_phone, caller_phone_norm, owner, "
        "next_callback_due_at, progress_due_at, callback_due_at, called_back_at "
        "FROM tickets WHERE id = $1), "
        "need AS (SELECT k.kind, k.due FROM t, LATERAL (VALUES "
        "('weekly_callback', t.next_callback_due_at), ('progress_notice', t.progress_due_at), "
        "('government_callback', CASE WHEN t.called_back_at IS NULL THEN t.callback_due_at END)) "
        "AS k(kind, due) WHERE t.status NOT IN ('resolved', 'closed') AND k.due IS NOT NULL), "
        "cancel AS (UPDATE followups f SET status = 'cancelled', closed_at = $2::timestamptz, "
        "updated_at = $2::timestamptz, version = f.version + 1 WHERE f.ticket_id = $1 "
        "AND f.status = 'pending' AND f.kind IN ('weekly_callback', 'progress_notice', "
        "'government_callback') AND f.kind NOT IN (SELECT kind FROM need) RETURNING f.id), "
        "move AS (UPDATE followups f SET due_at = n.due, deadline_at = n.due, "
        "updated_at = $2::timestamptz, version = f.version + 1 FROM need n "
        "WHERE f.ticket_id = $1 AND f.status = 'pending' AND f.kind = n.kind "
        "AND (f.due_at <> n.due OR f.deadline_at IS DISTINCT FROM n.due) RETURNING f.id), "
        "ins AS (INSERT INTO followups (kind, ticket_id, phone, phone_norm, due_at, deadline_at, "
        "agent, created_by, created_at, updated_at) SELECT n.kind, t.id, t.caller_phone, "
        "t.caller_phone_norm, n.due, n.due, t.owner, 'rules', $2::timestamptz, $2::timestamptz "
        "FROM need n, t WHERE NOT EXISTS (SELECT 1 FROM followups f WHERE f.ticket_id = $1 "
        "AND f.status = 'pending' AND f.kind = n.kind) RETURNING id) "
        "SELECT (SELECT count(*) FROM cancel) + (SELECT count(*) FROM move) + "
        "(SELECT count(*) FROM ins) AS changed");

/* $3: whether to fill the caller's number ($4, $5) from the call. */
DB_STMT(q_link_call, 8,
        "WITH t AS (UPDATE tickets SET call_id = $2, "
        "caller_phone = CASE WHEN $3::bool THEN $4 ELSE caller_phone END, "
        "caller_phone_norm = CASE WHEN $3::bool THEN $5 ELSE caller_phone_norm END, "
        "updated_at = $6::timestamptz, version = version + 1 WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after) "
        "SELECT t.id, $6::timestamptz, $7, 'call_linked', $8::jsonb -> 'before', "
        "$8::jsonb -> 'after' FROM t) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " TICKET_JSON_COLUMNS " FROM t) x");

/* 首问负责制: the owner changes only here, with the reason in history. */
DB_STMT(q_handover, 5,
        "WITH o AS (SELECT owner FROM tickets WHERE id = $1), "
        "t AS (UPDATE tickets SET owner = $2, updated_at = $4::timestamptz, "
        "version = version + 1 WHERE id = $1 RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, before, after, note) "
        "SELECT t.id, $4::timestamptz, $5, 'owner_changed', jsonb_build_object('owner', o.owner), "
        "jsonb_build_object('owner', t.owner), $3 FROM t, o) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " TICKET_JSON_COLUMNS " FROM t) x");


static const char *opt(bool has, const char *v)
{
    return has ? v : NULL;
}

/* An optional instant as a parameter: NULL when absent. */
static const char *opt_time(bool has, hl_time t, char buf[48])
{
    if (!has)
        return NULL;
    tf_format_rfc3339(t, 0, buf, 48);
    return buf;
}

char *store_deadline_rules_json(const struct deadlines *d)
{
    static const char *const keys[DL_COUNT] = {"resolve_due_at", "relay_due_at",
                                               "callback_due_at", "next_callback_due_at",
                                               "progress_due_at"};
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "{");
    bool first = true;
    for (int k = 0; k < DL_COUNT; k++) {
        if (!d->has[k])
            continue;
        strbuf_printf(&sb, "%s\"%s\":", first ? "" : ",", keys[k]);
        strbuf_json_string(&sb, d->rule[k]);
        first = false;
    }
    strbuf_puts(&sb, "}");
    return strbuf_steal(&sb, NULL);
}

enum db_status store_ticket_create(struct db *db, const struct ticket_new *t, char **json,
                                   int64_t *id)
{
    const struct ticket_input *in = t->in;
    const struct deadlines *d = t->deadlines;
    char at[48], due[DL_COUNT][48], next[48], warn[DL_COUNT][48];
    tf_format_rfc3339(t->now, 0, at, sizeof at);
    char *rules = store_deadline_rules_json(d);
    char *complaint = in->complaint ? json_dumps(in->complaint, JSON_COMPACT) : NULL;
    if (!rules || (in->complaint && !complaint)) {
        free(rules);
        free(complaint);
        return DB_ERROR;
    }
    const char *params[] = {
        ticket_class_names[in->cls],
        ticket_kind_names[in->kind],
        in->subject,
        in->details,
        in->caller_name,
        in->caller_phone,
        in->caller_phone ? in->caller_phone_norm : NULL,
        t->owner,
        in->department,
        opt(in->has_call_id, in->call_id),
        t->actor,
        at,
        opt_time(d->has[DL_RESOLVE], d->due[DL_RESOLVE], due[DL_RESOLVE]),
        opt_time(d->has[DL_RELAY], d->due[DL_RELAY], due[DL_RELAY]),
        opt_time(d->has[DL_WEEKLY], d->due[DL_WEEKLY], due[DL_WEEKLY]),
        opt_time(d->has[DL_PROGRESS], d->due[DL_PROGRESS], due[DL_PROGRESS]),
        rules,
        opt_time(t->has_next_due, t->next_due, next),
        opt_time(d->has_warn[DL_RESOLVE], d->warn[DL_RESOLVE], warn[DL_RESOLVE]),
        opt_time(d->has_warn[DL_RELAY], d->warn[DL_RELAY], warn[DL_RELAY]),
        opt_time(d->has_warn[DL_CALLBACK], d->warn[DL_CALLBACK], warn[DL_CALLBACK]),
        opt_time(d->has_warn[DL_WEEKLY], d->warn[DL_WEEKLY], warn[DL_WEEKLY]),
        opt_time(d->has_warn[DL_PROGRESS], d->warn[DL_PROGRESS], warn[DL_PROGRESS]),
        complaint,
    };
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_create, params, &res);
    free(rules);
    free(complaint);
    if (s == DB_OK && id)
        *id = db_get_i64(res, 0, "id");
    return sql_single_json(res, s, json, NULL);
}

enum db_status store_ticket_get(struct db *db, int64_t id, bool lock, char **json, int *version)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, lock ? &q_get_lock : &q_get, params, &res);
    return sql_single_json(res, s, json, version);
}

static const char *flag(bool b)
{
    return b ? "t" : "f";
}

enum db_status store_ticket_update(struct db *db, const struct ticket_change *c, char **json)
{
    const struct ticket_input *in = c->in;
    char ids[24], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, c->id);
    tf_format_rfc3339(c->now, 0, at, sizeof at);
    struct strbuf diff;
    strbuf_init(&diff);
    strbuf_printf(&diff, "{\"before\":%s,\"after\":%s}", c->before, c->after);
    const char *params[] = {
        ids,
        flag(in->has_class), ticket_class_names[in->cls],
        flag(in->has_kind), ticket_kind_names[in->kind],
        flag(in->has_subject), in->subject,
        flag(in->has_details), in->details,
        flag(in->has_caller_name), in->caller_name,
        flag(in->has_caller_phone), in->caller_phone,
        in->caller_phone ? in->caller_phone_norm : NULL,
        flag(in->has_department), in->department,
        at, c->actor, c->event_kind, diff.data,
        flag(c->complaint != NULL), c->complaint,
    };
    PGresult *res = NULL;
    enum db_status s = diff.oom ? DB_ERROR : db_exec(db, &q_update, params, &res);
    strbuf_free(&diff);
    return sql_single_json(res, s, json, NULL);
}


static void add_param(struct strbuf *sql, const char **params, int *n, const char *cond,
                      const char *value)
{
    params[*n] = value;
    (*n)++;
    strbuf_printf(sql, " AND %s $%d", cond, *n);
}

enum db_status store_ticket_list(struct db *db, const struct ticket_filter *f, struct page *out)
{
    memset(out, 0, sizeof *out);
    struct strbuf sql;
    strbuf_init(&sql);
    const char *params[16];
    int n = 0;
    char from[48], to[48], before[24], limit[16], due[48], level[16];
    strbuf_puts(&sql, "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT " TICKET_JSON_COLUMNS
                      " FROM tickets t WHERE true");
    if (f->status)
        add_param(&sql, params, &n, "t.status =", f->status);
    if (f->cls)
        add_param(&sql, params, &n, "t.class =", f->cls);
    if (f->kind)
        add_param(&sql, params, &n, "t.kind =", f->kind);
    if (f->owner)
        add_param(&sql, params, &n, "t.owner =", f->owner);
    if (f->phone_norm)
        add_param(&sql, params, &n, "t.caller_phone_norm =", f->phone_norm);
    if (f->has_from) {
        tf_format_rfc3339(f->created_from, 0, from, sizeof from);
        add_param(&sql, params, &n, "t.created_at >=", from);
    }
    if (f->has_to) {
        tf_format_rfc3339(f->created_to, 0, to, sizeof to);
        add_param(&sql, params, &n, "t.created_at <", to);
    }
    if (f->overdue >= 0)
        strbuf_puts(&sql, f->overdue ? " AND t.overdue" : " AND NOT t.overdue");
    if (f->has_due_before) {
        tf_format_rfc3339(f->due_before, 0, due, sizeof due);
        add_param(&sql, params, &n, "t.next_due_at <=", due);
    }
    if (f->escalation_level >= 0) {
        snprintf(level, sizeof level, "%d", f->escalation_level);
        add_param(&sql, params, &n, "t.escalation_level =", level);
    }
    if (f->stage) /* through tickets_complaint_stage_id */
        add_param(&sql, params, &n, "t.complaint_stage =", f->stage);
    if (f->has_cursor) {
        snprintf(before, sizeof before, "%" PRId64, f->before_id);
        add_param(&sql, params, &n, "t.id <", before);
    }
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY t.id DESC LIMIT $%d) x ORDER BY x.id DESC", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_dynamic(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    return sql_collect_page(res, f->limit, out);
}

enum db_status store_ticket_events(struct db *db, int64_t ticket_id, int64_t after_id, int limit,
                                   struct page *out)
{
    return sql_history_page(db, &q_events, &q_exists, ticket_id, after_id, limit, out);
}

static void get_time(const PGresult *res, int row, const char *col, bool *has, hl_time *t)
{
    *has = !db_is_null(res, row, col);
    *t = *has ? db_get_i64(res, row, col) : 0;
}

static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return 0;
}

/* One row of a state query into a struct. */
static void read_state(const PGresult *res, int row, struct ticket_state *out)
{
    memset(out, 0, sizeof *out);
    struct ticket_clock *c = &out->clock;
    out->id = db_get_i64(res, row, "id");
    out->version = (int)db_get_i64(res, row, "version");
    out->cls = (enum ticket_class)name_index(ticket_class_names, db_get(res, row, "class"));
    out->kind = (enum ticket_kind)name_index(ticket_kind_names, db_get(res, row, "kind"));
    c->status = (enum ticket_status)name_index(ticket_status_names, db_get(res, row, "status"));
    out->created_at = db_get_i64(res, row, "created_at_us");
    static const char *const cols[DL_COUNT] = {"resolve_due_at_us", "relay_due_at_us",
                                               "callback_due_at_us", "next_callback_due_at_us",
                                               "progress_due_at_us"};
    for (int k = 0; k < DL_COUNT; k++)
        get_time(res, row, cols[k], &c->d.has[k], &c->d.due[k]);
    get_time(res, row, "next_escalation_at_us", &c->has_next_escalation, &c->next_escalation_at);
    c->relayed = strcmp(db_get(res, row, "relayed"), "t") == 0;
    c->called_back = strcmp(db_get(res, row, "called_back"), "t") == 0;
    c->breached = (unsigned)db_get_i64(res, row, "breached");
    c->escalation_level = (int)db_get_i64(res, row, "escalation_level");
    static const char *const warn_cols[DL_COUNT] = {
        "resolve_warn_at_us", "relay_warn_at_us", "callback_warn_at_us",
        "next_callback_warn_at_us", "progress_warn_at_us"};
    for (int k = 0; k < DL_COUNT; k++)
        get_time(res, row, warn_cols[k], &c->d.has_warn[k], &c->d.warn[k]);
    c->warned = (unsigned)db_get_i64(res, row, "warned");
    snprintf(out->owner, sizeof out->owner, "%s", db_get(res, row, "owner"));
    out->facts.reviewed = strcmp(db_get(res, row, "reviewed"), "t") == 0;
    out->facts.record_complete = strcmp(db_get(res, row, "record_complete"), "t") == 0;
    get_time(res, row, "resolved_at_us", &out->has_resolved_at, &out->resolved_at);
}

enum db_status store_ticket_state_get(struct db *db, int64_t id, bool lock,
                                      struct ticket_state *out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, lock ? &q_state_lock : &q_state, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    read_state(res, 0, out);
    PQclear(res);
    return DB_OK;
}

static const char *flag_of(bool b)
{
    return b ? "t" : "f";
}

enum db_status store_ticket_state_update(struct db *db, const struct ticket_state_change *c,
                                         char **json)
{
    const struct ticket_clock *k = c->clock;
    char ids[24], due[DL_COUNT][48], now[48], esc[48], next[48], breached[16], level[16];
    char warn[DL_COUNT][48], warned[16];
    snprintf(ids, sizeof ids, "%" PRId64, c->id);
    snprintf(breached, sizeof breached, "%u", k->breached);
    snprintf(warned, sizeof warned, "%u", k->warned);
    snprintf(level, sizeof level, "%d", k->escalation_level);
    tf_format_rfc3339(c->now, 0, now, sizeof now);
    hl_time next_due = 0;
    bool has_next = ticket_next_due(k, &next_due);
    const char *params[] = {
        ids,
        ticket_status_names[k->status],
        opt_time(k->d.has[DL_RESOLVE], k->d.due[DL_RESOLVE], due[DL_RESOLVE]),
        opt_time(k->d.has[DL_RELAY], k->d.due[DL_RELAY], due[DL_RELAY]),
        opt_time(k->d.has[DL_CALLBACK], k->d.due[DL_CALLBACK], due[DL_CALLBACK]),
        opt_time(k->d.has[DL_WEEKLY], k->d.due[DL_WEEKLY], due[DL_WEEKLY]),
        opt_time(k->d.has[DL_PROGRESS], k->d.due[DL_PROGRESS], due[DL_PROGRESS]),
        c->deadline_rules,
        breached,
        flag_of(ticket_overdue(k)),
        now,
        level,
        opt_time(k->has_next_escalation, k->next_escalation_at, esc),
        opt_time(has_next, next_due, next),
        flag_of(c->set_resolved_at),
        flag_of(c->clear_resolved_at),
        flag_of(c->set_closed_at),
        flag_of(c->clear_closed_at),
        flag_of(c->count_reopen),
        flag_of(c->set_relayed_at),
        flag_of(c->set_called_back_at),
        c->actor,
        c->event_kind,
        c->before,
        c->after,
        c->note,
        opt_time(k->d.has_warn[DL_RESOLVE], k->d.warn[DL_RESOLVE], warn[DL_RESOLVE]),
        opt_time(k->d.has_warn[DL_RELAY], k->d.warn[DL_RELAY], warn[DL_RELAY]),
        opt_time(k->d.has_warn[DL_CALLBACK], k->d.warn[DL_CALLBACK], warn[DL_CALLBACK]),
        opt_time(k->d.has_warn[DL_WEEKLY], k->d.warn[DL_WEEKLY], warn[DL_WEEKLY]),
        opt_time(k->d.has_warn[DL_PROGRESS], k->d.warn[DL_PROGRESS], warn[DL_PROGRESS]),
        warned,
        flag_of(c->clear_review),
        flag_of(c->set_review),
        c->complaint_outcome,
        flag_of(c->merge_rules),
    };
    return sql_exec_json(db, &q_state_update, params, json);
}

enum db_status store_ticket_sync_followups(struct db *db, int64_t id, hl_time now)
{
    char ids[24], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {ids, at};
    return db_run(db, &q_sync_followups, params);
}

enum db_status store_tickets_claim_due(struct db *db, hl_time now, int limit,
                                       struct ticket_state *rows, int *n)
{
    char at[48], lim[16];
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {at, lim};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_due_claim, params, &res);
    if (s != DB_OK)
        return s;
    *n = PQntuples(res) < limit ? PQntuples(res) : limit;
    for (int i = 0; i < *n; i++)
        read_state(res, i, &rows[i]);
    PQclear(res);
    return DB_OK;
}

/* [{"deadline": name, "due_at": instant}, ...] of the deadlines in bits (warnings also say
 * when they were due to be given). */
static void deadline_marks(struct strbuf *sb, const struct deadlines *d, unsigned bits,
                           bool warning)
{
    strbuf_puts(sb, "[");
    bool first = true;
    for (int k = 0; k < DL_COUNT; k++) {
        if (!(bits & DL_BIT(k)))
            continue;
        char due[48], warn[48];
        tf_format_rfc3339(d->due[k], 0, due, sizeof due);
        strbuf_printf(sb, "%s{\"deadline\":\"%s\",\"due_at\":\"%s\"", first ? "" : ",",
                      deadline_names[k], due);
        if (warning) {
            tf_format_rfc3339(d->warn[k], 0, warn, sizeof warn);
            strbuf_printf(sb, ",\"warn_at\":\"%s\"", warn);
        }
        strbuf_puts(sb, "}");
        first = false;
    }
    strbuf_puts(sb, "]");
}

enum db_status store_ticket_apply_sweep(struct db *db, int64_t id,
                                        const struct sweep_decision *d, hl_time now)
{
    const struct ticket_clock *a = &d->after;
    char ids[24], breached[16], at[48], level[16], to[16], esc[48], next[48], warned[16];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    snprintf(breached, sizeof breached, "%u", a->breached);
    snprintf(warned, sizeof warned, "%u", a->warned);
    snprintf(level, sizeof level, "%d", a->escalation_level);
    snprintf(to, sizeof to, "%d", d->escalate_to);
    tf_format_rfc3339(now, 0, at, sizeof at);
    struct strbuf overdue, warnings;
    strbuf_init(&overdue);
    strbuf_init(&warnings);
    deadline_marks(&overdue, &a->d, d->newly_breached, false);
    deadline_marks(&warnings, &a->d, d->newly_warned, true);
    const char *params[] = {
        ids,
        breached,
        flag_of(ticket_overdue(a)),
        at,
        level,
        to,
        opt_time(a->has_next_escalation, a->next_escalation_at, esc),
        opt_time(d->has_next_due, d->next_due, next),
        overdue.data,
        warned,
        warnings.data,
    };
    enum db_status s =
        overdue.oom || warnings.oom ? DB_ERROR : db_run(db, &q_due_apply, params);
    strbuf_free(&overdue);
    strbuf_free(&warnings);
    return s;
}

enum db_status store_ticket_event_add(struct db *db, int64_t ticket_id, hl_time at,
                                      const char *actor, const char *kind, const char *after,
                                      const char *note)
{
    char ids[24], when[48];
    snprintf(ids, sizeof ids, "%" PRId64, ticket_id);
    tf_format_rfc3339(at, 0, when, sizeof when);
    const char *params[] = {ids, when, actor, kind, after, note};
    return db_run(db, &q_event_add, params);
}

enum db_status store_ticket_link_call(struct db *db, const struct ticket_call_link *l,
                                      char **json)
{
    char ids[24], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, l->id);
    tf_format_rfc3339(l->now, 0, at, sizeof at);
    struct strbuf diff;
    strbuf_init(&diff);
    strbuf_printf(&diff, "{\"before\":%s,\"after\":%s}", l->before, l->after);
    const char *params[] = {ids, l->call_id, flag(l->set_phone), l->phone, l->phone_norm, at,
                            l->actor, diff.data};
    PGresult *res = NULL;
    enum db_status s = diff.oom ? DB_ERROR : db_exec(db, &q_link_call, params, &res);
    strbuf_free(&diff);
    return sql_single_json(res, s, json, NULL);
}

enum db_status store_ticket_handover(struct db *db, int64_t id, const char *to,
                                     const char *reason, const char *actor, hl_time now,
                                     char **json)
{
    char ids[24], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {ids, to, reason, at, actor};
    return sql_exec_json(db, &q_handover, params, json);
}

void page_free(struct page *p)
{
    free(p->items);
    p->items = NULL;
}
