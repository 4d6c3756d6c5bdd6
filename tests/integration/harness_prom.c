/**
 * @file harness_prom.c
 * @brief Strict exposition-format checks for tests (see harness_prom.h).
 */
#include "harness_prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

#define MAXL 8

struct sample {
    char name[128];
    char family[128];
    char type[16];
    int nl;
    char lname[MAXL][64];
    char lval[MAXL][256];
    double v;
    char key[1024]; /* name + labels as written: the series identity */
};

struct family {
    char name[128];
    char type[16];
    bool help, typed, closed;
};

static bool name_ok(const char *s, size_t n, bool metric)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || (metric && c == ':')))
            return false;
    }
    return true;
}

/* Prometheus floats: decimal numbers, +Inf, -Inf, NaN. Nothing else (no hex, no "inf"). */
static bool value_ok(const char *s, double *out)
{
    if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 || strcmp(s, "NaN") == 0) {
        *out = s[0] == 'N' ? NAN : (s[0] == '+' ? INFINITY : -INFINITY);
        return true;
    }
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    p += strspn(p, "0123456789");
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        p += strspn(p, "0123456789");
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        p += strspn(p, "0123456789");
    }
    if (*p)
        return false;
    *out = strtod(s, NULL);
    return true;
}

#define BAD(...)                                                                                   \
    do {                                                                                           \
        char why_[512];                                                                            \
        snprintf(why_, sizeof why_, __VA_ARGS__);                                                  \
        fail_msg("metrics line %d is invalid (%s): %.300s", lineno, why_, line);                   \
    } while (0)

static void parse_sample(const char *line, int lineno, struct sample *s)
{
    memset(s, 0, sizeof *s);
    size_t n = strcspn(line, "{ ");
    if (!name_ok(line, n, true) || n >= sizeof s->name)
        BAD("metric name");
    memcpy(s->name, line, n);
    const char *p = line + n;
    if (*p == '{') {
        p++;
        while (*p != '}') {
            size_t ln = strcspn(p, "=");
            if (s->nl == MAXL || !name_ok(p, ln, false) || ln >= sizeof s->lname[0])
                BAD("label name");
            memcpy(s->lname[s->nl], p, ln);
            for (int i = 0; i < s->nl; i++)
                if (strcmp(s->lname[i], s->lname[s->nl]) == 0)
                    BAD("label %s twice", s->lname[i]);
            p += ln;
            if (p[0] != '=' || p[1] != '"')
                BAD("label value must be quoted");
            p += 2;
            size_t o = 0;
            while (*p != '"') {
                if (!*p)
                    BAD("unterminated label value");
                char c = *p++;
                if (c == '\\') {
                    c = *p++;
                    if (c == 'n')
                        c = '\n';
                    else if (c != '\\' && c != '"')
                        BAD("unknown escape \\%c", c ? c : '0');
                }
                if (o + 1 >= sizeof s->lval[0])
                    BAD("label value too long");
                s->lval[s->nl][o++] = c;
            }
            p++;
            s->nl++;
            if (*p == ',' && p[1] != '}')
                p++;
            else if (*p != '}')
                BAD("expected , or } after a label");
        }
        p++;
    }
    if (*p != ' ' || p[1] == ' ')
        BAD("one space must separate the series from its value");
    size_t keylen = (size_t)(p - line);
    if (keylen >= sizeof s->key)
        BAD("series too long");
    memcpy(s->key, line, keylen);
    if (strchr(p + 1, ' '))
        BAD("timestamps are not expected");
    if (!value_ok(p + 1, &s->v))
        BAD("value");
}

static const char *label(const struct sample *s, const char *name)
{
    for (int i = 0; i < s->nl; i++)
        if (strcmp(s->lname[i], name) == 0)
            return s->lval[i];
    return NULL;
}

/* Same labels, le aside. */
static bool same_group(const struct sample *a, const struct sample *b)
{
    int na = 0, nb = 0;
    for (int i = 0; i < a->nl; i++)
        if (strcmp(a->lname[i], "le") != 0) {
            const char *v = label(b, a->lname[i]);
            if (!v || strcmp(v, a->lval[i]) != 0)
                return false;
            na++;
        }
    for (int i = 0; i < b->nl; i++)
        nb += strcmp(b->lname[i], "le") != 0;
    return na == nb;
}

static void check_histograms(const struct sample *s, int n)
{
    int lineno = 0;
    const char *line = "";
    for (int i = 0; i < n; i++) {
        if (strcmp(s[i].type, "histogram") != 0)
            continue;
        char count_name[160];
        snprintf(count_name, sizeof count_name, "%s_count", s[i].family);
        if (strcmp(s[i].name, count_name) != 0)
            continue;
        double last_le = -INFINITY, last_v = 0;
        int buckets = 0;
        bool has_sum = false;
        for (int j = 0; j < n; j++) {
            if (strcmp(s[j].family, s[i].family) != 0 || !same_group(&s[i], &s[j]))
                continue;
            if (strstr(s[j].name, "_sum") == s[j].name + strlen(s[j].family))
                has_sum = true;
            if (strstr(s[j].name, "_bucket") != s[j].name + strlen(s[j].family))
                continue;
            const char *le = label(&s[j], "le");
            double lev;
            line = s[j].key;
            if (!le || !value_ok(le, &lev))
                BAD("bucket without a numeric le");
            if (lev <= last_le)
                BAD("le must ascend");
            if (s[j].v < last_v)
                BAD("cumulative bucket counts must not fall");
            last_le = lev;
            last_v = s[j].v;
            buckets++;
        }
        line = s[i].key;
        if (!buckets || !isinf(last_le))
            BAD("a histogram needs buckets ending in le=\"+Inf\"");
        if (last_v != s[i].v)
            BAD("the +Inf bucket (%g) must equal _count (%g)", last_v, s[i].v);
        if (!has_sum)
            BAD("histogram without _sum");
    }
}

int prom_check(const char *body)
{
    size_t len = strlen(body);
    if (len == 0 || body[len - 1] != '\n')
        fail_msg("metrics must end with a newline");
    int cap = 4096, n = 0, nf = 0;
    struct sample *s = calloc((size_t)cap, sizeof *s);
    struct family *f = calloc(512, sizeof *f);
    struct family *cur = NULL;
    char *copy = strdup(body), *save = NULL;
    int lineno = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (line[0] == '#') {
            char kw[8] = {0}, name[128] = {0};
            int used = 0;
            if (sscanf(line, "# %7s %127s %n", kw, name, &used) < 2 ||
                (strcmp(kw, "HELP") != 0 && strcmp(kw, "TYPE") != 0))
                BAD("only # HELP and # TYPE comments are expected");
            if (!name_ok(name, strlen(name), true))
                BAD("metric name");
            struct family *fam = NULL;
            for (int i = 0; i < nf; i++)
                if (strcmp(f[i].name, name) == 0)
                    fam = &f[i];
            if (!fam) {
                if (nf == 512)
                    BAD("too many families");
                fam = &f[nf++];
                snprintf(fam->name, sizeof fam->name, "%s", name);
            }
            if (fam->closed)
                BAD("family %s is not contiguous", name);
            if (cur && cur != fam)
                cur->closed = true;
            cur = fam;
            if (kw[0] == 'H') {
                if (fam->help)
                    BAD("second HELP");
                fam->help = true;
                for (const char *p = line + used; *p; p++)
                    if (*p == '\\' && p[1] != '\\' && p[1] != 'n')
                        BAD("bad escape in HELP");
                    else if (*p == '\\')
                        p++;
            } else {
                if (fam->typed)
                    BAD("second TYPE");
                const char *t = line + used;
                if (strcmp(t, "counter") && strcmp(t, "gauge") && strcmp(t, "histogram") &&
                    strcmp(t, "summary") && strcmp(t, "untyped"))
                    BAD("unknown type");
                snprintf(fam->type, sizeof fam->type, "%s", t);
                fam->typed = true;
            }
            continue;
        }
        if (!line[0])
            BAD("empty line");
        if (n == cap) {
            cap *= 2;
            s = realloc(s, (size_t)cap * sizeof *s);
        }
        parse_sample(line, lineno, &s[n]);
        if (!cur || !cur->typed || !cur->help)
            BAD("sample before its family's HELP and TYPE");
        char want[3][160];
        bool hist = strcmp(cur->type, "histogram") == 0;
        snprintf(want[0], sizeof want[0], "%s%s", cur->name, hist ? "_bucket" : "");
        snprintf(want[1], sizeof want[1], "%s_sum", cur->name);
        snprintf(want[2], sizeof want[2], "%s_count", cur->name);
        if (strcmp(s[n].name, want[0]) != 0 &&
            !(hist && (strcmp(s[n].name, want[1]) == 0 || strcmp(s[n].name, want[2]) == 0)))
            BAD("sample %s outside its family %s", s[n].name, cur->name);
        if (label(&s[n], "le") && !(hist && strcmp(s[n].name, want[0]) == 0))
            BAD("le is reserved for histogram buckets");
        if (strcmp(cur->type, "counter") == 0) {
            size_t nl = strlen(s[n].name);
            if (nl < 6 || strcmp(s[n].name + nl - 6, "_total") != 0)
                BAD("counter names end in _total");
            if (!(s[n].v >= 0))
                BAD("counters are never negative or NaN");
        }
        snprintf(s[n].family, sizeof s[n].family, "%s", cur->name);
        snprintf(s[n].type, sizeof s[n].type, "%s", cur->type);
        for (int i = 0; i < n; i++)
            if (strcmp(s[i].key, s[n].key) == 0)
                BAD("series appears twice");
        n++;
    }
    check_histograms(s, n);
    free(copy);
    free(s);
    free(f);
    return n;
}

double prom_value(const char *body, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return NAN;
}

double prom_sum(const char *body, const char *name)
{
    size_t n = strlen(name);
    double sum = 0;
    for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, n) != 0 || (p[n] != ' ' && p[n] != '{'))
            continue;
        const char *end = strchr(p, '\n'), *value = NULL;
        for (const char *q = p; q < end; q++)
            if (*q == ' ')
                value = q + 1; /* the value follows the last space */
        if (value)
            sum += strtod(value, NULL);
    }
    return sum;
}

void prom_promtool(const char *body)
{
    const char *tool = getenv("HOTLINE_PROMTOOL") ? getenv("HOTLINE_PROMTOOL") : "promtool";
    const char *in = h_tmp_path("metrics.prom");
    const char *out = h_tmp_path("promtool.out");
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' check metrics < '%s' > '%s' 2>&1", tool, in, out);
    int rc = system(cmd);
    char *said = h_read_file(out);
    int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    if (code == 127)
        fail_msg("%s not found: install the Debian package prometheus (deploy/local/deps.sh)",
                 tool);
    if (code != 0 || (said && said[0]))
        fail_msg("promtool check metrics (exit %d): %s", code, said ? said : "");
    free(said);
}
