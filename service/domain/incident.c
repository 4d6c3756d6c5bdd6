/**
 * @file incident.c
 * @brief Incident name tables and the report spec.
 */
#include "domain/incident.h"

#include <string.h>


const char *const incident_status_names[] = {"reported",  "relayed",  "acknowledged",
                                             "repairing", "resolved", "closed", NULL};
const char *const incident_severity_names[] = {"low", "medium", "high", "critical", NULL};
/* Gas and water utilities' usual emergencies; "other" with a description for the rest. */
const char *const incident_hazard_names[] = {"gas_leak",   "gas_smell",  "burst_main",
                                             "no_supply",  "low_pressure", "fire",
                                             "explosion",  "power_outage", "contamination",
                                             "other",      NULL};

enum { F_HAZARD, F_SEVERITY, F_LOCATION, F_AREA, F_STREET, F_DESCRIPTION, F_REPORTER_NAME,
       F_REPORTER_PHONE, F_CALL_ID, F_COUNT };

static const struct vfield report_spec[F_COUNT] = {
    [F_HAZARD] = {"hazard", VT_ENUM, VF_REQUIRED, 0, 0, incident_hazard_names},
    [F_SEVERITY] = {"severity", VT_ENUM, VF_REQUIRED, 0, 0, incident_severity_names},
    [F_LOCATION] = {"location", VT_STRING, VF_REQUIRED, 1, INCIDENT_LOCATION_MAX, NULL},
    [F_AREA] = {"area_code", VT_STRING, VF_NULLABLE, 1, INCIDENT_PLACE_MAX, NULL},
    [F_STREET] = {"street", VT_STRING, VF_NULLABLE, 1, INCIDENT_PLACE_MAX, NULL},
    [F_DESCRIPTION] = {"description", VT_STRING, VF_REQUIRED, 1, INCIDENT_DESCRIPTION_MAX, NULL},
    [F_REPORTER_NAME] = {"reporter_name", VT_STRING, VF_NULLABLE, 1, INCIDENT_NAME_MAX, NULL},
    [F_REPORTER_PHONE] = {"reporter_phone", VT_PHONE, VF_NULLABLE, 0, 0, NULL},
    [F_CALL_ID] = {"call_id", VT_STRING, VF_NULLABLE, 1, 255, NULL},
};

bool incident_input_from_json(const json_t *body, const char *cc, bool from_ticket,
                              struct incident_input *out, struct verrors *errs)
{
    struct vfield spec[F_COUNT];
    memcpy(spec, report_spec, sizeof spec);
    if (from_ticket) {
        spec[F_DESCRIPTION].flags = VF_NULLABLE; /* the ticket's details by default */
        spec[F_CALL_ID].name = NULL;             /* the ticket's call */
    }
    struct vvalue v[F_COUNT];
    bool ok = validate_object(body, spec, F_COUNT, v, cc, errs);
    memset(out, 0, sizeof *out);
    out->hazard = v[F_HAZARD].str;
    out->severity = v[F_SEVERITY].str;
    out->location = v[F_LOCATION].str;
    out->area_code = v[F_AREA].str;
    out->street = v[F_STREET].str;
    out->description = v[F_DESCRIPTION].str;
    out->reporter_name = v[F_REPORTER_NAME].str;
    out->reporter_phone = v[F_REPORTER_PHONE].str;
    if (out->reporter_phone)
        memcpy(out->reporter_phone_norm, v[F_REPORTER_PHONE].phone, PHONE_NORMAL_MAX);
    out->call_id = v[F_CALL_ID].str;
    return ok;
}
