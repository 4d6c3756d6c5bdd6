/**
 * @file harness_load.h
 * @brief Continuous write load with accounting, for the fault suite. Each writer thread makes
 *        logical writes (POST /tickets with a unique subject and Idempotency-Key) and retries a
 *        write with the same key until it gets 201; afterwards the database is compared with
 *        what the clients were told: every 201 exists once, nothing else exists, nothing twice.
 */
#ifndef HOTLINE_TEST_HARNESS_LOAD_H
#define HOTLINE_TEST_HARNESS_LOAD_H

#include "harness.h"

#define LOAD_MAX_TARGETS 4

struct load_opts {
    int writers;        /* threads writing */
    int retry_for_ms;   /* after load_stop, how long an unfinished write keeps retrying */
    bool probe_health;  /* one more thread asks /healthz of target 0 every 100 ms */
    int pace_ms;        /* pause between two writes of one thread (the machine is shared) */
};

struct load_stats {
    long logical;          /* writes started */
    long acked;            /* writes that got a 201 (first answer or replay) */
    long replays;          /* 201s marked Idempotent-Replayed: the commit survived a lost answer */
    long requests, s201, s503, transport, other;
    long retry_after_missing; /* 503s without Retry-After */
    double max_503_s;      /* slowest 503 */
    double max_any_s;      /* slowest answered request */
    long health_probes, health_failures;
    double health_max_s;
};

struct load_check {
    long found, missing, duplicates, unacked_present, unknown, id_mismatch;
};

struct load;

/**
 * Start writers against targets[0..n) (requests go round-robin over the targets that are up).
 * @param tag unique per run: subjects are "fault-<tag>-<thread>-<seq>"
 */
struct load *load_start(struct hs *const *targets, int n, const char *token, const char *tag,
                        const struct load_opts *o);

/** Target i is down (its clients move to the others); up again with its (new) base URL. */
void load_target_down(struct load *l, int i);
void load_target_up(struct load *l, int i, const char *base);

/** A snapshot of the counters so far. */
void load_peek(struct load *l, struct load_stats *out);

/** Stop starting writes, let unfinished ones retry (retry_for_ms), join the threads. */
void load_stop(struct load *l, struct load_stats *out);

/** Compare the database with the clients' records (after load_stop). */
void load_account(struct load *l, struct load_check *out);

/** Print the numbers in one line, labelled. */
void load_report(const char *label, const struct load_stats *s, const struct load_check *c);

void load_free(struct load *l);

#endif
