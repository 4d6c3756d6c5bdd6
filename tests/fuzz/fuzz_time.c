/**
 * @file fuzz_time.c
 * @brief libFuzzer: the RFC 3339 and date parsers. Properties: no crash or UB (overflow); an
 *        instant that parses formats back to a text that parses to the same instant, at any
 *        whole-minute offset; a parsed date is a real calendar date.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 128)
        return 0;
    int offset_min = (int)(int8_t)data[0] * 7; /* -896..889 minutes */
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    hl_time t;
    if (tf_parse_rfc3339(s, &t)) {
        char text[64];
        hl_time again;
        tf_format_rfc3339(t, 0, text, sizeof text); /* UTC: always writable */
        if (!tf_parse_rfc3339(text, &again) || again != t)
            abort();
        /* at another offset, unless that moves the local date out of years 1-9999 */
        static const hl_time lo = INT64_C(-62135596800) * HL_USEC_PER_SEC + HL_HOUR(24),
                             hi = INT64_C(253402300799) * HL_USEC_PER_SEC - HL_HOUR(24);
        tf_format_rfc3339(t, offset_min * 60, text, sizeof text);
        if (t > lo && t < hi && (!tf_parse_rfc3339(text, &again) || again != t))
            abort();
    }
    int y, m, d;
    if (tf_parse_date(s, &y, &m, &d) && !tf_valid_date(y, m, d))
        abort();
    free(s);
    return 0;
}
