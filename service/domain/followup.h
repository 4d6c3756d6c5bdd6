/**
 * @file followup.h
 * @brief Follow-up (outbound call task) kinds, statuses and attempt outcomes.
 */
#ifndef HOTLINE_DOMAIN_FOLLOWUP_H
#define HOTLINE_DOMAIN_FOLLOWUP_H

enum followup_kind { FOLLOWUP_PROGRESS_NOTICE, FOLLOWUP_SATISFACTION, FOLLOWUP_WEEKLY_CALLBACK,
                     FOLLOWUP_GOVERNMENT_CALLBACK, FOLLOWUP_MISSED_CALL, FOLLOWUP_AGREED_CALLBACK,
                     FOLLOWUP_CUSTOM, FOLLOWUP_KIND_COUNT };

enum followup_status { FOLLOWUP_PENDING, FOLLOWUP_DONE, FOLLOWUP_CANCELLED, FOLLOWUP_FAILED,
                       FOLLOWUP_STATUS_COUNT };

enum followup_outcome { OUTCOME_REACHED, OUTCOME_NO_ANSWER, OUTCOME_BUSY, OUTCOME_DECLINED,
                        OUTCOME_WRONG_NUMBER, OUTCOME_COUNT };

/** NULL-terminated name tables indexed by the enums (the same words as in the database). */
extern const char *const followup_kind_names[];
extern const char *const followup_status_names[];
extern const char *const followup_outcome_names[];


#include <jansson.h>
#include <stdbool.h>

#include "domain/calendar.h"
#include "domain/validate.h"

/** True for the kinds that ignore the calling windows (government callbacks). */
bool followup_kind_is_urgent(enum followup_kind kind);

/**
 * When a follow-up wanted at `wanted` is due: urgent ones at once, the others at the first
 * calling-window moment of a working day at or after it.
 * @return false when the calendar has no window ahead
 */
bool followup_schedule(const struct calendar *c, enum followup_kind kind, bool urgent,
                       hl_time wanted, hl_time *due);

/** The satisfaction callback after a resolution: the first calling window of the business day
 *  rules.satisfaction_after_business_days after the day resolved. */
bool followup_satisfaction_due(const struct calendar *c, hl_time resolved_at, hl_time *due);

/** What an attempt does to its follow-up. */
struct attempt_effect {
    enum followup_status status; /* pending (try again), done or failed */
    bool reschedule;             /* pending: due again after the retry gap */
    bool completed;              /* done: the call was made (reached or declined) */
    bool failed;                 /* failed: the owner must be told */
};

/**
 * Decide an attempt: reached or declined end it (declined is respected, never retried);
 * no_answer and busy retry until max_attempts; wrong_number fails at once.
 * @param attempts the number of attempts including this one
 */
void followup_attempt_effect(enum followup_outcome outcome, int attempts, int max_attempts,
                             struct attempt_effect *out);

/** A validated POST /tickets/{id}/followups body (strings borrowed). */
struct followup_input {
    enum followup_kind kind;
    hl_time due_at;
    const char *phone;
    char phone_norm[PHONE_NORMAL_MAX];
    const char *agent, *agent_group, *notes;
    bool urgent;
};

bool followup_input_from_json(const json_t *body, const char *country_code,
                              struct followup_input *out, struct verrors *errs);

/** A validated POST /followups/{id}/attempts body. */
struct attempt_input {
    enum followup_outcome outcome;
    int satisfaction; /* 0: none */
    int satisfied;    /* -1: not said; 0/1: the customer says they are (not) satisfied */
    const char *notes, *call_id;
};

bool attempt_input_from_json(const json_t *body, struct attempt_input *out,
                             struct verrors *errs);
#endif
