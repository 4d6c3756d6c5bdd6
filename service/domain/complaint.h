/**
 * @file complaint.h
 * @brief Complaints (投诉处理): the complaint record, dispatches to other departments and their
 *        life (签收, 退单, 改派, 回复), and the inputs of the complaint steps — escalation by hand,
 *        hand-over of ownership, extensions, the manager's review, the satisfaction result.
 *        Pure: validation and decisions only.
 */
#ifndef HOTLINE_DOMAIN_COMPLAINT_H
#define HOTLINE_DOMAIN_COMPLAINT_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/deadline.h"
#include "domain/followup.h"
#include "domain/validate.h"

/* ---- stages and outcomes -------------------------------------------------------------------- */

enum complaint_stage {
    STAGE_HANDLING,
    STAGE_AWAITING_REVIEW,
    STAGE_AWAITING_CALLBACK,
    STAGE_ARCHIVED,
    STAGE_COUNT
};

/** "handling", "awaiting_review", "awaiting_callback", "archived" (as in tickets.complaint_stage).
 */
extern const char *const complaint_stage_names[];

/** The stage of a complaint (as the generated column tickets.complaint_stage computes it). */
enum complaint_stage complaint_stage_of(enum ticket_status status, bool reviewed);

enum complaint_outcome { CO_SATISFIED, CO_UNSATISFIED, CO_UNREACHABLE, CO_DECLINED, CO_NONE };

/** "satisfied", "unsatisfied", "unreachable", "declined". */
extern const char *const complaint_outcome_names[];

/**
 * What a satisfaction callback's attempt means for a complaint.
 * @param explicit_satisfied -1 when not given, else 0/1 (the customer said so)
 * @param score 0 when not given, else 1-5; satisfied when score >= min_score
 * @return CO_NONE when the callback goes on (retry) or, with *needs_result set, when the
 *         customer was reached but neither a score nor `satisfied` was given
 */
enum complaint_outcome complaint_callback_outcome(const struct attempt_effect *e,
                                                  enum followup_outcome outcome,
                                                  int explicit_satisfied, int score, int min_score,
                                                  bool *needs_result);

/* ---- the complaint record ------------------------------------------------------------------- */

#define COMPLAINT_FIELD_MAX 20000

/**
 * Check a `complaint` member of a ticket body: an object of product, what_happened,
 * customer_wants, handling (strings; in a patch null removes one). Errors are named
 * "complaint.<member>".
 */
bool complaint_record_check(const json_t *rec, bool patch, struct verrors *errs);

/* ---- dispatches (派单) ---------------------------------------------------------------------- */

enum dispatch_status { DS_SENT, DS_ACCEPTED, DS_RETURNED, DS_REPLIED, DS_REDISPATCHED, DS_COUNT };

/** "sent", "accepted", "returned", "replied", "redispatched". */
extern const char *const dispatch_status_names[];

enum dispatch_action {
    DA_ACCEPT,        /* 签收: the department signs for it */
    DA_RETURN,        /* 退单: the department sends it back with a reason */
    DA_REPLY,         /* the department's result */
    DA_REDISPATCH,    /* 改派: the owner sends a returned dispatch elsewhere */
    DA_RULE_KEEP,     /* a supervisor rules the department must take it after all */
    DA_RULE_REASSIGN, /* a supervisor rules it goes to another department */
    DA_COUNT
};

/** "accept", "return", "reply", "redispatch", "rule_keep", "rule_reassign". */
extern const char *const dispatch_action_names[];

/**
 * The dispatch state machine.
 * @return true and *to when the action is allowed from `from`
 */
bool dispatch_next(enum dispatch_status from, enum dispatch_action a, enum dispatch_status *to);

/** "accept, return" — the actions allowed from a status ("none" when final). */
void dispatch_actions_text(enum dispatch_status from, char *out, size_t n);

#define DEPARTMENT_MAX 100
#define PERSON_MAX 100
#define NOTE_MAX 2000

/** A validated POST /tickets/{id}/dispatches or re-dispatch body (strings borrowed). */
struct dispatch_input {
    const char *department, *contact_person, *agreed, *note;
};

bool dispatch_input_from_json(const json_t *body, struct dispatch_input *out, struct verrors *errs);

/** A validated accept / return / reply body: who at the department, and the text. */
struct dispatch_answer {
    enum dispatch_action action; /* DA_ACCEPT, DA_RETURN or DA_REPLY */
    const char *contact_person;  /* NULL: the dispatch's contact person */
    const char *text;            /* note (accept), reason (return), result (reply) */
};

bool dispatch_answer_from_json(const json_t *body, enum dispatch_action action,
                               struct dispatch_answer *out, struct verrors *errs);

/** A validated ruling on a returned dispatch. */
struct dispatch_ruling {
    enum dispatch_action action; /* DA_RULE_KEEP or DA_RULE_REASSIGN */
    const char *reason;
    struct dispatch_input to; /* DA_RULE_REASSIGN: the department that takes it */
};

bool dispatch_ruling_from_json(const json_t *body, struct dispatch_ruling *out,
                               struct verrors *errs);

/* ---- escalation, hand-over, extensions, review
 * --------------------------------------------------- */

struct escalation_input {
    int to_level; /* -1: one level up */
    const char *reason, *assignee;
};

bool escalation_input_from_json(const json_t *body, struct escalation_input *out,
                                struct verrors *errs);

struct handover_input {
    const char *to, *reason;
};

bool handover_input_from_json(const json_t *body, struct handover_input *out, struct verrors *errs);

struct extension_input {
    enum deadline_kind deadline; /* DL_RESOLVE or DL_WEEKLY */
    hl_time until;
    const char *reason;
};

bool extension_input_from_json(const json_t *body, struct extension_input *out,
                               struct verrors *errs);

/** The extendable deadlines' names: "resolve", "weekly_callback". */
extern const char *const extension_deadline_names[];

struct decision_input {
    bool approve;
    const char *note; /* required to refuse or send back */
};

/** POST /extensions/{id}/decision: {"decision": "approved"|"refused", "note"}. */
bool extension_decision_from_json(const json_t *body, struct decision_input *out,
                                  struct verrors *errs);

/** POST /tickets/{id}/review: {"decision": "approved"|"sent_back", "reason"}. */
bool review_input_from_json(const json_t *body, struct decision_input *out, struct verrors *errs);

/** True when s holds nothing but spaces, tabs and line breaks (or is NULL). */
bool text_is_blank(const char *s);

#endif
