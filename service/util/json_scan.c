/**
 * @file json_scan.c
 * @brief See json_scan.h.
 */
#include "util/json_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Past the string starting at the opening quote p. */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    return *p ? p + 1 : p;
}

bool json_scan_int(const char *json, const char *key, int64_t *out)
{
    const char *p = json ? json + strspn(json, " \t\r\n") : NULL;
    if (!p || *p != '{')
        return false;
    size_t klen = strlen(key);
    int depth = 0;
    bool expect_key = true; /* at depth 1, the next string is a member name */
    for (; *p; p++) {
        char c = *p;
        if (c == '"') {
            const char *end = skip_string(p);
            if (depth == 1 && expect_key) {
                bool match = (size_t)(end - p) == klen + 2 && strncmp(p + 1, key, klen) == 0;
                const char *v = end + strspn(end, " \t\r\n");
                if (match && *v == ':') {
                    v++;
                    v += strspn(v, " \t\r\n");
                    char *num_end;
                    errno = 0;
                    long long n = strtoll(v, &num_end, 10);
                    if (num_end == v || errno || strchr(".eE", *num_end))
                        return false;
                    *out = n;
                    return true;
                }
                expect_key = false;
            }
            p = end - 1;
        } else if (c == '{' || c == '[') {
            depth++;
            expect_key = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return false;
        } else if (c == ',' && depth == 1) {
            expect_key = true;
        }
    }
    return false;
}
