/**
 * @file calls.h
 * @brief /calls, /cti/zammad and /callers: call events from phone systems, call records,
 *        tickets linked to calls, and the caller screen-pop.
 */
#ifndef HOTLINE_API_CALLS_H
#define HOTLINE_API_CALLS_H

#include "http/request.h"

/** POST /calls/events — one event (object) or a batch (array of up to 100). */
void api_calls_events(struct http_request *req);

/** POST /cti/zammad — one event in Zammad's generic CTI format (JSON or form). */
void api_calls_zammad(struct http_request *req);

/** GET /calls — records, newest offered first, filtered, keyset pages. */
void api_calls_list(struct http_request *req);

/** GET /calls/{call_id} — the record, its chain of legs, linked tickets and raw events. */
void api_calls_get(struct http_request *req);

/** POST /calls/{call_id}/tickets — link an existing ticket to the call. */
void api_calls_link_ticket(struct http_request *req);

/** GET /callers/{phone} — the screen-pop for a ringing number. */
void api_callers_get(struct http_request *req);

#endif
