/**
 * @file dispatches.h
 * @brief Dispatches of a ticket to other departments (ticket_dispatches) and their history
 *        events, written in the caller's transaction.
 */
#ifndef HOTLINE_STORE_DISPATCHES_H
#define HOTLINE_STORE_DISPATCHES_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/complaint.h"
#include "domain/timefmt.h"
#include "store/db.h"

struct dispatch_new {
    int64_t ticket_id;
    const struct dispatch_input *in;
    hl_time accept_due_at;
    int64_t previous_id; /* 0: a first dispatch; else the returned one it replaces (改派) */
    const char *actor, *event_kind; /* "dispatched" or "redispatched" */
    hl_time now;
};

/** Insert a dispatch and its history event. @param[out] json the dispatch (caller frees) */
enum db_status store_dispatch_create(struct db *db, const struct dispatch_new *d, int64_t *id,
                                     char **json);

/** What a step needs to know of a dispatch. */
struct dispatch_row {
    int64_t id, ticket_id;
    enum dispatch_status status;
    char contact_person[PERSON_MAX + 1];
};

/** Read (and lock, inside a transaction) a dispatch. @return DB_NOT_FOUND when none */
enum db_status store_dispatch_row(struct db *db, int64_t id, bool lock, struct dispatch_row *out);

/** One step of a dispatch's life, decided by dispatch_next. */
struct dispatch_step {
    int64_t id;
    enum dispatch_action action;
    enum dispatch_status from, to;
    const char *person;  /* the department's person (accept, return, reply) */
    const char *text;    /* note, reason, result or ruling */
    bool has_accept_due; /* rule_keep: signed for again from now */
    hl_time accept_due_at;
    int64_t next_id; /* redispatch, rule_reassign: the dispatch that replaces it */
    const char *actor;
    const char *event_kind; /* history event, or NULL for none (the new dispatch tells it) */
    hl_time now;
};

/** Write a step and its history event. @param[out] json the dispatch after it (caller frees) */
enum db_status store_dispatch_step(struct db *db, const struct dispatch_step *s, char **json);

/** A dispatch as JSON (caller frees). @return DB_NOT_FOUND when none */
enum db_status store_dispatch_json(struct db *db, int64_t id, char **json);

/** A ticket's dispatches, oldest first, as {"items": [...]}. @return DB_NOT_FOUND: no ticket */
enum db_status store_dispatches_json(struct db *db, int64_t ticket_id, char **json);

/** A dispatch the sweeper has just marked overdue. */
struct dispatch_overdue {
    int64_t id, ticket_id;
    char *payload; /* webhook payload (caller frees) */
};

/**
 * Mark up to limit dispatches not signed for by their accept_due_at (at now) overdue, each
 * with a history event on its ticket, claiming them with FOR UPDATE SKIP LOCKED.
 * @param[out] rows at least limit entries; @param[out] n how many were marked
 */
enum db_status store_dispatches_mark_overdue(struct db *db, hl_time now, int limit,
                                             struct dispatch_overdue *rows, int *n);

#endif
