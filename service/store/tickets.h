/**
 * @file tickets.h
 * @brief Tickets and their history in PostgreSQL. Representations come back as JSON text built
 *        by the database (one round trip, no re-encoding).
 */
#ifndef HOTLINE_STORE_TICKETS_H
#define HOTLINE_STORE_TICKETS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/deadline.h"
#include "domain/ticket.h"
#include "domain/ticket_state.h"
#include "domain/timefmt.h"
#include "store/db.h"

/** A new ticket: the validated input plus what the service decided. */
struct ticket_new {
    const struct ticket_input *in;
    const char *owner; /* first-responsible agent */
    const char *actor; /* who created it */
    hl_time now;
    const struct deadlines *deadlines;
    bool has_next_due;
    hl_time next_due;
};

/**
 * Insert a ticket and its "created" event in one statement.
 * @param[out] json the ticket (caller frees); @param[out] id its id (may be NULL)
 */
enum db_status store_ticket_create(struct db *db, const struct ticket_new *t, char **json,
                                   int64_t *id);

/** {"resolve_due_at": "why", ...} for the deadlines set. Caller frees; NULL on oom. */
char *store_deadline_rules_json(const struct deadlines *d);

/** What the rules need to know of a ticket. */
struct ticket_state {
    int64_t id;
    int version;
    enum ticket_class cls;
    enum ticket_kind kind;
    hl_time created_at;
    struct ticket_clock clock;
    char owner[ACTOR_NAME_MAX + 1];
    struct complaint_facts facts; /* reviewed, record complete (complaints) */
    bool has_resolved_at;
    hl_time resolved_at;
};

/**
 * Read a ticket's state (with a row lock when lock is set, inside a transaction).
 * @return DB_NOT_FOUND when there is no such ticket
 */
enum db_status store_ticket_state_get(struct db *db, int64_t id, bool lock,
                                      struct ticket_state *out);

/** A change of status and/or clock, written with its history event. */
struct ticket_state_change {
    int64_t id;
    enum ticket_status status;
    const struct ticket_clock *clock; /* deadlines, breached, escalation */
    const char *deadline_rules;       /* JSON, or NULL to keep */
    bool merge_rules;                 /* deadline_rules holds only the members it changes */
    bool set_resolved_at, clear_resolved_at, set_closed_at, clear_closed_at, count_reopen;
    bool set_relayed_at, set_called_back_at;
    bool clear_review, set_review;  /* a complaint resolved anew / approved by the manager */
    const char *complaint_outcome;  /* the satisfaction callback's result, or NULL to keep */
    const char *actor, *event_kind, *before, *after, *note; /* before/after: JSON objects */
    hl_time now;
};

/**
 * Write status, deadlines and overdue state; version goes up by one; one history event.
 * @param[out] json the ticket after the change (caller frees)
 */
enum db_status store_ticket_state_update(struct db *db, const struct ticket_state_change *c,
                                         char **json);

/**
 * Make the rule-driven follow-ups of a ticket match its deadlines: one pending weekly
 * callback, progress notice and government callback while each deadline runs (due when it is
 * due), none once it stops (pending ones are cancelled).
 */
enum db_status store_ticket_sync_followups(struct db *db, int64_t id, hl_time now);

/**
 * The ticket as JSON.
 * @param lock take a row lock (inside a transaction) for a read-modify-write
 * @param[out] json caller frees; @param[out] version the row version
 * @return DB_NOT_FOUND when there is no such ticket
 */
enum db_status store_ticket_get(struct db *db, int64_t id, bool lock, char **json, int *version);

/** A change decided by the domain: the new values and the before/after for history. */
struct ticket_change {
    int64_t id;
    const struct ticket_input *in; /* fields with has_* set are written */
    const char *actor;
    const char *event_kind; /* "updated", ... */
    const char *before, *after; /* JSON objects of the changed fields */
    const char *complaint;      /* the whole complaint record after the change (JSON), or NULL */
    hl_time now;
};

/**
 * Write a change and its history event in one statement; version goes up by one.
 * @param[out] json the ticket after the change (caller frees)
 */
enum db_status store_ticket_update(struct db *db, const struct ticket_change *c, char **json);

/**
 * Claim up to limit tickets with something due at now, locked until the caller's transaction
 * ends (FOR UPDATE SKIP LOCKED: rows another instance holds are skipped).
 * @param[out] rows at least limit entries; @param[out] n how many were claimed
 */
enum db_status store_tickets_claim_due(struct db *db, hl_time now, int limit,
                                       struct ticket_state *rows, int *n);

/** Write the sweeper's decision for a claimed ticket: overdue marks, escalation, events. */
enum db_status store_ticket_apply_sweep(struct db *db, int64_t id,
                                        const struct sweep_decision *d, hl_time now);

struct ticket_filter {
    const char *status, *cls, *kind, *owner, *phone_norm;
    bool has_from, has_to, has_cursor, has_due_before;
    hl_time created_from, created_to, due_before;
    int overdue;          /* -1: any, 0: not overdue, 1: overdue */
    int escalation_level; /* -1: any */
    const char *stage;    /* complaint_stage, or NULL */
    int64_t before_id; /* keyset: ids below this one */
    int limit;
};

/** One page of a list: a JSON array of items and the key to continue after. */
struct page {
    char *items; /* JSON array text, caller frees */
    int count;   /* items returned (limit + 1 were asked for) */
    bool more;   /* another page exists */
    int64_t last_key;
};

/** Tickets matching the filter, newest first. */
enum db_status store_ticket_list(struct db *db, const struct ticket_filter *f, struct page *out);

/**
 * A ticket's history in order, after event id after_id.
 * @return DB_NOT_FOUND when the ticket does not exist
 */
enum db_status store_ticket_events(struct db *db, int64_t ticket_id, int64_t after_id, int limit,
                                   struct page *out);

/** Append one history event to a ticket (JSON after and note may be NULL). */
enum db_status store_ticket_event_add(struct db *db, int64_t ticket_id, hl_time at,
                                      const char *actor, const char *kind, const char *after,
                                      const char *note);

/** A ticket linked to the call it was about, taking the customer's number when it had none. */
struct ticket_call_link {
    int64_t id;
    const char *call_id;
    bool set_phone;
    const char *phone, *phone_norm;
    const char *actor;
    const char *before, *after; /* JSON objects of the changed fields, for history */
    hl_time now;
};

/**
 * Write the link and its "call_linked" history event in one statement; version goes up by one.
 * @param[out] json the ticket after the change (caller frees)
 */
enum db_status store_ticket_link_call(struct db *db, const struct ticket_call_link *l,
                                      char **json);

/**
 * Hand the ticket over to another owner (首问负责制: only this way), with the reason in its
 * `owner_changed` history event; version goes up by one.
 * @param[out] json the ticket after it (caller frees)
 */
enum db_status store_ticket_handover(struct db *db, int64_t id, const char *to,
                                     const char *reason, const char *actor, hl_time now,
                                     char **json);

/** Free a page's items. */
void page_free(struct page *p);

#endif
