/**
 * @file incident.h
 * @brief Emergency incidents (紧急事故): hazards, severities, statuses, and the validation of an
 *        incident report into typed values.
 */
#ifndef HOTLINE_DOMAIN_INCIDENT_H
#define HOTLINE_DOMAIN_INCIDENT_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/validate.h"

enum incident_status {
    INCIDENT_REPORTED,     /* recorded; the relay to operations is queued */
    INCIDENT_RELAYED,      /* operations has it (the relay was delivered, or it was phoned) */
    INCIDENT_ACKNOWLEDGED, /* operations confirmed it is acting */
    INCIDENT_REPAIRING,    /* the repair crew is at work */
    INCIDENT_RESOLVED,     /* the hazard is over: time for the all-clear round */
    INCIDENT_CLOSED,       /* archived */
    INCIDENT_STATUS_COUNT
};

enum incident_severity { SEVERITY_LOW, SEVERITY_MEDIUM, SEVERITY_HIGH, SEVERITY_CRITICAL,
                         SEVERITY_COUNT };

/** NULL-terminated name tables, indexed by the enums (hazards: see incident.c). */
extern const char *const incident_status_names[];
extern const char *const incident_severity_names[];
extern const char *const incident_hazard_names[];

#define INCIDENT_LOCATION_MAX 500
#define INCIDENT_DESCRIPTION_MAX 20000
#define INCIDENT_NAME_MAX 100
#define INCIDENT_PLACE_MAX 64 /* area code, street */

/** A validated incident report; strings are borrowed from the JSON document. */
struct incident_input {
    const char *hazard, *severity, *location, *area_code, *street, *description;
    const char *reporter_name, *reporter_phone, *call_id;
    char reporter_phone_norm[PHONE_NORMAL_MAX];
};

/**
 * Validate a POST /incidents body (from_ticket false) or a POST /tickets/{id}/incident body
 * (from_ticket true: description and reporter may be left out and come from the ticket, and
 * call_id is the ticket's).
 * @return true when valid; otherwise errs holds every problem.
 */
bool incident_input_from_json(const json_t *body, const char *country_code, bool from_ticket,
                              struct incident_input *out, struct verrors *errs);

#endif
