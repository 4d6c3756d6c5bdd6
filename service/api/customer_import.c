/**
 * @file customer_import.c
 * @brief POST /customers/import: CSV (header row) or NDJSON, streamed. Rows are validated as
 *        they arrive and copied into a staging table on a connection of the import's own, in
 *        pieces of IMPORT_FLUSH_BYTES; after the last byte one statement upserts them by
 *        account number. Good rows are kept and bad ones reported with their line; a bad
 *        header, too many rows or a database failure keeps nothing.
 */
#include "api/customers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/audit.h"
#include "api/common.h"
#include "config.h"
#include "domain/csv.h"
#include "domain/customer.h"
#include "log.h"
#include "store/audit.h"
#include "store/customers.h"
#include "util/strbuf.h"

#define IMPORT_ERRORS_MAX 1000
#define IMPORT_FLUSH_BYTES (256 * 1024)
#define IMPORT_RECORD_MAX (64 * 1024)
#define IMPORT_TIMEOUT_MS (15 * 60 * 1000) /* the COPY lasts as long as the upload */

enum import_format { FMT_CSV, FMT_NDJSON };
static const char *const format_names[] = {"csv", "ndjson"};
static const char *const media_types[] = {"text/csv", "application/x-ndjson", NULL};

struct row_error {
    long line;
    char field[32];
    char message[160];
};

struct import {
    struct db *db;
    enum import_format format;
    struct csv_reader csv;
    int colmap[CSV_MAX_FIELDS], ncols;
    bool header_done;
    struct strbuf line; /* NDJSON: the current line */
    long line_no;
    bool line_too_long;
    struct strbuf copy; /* COPY data not sent yet */
    long rows, invalid;
    struct row_error *errors;
    int nerrors;
    long errors_total;
    /* the request fails as a whole */
    enum db_status db_failed;
    int fatal; /* 400: bad header or no rows; 413: too many rows */
    struct verrors header_errs;
};

static void note_error(struct import *imp, long line, const char *field, const char *message)
{
    imp->errors_total++;
    if (imp->nerrors == IMPORT_ERRORS_MAX)
        return;
    struct row_error *e = &imp->errors[imp->nerrors++];
    e->line = line;
    snprintf(e->field, sizeof e->field, "%s", field);
    snprintf(e->message, sizeof e->message, "%s", message);
}

static void reject(struct import *imp, long line, const struct verrors *errs)
{
    imp->invalid++;
    for (int i = 0; i < errs->n; i++)
        note_error(imp, line, errs->e[i].field, errs->e[i].message);
}

/* A valid row goes to the COPY buffer, which is sent once it is large enough. */
static bool stage(struct import *imp, long line, const struct customer_input *in)
{
    store_import_row(&imp->copy, line, in);
    enum db_status s = store_import_flush(imp->db, &imp->copy, IMPORT_FLUSH_BYTES);
    if (s != DB_OK)
        imp->db_failed = s;
    return s == DB_OK;
}

static bool count_row(struct import *imp)
{
    if (++imp->rows <= cfg.import_max_rows)
        return true;
    imp->fatal = 413;
    return false;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static bool csv_header(struct import *imp, struct csv_record *rec)
{
    imp->header_done = true;
    if (rec->error) {
        verr_add(&imp->header_errs, "header", "%s", rec->error);
    } else if (customer_csv_header(rec->fields, rec->lens, rec->nfields, imp->colmap,
                                   &imp->header_errs)) {
        imp->ncols = rec->nfields;
        return true;
    }
    imp->fatal = 400;
    return false;
}

static bool on_csv_record(void *ctx, struct csv_record *rec)
{
    struct import *imp = ctx;
    if (!imp->header_done)
        return csv_header(imp, rec);
    if (!count_row(imp))
        return false;
    struct verrors errs = {0};
    if (rec->error) {
        verr_add(&errs, "", "malformed CSV: %s", rec->error);
        reject(imp, rec->line, &errs);
        return true;
    }
    struct customer_input in;
    if (!customer_from_csv(rec->fields, rec->lens, rec->nfields, imp->colmap, imp->ncols,
                           cfg.country_code, &in, &errs)) {
        reject(imp, rec->line, &errs);
        return true;
    }
    return stage(imp, rec->line, &in);
}

/* ---- NDJSON --------------------------------------------------------------------------------- */

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static bool ndjson_line(struct import *imp)
{
    long line = ++imp->line_no;
    const char *text = imp->line.data ? imp->line.data : "";
    size_t len = imp->line.len;
    bool too_long = imp->line_too_long;
    imp->line.len = 0;
    imp->line_too_long = false;
    if (!too_long && blank(text, len))
        return true;
    if (!count_row(imp))
        return false;
    struct verrors errs = {0};
    json_error_t jerr;
    json_t *obj = too_long ? NULL : json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    struct customer_input in;
    if (too_long)
        verr_add(&errs, "", "the line is longer than %d bytes", IMPORT_RECORD_MAX);
    else if (!obj)
        verr_add(&errs, "", "not a JSON object (column %d: %s)", jerr.column,
                 text_is_clean(jerr.text) ? jerr.text : "invalid JSON");
    bool ok = obj && customer_from_json(obj, cfg.country_code, false, &in, &errs);
    bool go_on = true;
    if (ok)
        go_on = stage(imp, line, &in); /* copies the strings before obj goes */
    else
        reject(imp, line, &errs);
    json_decref(obj);
    return go_on;
}

static bool ndjson_feed(struct import *imp, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        if (imp->line.len + n > IMPORT_RECORD_MAX)
            imp->line_too_long = true;
        else
            strbuf_append(&imp->line, data, n);
        if (nl && !ndjson_line(imp))
            return false;
        data += nl ? n + 1 : n;
        len -= nl ? n + 1 : n;
    }
    return !imp->line.oom;
}

/* ---- the stream ------------------------------------------------------------------------------ */

static enum import_format format_of(struct http_request *req)
{
    const char *ct = http_header(req, "Content-Type");
    return ct && strncasecmp(ct, "application/x-ndjson", 20) == 0 ? FMT_NDJSON : FMT_CSV;
}

static void import_open(struct http_request *req)
{
    struct import *imp = calloc(1, sizeof *imp);
    struct row_error *errors = calloc(IMPORT_ERRORS_MAX, sizeof *errors);
    struct db *db = db_new();
    if (!imp || !errors || !db) {
        free(imp);
        free(errors);
        db_free(db);
        http_reply_problem(req, PROBLEM_UNAVAILABLE, "out of memory; retry");
        return;
    }
    imp->db = db;
    imp->errors = errors;
    imp->format = format_of(req);
    csv_init(&imp->csv, IMPORT_RECORD_MAX);
    strbuf_init(&imp->line);
    strbuf_init(&imp->copy);
    req->stream_ctx = imp;
    db_set_timeout(db, IMPORT_TIMEOUT_MS);
    enum db_status s = db_begin(db);
    if (s == DB_OK)
        s = store_import_begin(db);
    if (s != DB_OK)
        api_reply_db(req, s, "import");
}

static void import_chunk(struct http_request *req, const char *data, size_t len)
{
    struct import *imp = req->stream_ctx;
    if (!imp || imp->fatal || imp->db_failed != DB_OK)
        return;
    if (imp->format == FMT_CSV)
        csv_feed(&imp->csv, data, len, on_csv_record, imp);
    else if (!ndjson_feed(imp, data, len) && !imp->fatal && imp->db_failed == DB_OK)
        imp->db_failed = DB_ERROR;
}

static void import_close(struct http_request *req)
{
    struct import *imp = req->stream_ctx;
    if (!imp)
        return;
    db_free(imp->db); /* an import not committed is rolled back with its connection */
    csv_cleanup(&imp->csv);
    strbuf_free(&imp->line);
    strbuf_free(&imp->copy);
    free(imp->errors);
    free(imp);
    req->stream_ctx = NULL;
}

const struct route_stream api_customers_import_stream = {
    .max_body = &cfg.import_max_body,
    .media_types = media_types,
    .open = import_open,
    .chunk = import_chunk,
    .close = import_close,
};

/* ---- after the last byte ----------------------------------------------------------------------- */

static void on_duplicate(void *ctx, long line, long first_line)
{
    char message[96];
    snprintf(message, sizeof message, "repeats the account number of line %ld (the first wins)",
             first_line);
    note_error(ctx, line, "account_number", message);
}

static int by_line(const void *a, const void *b)
{
    const struct row_error *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The end of the body: the last record, and whether there was anything at all. */
static void finish_input(struct import *imp)
{
    if (imp->fatal || imp->db_failed != DB_OK)
        return;
    if (imp->format == FMT_CSV) {
        csv_finish(&imp->csv, on_csv_record, imp);
        if (!imp->header_done && !imp->fatal) {
            verr_add(&imp->header_errs, "header", "the body is empty: send a header row, "
                                                  "then one row per customer");
            imp->fatal = 400;
        }
    } else if ((imp->line.len > 0 || imp->line_too_long) && !ndjson_line(imp) && !imp->fatal &&
               imp->db_failed == DB_OK) {
        imp->db_failed = DB_ERROR;
    }
    if (!imp->fatal && imp->db_failed == DB_OK && imp->rows == 0) {
        verr_add(&imp->header_errs, "", "the body holds no rows");
        imp->fatal = 400;
    }
}

static json_t *result_json(struct import *imp, const struct import_counts *c)
{
    qsort(imp->errors, (size_t)imp->nerrors, sizeof imp->errors[0], by_line);
    json_t *errors = json_array();
    for (int i = 0; i < imp->nerrors; i++)
        json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "line",
                                                (json_int_t)imp->errors[i].line, "field",
                                                imp->errors[i].field, "message",
                                                imp->errors[i].message));
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:b}", "format",
                     format_names[imp->format], "rows", (json_int_t)imp->rows, "inserted",
                     (json_int_t)c->inserted, "updated", (json_int_t)c->updated, "unchanged",
                     (json_int_t)c->unchanged, "rejected",
                     (json_int_t)(imp->invalid + c->duplicates), "errors", errors,
                     "errors_truncated", imp->errors_total > imp->nerrors);
}

/* Upsert, audit and commit; reply with the counts. */
static void commit_import(struct http_request *req, struct import *imp)
{
    struct import_counts c;
    enum db_status s = store_import_flush(imp->db, &imp->copy, 0);
    if (s == DB_OK)
        s = store_import_finish(imp->db, req->auth.name, req->now,
                                IMPORT_ERRORS_MAX - imp->nerrors, on_duplicate, imp, &c);
    json_t *result = s == DB_OK ? result_json(imp, &c) : NULL;
    if (s == DB_OK) {
        json_t *detail = json_deep_copy(result);
        json_object_del(detail, "errors");
        char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(detail);
        struct audit_entry e = {.actor = req->auth.name, .role = req->auth.role_name,
                                .action = "customers.import", .subject = "customers",
                                .detail = text, .request_id = req->request_id, .at = req->now};
        s = store_audit(imp->db, &e);
        free(text);
    }
    if (s == DB_OK)
        s = db_end(imp->db, true);
    if (s != DB_OK) {
        json_decref(result);
        api_reply_db(req, s, "import");
        return;
    }
    http_reply_json(req, 200, result);
}

void api_customers_import(struct http_request *req)
{
    struct import *imp = req->stream_ctx;
    if (!imp) {
        http_reply_problem(req, PROBLEM_INTERNAL, "BUG: the import was not set up");
        return;
    }
    finish_input(imp);
    if (imp->fatal == 413)
        http_reply_problem(req, PROBLEM_TOO_LARGE,
                           "at most %d rows per import; split the file (nothing was imported)",
                           cfg.import_max_rows);
    else if (imp->fatal)
        http_reply_invalid(req, &imp->header_errs);
    else if (imp->db_failed != DB_OK)
        api_reply_db(req, imp->db_failed, "import");
    else
        commit_import(req, imp);
}
