/**
 * @file zammad.h
 * @brief Zammad's generic CTI format (events newCall, answer, hangup) mapped onto call events,
 *        so a phone system configured for Zammad only changes its URL.
 *
 * Mapping (README "Zammad-compatible endpoint"): newCall → offered, answer → answered,
 * hangup → hangup; callId/call_id → call_id; direction in/out → inbound/outbound; from/to as
 * phone numbers, "anonymous" (or empty) → null; user/user[] (first name) or else
 * answeringNumber → agent; queue → queue; origCallId → parent_call_id; cause normalClearing →
 * normal, busy → busy, cancel → abandoned, noAnswer → no_answer, congestion/notFound → failed,
 * forwarded → transferred. Zammad sends no event time: the time of receipt is used. Zammad
 * sends no event id either: the event name is the id, so a repeated newCall is a duplicate.
 * Fields this mapping does not know are ignored, as PBX templates send extra ones.
 */
#ifndef HOTLINE_DOMAIN_ZAMMAD_H
#define HOTLINE_DOMAIN_ZAMMAD_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/call.h"

/**
 * Map one Zammad CTI request (an object of strings, or arrays of strings for "user[]").
 * @param now the time of receipt, used as the event time
 * @param[out] out the event; strings borrowed from obj or static
 * @return true when valid; otherwise errs names every bad field (by Zammad's names)
 */
bool zammad_to_event(const json_t *obj, const char *country_code, hl_time now,
                     struct call_event *out, struct verrors *errs);

#endif
