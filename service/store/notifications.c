/**
 * @file notifications.c
 * @brief SQL for incident_notifications and their attempts.
 */
#include "store/notifications.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlbits.h"
#include "util/strbuf.h"

/* Building a list of a whole district is one statement of up to a few hundred thousand rows. */
#define BUILD_TIMEOUT_MS (2 * 60 * 1000)

/* A notification "n" with its customer "c". */
#define NOTIFICATION_JSON_COLUMNS                                                                  \
    "n.id, n.incident_id, n.round, n.status, n.attempts, n.customer_id, c.account_number, "       \
    "c.name, c.address, c.area_code, c.street, n.phones, n.phones_norm AS phones_normalized, "    \
    "n.claimed_by, n.claimed_at, "                                                                \
    "CASE WHEN n.status = 'claimed' THEN n.available_at END AS claim_expires_at, "                \
    "CASE WHEN n.status = 'pending' THEN n.available_at END AS next_call_at, "                    \
    "n.last_result, n.last_call_id, n.last_attempt_at, n.done_at, n.created_at, n.updated_at, "   \
    "n.version"

#define REASON                                                                                     \
    "CASE n.status WHEN 'pending' THEN CASE WHEN n.attempts = 0 THEN 'not called yet' ELSE "      \
    "'no answer yet; to be called again' END WHEN 'claimed' THEN 'being called now' "             \
    "WHEN 'not_reached' THEN 'no answer after ' || n.attempts || ' calls' "                       \
    "WHEN 'wrong_number' THEN 'wrong number' WHEN 'declined' THEN 'the customer declined' "       \
    "WHEN 'no_contact' THEN 'no phone number: visit' END"

DB_STMT(q_built_event, 5,
        "INSERT INTO incident_events (incident_id, at, actor, kind, after) VALUES ($1::bigint, "
        "$2::timestamptz, $3, 'notifications_built', $4::jsonb || jsonb_build_object('round', "
        "$5::text))");

DB_STMT(q_claim_own, 5,
        "WITH u AS (UPDATE incident_notifications n SET available_at = $4::timestamptz + "
        "$5::int * interval '1 minute', updated_at = $4::timestamptz WHERE n.id = (SELECT m.id "
        "FROM incident_notifications m WHERE m.incident_id = $1::bigint AND m.round = $2 AND "
        "m.status = 'claimed' AND m.claimed_by = $3 AND m.available_at > $4::timestamptz "
        "ORDER BY m.id LIMIT 1) RETURNING n.*) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " NOTIFICATION_JSON_COLUMNS
        " FROM u n JOIN customers c ON c.id = n.customer_id) x");

/* Open rows of the round in queue order through incident_notifications_queue; rows another
 * agent's claim holds are skipped, and re-checked (no longer available) after it commits. */
DB_STMT(q_claim_next, 5,
        "WITH k AS (SELECT m.id FROM incident_notifications m WHERE m.incident_id = $1::bigint "
        "AND m.round = $2 AND m.status IN ('pending', 'claimed') AND m.available_at <= "
        "$4::timestamptz ORDER BY m.available_at, m.id LIMIT 1 FOR UPDATE SKIP LOCKED), "
        "u AS (UPDATE incident_notifications n SET status = 'claimed', claimed_by = $3, "
        "claimed_at = $4::timestamptz, available_at = $4::timestamptz + $5::int * "
        "interval '1 minute', updated_at = $4::timestamptz, version = n.version + 1 FROM k "
        "WHERE n.id = k.id RETURNING n.*) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " NOTIFICATION_JSON_COLUMNS
        " FROM u n JOIN customers c ON c.id = n.customer_id) x");

DB_STMT(q_state, 2,
        "SELECT n.id, n.incident_id, n.status, n.attempts, coalesce(n.claimed_by, '') AS "
        "claimed_by FROM incident_notifications n WHERE n.incident_id = $1::bigint AND "
        "n.id = $2::bigint FOR UPDATE");

DB_STMT(q_record, 10,
        "WITH u AS (UPDATE incident_notifications SET status = $2, attempts = $3::int, "
        "available_at = $4::timestamptz, last_result = $5, "
        "last_call_id = coalesce($6, last_call_id), last_attempt_at = $7::timestamptz, "
        "done_at = CASE WHEN $8::bool THEN $7::timestamptz END, updated_at = $7::timestamptz, "
        "version = version + 1 WHERE id = $1::bigint RETURNING *), "
        "a AS (INSERT INTO incident_notification_attempts (notification_id, at, actor, result, "
        "call_id, note) SELECT u.id, $7::timestamptz, $9, $5, $6, $10 FROM u) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " NOTIFICATION_JSON_COLUMNS
        " FROM u n JOIN customers c ON c.id = n.customer_id) x");

/* An outbound call to one of the listed numbers, or the customer calling back from one. */
DB_STMT(q_call, 2,
        "SELECT (c.to_norm = ANY (n.phones_norm) OR c.from_norm = ANY (n.phones_norm)) "
        "AS to_listed, c.answered_at IS NOT NULL AS answered, c.state = 'ended' AS ended "
        "FROM incident_notifications n JOIN calls c ON c.call_id = $2 WHERE n.id = $1::bigint");

DB_STMT(q_incident_exists, 1, "SELECT 1 FROM incidents WHERE id = $1::bigint");

DB_STMT(q_report, 2,
        "WITH n AS (SELECT n.id, n.round, n.status, json_build_object('notification_id', n.id, "
        "'customer_id', n.customer_id, 'account_number', c.account_number, 'name', c.name, "
        "'phones', n.phones, 'address', c.address, 'area_code', c.area_code, 'street', "
        "c.street, 'status', n.status, 'reason', " REASON ", 'attempts', n.attempts, "
        "'last_attempt_at', n.last_attempt_at, 'last_agent', n.claimed_by, 'last_call_id', "
        "n.last_call_id) AS entry FROM incident_notifications n JOIN customers c ON "
        "c.id = n.customer_id WHERE n.incident_id = $1::bigint), "
        "r AS (SELECT n.round, json_build_object('total', count(*), 'counts', json_build_object("
        "'pending', count(*) FILTER (WHERE status = 'pending'), "
        "'claimed', count(*) FILTER (WHERE status = 'claimed'), "
        "'reached', count(*) FILTER (WHERE status = 'reached'), "
        "'not_reached', count(*) FILTER (WHERE status = 'not_reached'), "
        "'wrong_number', count(*) FILTER (WHERE status = 'wrong_number'), "
        "'declined', count(*) FILTER (WHERE status = 'declined'), "
        "'no_contact', count(*) FILTER (WHERE status = 'no_contact')), "
        "'notified', coalesce(json_agg(entry ORDER BY id) FILTER (WHERE status = 'reached'), "
        "'[]'), "
        "'not_notified', coalesce(json_agg(entry ORDER BY id) FILTER (WHERE status IN "
        "('pending', 'claimed', 'not_reached', 'wrong_number', 'declined')), '[]'), "
        "'no_contact', coalesce(json_agg(entry ORDER BY id) FILTER (WHERE status = "
        "'no_contact'), '[]')) AS body FROM n GROUP BY n.round) "
        "SELECT json_build_object('incident_id', i.id, 'status', i.status, 'hazard', i.hazard, "
        "'location', i.location, 'generated_at', $2::timestamptz, 'rounds', "
        "coalesce((SELECT json_object_agg(r.round, r.body ORDER BY r.round) FROM r), '{}'))::text "
        "AS json, (SELECT count(*) FROM n) AS rows FROM incidents i WHERE i.id = $1::bigint");

DB_STMT(q_report_csv, 1,
        "SELECT n.round, n.status, " REASON " AS reason, c.account_number, c.name, "
        "array_to_string(n.phones, ';') AS phones, c.address, c.area_code, c.street, "
        "n.attempts::text AS attempts, to_json(n.last_attempt_at) #>> '{}' AS last_attempt_at, "
        "n.claimed_by AS last_agent, n.last_call_id FROM incident_notifications n JOIN "
        "customers c ON c.id = n.customer_id WHERE n.incident_id = $1::bigint "
        "ORDER BY n.round, n.id");

static void id_text(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%" PRId64, id);
}

/* ---- building a list ---------------------------------------------------------------------------- */

static void add_array(struct strbuf *sql, const char **params, int *n, struct strbuf *arr,
                      const char *cond)
{
    params[*n] = arr->data;
    (*n)++;
    strbuf_printf(sql, cond, *n);
}

/* "(location filters AND-ed) OR ids OR the alert list", parameters from $5 on. */
static void selection_sql(const struct selection *sel, struct strbuf *sql, const char **params,
                          int *n, struct strbuf arrays[3], char *prefix, size_t prefix_len)
{
    bool any = false;
    strbuf_puts(sql, "(");
    if (sel->nareas || sel->nstreets || sel->address_prefix) {
        strbuf_puts(sql, "(true");
        if (sel->nareas) {
            sql_text_array(&arrays[0], sel->areas, sel->nareas);
            add_array(sql, params, n, &arrays[0], " AND c.area_code = ANY ($%d::text[])");
        }
        if (sel->nstreets) {
            sql_text_array(&arrays[1], sel->streets, sel->nstreets);
            add_array(sql, params, n, &arrays[1], " AND c.street = ANY ($%d::text[])");
        }
        if (sel->address_prefix) {
            size_t o = 0;
            for (const char *p = sel->address_prefix; *p && o + 3 < prefix_len; p++) {
                if (*p == '%' || *p == '_' || *p == '\\')
                    prefix[o++] = '\\';
                prefix[o++] = *p;
            }
            prefix[o++] = '%';
            prefix[o] = '\0';
            params[(*n)++] = prefix;
            strbuf_printf(sql, " AND c.address LIKE $%d", *n);
        }
        strbuf_puts(sql, ")");
        any = true;
    }
    if (sel->nids) {
        sql_int_array(&arrays[2], sel->ids, sel->nids);
        strbuf_puts(sql, any ? " OR " : "");
        add_array(sql, params, n, &arrays[2], "c.id = ANY ($%d::bigint[])");
        any = true;
    }
    if (sel->alert_list) {
        strbuf_puts(sql, any ? " OR " : "");
        strbuf_puts(sql, "c.id IN (SELECT a.customer_id FROM incident_notifications a WHERE "
                         "a.incident_id = $1::bigint AND a.round = 'alert')");
    }
    strbuf_puts(sql, ")");
}

enum db_status store_notifications_build(struct db *db, int64_t incident_id,
                                         const struct selection *sel, const char *actor,
                                         hl_time now, struct build_counts *out)
{
    memset(out, 0, sizeof *out);
    char ids[24], at[48], prefix[2 * 200 + 2];
    id_text(incident_id, ids);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[8] = {ids, notify_round_names[sel->round], actor, at};
    int n = 4;
    struct strbuf sql, arrays[3];
    strbuf_init(&sql);
    for (int i = 0; i < 3; i++)
        strbuf_init(&arrays[i]);
    strbuf_puts(&sql, "WITH sel AS (SELECT c.id, c.phones, c.phones_norm FROM customers c WHERE ");
    selection_sql(sel, &sql, params, &n, arrays, prefix, sizeof prefix);
    strbuf_puts(&sql,
                "), ins AS (INSERT INTO incident_notifications (incident_id, round, customer_id, "
                "phones, phones_norm, status, available_at, created_by, created_at, updated_at) "
                "SELECT $1::bigint, $2, s.id, s.phones, s.phones_norm, CASE WHEN "
                "cardinality(s.phones_norm) > 0 THEN 'pending' ELSE 'no_contact' END, CASE WHEN "
                "cardinality(s.phones_norm) > 0 THEN $4::timestamptz END, $3, $4::timestamptz, "
                "$4::timestamptz FROM sel s ON CONFLICT (incident_id, round, "
                "customer_id) DO NOTHING RETURNING status) "
                "SELECT (SELECT count(*) FROM sel) AS selected, count(*) FILTER (WHERE status = "
                "'pending') AS pending, count(*) FILTER (WHERE status = 'no_contact') AS "
                "no_contact FROM ins");
    bool oom = sql.oom || arrays[0].oom || arrays[1].oom || arrays[2].oom;
    PGresult *res = NULL;
    enum db_status s = oom ? DB_ERROR : db_set_local_timeout(db, BUILD_TIMEOUT_MS);
    if (s == DB_OK)
        s = db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    for (int i = 0; i < 3; i++)
        strbuf_free(&arrays[i]);
    if (s != DB_OK)
        return s;
    out->selected = (long)db_get_i64(res, 0, "selected");
    out->pending = (long)db_get_i64(res, 0, "pending");
    out->no_contact = (long)db_get_i64(res, 0, "no_contact");
    out->already_listed = out->selected - out->pending - out->no_contact;
    PQclear(res);
    char counts[160];
    snprintf(counts, sizeof counts,
             "{\"selected\":%ld,\"pending\":%ld,\"no_contact\":%ld,\"already_listed\":%ld}",
             out->selected, out->pending, out->no_contact, out->already_listed);
    const char *ev[] = {ids, at, actor, counts, notify_round_names[sel->round]};
    return db_run(db, &q_built_event, ev);
}

/* ---- claims and results ------------------------------------------------------------------------- */

static enum db_status json_or_null(PGresult *res, enum db_status s, char **json)
{
    *json = NULL;
    if (s != DB_OK)
        return s;
    if (PQntuples(res) > 0)
        *json = strdup(db_get(res, 0, "json"));
    bool oom = PQntuples(res) > 0 && !*json;
    PQclear(res);
    return oom ? DB_ERROR : DB_OK;
}

enum db_status store_notification_claim(struct db *db, int64_t incident_id,
                                        enum notify_round round, const char *actor, hl_time now,
                                        int claim_minutes, char **json)
{
    char ids[24], at[48], mins[16];
    id_text(incident_id, ids);
    tf_format_rfc3339(now, 0, at, sizeof at);
    snprintf(mins, sizeof mins, "%d", claim_minutes);
    const char *params[] = {ids, notify_round_names[round], actor, at, mins};
    PGresult *res = NULL;
    enum db_status s = json_or_null(res, db_exec(db, &q_claim_own, params, &res), json);
    if (s != DB_OK || *json)
        return s;
    return json_or_null(res, db_exec(db, &q_claim_next, params, &res), json);
}

enum db_status store_notification_state(struct db *db, int64_t incident_id, int64_t id,
                                        struct notification_state *out)
{
    char iid[24], nid[24];
    id_text(incident_id, iid);
    id_text(id, nid);
    const char *params[] = {iid, nid};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_state, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    memset(out, 0, sizeof *out);
    out->id = db_get_i64(res, 0, "id");
    out->incident_id = db_get_i64(res, 0, "incident_id");
    int st = enum_index(notify_status_names, db_get(res, 0, "status"));
    out->status = st < 0 ? NS_NO_CONTACT : (enum notify_status)st;
    out->attempts = (int)db_get_i64(res, 0, "attempts");
    snprintf(out->claimed_by, sizeof out->claimed_by, "%s", db_get(res, 0, "claimed_by"));
    PQclear(res);
    return DB_OK;
}

enum db_status store_notification_call(struct db *db, int64_t id, const char *call_id,
                                       struct notify_call *out)
{
    char ids[24];
    id_text(id, ids);
    const char *params[] = {ids, call_id};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_call, params, &res);
    if (s != DB_OK)
        return s;
    memset(out, 0, sizeof *out);
    out->known = PQntuples(res) > 0;
    out->to_listed = out->known && strcmp(db_get(res, 0, "to_listed"), "t") == 0;
    out->answered = out->known && strcmp(db_get(res, 0, "answered"), "t") == 0;
    out->ended = out->known && strcmp(db_get(res, 0, "ended"), "t") == 0;
    PQclear(res);
    return DB_OK;
}

enum db_status store_notification_record(struct db *db, const struct notification_result *r,
                                         char **json)
{
    const struct notify_outcome *o = r->outcome;
    char ids[24], attempts[16], avail[48], at[48];
    id_text(r->id, ids);
    snprintf(attempts, sizeof attempts, "%d", o->attempts);
    tf_format_rfc3339(r->now, 0, at, sizeof at);
    const char *params[] = {ids,
                            notify_status_names[o->status],
                            attempts,
                            sql_opt_time(o->has_available_at, o->available_at, avail),
                            notify_result_names[r->result],
                            r->call_id,
                            at,
                            o->final ? "t" : "f",
                            r->actor,
                            r->note};
    return sql_exec_json(db, &q_record, params, json);
}

/* ---- lists and the report ------------------------------------------------------------------------ */

static enum db_status incident_exists(struct db *db, const char *ids)
{
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_incident_exists, params, &res);
    if (s == DB_OK && PQntuples(res) == 0)
        s = DB_NOT_FOUND;
    PQclear(res);
    return s;
}

enum db_status store_notification_list(struct db *db, const struct notification_filter *f,
                                       struct page *out)
{
    memset(out, 0, sizeof *out);
    char ids[24], after[24], limit[16];
    id_text(f->incident_id, ids);
    id_text(f->has_cursor ? f->after_id : 0, after);
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    const char *params[5] = {ids, after};
    int n = 2;
    struct strbuf sql;
    strbuf_init(&sql);
    strbuf_puts(&sql, "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT "
                      NOTIFICATION_JSON_COLUMNS " FROM incident_notifications n JOIN customers c "
                      "ON c.id = n.customer_id WHERE n.incident_id = $1::bigint AND "
                      "n.id > $2::bigint");
    if (f->round) {
        params[n++] = f->round;
        strbuf_printf(&sql, " AND n.round = $%d", n);
    }
    if (f->status) {
        params[n++] = f->status;
        strbuf_printf(&sql, " AND n.status = $%d", n);
    }
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY n.id LIMIT $%d) x ORDER BY x.id", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0 && (s = incident_exists(db, ids)) != DB_OK) {
        PQclear(res);
        return s;
    }
    return sql_collect_page(res, f->limit, out);
}

enum db_status store_notification_report(struct db *db, int64_t incident_id, hl_time now,
                                         char **json, long *rows)
{
    char ids[24], at[48];
    id_text(incident_id, ids);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {ids, at};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_report, params, &res);
    if (s == DB_OK && PQntuples(res) > 0)
        *rows = (long)db_get_i64(res, 0, "rows");
    return sql_single_json(res, s, json, NULL);
}

/* One CSV cell: quoted when it must be; free text that a spreadsheet would run as a formula
 * gets a leading apostrophe. */
static void csv_cell(struct strbuf *sb, const char *s, bool free_text)
{
    bool formula = free_text && strchr("=+-@", s[0]) && s[0];
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        strbuf_puts(sb, s);
        return;
    }
    strbuf_puts(sb, "\"");
    if (formula)
        strbuf_puts(sb, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            strbuf_puts(sb, "\"");
        strbuf_append(sb, p, 1);
    }
    strbuf_puts(sb, "\"");
}

enum db_status store_notification_report_csv(struct db *db, int64_t incident_id, char **csv,
                                             long *rows)
{
    static const char *const cols[] = {"round",     "status", "reason",          "account_number",
                                       "name",      "phones", "address",         "area_code",
                                       "street",    "attempts", "last_attempt_at", "last_agent",
                                       "last_call_id", NULL};
    char ids[24];
    id_text(incident_id, ids);
    enum db_status s = incident_exists(db, ids);
    if (s != DB_OK)
        return s;
    const char *params[] = {ids};
    PGresult *res = NULL;
    if ((s = db_exec(db, &q_report_csv, params, &res)) != DB_OK)
        return s;
    struct strbuf sb;
    strbuf_init(&sb);
    for (int c = 0; cols[c]; c++)
        strbuf_printf(&sb, "%s%s", c ? "," : "", cols[c]);
    strbuf_puts(&sb, "\r\n");
    for (int r = 0; r < PQntuples(res); r++) {
        for (int c = 0; cols[c]; c++) {
            if (c)
                strbuf_puts(&sb, ",");
            bool free_text = c == 4 || c == 6 || c == 8;
            csv_cell(&sb, db_get(res, r, cols[c]), free_text);
        }
        strbuf_puts(&sb, "\r\n");
    }
    *rows = PQntuples(res);
    PQclear(res);
    *csv = strbuf_steal(&sb, NULL);
    return *csv ? DB_OK : DB_ERROR;
}
