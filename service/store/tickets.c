/**
 * @file tickets.c
 * @brief SQL for tickets and ticket_events.
 */
#include "store/tickets.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

/* The public representation of a ticket row "t"; keys are the column aliases. */
#define TICKET_JSON_COLUMNS                                                                        \
    "t.id, t.class, t.kind, t.status, t.subject, t.details, t.caller_name, t.caller_phone, "      \
    "t.caller_phone_norm AS caller_phone_normalized, t.owner, t.department, t.call_id, "          \
    "t.created_by, t.created_at, t.updated_at, t.version"

DB_STMT(q_create, 12,
        "WITH t AS (INSERT INTO tickets (class, kind, subject, details, caller_name, "
        "caller_phone, caller_phone_norm, owner, department, call_id, created_by, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::timestamptz, "
        "$12::timestamptz) RETURNING *), "
        "e AS (INSERT INTO ticket_events (ticket_id, at, actor, kind, after) "
        "SELECT t.id, t.created_at, t.created_by, 'created', to_jsonb(t) - 'version' FROM t) "
        "SELECT row_to_json(x)::text AS json FROM (SELECT " TICKET_JSON_COLUMNS " FROM t) x");

DB_STMT(q_get, 1,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " TICKET_JSON_COLUMNS
        " FROM tickets t WHERE t.id = $1) x");

DB_STMT(q_get_lock, 1,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " TICKET_JSON_COLUMNS
        " FROM tickets t WHERE t.id = $1 FOR UPDATE) x");

/* $2..$15: a flag and a value per mutable field; a false flag keeps the column. */
DB_STMT(q_update, 20,
        "WITH t AS (UPDATE tickets SET "
        "class = CASE WHEN $2::bool THEN $3 ELSE class END, "
        "kind = CASE WHEN $4::bool THEN $5 ELSE kind END, "
        "subject = CASE WHEN $6::bool THEN $7 ELSE subject END, "
        "details = CASE WHEN $8::bool THEN $9 ELSE details END, "
        "caller_name = CASE WHEN $10::bool THEN $11 ELSE caller_name END, "
        "caller_phone = CASE WHEN $12::bool THEN $13 ELSE caller_phone END, "
        "caller_phone_norm = CASE WHEN $12::bool THEN $14 ELSE caller_phone_norm END, "
        "department = CASE WHEN $15::bool THEN $16 ELSE department END, "
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

static enum db_status single_json(PGresult *res, enum db_status s, char **json, int *version)
{
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    *json = strdup(db_get(res, 0, "json"));
    if (version)
        *version = (int)db_get_i64(res, 0, "version");
    PQclear(res);
    return *json ? DB_OK : DB_ERROR;
}

static const char *opt(bool has, const char *v)
{
    return has ? v : NULL;
}

enum db_status store_ticket_create(struct db *db, const struct ticket_new *t, char **json)
{
    const struct ticket_input *in = t->in;
    char at[48];
    tf_format_rfc3339(t->now, 0, at, sizeof at);
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
    };
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_create, params, &res);
    return single_json(res, s, json, NULL);
}

enum db_status store_ticket_get(struct db *db, int64_t id, bool lock, char **json, int *version)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, lock ? &q_get_lock : &q_get, params, &res);
    return single_json(res, s, json, version);
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
    };
    PGresult *res = NULL;
    enum db_status s = diff.oom ? DB_ERROR : db_exec(db, &q_update, params, &res);
    strbuf_free(&diff);
    return single_json(res, s, json, NULL);
}

/* Turn up to limit + 1 rows of (json, id) into a page; takes the result. */
static enum db_status collect_page(PGresult *res, int limit, struct page *out)
{
    int rows = PQntuples(res);
    out->more = rows > limit;
    out->count = out->more ? limit : rows;
    struct strbuf items;
    strbuf_init(&items);
    strbuf_puts(&items, "[");
    for (int i = 0; i < out->count; i++) {
        if (i)
            strbuf_puts(&items, ",");
        strbuf_puts(&items, db_get(res, i, "json"));
        out->last_key = db_get_i64(res, i, "id");
    }
    strbuf_puts(&items, "]");
    PQclear(res);
    out->items = strbuf_steal(&items, NULL);
    return out->items ? DB_OK : DB_ERROR;
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
    const char *params[10];
    int n = 0;
    char from[48], to[48], before[24], limit[16];
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
    if (f->has_cursor) {
        snprintf(before, sizeof before, "%" PRId64, f->before_id);
        add_param(&sql, params, &n, "t.id <", before);
    }
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY t.id DESC LIMIT $%d) x ORDER BY x.id DESC", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    return collect_page(res, f->limit, out);
}

enum db_status store_ticket_events(struct db *db, int64_t ticket_id, int64_t after_id, int limit,
                                   struct page *out)
{
    memset(out, 0, sizeof *out);
    char ids[24], after[24], lim[16];
    snprintf(ids, sizeof ids, "%" PRId64, ticket_id);
    snprintf(after, sizeof after, "%" PRId64, after_id);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {ids, after, lim};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, &q_events, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PGresult *ex = NULL;
        s = db_exec(db, &q_exists, params, &ex);
        if (s == DB_OK && PQntuples(ex) == 0)
            s = DB_NOT_FOUND;
        PQclear(ex);
        if (s != DB_OK) {
            PQclear(res);
            return s;
        }
    }
    return collect_page(res, limit, out);
}

void page_free(struct page *p)
{
    free(p->items);
    p->items = NULL;
}
