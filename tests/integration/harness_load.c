/**
 * @file harness_load.c
 * @brief See harness_load.h.
 */
#include "harness_load.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_sec.h"

struct write_rec {
    bool acked, replayed;
    long long id;
    int attempts;
};

struct writer {
    struct load *l;
    int index;
    pthread_t thread;
    struct write_rec *recs;
    long n, cap;
};

struct load {
    pthread_mutex_t mu;
    char base[LOAD_MAX_TARGETS][64];
    bool up[LOAD_MAX_TARGETS];
    int ntargets;
    char token[256];
    char tag[64];
    struct load_opts opts;
    atomic_bool stopping;
    double stop_at;
    struct writer *writers;
    pthread_t prober;
    struct load_stats st; /* under mu */
};

/* A target that is up, chosen by turn; false when none is. */
static bool pick(struct load *l, unsigned turn, struct hs *out)
{
    pthread_mutex_lock(&l->mu);
    bool found = false;
    for (int k = 0; k < l->ntargets && !found; k++) {
        int i = (int)((turn + (unsigned)k) % (unsigned)l->ntargets);
        if (l->up[i]) {
            memset(out, 0, sizeof *out);
            snprintf(out->base, sizeof out->base, "%s", l->base[i]);
            found = true;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return found;
}

static void record(struct load *l, const struct h_resp *r)
{
    pthread_mutex_lock(&l->mu);
    l->st.requests++;
    if (r->status == 201)
        l->st.s201++;
    else if (r->status == 503)
        l->st.s503++;
    else if (r->status < 0)
        l->st.transport++;
    else
        l->st.other++;
    if (r->status == 503) {
        if (!h_header(r, "Retry-After"))
            l->st.retry_after_missing++;
        if (r->seconds > l->st.max_503_s)
            l->st.max_503_s = r->seconds;
    }
    if (r->status > 0 && r->seconds > l->st.max_any_s)
        l->st.max_any_s = r->seconds;
    pthread_mutex_unlock(&l->mu);
}

static bool may_go_on(struct load *l)
{
    return !atomic_load(&l->stopping) || h_now() < l->stop_at + l->opts.retry_for_ms / 1000.0;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct load *l = w->l;
    unsigned turn = (unsigned)w->index;
    while (!atomic_load(&l->stopping)) {
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 256;
            w->recs = realloc(w->recs, (size_t)w->cap * sizeof *w->recs);
        }
        struct write_rec *rec = &w->recs[w->n];
        memset(rec, 0, sizeof *rec);
        long seq = ++w->n;
        pthread_mutex_lock(&l->mu);
        l->st.logical++;
        pthread_mutex_unlock(&l->mu);
        char key[128], body[256], hdr[160];
        snprintf(key, sizeof key, "%s-%d-%ld", l->tag, w->index, seq);
        snprintf(body, sizeof body, "{\"class\":\"general\",\"subject\":\"fault-%s\"}", key);
        snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key);
        const char *headers[] = {hdr, NULL};
        while (!rec->acked && may_go_on(l)) {
            struct hs target;
            if (!pick(l, turn++, &target)) {
                h_sleep_ms(50);
                continue;
            }
            rec->attempts++;
            struct h_resp *r =
                hx_req(&target, "POST", "/tickets", l->token, body, strlen(body), NULL, headers);
            record(l, r);
            if (r->status == 201) {
                rec->acked = true;
                rec->id = json_integer_value(json_object_get(r->json, "id"));
                rec->replayed = h_header(r, "Idempotent-Replayed") != NULL;
            }
            h_free(r);
            if (!rec->acked)
                h_sleep_ms(50);
        }
        if (l->opts.pace_ms)
            h_sleep_ms(l->opts.pace_ms);
        pthread_mutex_lock(&l->mu);
        l->st.acked += rec->acked;
        l->st.replays += rec->replayed;
        pthread_mutex_unlock(&l->mu);
    }
    hx_thread_done();
    return NULL;
}

static void *prober_main(void *arg)
{
    struct load *l = arg;
    while (!atomic_load(&l->stopping)) {
        struct hs target = {0};
        pthread_mutex_lock(&l->mu);
        bool up = l->up[0];
        snprintf(target.base, sizeof target.base, "%s", l->base[0]);
        pthread_mutex_unlock(&l->mu);
        if (up) {
            struct h_resp *r = hx_req(&target, "GET", "/healthz", NULL, NULL, 0, NULL, NULL);
            pthread_mutex_lock(&l->mu);
            l->st.health_probes++;
            if (r->status != 200)
                l->st.health_failures++;
            if (r->seconds > l->st.health_max_s)
                l->st.health_max_s = r->seconds;
            pthread_mutex_unlock(&l->mu);
            h_free(r);
        }
        h_sleep_ms(100);
    }
    hx_thread_done();
    return NULL;
}

struct load *load_start(struct hs *const *targets, int n, const char *token, const char *tag,
                        const struct load_opts *o)
{
    assert_true(n >= 1 && n <= LOAD_MAX_TARGETS);
    struct load *l = calloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    l->ntargets = n;
    for (int i = 0; i < n; i++) {
        snprintf(l->base[i], sizeof l->base[i], "%s", targets[i]->base);
        l->up[i] = true;
    }
    snprintf(l->token, sizeof l->token, "%s", token);
    snprintf(l->tag, sizeof l->tag, "%s", tag);
    l->opts = *o;
    l->writers = calloc((size_t)o->writers, sizeof *l->writers);
    for (int i = 0; i < o->writers; i++) {
        l->writers[i].l = l;
        l->writers[i].index = i;
        pthread_create(&l->writers[i].thread, NULL, writer_main, &l->writers[i]);
    }
    if (o->probe_health)
        pthread_create(&l->prober, NULL, prober_main, l);
    return l;
}

void load_target_down(struct load *l, int i)
{
    pthread_mutex_lock(&l->mu);
    l->up[i] = false;
    pthread_mutex_unlock(&l->mu);
}

void load_target_up(struct load *l, int i, const char *base)
{
    pthread_mutex_lock(&l->mu);
    snprintf(l->base[i], sizeof l->base[i], "%s", base);
    l->up[i] = true;
    pthread_mutex_unlock(&l->mu);
}

void load_peek(struct load *l, struct load_stats *out)
{
    pthread_mutex_lock(&l->mu);
    *out = l->st;
    pthread_mutex_unlock(&l->mu);
}

void load_stop(struct load *l, struct load_stats *out)
{
    l->stop_at = h_now();
    atomic_store(&l->stopping, true);
    for (int i = 0; i < l->opts.writers; i++)
        pthread_join(l->writers[i].thread, NULL);
    if (l->opts.probe_health)
        pthread_join(l->prober, NULL);
    load_peek(l, out);
}

void load_account(struct load *l, struct load_check *out)
{
    memset(out, 0, sizeof *out);
    char pattern[128];
    snprintf(pattern, sizeof pattern, "fault-%s-%%", l->tag);
    const char *params[] = {pattern};
    const char *sql = "SELECT subject, count(*) AS n, min(id) AS id FROM tickets "
                      "WHERE subject LIKE $1 GROUP BY subject";
    PGresult *res = PQexecParams(h_db(), sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res); /* the test's own connection died with the server: once more */
        PQreset(h_db());
        res = PQexecParams(h_db(), sql, 1, NULL, params, NULL, NULL, 0);
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("accounting query: %s", PQresultErrorMessage(res));
    size_t prefix = strlen(pattern) - 1;
    for (int r = 0; r < PQntuples(res); r++) {
        const char *subject = PQgetvalue(res, r, 0);
        long n = atol(PQgetvalue(res, r, 1));
        long long id = atoll(PQgetvalue(res, r, 2));
        int w = -1;
        long seq = 0;
        if (sscanf(subject + prefix, "%d-%ld", &w, &seq) != 2 || w < 0 ||
            w >= l->opts.writers || seq < 1 || seq > l->writers[w].n) {
            out->unknown++;
            continue;
        }
        if (n > 1)
            out->duplicates += n - 1;
        struct write_rec *rec = &l->writers[w].recs[seq - 1];
        if (!rec->acked) {
            out->unacked_present++;
            continue;
        }
        out->found++;
        if (rec->id != id)
            out->id_mismatch++;
    }
    PQclear(res);
    long acked = 0;
    for (int w = 0; w < l->opts.writers; w++)
        for (long i = 0; i < l->writers[w].n; i++)
            acked += l->writers[w].recs[i].acked;
    out->missing = acked - out->found;
}

void load_report(const char *label, const struct load_stats *s, const struct load_check *c)
{
    print_message("FAULT %-28s writes %ld, acknowledged %ld, found %ld, missing %ld, "
                  "duplicates %ld, present-without-201 %ld, unknown %ld | requests %ld: "
                  "201 %ld, 503 %ld, no answer %ld, other %ld; replays %ld; slowest 503 "
                  "%.2f s, slowest answer %.2f s; /healthz %ld probes, %ld failed, slowest "
                  "%.2f s\n",
                  label, s->logical, s->acked, c->found, c->missing, c->duplicates,
                  c->unacked_present, c->unknown, s->requests, s->s201, s->s503, s->transport,
                  s->other, s->replays, s->max_503_s, s->max_any_s, s->health_probes,
                  s->health_failures, s->health_max_s);
}

void load_free(struct load *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->opts.writers; i++)
        free(l->writers[i].recs);
    free(l->writers);
    pthread_mutex_destroy(&l->mu);
    free(l);
}
