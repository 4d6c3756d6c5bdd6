/**
 * @file webhook.h
 * @brief Webhook subscriptions: the events one can subscribe to, and input validation.
 */
#ifndef HOTLINE_DOMAIN_WEBHOOK_H
#define HOTLINE_DOMAIN_WEBHOOK_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/validate.h"

/** Event names, NULL-terminated. */
extern const char *const webhook_event_names[];

#define WEBHOOK_MAX_EVENTS 16

struct webhook_input {
    const char *url, *secret, *description; /* borrowed */
    int nevents;
    const char *events[WEBHOOK_MAX_EVENTS];
};

/** Validate a POST /webhooks body. */
bool webhook_input_from_json(const json_t *body, struct webhook_input *out, struct verrors *errs);

#endif
