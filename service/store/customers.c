/**
 * @file customers.c
 * @brief SQL for customers and the bulk import.
 */
#include "store/customers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlbits.h"

#define CUSTOMER_JSON_COLUMNS                                                                      \
    "c.id, c.account_number, c.name, c.phones, c.phones_norm AS phones_normalized, c.address, "   \
    "c.area_code, c.street, c.tags, c.created_by, c.created_at, c.updated_by, c.updated_at, "     \
    "c.version"

DB_STMT(q_create, 10,
        "WITH c AS (INSERT INTO customers (account_number, name, phones, phones_norm, address, "
        "area_code, street, tags, created_by, created_at, updated_by, updated_at) VALUES ($1, $2, "
        "$3::text[], $4::text[], $5, $6, $7, $8::text[], $9, $10::timestamptz, $9, "
        "$10::timestamptz) RETURNING *) "
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " CUSTOMER_JSON_COLUMNS
        " FROM c) x");

DB_STMT(q_get, 1,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " CUSTOMER_JSON_COLUMNS
        " FROM customers c WHERE c.id = $1) x");

DB_STMT(q_get_lock, 1,
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " CUSTOMER_JSON_COLUMNS
        " FROM customers c WHERE c.id = $1 FOR UPDATE) x");

/* A false flag keeps the column; nothing is written when nothing differs. */
DB_STMT(q_update, 17,
        "WITH n AS (SELECT id, CASE WHEN $2::bool THEN $3 ELSE name END AS name, "
        "CASE WHEN $4::bool THEN $5::text[] ELSE phones END AS phones, "
        "CASE WHEN $4::bool THEN $6::text[] ELSE phones_norm END AS phones_norm, "
        "CASE WHEN $7::bool THEN $8 ELSE address END AS address, "
        "CASE WHEN $9::bool THEN $10 ELSE area_code END AS area_code, "
        "CASE WHEN $11::bool THEN $12 ELSE street END AS street, "
        "CASE WHEN $13::bool THEN $14::text[] ELSE tags END AS tags FROM customers WHERE id = $1), "
        "u AS (UPDATE customers c SET name = n.name, phones = n.phones, "
        "phones_norm = n.phones_norm, address = n.address, area_code = n.area_code, "
        "street = n.street, tags = n.tags, updated_by = $15, updated_at = $16::timestamptz, "
        "version = c.version + 1 FROM n WHERE c.id = n.id AND (c.name, c.phones, c.phones_norm, "
        "c.address, c.area_code, c.street, c.tags) IS DISTINCT FROM (n.name, n.phones, "
        "n.phones_norm, n.address, n.area_code, n.street, n.tags) RETURNING c.*), "
        "cur AS (SELECT * FROM u UNION ALL SELECT * FROM customers WHERE id = $1 AND $17::bool "
        "AND NOT EXISTS (SELECT 1 FROM u)) "
        "SELECT row_to_json(x)::text AS json, x.version FROM (SELECT " CUSTOMER_JSON_COLUMNS
        " FROM cur c) x");

static void arrays_of(const struct customer_input *in, struct strbuf *phones,
                      struct strbuf *norms, struct strbuf *tags)
{
    const char *norm[CUSTOMER_PHONES_MAX];
    for (int i = 0; i < in->nphones; i++)
        norm[i] = in->phones_norm[i];
    sql_text_array(phones, in->phones, in->nphones);
    sql_text_array(norms, norm, in->nphones);
    sql_text_array(tags, in->tags, in->ntags);
}

enum db_status store_customer_create(struct db *db, const struct customer_input *in,
                                     const char *actor, hl_time now, char **json, int *version)
{
    struct strbuf phones, norms, tags;
    strbuf_init(&phones);
    strbuf_init(&norms);
    strbuf_init(&tags);
    arrays_of(in, &phones, &norms, &tags);
    char at[48];
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {in->account_number, in->name,      phones.data, norms.data,
                            in->address,        in->area_code, in->street,  tags.data,
                            actor,              at};
    PGresult *res = NULL;
    enum db_status s = phones.oom || norms.oom || tags.oom
                           ? DB_ERROR
                           : db_exec(db, &q_create, params, &res);
    strbuf_free(&phones);
    strbuf_free(&norms);
    strbuf_free(&tags);
    return sql_single_json(res, s, json, version);
}

enum db_status store_customer_get(struct db *db, int64_t id, bool lock, char **json,
                                  int *version)
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

enum db_status store_customer_update(struct db *db, int64_t id, const struct customer_input *in,
                                     const char *actor, hl_time now, char **json)
{
    struct strbuf phones, norms, tags;
    strbuf_init(&phones);
    strbuf_init(&norms);
    strbuf_init(&tags);
    arrays_of(in, &phones, &norms, &tags);
    char ids[24], at[48];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *params[] = {
        ids,
        flag(in->has[CC_NAME]), in->name,
        flag(in->has[CC_PHONES]), phones.data, norms.data,
        flag(in->has[CC_ADDRESS]), in->address,
        flag(in->has[CC_AREA]), in->area_code,
        flag(in->has[CC_STREET]), in->street,
        flag(in->has[CC_TAGS]), tags.data,
        actor, at, "t",
    };
    PGresult *res = NULL;
    enum db_status s = phones.oom || norms.oom || tags.oom
                           ? DB_ERROR
                           : db_exec(db, &q_update, params, &res);
    strbuf_free(&phones);
    strbuf_free(&norms);
    strbuf_free(&tags);
    return sql_single_json(res, s, json, NULL);
}

static void add_param(struct strbuf *sql, const char **params, int *n, const char *cond,
                      const char *value)
{
    params[*n] = value;
    (*n)++;
    strbuf_printf(sql, cond, *n);
}

/* "%q%" with LIKE's own characters escaped; q is at most (n - 3) / 2 bytes. */
static void like_contains(const char *q, char *out, size_t n)
{
    size_t o = 0;
    out[o++] = '%';
    for (const char *p = q; *p && o + 4 < n; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '%';
    out[o] = '\0';
}

enum db_status store_customer_list(struct db *db, const struct customer_filter *f,
                                   struct page *out)
{
    memset(out, 0, sizeof *out);
    struct strbuf sql;
    strbuf_init(&sql);
    const char *params[8];
    int n = 0;
    char before[24], limit[16];
    strbuf_puts(&sql, "SELECT row_to_json(x)::text AS json, x.id FROM (SELECT "
                      CUSTOMER_JSON_COLUMNS " FROM customers c WHERE true");
    if (f->area)
        add_param(&sql, params, &n, " AND c.area_code = $%d", f->area);
    if (f->street)
        add_param(&sql, params, &n, " AND c.street = $%d", f->street);
    if (f->phone_norm)
        add_param(&sql, params, &n, " AND c.phones_norm @> ARRAY[$%d::text]", f->phone_norm);
    if (f->tag)
        add_param(&sql, params, &n, " AND c.tags @> ARRAY[$%d::text]", f->tag);
    char pat[2 * 100 + 3];
    if (f->q) {
        /* the account number exactly, or a part of the name or address (case-insensitive) */
        like_contains(f->q, pat, sizeof pat);
        params[n++] = f->q;
        params[n++] = pat;
        strbuf_printf(&sql,
                      " AND (c.account_number = $%d OR c.name ILIKE $%d OR c.address ILIKE $%d)",
                      n - 1, n, n);
    }
    if (f->has_cursor) {
        snprintf(before, sizeof before, "%" PRId64, f->before_id);
        add_param(&sql, params, &n, " AND c.id < $%d", before);
    }
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    params[n++] = limit;
    strbuf_printf(&sql, " ORDER BY c.id DESC LIMIT $%d) x ORDER BY x.id DESC", n);
    PGresult *res = NULL;
    enum db_status s = sql.oom ? DB_ERROR : db_exec_sql(db, sql.data, n, params, &res);
    strbuf_free(&sql);
    if (s != DB_OK)
        return s;
    return sql_collect_page(res, f->limit, out);
}

/* ---- bulk import ------------------------------------------------------------------------------ */

DB_STMT(q_stage, 0,
        "CREATE TEMP TABLE customer_import (line bigint, account_number text, name text, "
        "phones text, phones_norm text, address text, area_code text, street text, tags text) "
        "ON COMMIT DROP");

/* Later rows of an account already in the file: reported and left out. */
DB_STMT(q_duplicates, 1,
        "SELECT line, first_line, count(*) OVER () AS n FROM (SELECT line, min(line) OVER "
        "(PARTITION BY account_number) AS first_line FROM customer_import) d "
        "WHERE line <> first_line ORDER BY line LIMIT $1::bigint");

DB_STMT(q_upsert, 2,
        "WITH src AS (SELECT DISTINCT ON (account_number) account_number, name, "
        "coalesce(string_to_array(phones, ';'), '{}') AS phones, "
        "coalesce(string_to_array(phones_norm, ';'), '{}') AS phones_norm, address, area_code, "
        "street, coalesce(string_to_array(tags, ';'), '{}') AS tags FROM customer_import "
        "ORDER BY account_number, line), "
        "up AS (INSERT INTO customers AS c (account_number, name, phones, phones_norm, address, "
        "area_code, street, tags, created_by, created_at, updated_by, updated_at) "
        "SELECT account_number, name, phones, phones_norm, address, area_code, street, tags, $1, "
        "$2::timestamptz, $1, $2::timestamptz FROM src "
        "ON CONFLICT (account_number) DO UPDATE SET name = excluded.name, "
        "phones = excluded.phones, phones_norm = excluded.phones_norm, "
        "address = excluded.address, area_code = excluded.area_code, street = excluded.street, "
        "tags = excluded.tags, updated_by = excluded.updated_by, "
        "updated_at = excluded.updated_at, version = c.version + 1 "
        "WHERE (c.name, c.phones, c.phones_norm, c.address, c.area_code, c.street, c.tags) "
        "IS DISTINCT FROM (excluded.name, excluded.phones, excluded.phones_norm, "
        "excluded.address, excluded.area_code, excluded.street, excluded.tags) "
        "RETURNING (c.xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted) AS inserted, "
        "count(*) FILTER (WHERE NOT inserted) AS updated, (SELECT count(*) FROM src) AS distinct_rows "
        "FROM up");

enum db_status store_import_begin(struct db *db)
{
    enum db_status s = db_run(db, &q_stage, NULL);
    if (s == DB_OK)
        s = db_copy_begin(db, "COPY customer_import FROM STDIN");
    return s;
}

/* A value in COPY text format: \N for none, backslash escapes for the rest. */
static void copy_value(struct strbuf *b, const char *s)
{
    if (!s) {
        strbuf_append(b, "\\N", 2);
        return;
    }
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n"
                        : *p == '\r' ? "\\r" : NULL;
        if (!esc)
            continue;
        strbuf_append(b, run, (size_t)(p - run));
        strbuf_append(b, esc, 2);
        run = p + 1;
    }
    strbuf_puts(b, run);
}

/* A list joined by ';' (the items hold none), \N when empty. */
static void copy_list(struct strbuf *b, const char *const *items, size_t stride, int n)
{
    if (n == 0) {
        strbuf_append(b, "\\N", 2);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (i)
            strbuf_append(b, ";", 1);
        copy_value(b, *(const char *const *)((const char *)items + stride * (size_t)i));
    }
}

void store_import_row(struct strbuf *b, long line, const struct customer_input *in)
{
    const char *norm[CUSTOMER_PHONES_MAX];
    for (int i = 0; i < in->nphones; i++)
        norm[i] = in->phones_norm[i];
    strbuf_printf(b, "%ld\t", line);
    copy_value(b, in->account_number);
    strbuf_append(b, "\t", 1);
    copy_value(b, in->name);
    strbuf_append(b, "\t", 1);
    copy_list(b, in->phones, sizeof in->phones[0], in->nphones);
    strbuf_append(b, "\t", 1);
    copy_list(b, norm, sizeof norm[0], in->nphones);
    strbuf_append(b, "\t", 1);
    copy_value(b, in->address);
    strbuf_append(b, "\t", 1);
    copy_value(b, in->area_code);
    strbuf_append(b, "\t", 1);
    copy_value(b, in->street);
    strbuf_append(b, "\t", 1);
    copy_list(b, in->tags, sizeof in->tags[0], in->ntags);
    strbuf_append(b, "\n", 1);
}

enum db_status store_import_flush(struct db *db, struct strbuf *buf, size_t min)
{
    if (buf->oom)
        return DB_ERROR;
    if (buf->len == 0 || buf->len < min)
        return DB_OK;
    enum db_status s = db_copy_put(db, buf->data, buf->len);
    buf->len = 0;
    buf->data[0] = '\0';
    return s;
}

enum db_status store_import_finish(struct db *db, const char *actor, hl_time now,
                                   long max_reported, import_duplicate_fn dup, void *ctx,
                                   struct import_counts *out)
{
    memset(out, 0, sizeof *out);
    enum db_status s = db_copy_end(db, NULL, &out->staged);
    if (s != DB_OK)
        return s;
    char lim[24], at[48];
    snprintf(lim, sizeof lim, "%ld", max_reported);
    const char *p1[] = {lim};
    PGresult *res = NULL;
    if ((s = db_exec(db, &q_duplicates, p1, &res)) != DB_OK)
        return s;
    for (int i = 0; i < PQntuples(res); i++)
        dup(ctx, (long)db_get_i64(res, i, "line"), (long)db_get_i64(res, i, "first_line"));
    out->duplicates = PQntuples(res) ? (long)db_get_i64(res, 0, "n") : 0;
    PQclear(res);
    tf_format_rfc3339(now, 0, at, sizeof at);
    const char *p2[] = {actor, at};
    if ((s = db_exec(db, &q_upsert, p2, &res)) != DB_OK)
        return s;
    out->inserted = (long)db_get_i64(res, 0, "inserted");
    out->updated = (long)db_get_i64(res, 0, "updated");
    out->unchanged = (long)db_get_i64(res, 0, "distinct_rows") - out->inserted - out->updated;
    PQclear(res);
    return DB_OK;
}
