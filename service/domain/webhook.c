/**
 * @file webhook.c
 * @brief Webhook input validation.
 */
#include "domain/webhook.h"

#include <string.h>

const char *const webhook_event_names[] = {
    "government.relay", /* a government ticket, relayed to the responsible party */
    "ticket.overdue",   /* a deadline passed */
    "ticket.escalated", /* the escalation level rose */
    "ticket.warning",   /* a deadline is near */
    "followup.failed",  /* a follow-up call could not be made */
    "followup.overdue", /* a follow-up call is late */
    "call.missed",      /* an inbound call was missed or abandoned */
    "incident.relay",   /* an emergency, relayed to operations */
    "incident.escalated",
    "dispatch.overdue", /* a department has not signed for a dispatch in time */
    NULL,
};

enum { W_URL, W_SECRET, W_EVENTS, W_DESCRIPTION, W_COUNT };

static const struct vfield spec[W_COUNT] = {
    [W_URL] = {"url", VT_STRING, VF_REQUIRED, 10, 500, NULL},
    [W_SECRET] = {"secret", VT_STRING, VF_REQUIRED, 16, 200, NULL},
    [W_EVENTS] = {"events", VT_STRING, VF_REQUIRED, 0, 0, NULL}, /* checked below */
    [W_DESCRIPTION] = {"description", VT_STRING, VF_NULLABLE, 0, 200, NULL},
};

static void check_events(const json_t *events, struct webhook_input *out, struct verrors *errs)
{
    size_t i;
    json_t *e;
    if (!json_is_array(events) || json_array_size(events) < 1 ||
        json_array_size(events) > WEBHOOK_MAX_EVENTS) {
        verr_add(errs, "events", "must be a list of 1 to %d event names", WEBHOOK_MAX_EVENTS);
        return;
    }
    json_array_foreach(events, i, e)
    {
        const char *name = json_string_value(e);
        if (!name || enum_index(webhook_event_names, name) < 0) {
            verr_add(errs, "events", "unknown event; known: government.relay, ticket.overdue, "
                                     "ticket.escalated, ticket.warning, followup.failed, "
                                     "followup.overdue, call.missed, incident.relay, "
                                     "incident.escalated, dispatch.overdue");
            return;
        }
        for (int k = 0; k < out->nevents; k++)
            if (strcmp(out->events[k], name) == 0) {
                verr_add(errs, "events", "lists %s twice", name);
                return;
            }
        out->events[out->nevents++] = name;
    }
}

bool webhook_input_from_json(const json_t *body, struct webhook_input *out, struct verrors *errs)
{
    memset(out, 0, sizeof *out);
    json_t *copy = json_is_object(body) ? json_copy((json_t *)body) : NULL;
    json_t *events = copy ? json_incref(json_object_get(copy, "events")) : NULL;
    if (copy && events)
        json_object_set_new(copy, "events", json_string("checked separately"));
    struct vvalue v[W_COUNT];
    bool ok = validate_object(copy ? copy : body, spec, W_COUNT, v, "86", errs);
    out->url = json_string_value(json_object_get(body, "url"));
    out->secret = json_string_value(json_object_get(body, "secret"));
    out->description = json_string_value(json_object_get(body, "description"));
    if (events)
        check_events(events, out, errs);
    json_decref(events);
    json_decref(copy);
    if (out->url && v[W_URL].present && strncmp(out->url, "http://", 7) != 0 &&
        strncmp(out->url, "https://", 8) != 0)
        verr_add(errs, "url", "must be an http:// or https:// URL");
    return ok && errs->n == 0;
}
