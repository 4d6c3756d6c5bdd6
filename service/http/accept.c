/**
 * @file accept.c
 * @brief Accept header matching.
 */
#include "http/accept.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RANGES_MAX 32
#define NAME_MAX_LEN 80

struct media_range {
    char type[NAME_MAX_LEN], sub[NAME_MAX_LEN];
    int q; /* thousandths */
};

/* q=0.5 → 500; anything malformed → -1. */
static int parse_q(const char *v)
{
    if (*v != '0' && *v != '1')
        return -1;
    int q = (*v - '0') * 1000, scale = 100;
    v++;
    if (*v == '.')
        for (v++; *v >= '0' && *v <= '9'; v++) {
            if (scale == 0)
                return -1; /* at most three decimals */
            q += (*v - '0') * scale;
            scale /= 10;
        }
    return *v == '\0' && q <= 1000 ? q : -1;
}

/* The text of [s, s+n) without surrounding blanks, into out. */
static void trimmed(const char *s, size_t n, char *out, size_t outlen)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), s);
}

/* One element "type/sub;p=v;q=0.5" → r. @return false when it is not a media range. */
static bool parse_range(const char *s, size_t n, struct media_range *r)
{
    char buf[256];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *save = NULL, *part = strtok_r(buf, ";", &save);
    char range[NAME_MAX_LEN];
    if (!part)
        return false;
    trimmed(part, strlen(part), range, sizeof range);
    char *slash = strchr(range, '/');
    if (!slash || slash == range || slash[1] == '\0')
        return false;
    *slash = '\0';
    snprintf(r->type, sizeof r->type, "%s", range);
    snprintf(r->sub, sizeof r->sub, "%s", slash + 1);
    r->q = 1000;
    while ((part = strtok_r(NULL, ";", &save)) != NULL) {
        char param[NAME_MAX_LEN];
        trimmed(part, strlen(part), param, sizeof param);
        if ((param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
            r->q = parse_q(param + 2);
    }
    return r->q >= 0;
}

/* How specifically r matches "type/sub": 3 exact, 2 type with any subtype, 1 anything. */
static int specificity(const struct media_range *r, const char *offered)
{
    const char *slash = strchr(offered, '/');
    if (!slash)
        return 0;
    size_t tlen = (size_t)(slash - offered);
    if (strcmp(r->type, "*") == 0)
        return strcmp(r->sub, "*") == 0 ? 1 : 0;
    if (strlen(r->type) != tlen || strncasecmp(r->type, offered, tlen) != 0)
        return 0;
    if (strcmp(r->sub, "*") == 0)
        return 2;
    return strcasecmp(r->sub, slash + 1) == 0 ? 3 : 0;
}

int http_accept_pick(const char *accept, const char *const *offered)
{
    if (!offered[0])
        return -1;
    if (!accept || accept[strspn(accept, " \t")] == '\0')
        return 0;
    struct media_range ranges[RANGES_MAX];
    int n = 0;
    for (const char *s = accept; n < RANGES_MAX;) {
        size_t len = strcspn(s, ",");
        if (parse_range(s, len, &ranges[n]))
            n++;
        if (s[len] == '\0')
            break;
        s += len + 1;
    }
    int best = -1, best_q = 0;
    for (int i = 0; offered[i]; i++) {
        int q = 0, spec = 0;
        for (int k = 0; k < n; k++) {
            int sp = specificity(&ranges[k], offered[i]);
            if (sp > spec) {
                spec = sp;
                q = ranges[k].q;
            }
        }
        if (q > best_q) {
            best = i;
            best_q = q;
        }
    }
    return best;
}
