/**
 * @file csv.c
 * @brief The CSV state machine.
 */
#include "domain/csv.h"

#include <stdlib.h>
#include <string.h>

enum { ST_START, ST_PLAIN, ST_QUOTED, ST_QUOTE, ST_CR, ST_SKIP };

void csv_init(struct csv_reader *r, size_t max_record)
{
    memset(r, 0, sizeof *r);
    r->max_record = max_record;
    r->line = r->record_line = 1;
}

void csv_cleanup(struct csv_reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

static void reset_record(struct csv_reader *r)
{
    r->len = 0;
    r->nfields = 0;
    r->quoted_any = false;
    r->error = NULL;
    r->state = ST_START;
}

static void fail(struct csv_reader *r, const char *why)
{
    if (!r->error)
        r->error = why;
    r->state = ST_SKIP;
}

static bool put(struct csv_reader *r, char c)
{
    if (r->len + 2 > r->max_record) {
        fail(r, "the record is too long");
        return true;
    }
    if (r->len + 2 > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        char *p = realloc(r->buf, cap);
        if (!p)
            return false;
        r->buf = p;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return true;
}

static bool start_field(struct csv_reader *r)
{
    if (r->nfields == CSV_MAX_FIELDS) {
        fail(r, "the record has too many cells");
        return true;
    }
    r->starts[r->nfields++] = r->len;
    return true;
}

static bool end_field(struct csv_reader *r)
{
    return put(r, '\0');
}

/* Hand a finished record (or its error) to the callback. */
static bool emit(struct csv_reader *r, csv_record_fn fn, void *ctx)
{
    struct csv_record rec = {.line = r->record_line, .error = r->error};
    bool blank = !r->error && r->nfields == 1 && r->len == 1 && !r->quoted_any;
    bool ok = true;
    if (!blank) {
        if (!r->error) {
            for (int i = 0; i < r->nfields; i++) {
                r->fields[i] = r->buf + r->starts[i];
                size_t end = i + 1 < r->nfields ? r->starts[i + 1] - 1 : r->len - 1;
                r->lens[i] = end - r->starts[i];
            }
            if (r->record_line == 1 && r->lens[0] >= 3 &&
                memcmp(r->fields[0], "\xef\xbb\xbf", 3) == 0) {
                r->fields[0] += 3;
                r->lens[0] -= 3;
            }
            rec.nfields = r->nfields;
            rec.fields = r->fields;
            rec.lens = r->lens;
        }
        ok = fn(ctx, &rec);
    }
    reset_record(r);
    return ok;
}

/* End of a line outside quotes: the record ends; the next starts on the next line. */
static bool end_record(struct csv_reader *r, csv_record_fn fn, void *ctx)
{
    bool ok = (r->state == ST_SKIP || end_field(r)) && emit(r, fn, ctx);
    r->line++;
    r->record_line = r->line;
    return ok;
}

static bool step(struct csv_reader *r, char c, csv_record_fn fn, void *ctx)
{
    switch (r->state) {
    case ST_CR:
        r->state = ST_START;
        if (c == '\n')
            return true; /* CRLF: the record ended at the CR */
        /* a lone CR ended it; c starts the next record */
        __attribute__((fallthrough));
    case ST_START:
        if (r->nfields == 0 && !start_field(r))
            return false;
        if (c == '"') {
            r->quoted_any = true;
            r->state = ST_QUOTED;
            return true;
        }
        r->state = ST_PLAIN;
        __attribute__((fallthrough));
    case ST_PLAIN:
        if (c == ',') {
            if (!end_field(r) || !start_field(r))
                return false;
            if (r->state != ST_SKIP)
                r->state = ST_START;
            return true;
        }
        if (c == '\n' || c == '\r') {
            bool ok = end_record(r, fn, ctx);
            r->state = c == '\r' ? ST_CR : ST_START;
            return ok;
        }
        if (c == '"') {
            fail(r, "a quote inside an unquoted cell");
            return true;
        }
        return put(r, c);
    case ST_QUOTED:
        if (c == '"') {
            r->state = ST_QUOTE;
            return true;
        }
        if (c == '\n')
            r->line++;
        return put(r, c);
    case ST_QUOTE:
        if (c == '"') {
            r->state = ST_QUOTED;
            return put(r, '"');
        }
        r->state = ST_PLAIN;
        if (c == ',' || c == '\n' || c == '\r')
            return step(r, c, fn, ctx);
        fail(r, "text after a closing quote");
        return true;
    case ST_SKIP:
        if (c == '\n' || c == '\r') {
            bool ok = end_record(r, fn, ctx);
            r->state = c == '\r' ? ST_CR : ST_START;
            return ok;
        }
        return true;
    }
    return true;
}

bool csv_feed(struct csv_reader *r, const char *data, size_t len, csv_record_fn fn, void *ctx)
{
    for (size_t i = 0; i < len; i++)
        if (!step(r, data[i], fn, ctx))
            return false;
    return true;
}

bool csv_finish(struct csv_reader *r, csv_record_fn fn, void *ctx)
{
    if (r->state == ST_QUOTED)
        fail(r, "a quoted cell is not closed");
    if (r->state == ST_CR || (r->state == ST_START && r->nfields == 0))
        return true;
    bool ok = r->state == ST_SKIP || end_field(r);
    return ok && emit(r, fn, ctx);
}
