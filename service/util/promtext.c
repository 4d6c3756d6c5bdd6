/**
 * @file promtext.c
 * @brief Prometheus text format writer.
 */
#include "util/promtext.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void prom_labels_init(struct prom_labels *l)
{
    l->text[0] = '\0';
    l->truncated = false;
}

static void put(struct prom_labels *l, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > sizeof l->text) {
        l->truncated = true;
        return;
    }
    memcpy(l->text + *len, s, n);
    *len += n;
    l->text[*len] = '\0';
}

void prom_labels_add(struct prom_labels *l, const char *name, const char *value)
{
    size_t len = strlen(l->text);
    if (len)
        put(l, &len, ",", 1);
    put(l, &len, name, strlen(name));
    put(l, &len, "=\"", 2);
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\')
            put(l, &len, "\\\\", 2);
        else if (*p == '"')
            put(l, &len, "\\\"", 2);
        else if (*p == '\n')
            put(l, &len, "\\n", 2);
        else
            put(l, &len, p, 1);
    }
    put(l, &len, "\"", 1);
}

bool prom_valid_name(const char *name, bool metric)
{
    if (!name || !*name || (*name >= '0' && *name <= '9'))
        return false;
    for (const char *p = name; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || (metric && *p == ':');
        if (!ok)
            return false;
    }
    return true;
}

void prom_family(struct strbuf *sb, const char *name, const char *type, const char *help)
{
    strbuf_printf(sb, "# HELP %s ", name);
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            strbuf_puts(sb, "\\\\");
        else if (*p == '\n')
            strbuf_puts(sb, "\\n");
        else
            strbuf_append(sb, p, 1);
    }
    strbuf_printf(sb, "\n# TYPE %s %s\n", name, type);
}

static void series(struct strbuf *sb, const char *name, const struct prom_labels *labels)
{
    strbuf_puts(sb, name);
    if (labels && labels->text[0])
        strbuf_printf(sb, "{%s}", labels->text);
    strbuf_puts(sb, " ");
}

void prom_sample(struct strbuf *sb, const char *name, const struct prom_labels *labels, double v)
{
    series(sb, name, labels);
    if (isnan(v))
        strbuf_puts(sb, "NaN\n");
    else if (isinf(v))
        strbuf_puts(sb, v > 0 ? "+Inf\n" : "-Inf\n");
    else
        strbuf_printf(sb, "%.15g\n", v);
}

void prom_sample_u64(struct strbuf *sb, const char *name, const struct prom_labels *labels,
                     uint64_t v)
{
    series(sb, name, labels);
    strbuf_printf(sb, "%llu\n", (unsigned long long)v);
}

void prom_histogram(struct strbuf *sb, const char *name, const struct prom_labels *labels,
                    const struct histo_snapshot *h)
{
    char metric[160];
    for (int b = 0; b <= HISTO_BOUNDS; b++) {
        struct prom_labels l;
        if (labels)
            l = *labels;
        else
            prom_labels_init(&l);
        char le[32];
        if (b < HISTO_BOUNDS)
            snprintf(le, sizeof le, "%.15g", (double)histo_bounds_us[b] / 1e6);
        else
            snprintf(le, sizeof le, "+Inf");
        prom_labels_add(&l, "le", le);
        snprintf(metric, sizeof metric, "%s_bucket", name);
        prom_sample_u64(sb, metric, &l, h->cumulative[b]);
    }
    snprintf(metric, sizeof metric, "%s_sum", name);
    prom_sample(sb, metric, labels, h->sum_seconds);
    snprintf(metric, sizeof metric, "%s_count", name);
    prom_sample_u64(sb, metric, labels, h->count);
}
