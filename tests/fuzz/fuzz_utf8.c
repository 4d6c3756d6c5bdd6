/**
 * @file fuzz_utf8.c
 * @brief libFuzzer: the UTF-8 check the edge applies to query values and paths, against
 *        jansson's own decoder as a second opinion: a string jansson accepts as JSON text is
 *        valid for us, and the other way round.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    bool ours = utf8_is_valid((const char *)data, size);
    /* wrap the bytes as a JSON string, escaping only what JSON requires */
    char *doc = malloc(size * 6 + 3), *o = doc;
    *o++ = '"';
    for (size_t i = 0; i < size; i++) {
        unsigned char c = data[i];
        if (c == '"' || c == '\\' || c < 0x20)
            o += sprintf(o, "\\u%04x", c);
        else
            *o++ = (char)c;
    }
    *o++ = '"';
    json_t *j = json_loadb(doc, (size_t)(o - doc), JSON_DECODE_ANY, NULL);
    /* jansson refuses NUL (\u0000) like we do, and accepts everything else that is UTF-8 */
    bool theirs = j != NULL;
    if (ours != theirs)
        abort();
    json_decref(j);
    free(doc);
    return 0;
}
