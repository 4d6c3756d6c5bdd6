/**
 * @file calls.h
 * @brief Call events, call records and the caller screen-pop in PostgreSQL.
 *
 * Writing a call is: insert the event (a duplicate is a no-op), lock the call, load all its
 * events, derive the record in the domain and save it; all in the caller's transaction.
 */
#ifndef HOTLINE_STORE_CALLS_H
#define HOTLINE_STORE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/call.h"
#include "domain/timefmt.h"
#include "store/db.h"

/**
 * Insert one event unless the call already has one with its de-duplication key.
 * @param source "events" or "zammad"; @param actor the token name that posted it
 * @param[out] applied false when it was a duplicate
 */
enum db_status store_call_event_insert(struct db *db, const struct call_event *e,
                                       const char *source, const char *actor, hl_time now,
                                       bool *applied);

/** Serialize work on one call until the transaction ends (a transaction-scoped lock). */
enum db_status store_call_lock(struct db *db, const char *call_id);

/** Serialize missed-call decisions for one number until the transaction ends. */
enum db_status store_call_lock_number(struct db *db, const char *number_norm);

/** All events of a call; strings borrow from res. Free with call_event_list_free. */
struct call_event_list {
    struct call_event *ev;
    size_t n;
    PGresult *res;
};

/** Load every event of a call (n is 0 for an unknown call). */
enum db_status store_call_events_load(struct db *db, const char *call_id,
                                      struct call_event_list *out);

void call_event_list_free(struct call_event_list *l);

/**
 * Insert or replace a call's record.
 * @param[out] followup_id the missed-call task the call is linked to (0: none)
 */
enum db_status store_call_save(struct db *db, const char *call_id, const struct call_record *r,
                               hl_time now, int64_t *followup_id);

/** Link a call to a missed-call task (0 unlinks). */
enum db_status store_call_set_followup(struct db *db, const char *call_id, int64_t followup_id);

/**
 * Whether a number was reached at or after since by a call other than except_call_id: an
 * answered inbound call from it, or an answered outbound call to it.
 */
enum db_status store_call_reached_since(struct db *db, const char *number_norm, hl_time since,
                                        const char *except_call_id, bool *reached);

/** The oldest pending missed_call task for a number. @param[out] id 0 when none */
enum db_status store_missed_task_pending(struct db *db, const char *number_norm, int64_t *id);

/**
 * Close the pending missed_call tasks of a number reached on call_id at reached_at. A task whose
 * missed calls all began before reached_at is done (outcome reached; an attempt row names the
 * call); a task whose every missed call turned out answered after all is cancelled.
 * @param[out] closed how many tasks were closed
 */
enum db_status store_missed_tasks_close(struct db *db, const char *number_norm,
                                        const char *call_id, hl_time reached_at,
                                        const char *actor, hl_time now, int *closed);

/** What a ticket takes from its call. */
struct call_brief {
    char number[48];                  /* the customer's number as given ("" unknown) */
    char number_norm[PHONE_NORMAL_MAX];
    char agent[CALL_AGENT_MAX + 1];   /* "" when no agent */
};

/** @return DB_NOT_FOUND when there is no such call */
enum db_status store_call_brief(struct db *db, const char *call_id, struct call_brief *out);

/**
 * The record, its chain of legs, linked tickets and raw events, as JSON.
 * @param[out] json caller frees; @return DB_NOT_FOUND for an unknown call
 */
enum db_status store_call_get(struct db *db, const char *call_id, char **json);

struct call_filter {
    const char *direction, *outcome, *agent;
    const char *number_norm; /* the customer: caller, or callee of an outbound call */
    bool has_from, has_to, has_cursor;
    hl_time offered_from, offered_to;
    int64_t cursor[2]; /* keyset: (offered_at in microseconds, id) of the last item seen */
    int limit;
};

struct call_page {
    char *items; /* JSON array text, caller frees */
    bool more;
    int64_t last_key[2];
};

/** Calls matching the filter, newest offered first. */
enum db_status store_call_list(struct db *db, const struct call_filter *f, struct call_page *out);

/**
 * What an agent's desk shows while this number rings, built in one statement: recent calls,
 * open tickets, pending follow-ups, the last satisfaction result.
 * @param[out] json caller frees
 */
enum db_status store_caller_screen(struct db *db, const char *number_norm, char **json);

#endif
