/**
 * @file complaints.h
 * @brief Complaint use cases (投诉处理) shared by the API and the follow-up attempt path:
 *        escalation by hand, hand-over of ownership, dispatches to departments, extensions,
 *        the manager's review and the satisfaction callback's result.
 *
 * Each runs its statements atomically (joining the caller's transaction when there is one) and
 * says why it refused in its request struct (the return value is then DB_CONFLICT).
 */
#ifndef HOTLINE_APP_COMPLAINTS_H
#define HOTLINE_APP_COMPLAINTS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/complaint.h"
#include "domain/ticket.h"
#include "domain/ticket_state.h"
#include "store/db.h"

/** Why a complaint step was refused (DB_CONFLICT). */
enum complaint_refusal {
    CR_NONE,
    CR_ARCHIVED,       /* the ticket is closed (archived) */
    CR_NOT_HANDLING,   /* the ticket is resolved or closed: no dispatching now */
    CR_NOT_OWNER,      /* only the owner (or a supervisor) may do this */
    CR_NOT_HIGHER,     /* escalation: not above the current level */
    CR_SAME_OWNER,     /* hand-over to the owner */
    CR_DISPATCH_STATE, /* the dispatch's state does not allow the action */
    CR_EXTENSION,      /* extension_verdict says why */
    CR_DECIDED,        /* the extension was decided already */
    CR_WAITING,        /* an extension request is already waiting */
    CR_NOT_COMPLAINT,  /* only complaints are reviewed */
    CR_STAGE,          /* the complaint is not awaiting review (see stage, missing) */
    CR_NO_PHONE,       /* approving needs a number to call the customer back */
};

/** What every step is given and what it answers. */
struct complaint_call {
    const char *actor;
    bool supervising; /* supervisor, manager or admin: may act for the owner */
    hl_time now;
    /* outcomes */
    enum complaint_refusal refusal;
    int level;                      /* CR_NOT_HIGHER: the current level */
    enum dispatch_status dispatch;  /* CR_DISPATCH_STATE: the dispatch's status */
    enum extension_verdict verdict; /* CR_EXTENSION */
    enum complaint_stage stage;     /* CR_STAGE */
    enum complaint_step missing;    /* CR_STAGE: the step the complaint waits for */
    char *json;                     /* the answer's representation (caller frees) */
};

/** POST /tickets/{id}/escalations. json: the escalation recorded. */
enum db_status app_ticket_escalate(struct db *db, int64_t ticket_id,
                                   const struct escalation_input *in, struct complaint_call *c);

/** POST /tickets/{id}/handover (the route allows supervisors only). json: the ticket. */
enum db_status app_ticket_handover(struct db *db, int64_t ticket_id,
                                   const struct handover_input *in, struct complaint_call *c);

/** POST /tickets/{id}/dispatches. json: the dispatch. */
enum db_status app_dispatch_create(struct db *db, int64_t ticket_id,
                                   const struct dispatch_input *in, struct complaint_call *c);

/** POST /dispatches/{id}/accept, /return, /reply. json: the dispatch. */
enum db_status app_dispatch_answer(struct db *db, int64_t dispatch_id,
                                   const struct dispatch_answer *in, struct complaint_call *c);

/** POST /dispatches/{id}/redispatch (改派, the owner). json: the new dispatch. */
enum db_status app_dispatch_redispatch(struct db *db, int64_t dispatch_id,
                                       const struct dispatch_input *in, struct complaint_call *c);

/** POST /dispatches/{id}/ruling (a supervisor). json: the dispatch that now runs. */
enum db_status app_dispatch_rule(struct db *db, int64_t dispatch_id,
                                 const struct dispatch_ruling *in, struct complaint_call *c);

/** POST /tickets/{id}/extensions. json: the request. */
enum db_status app_extension_request(struct db *db, int64_t ticket_id,
                                     const struct extension_input *in, struct complaint_call *c);

/** POST /extensions/{id}/decision. json: the request after the decision. */
enum db_status app_extension_decide(struct db *db, int64_t extension_id,
                                    const struct decision_input *in, struct complaint_call *c);

/** POST /tickets/{id}/review (a manager). json: the ticket. */
enum db_status app_complaint_review(struct db *db, int64_t ticket_id,
                                    const struct decision_input *in, struct complaint_call *c);

/**
 * The satisfaction callback of a complaint awaiting it has a result: satisfied, declined and
 * unreachable archive it (closed, the result recorded); unsatisfied reopens it (the reopen
 * counted) and raises its escalation level. Tickets not awaiting a callback are left alone.
 */
enum db_status app_complaint_callback(struct db *db, int64_t ticket_id,
                                      enum complaint_outcome outcome, int score, const char *actor,
                                      hl_time now);

#endif
