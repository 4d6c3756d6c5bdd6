/**
 * @file csv.h
 * @brief An incremental CSV reader (RFC 4180): bytes go in as they arrive, records come out
 *        through a callback, so a file of any length is read with one record in memory.
 *
 * Cells are separated by ',' and records by LF, CRLF or CR; a cell in double quotes may hold
 * commas, line breaks and doubled quotes. Blank lines are skipped. A malformed record (a quote
 * inside an unquoted cell, text after a closing quote, too many cells, too long) is reported
 * with its line number and reading goes on at the next line. A UTF-8 byte order mark before
 * the first cell is dropped.
 */
#ifndef HOTLINE_DOMAIN_CSV_H
#define HOTLINE_DOMAIN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 32

struct csv_record {
    long line;          /* the line the record starts on, from 1 */
    int nfields;
    char **fields;      /* NUL-terminated, writable until the callback returns */
    size_t *lens;
    const char *error;  /* non-NULL: the record is malformed and fields are not set */
};

/** Called for each record; return false to stop reading. */
typedef bool (*csv_record_fn)(void *ctx, struct csv_record *rec);

struct csv_reader {
    char *buf; /* the current record's cells, each followed by a NUL */
    size_t len, cap, max_record;
    size_t starts[CSV_MAX_FIELDS];
    int nfields;
    int state;
    bool quoted_any; /* the record had a quoted cell (so it is not blank) */
    long line, record_line;
    const char *error;
    char *fields[CSV_MAX_FIELDS];
    size_t lens[CSV_MAX_FIELDS];
};

/** @param max_record the longest record in bytes (longer: reported as malformed) */
void csv_init(struct csv_reader *r, size_t max_record);

/** Free the buffer. */
void csv_cleanup(struct csv_reader *r);

/** Read more bytes. @return false when the callback stopped reading (or out of memory). */
bool csv_feed(struct csv_reader *r, const char *data, size_t len, csv_record_fn fn, void *ctx);

/** End of input: the last record without a line break, or an unclosed quote. */
bool csv_finish(struct csv_reader *r, csv_record_fn fn, void *ctx);

#endif
