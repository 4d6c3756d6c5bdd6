/**
 * @file fuzz_cursor.c
 * @brief libFuzzer: the cursor decoder. Properties: no crash; a cursor that decodes is exactly
 *        the encoding of the keys it decodes to (one spelling per cursor, so forged variants
 *        are refused).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 512)
        return 0;
    int nkeys = data[0] % (CURSOR_MAX_KEYS + 1); /* 0 must be refused */
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    int64_t keys[CURSOR_MAX_KEYS];
    if (cursor_decode(s, keys, nkeys)) {
        if (nkeys < 1)
            abort();
        char again[CURSOR_MAX_LEN];
        cursor_encode(keys, nkeys, again);
        if (strcmp(again, s) != 0)
            abort();
    }
    free(s);
    return 0;
}
