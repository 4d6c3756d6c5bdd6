/**
 * @file csv.h
 * @brief CSV (RFC 4180) from flat JSON objects, for spreadsheets: the same values as the JSON,
 *        written the same way, so the two representations of a report agree cell for cell.
 */
#ifndef HOTLINE_UTIL_CSV_H
#define HOTLINE_UTIL_CSV_H

#include <jansson.h>
#include <stdbool.h>

#include "util/strbuf.h"

/** How a real number is written in both representations (jansson's JSON_REAL_PRECISION). */
#define CSV_REAL_PRECISION 10

/**
 * Append one field: null → empty; true/false; numbers as json_dumps writes them; strings
 * quoted when they hold a comma, quote, CR or LF. A string that a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) gets a leading apostrophe (OWASP "CSV
 * injection"): agent names come from phone systems.
 * @param first false: a comma goes before the field
 */
void csv_field(struct strbuf *sb, const json_t *value, bool first);

/** Append the header line: the keys of obj in order, CRLF-terminated. */
void csv_header(struct strbuf *sb, const json_t *obj);

/** Append one line: the values of obj in key order, CRLF-terminated. */
void csv_row(struct strbuf *sb, const json_t *obj);

#endif
