/**
 * @file call.h
 * @brief Call events from phone systems and the call record derived from them.
 *
 * A call record is a pure function of the *set* of events received for a call: events are put
 * in a canonical order (time, then event kind, then de-duplication key) before anything is
 * derived, so shuffled, retried or duplicated delivery yields the same record. The rules are
 * documented in README "Calls".
 */
#ifndef HOTLINE_DOMAIN_CALL_H
#define HOTLINE_DOMAIN_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/phone.h"
#include "domain/timefmt.h"
#include "domain/validate.h"

enum call_event_kind { CALL_EV_OFFERED, CALL_EV_RINGING, CALL_EV_ANSWERED, CALL_EV_TRANSFERRED,
                       CALL_EV_HANGUP, CALL_EV_COUNT };

enum call_direction { CALL_DIR_INBOUND, CALL_DIR_OUTBOUND, CALL_DIR_COUNT };

enum call_cause { CALL_CAUSE_NORMAL, CALL_CAUSE_BUSY, CALL_CAUSE_NO_ANSWER, CALL_CAUSE_ABANDONED,
                  CALL_CAUSE_REJECTED, CALL_CAUSE_FAILED, CALL_CAUSE_TRANSFERRED,
                  CALL_CAUSE_COUNT };

enum call_state { CALL_STATE_RINGING, CALL_STATE_TALKING, CALL_STATE_ENDED, CALL_STATE_COUNT };

enum call_outcome { CALL_OUTCOME_ANSWERED, CALL_OUTCOME_ABANDONED, CALL_OUTCOME_MISSED,
                    CALL_OUTCOME_FAILED, CALL_OUTCOME_TRANSFERRED, CALL_OUTCOME_COUNT };

/** NULL-terminated name tables indexed by the enums (the words of the API and the database). */
extern const char *const call_event_names[];
extern const char *const call_direction_names[];
extern const char *const call_cause_names[];
extern const char *const call_state_names[];
extern const char *const call_outcome_names[];

#define CALL_ID_MAX 255
#define CALL_AGENT_MAX 64
#define CALL_QUEUE_MAX 100
#define CALL_BATCH_MAX 100
#define CALL_DEDUP_KEY_MAX 300
/** How far ahead of the service's clock an event time may be (PBX clocks drift). */
#define CALL_FUTURE_SLACK HL_HOUR(24)

/** One event. Strings are borrowed (from the JSON body or a database result); NULL = absent. */
struct call_event {
    enum call_event_kind kind;
    hl_time at;
    int direction; /* enum call_direction, or -1 when not given */
    int cause;     /* enum call_cause, or -1 when not given */
    const char *call_id, *event_id, *parent_call_id, *agent, *queue;
    const char *from, *to; /* as given */
    char from_norm[PHONE_NORMAL_MAX], to_norm[PHONE_NORMAL_MAX]; /* "" when from/to absent */
    const char *dedup_key; /* set by the store when loaded; see call_event_dedup_key */
};

/**
 * Validate one event of POST /calls/events (a JSON object).
 * @param now the service's clock: times more than CALL_FUTURE_SLACK ahead are refused
 * @param[out] out the event; strings borrowed from obj
 * @return true when valid; otherwise errs names every bad field
 */
bool call_event_parse(const json_t *obj, const char *country_code, hl_time now,
                      struct call_event *out, struct verrors *errs);

/**
 * The key that makes a retried delivery a duplicate: "id:<event_id>" when the CTI gave an id,
 * else "at:<event>:<microseconds since the epoch>". Unique per call.
 * @param out CALL_DEDUP_KEY_MAX bytes
 */
void call_event_dedup_key(const struct call_event *e, char *out, size_t outlen);

/** The call record: what the events say about the call so far. Strings borrow the events'. */
struct call_record {
    int direction; /* -1: no event said */
    const char *from, *to, *from_norm, *to_norm, *agent, *queue, *parent_call_id;
    enum call_state state;
    int outcome; /* enum call_outcome, -1 while the call is not over */
    int cause;   /* of the first hangup, -1 when none */
    hl_time offered_at;
    bool answered, transferred, ended;
    hl_time answered_at, transferred_at, ended_at;
    int64_t ring_us;      /* offered → answered, or → ended when never answered; -1 unknown */
    int64_t talk_us;      /* answered → ended; -1 unknown */
    int within_threshold; /* inbound only: 1/0; -1 while ringing or for outbound calls */
    int event_count;
};

/**
 * Derive the record of one call from all its events (n >= 1). Sorts ev into canonical order.
 * @param threshold the answer-time target (HOTLINE_RING_THRESHOLD_S)
 */
void call_derive(struct call_event *ev, size_t n, hl_time threshold, struct call_record *out);

/**
 * The normal form of the number to call back when this call needs a missed-call task: an
 * inbound call that ended abandoned or missed, from a known number. NULL otherwise.
 */
const char *call_callback_number(const struct call_record *r);

/**
 * The normal form of the customer's number this call reached: the caller of an answered
 * inbound call, or the callee of an answered outbound call. NULL otherwise.
 */
const char *call_reached_number(const struct call_record *r);

/** Seconds with milliseconds ("12.345") of a duration in microseconds. out: 32 bytes. */
void call_format_seconds(int64_t us, char *out, size_t outlen);

#endif
