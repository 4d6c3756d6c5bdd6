/**
 * @file cursor.c
 * @brief Cursor text "c1:K1:K2" in base64url without padding; decoding is strict.
 */
#include "domain/cursor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = B64[(v >> 18) & 63];
        out[o++] = B64[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = B64[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = B64[v & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(B64, c) : NULL;
    return p ? (int)(p - B64) : -1;
}

/* Returns the decoded length, or -1 on a character outside the alphabet or a bad length. */
static long b64url_decode(const char *in, unsigned char *out, size_t cap)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        unsigned v = 0;
        size_t chunk = n - i < 4 ? n - i : 4;
        for (size_t j = 0; j < 4; j++) {
            int x = j < chunk ? b64_value(in[i + j]) : 0;
            if (x < 0)
                return -1;
            v = (v << 6) | (unsigned)x;
        }
        for (size_t j = 0; j + 1 < chunk; j++) {
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(v >> (16 - 8 * j));
        }
    }
    return (long)o;
}

void cursor_encode(const int64_t *keys, int n, char out[CURSOR_MAX_LEN])
{
    char plain[80] = "c1";
    size_t len = 2;
    for (int i = 0; i < n && i < CURSOR_MAX_KEYS; i++)
        len += (size_t)snprintf(plain + len, sizeof plain - len, ":%" PRId64, keys[i]);
    b64url_encode((const unsigned char *)plain, len, out);
}

bool cursor_decode(const char *s, int64_t *keys, int n)
{
    unsigned char plain[96];
    if (!s || strlen(s) > CURSOR_MAX_LEN || n < 1 || n > CURSOR_MAX_KEYS)
        return false;
    long len = b64url_decode(s, plain, sizeof plain - 1);
    if (len < 4)
        return false;
    plain[len] = '\0';
    if (memchr(plain, '\0', (size_t)len) || strncmp((char *)plain, "c1:", 3) != 0)
        return false;
    const char *p = (const char *)plain + 2;
    for (int i = 0; i < n; i++) {
        if (*p != ':')
            return false;
        p++;
        if (!(*p == '-' || (*p >= '0' && *p <= '9')))
            return false;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || end == p)
            return false;
        keys[i] = v;
        p = end;
    }
    /* Reject non-canonical encodings so a cursor has exactly one spelling. */
    char again[CURSOR_MAX_LEN];
    if (*p != '\0')
        return false;
    cursor_encode(keys, n, again);
    return strcmp(again, s) == 0;
}
