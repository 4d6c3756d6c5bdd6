/**
 * @file strbuf.h
 * @brief A growable byte string; the caller owns the struct and frees it with strbuf_free.
 */
#ifndef HOTLINE_UTIL_STRBUF_H
#define HOTLINE_UTIL_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
    char *data; /* NUL-terminated while ok */
    size_t len, cap;
    bool oom; /* an allocation failed; contents are truncated */
};

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Append s as a JSON string literal, quotes included. */
void strbuf_json_string(struct strbuf *sb, const char *s);
/** Hand the buffer to the caller (caller frees); the strbuf is left empty. NULL on oom. */
char *strbuf_steal(struct strbuf *sb, size_t *len);

#endif
