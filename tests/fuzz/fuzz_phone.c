/**
 * @file fuzz_phone.c
 * @brief libFuzzer: phone normalisation and the log masks. Properties: no crash; a normal form
 *        is 1–15 digits and is its own normal form when given back with a '+'; masks never
 *        write past their buffer and keep no more than 7 digits of a long number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char norm[PHONE_NORMAL_MAX];
    if (phone_normalize(s, "86", norm)) {
        size_t n = strlen(norm);
        if (n < 1 || n > 15 || strspn(norm, "0123456789") != n)
            abort();
        char plus[PHONE_NORMAL_MAX + 1], again[PHONE_NORMAL_MAX];
        plus[0] = '+';
        memcpy(plus + 1, norm, n + 1);
        if (!phone_normalize(plus, "86", again) || strcmp(again, norm) != 0)
            abort();
    }
    char masked[64];
    phone_mask(s, masked, sizeof masked);
    if (strlen(s) >= 12 && strspn(s, "0123456789") == strlen(s)) {
        size_t digits = 0;
        for (const char *p = masked; *p; p++)
            digits += *p >= '0' && *p <= '9';
        if (digits > 7)
            abort();
    }
    char name[8];
    name_mask(s, name, sizeof name);
    free(s);
    return 0;
}
