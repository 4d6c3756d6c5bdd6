/**
 * @file sqlbits.c
 * @brief See sqlbits.h.
 */
#include "store/sqlbits.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum db_status sql_collect_page(PGresult *res, int limit, struct page *out)
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

void sql_text_array(struct strbuf *sb, const char *const *items, int n)
{
    strbuf_puts(sb, "{");
    for (int i = 0; i < n; i++) {
        strbuf_puts(sb, i ? ",\"" : "\"");
        for (const char *p = items[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                strbuf_append(sb, "\\", 1);
            strbuf_append(sb, p, 1);
        }
        strbuf_puts(sb, "\"");
    }
    strbuf_puts(sb, "}");
}

void sql_int_array(struct strbuf *sb, const int64_t *items, int n)
{
    strbuf_puts(sb, "{");
    for (int i = 0; i < n; i++)
        strbuf_printf(sb, "%s%" PRId64, i ? "," : "", items[i]);
    strbuf_puts(sb, "}");
}

const char *sql_opt_time(bool has, hl_time t, char *buf)
{
    if (!has)
        return NULL;
    tf_format_rfc3339(t, 0, buf, 48);
    return buf;
}

enum db_status sql_single_json(PGresult *res, enum db_status s, char **json, int *version)
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

enum db_status sql_exec_json(struct db *db, struct db_stmt *st, const char *const *params,
                             char **json)
{
    PGresult *res = NULL;
    enum db_status s = db_exec(db, st, params, &res);
    return sql_single_json(res, s, json, NULL);
}

enum db_status sql_history_page(struct db *db, struct db_stmt *events, struct db_stmt *exists,
                                int64_t id, int64_t after_id, int limit, struct page *out)
{
    memset(out, 0, sizeof *out);
    char ids[24], after[24], lim[16];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    snprintf(after, sizeof after, "%" PRId64, after_id);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {ids, after, lim};
    PGresult *res = NULL;
    enum db_status s = db_exec(db, events, params, &res);
    if (s != DB_OK)
        return s;
    if (PQntuples(res) == 0) {
        PGresult *ex = NULL;
        s = db_exec(db, exists, params, &ex);
        if (s == DB_OK && PQntuples(ex) == 0)
            s = DB_NOT_FOUND;
        PQclear(ex);
        if (s != DB_OK) {
            PQclear(res);
            return s;
        }
    }
    return sql_collect_page(res, limit, out);
}

enum db_status sql_id_json(struct db *db, struct db_stmt *st, int64_t id, char **json)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    return sql_exec_json(db, st, params, json);
}
