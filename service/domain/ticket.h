/**
 * @file ticket.h
 * @brief Tickets: classes, kinds, statuses and the validation of create/patch bodies.
 */
#ifndef HOTLINE_DOMAIN_TICKET_H
#define HOTLINE_DOMAIN_TICKET_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/validate.h"

enum ticket_class { TICKET_CLASS_GENERAL, TICKET_CLASS_HARD, TICKET_CLASS_SPECIAL,
                    TICKET_CLASS_GOVERNMENT, TICKET_CLASS_COUNT };

enum ticket_kind { TICKET_KIND_INQUIRY, TICKET_KIND_COMPLAINT, TICKET_KIND_SUGGESTION,
                   TICKET_KIND_REPAIR, TICKET_KIND_EMERGENCY, TICKET_KIND_COUNT };

enum ticket_status { TICKET_STATUS_NEW, TICKET_STATUS_IN_PROGRESS, TICKET_STATUS_RELAYED,
                     TICKET_STATUS_RESOLVED, TICKET_STATUS_CLOSED, TICKET_STATUS_REOPENED,
                     TICKET_STATUS_COUNT };

/** NULL-terminated name tables, indexed by the enums above. */
extern const char *const ticket_class_names[];
extern const char *const ticket_kind_names[];
extern const char *const ticket_status_names[];

#define TICKET_SUBJECT_MAX 200
#define TICKET_DETAILS_MAX 20000
#define TICKET_NAME_MAX 100
#define ACTOR_NAME_MAX 64

/** A validated ticket body; strings are borrowed from the JSON document. */
struct ticket_input {
    bool has_class, has_kind, has_subject, has_details, has_caller_name, has_caller_phone,
        has_owner, has_department, has_call_id;
    enum ticket_class cls;
    enum ticket_kind kind;
    const char *subject, *details, *caller_name, *caller_phone, *owner, *department, *call_id;
    char caller_phone_norm[PHONE_NORMAL_MAX];
    const json_t *complaint; /* the complaint record (borrowed), or NULL; see domain/complaint.h */
};

/**
 * Validate a POST /tickets body. Missing kind defaults to inquiry; owner defaults to the actor
 * (decided by the caller of this function).
 * @return true when valid; otherwise errs holds every problem.
 */
bool ticket_input_for_create(const json_t *body, const char *country_code,
                             struct ticket_input *out, struct verrors *errs);

/**
 * Validate a PATCH /tickets/{id} body (JSON merge-patch of the mutable fields; null clears an
 * optional field). At least one field must be present.
 */
bool ticket_input_for_patch(const json_t *body, const char *country_code,
                            struct ticket_input *out, struct verrors *errs);



/**
 * The fields a patch really changes, compared with the current ticket (its JSON object).
 * @param[out] before,after new objects holding only the changed fields (caller decrefs)
 * @return the number of changed fields (0: the patch is a no-op)
 */
int ticket_patch_diff(const json_t *current, const struct ticket_input *in, json_t **before,
                      json_t **after);

/**
 * The complaint record after a patch: the current one (a JSON object or null) with the
 * patch's members set, and those given as null removed.
 * @return a new object (caller decrefs)
 */
json_t *ticket_complaint_merge(const json_t *current, const json_t *patch);
#endif
