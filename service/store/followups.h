/**
 * @file followups.h
 * @brief Follow-up tasks in PostgreSQL.
 */
#ifndef HOTLINE_STORE_FOLLOWUPS_H
#define HOTLINE_STORE_FOLLOWUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/followup.h"
#include "domain/timefmt.h"
#include "store/db.h"

struct followup_new {
    enum followup_kind kind;
    int64_t ticket_id; /* 0: none */
    const char *phone, *phone_norm; /* may be NULL */
    hl_time due_at;
    const char *agent, *agent_group; /* may be NULL */
    const char *notes;               /* may be NULL */
    const char *source_call_id;      /* may be NULL */
    const char *created_by;
    hl_time now;
    bool urgent; /* ignores the calling windows (decided by the caller when scheduling) */
};

/**
 * Insert a pending follow-up.
 * @param[out] id the new row's id (may be NULL)
 */
enum db_status store_followup_create(struct db *db, const struct followup_new *f, int64_t *id);

/** A follow-up with its attempts, as JSON (caller frees). @return DB_NOT_FOUND when none */
enum db_status store_followup_json(struct db *db, int64_t id, char **json);

/** What an attempt needs to know of its follow-up. */
struct followup_row {
    int64_t id, ticket_id; /* ticket_id 0: none */
    enum followup_kind kind;
    enum followup_status status;
    int attempts;
    bool urgent;
};

/** Read (and lock, inside a transaction) a follow-up. @return DB_NOT_FOUND when none */
enum db_status store_followup_row(struct db *db, int64_t id, bool lock, struct followup_row *out);

struct followup_attempt_write {
    int64_t id;
    const char *outcome, *notes, *call_id, *actor;
    int satisfaction; /* 0: none */
    enum followup_status status;
    bool reschedule;
    hl_time due_at; /* when rescheduled */
    hl_time now;
};

/** Record an attempt and its effect on the follow-up. @param[out] json the follow-up after it */
enum db_status store_followup_attempt(struct db *db, const struct followup_attempt_write *w,
                                      char **json);

struct followup_filter {
    const char *status, *agent, *kind;
    int64_t ticket_id; /* 0: any */
    bool has_due_before, has_cursor;
    hl_time due_before;
    int64_t after_due, after_id; /* keyset: (due_at, id) after these */
    int limit;
};

/** Follow-ups matching the filter, most urgent (earliest due) first. last_key: due_at µs */
enum db_status store_followups_list(struct db *db, const struct followup_filter *f,
                                    char **items, bool *more, int64_t keys[2]);

/** A due follow-up the sweeper marks overdue or escalates. */
struct followup_due {
    int64_t id, ticket_id;
    enum followup_kind kind;
    int escalation_level; /* before this pass */
};

/**
 * Claim pending follow-ups that are newly past due (level 0 → 1) or still pending an escalation
 * delay after being marked (level 1 → 2), locked for the caller's transaction.
 */
enum db_status store_followups_claim_overdue(struct db *db, hl_time now, int delay_minutes,
                                             int limit, struct followup_due *rows, int *n);

/** Mark a claimed follow-up overdue (or raise its level) and note it on its ticket. */
enum db_status store_followup_mark_overdue(struct db *db, const struct followup_due *f,
                                           hl_time now);

#endif
