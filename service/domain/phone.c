/**
 * @file phone.c
 * @brief Phone normalisation and masking (see phone.h for the rules).
 */
#include "domain/phone.h"

#include <string.h>

static bool is_separator(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

/* Collects the digits of s, or fails on a character that has no place in a phone number. */
static bool collect_digits(const char *s, char *digits, size_t cap, bool *plus)
{
    size_t n = 0;
    *plus = false;
    while (*s == ' ')
        s++;
    if (*s == '+') {
        *plus = true;
        s++;
    }
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            if (n + 1 >= cap)
                return false;
            digits[n++] = *s;
        } else if (!is_separator(*s)) {
            return false;
        }
    }
    digits[n] = '\0';
    return n > 0;
}

bool phone_normalize(const char *in, const char *cc, char out[PHONE_NORMAL_MAX])
{
    char d[40];
    bool plus;
    if (!in || !cc || !collect_digits(in, d, sizeof d, &plus))
        return false;
    const char *intl = NULL;
    if (plus)
        intl = d;
    else if (d[0] == '0' && d[1] == '0')
        intl = d + 2;
    else if (strncmp(d, cc, strlen(cc)) == 0 && strlen(d) > PHONE_MAX_NATIONAL)
        intl = d;
    char buf[64];
    if (intl) {
        if (intl[0] == '0' || strlen(intl) < 3)
            return false; /* no country code starts with 0 */
        strcpy(buf, intl);
    } else {
        const char *national = d[0] == '0' ? d + 1 : d;
        if (strlen(national) < 3 || strlen(cc) + strlen(national) >= sizeof buf)
            return false;
        strcpy(buf, cc);
        strcat(buf, national);
    }
    size_t n = strlen(buf);
    if (n < 3 || n > 15)
        return false;
    memcpy(out, buf, n + 1);
    return true;
}

void phone_mask(const char *in, char *out, size_t outlen)
{
    if (!outlen)
        return;
    size_t ndig = 0;
    for (const char *p = in; p && *p; p++)
        ndig += (*p >= '0' && *p <= '9');
    size_t keep_head = ndig >= 9 ? 3 : 0, keep_tail = ndig >= 9 ? 4 : 2;
    size_t i = 0, seen = 0;
    for (const char *p = in; p && *p && i + 1 < outlen; p++) {
        if (*p >= '0' && *p <= '9') {
            bool keep = seen < keep_head || seen + keep_tail >= ndig;
            out[i++] = keep ? *p : '*';
            seen++;
        } else {
            out[i++] = *p;
        }
    }
    out[i] = '\0';
}

void name_mask(const char *in, char *out, size_t outlen)
{
    if (!outlen)
        return;
    size_t first = 0;
    if (in && in[0]) {
        unsigned char c = (unsigned char)in[0];
        first = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (strlen(in) < first)
            first = strlen(in);
    }
    if (first + 2 > outlen)
        first = 0;
    memcpy(out, in, first);
    out[first] = '\0';
    if (in && in[0] && first + 2 <= outlen)
        strcat(out, "*");
}
