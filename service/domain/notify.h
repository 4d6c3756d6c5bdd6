/**
 * @file notify.h
 * @brief Notifying the customers an incident affects (逐户通知): rounds, statuses, what an
 *        agent's call result does to a notification, and the validation of a selection.
 *
 * Emergencies ignore the calling windows of ordinary follow-ups: a retry waits only the
 * configured delay, day or night.
 */
#ifndef HOTLINE_DOMAIN_NOTIFY_H
#define HOTLINE_DOMAIN_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/timefmt.h"
#include "domain/validate.h"

enum notify_round { ROUND_ALERT, ROUND_ALL_CLEAR, ROUND_COUNT };

enum notify_status {
    NS_PENDING,      /* waiting to be called (from available_at) */
    NS_CLAIMED,      /* an agent is calling (until available_at) */
    NS_REACHED,      /* told */
    NS_NOT_REACHED,  /* no answer after the last attempt */
    NS_WRONG_NUMBER, /* the number is not the customer's */
    NS_DECLINED,     /* the customer would not listen */
    NS_NO_CONTACT,   /* no phone number: for a visit at the door */
    NS_COUNT
};

enum notify_result { NR_REACHED, NR_NO_ANSWER, NR_WRONG_NUMBER, NR_DECLINED, NR_COUNT };

extern const char *const notify_round_names[];
extern const char *const notify_status_names[];
extern const char *const notify_result_names[];

/** The configured numbers (HOTLINE_NOTIFY_*). */
struct notify_policy {
    int retry_minutes; /* a no_answer is called again after this long */
    int max_attempts;  /* ... up to this many calls in all, then not_reached */
    int claim_minutes; /* a claim without a result returns to the pool after this long */
};

/** A notification after a result. */
struct notify_outcome {
    enum notify_status status;
    int attempts;
    bool final;          /* reached, not_reached, wrong_number or declined */
    bool has_available_at;
    hl_time available_at; /* when a retried row may be claimed again */
};

/**
 * What a call result does to a notification that had attempts_before calls.
 * no_answer is retried after retry_minutes until max_attempts calls were made.
 */
void notify_apply_result(int attempts_before, enum notify_result r, hl_time now,
                         const struct notify_policy *p, struct notify_outcome *out);

/** What the phone system knows of an outbound call to the customer. */
struct notify_call {
    bool known;    /* the calls issue's record exists */
    bool to_listed; /* it went to one of the notification's numbers */
    bool answered;
    bool ended;
};

enum notify_call_verdict {
    NC_OK,           /* the result stands (or was taken from the call) */
    NC_UNKNOWN,      /* no result given and the phone system has not reported the call */
    NC_NOT_LISTED,   /* the call went to another number */
    NC_NOT_ENDED,    /* no result given and the call is still ringing */
};

/**
 * Check a result against the call it names (call_id), or take the result from the call when
 * none is given: answered → reached, ended without an answer → no_answer.
 * @param has_result a result was given in *r; otherwise it is set on NC_OK
 */
enum notify_call_verdict notify_result_from_call(const struct notify_call *c, bool has_result,
                                                 enum notify_result *r);

/** Is a status final (the customer's case is decided)? */
bool notify_status_final(enum notify_status s);

#define SELECTION_LIST_MAX 100
#define SELECTION_IDS_MAX 10000

/**
 * Who must be told: the location filters given (areas, streets, address prefix) must all
 * match; explicit customer ids and, with alert_list, everyone on the incident's alert list are
 * added to them. At least one criterion is needed.
 */
struct selection {
    enum notify_round round;
    int nareas, nstreets, nids;
    const char *areas[SELECTION_LIST_MAX];   /* borrowed */
    const char *streets[SELECTION_LIST_MAX]; /* borrowed */
    const char *address_prefix;              /* borrowed, or NULL */
    int64_t *ids;                            /* owned: free with selection_cleanup */
    bool alert_list;
};

/**
 * Validate a POST /incidents/{id}/notifications body:
 * {"round", "areas", "streets", "address_prefix", "customer_ids", "alert_list"}.
 * @param default_round the round when "round" is left out
 */
bool selection_from_json(const json_t *body, enum notify_round default_round,
                         struct selection *out, struct verrors *errs);

void selection_cleanup(struct selection *s);

#endif
