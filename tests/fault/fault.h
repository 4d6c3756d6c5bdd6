/**
 * @file fault.h
 * @brief Shared bits of the fault suite: short or long runs, the accounting assertions, and
 *        the PostgreSQL processes of the test cluster (for SIGSTOP/SIGCONT by PID).
 */
#ifndef HOTLINE_TEST_FAULT_H
#define HOTLINE_TEST_FAULT_H

#include "harness_load.h"
#include "harness_sec.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** make fault sets HOTLINE_FAULT_LONG=1: more cycles, more writers, longer outages. */
static inline bool fault_long(void)
{
    const char *v = getenv("HOTLINE_FAULT_LONG");
    return v && *v && strcmp(v, "0") != 0;
}

/** The database timeout the fault servers run with, and the bound on any answer during a
 *  fault: one connect attempt plus one statement, each bounded by the timeout, plus slack. */
#define FAULT_DB_TIMEOUT_MS 1500
#define FAULT_ANSWER_BOUND_S (2.0 * FAULT_DB_TIMEOUT_MS / 1000.0 + 1.0)

/** Every acknowledged write exists exactly once; nothing else exists; all writes resolved. */
static inline void fault_assert_accounting(const char *label, const struct load_stats *s,
                                           const struct load_check *c)
{
    load_report(label, s, c);
    if (c->missing || c->duplicates || c->unknown || c->id_mismatch || c->unacked_present)
        fail_msg("%s: accounting broken (missing %ld, duplicates %ld, unknown %ld, id mismatch "
                 "%ld, present without 201 %ld)",
                 label, c->missing, c->duplicates, c->unknown, c->id_mismatch,
                 c->unacked_present);
    if (s->acked != s->logical)
        fail_msg("%s: %ld of %ld writes never got their 201 after the fault", label,
                 s->logical - s->acked, s->logical);
    if (s->retry_after_missing)
        fail_msg("%s: %ld answers of 503 without Retry-After", label, s->retry_after_missing);
    if (s->health_failures)
        fail_msg("%s: /healthz failed %ld times", label, s->health_failures);
}

/** The postmaster's PID and its children's (the backends and auxiliary processes). */
static inline int fault_pg_pids(pid_t *out, int cap)
{
    const char *envfile = getenv("HOTLINE_TEST_PGENV");
    char *env = envfile ? h_read_file(envfile) : NULL;
    assert_non_null(env);
    const char *p = strstr(env, "PGDATA=");
    assert_non_null(p);
    char pidfile[600];
    snprintf(pidfile, sizeof pidfile, "%.*s/postmaster.pid", (int)strcspn(p + 7, "\n"), p + 7);
    free(env);
    char *text = h_read_file(pidfile);
    assert_non_null(text);
    int n = 0;
    out[n++] = (pid_t)atol(text);
    free(text);
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)out[0], (int)out[0]);
    char kids[4096] = ""; /* /proc files have no size: read, do not seek */
    FILE *f = fopen(path, "r");
    if (f) {
        size_t got = fread(kids, 1, sizeof kids - 1, f);
        kids[got] = '\0';
        fclose(f);
    }
    for (char *k = kids; *k && n < cap;) {
        long pid = strtol(k, &k, 10);
        if (pid > 0)
            out[n++] = (pid_t)pid;
        else
            break;
    }
    return n;
}

#endif
