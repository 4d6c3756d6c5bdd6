/**
 * @file followups.h
 * @brief Follow-up tasks in PostgreSQL.
 */
#ifndef HOTLINE_STORE_FOLLOWUPS_H
#define HOTLINE_STORE_FOLLOWUPS_H

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
};

/**
 * Insert a pending follow-up.
 * @param[out] id the new row's id (may be NULL)
 */
enum db_status store_followup_create(struct db *db, const struct followup_new *f, int64_t *id);

#endif
