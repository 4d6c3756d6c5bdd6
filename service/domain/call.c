/**
 * @file call.c
 * @brief Call event validation and the derivation of call records (see call.h).
 */
#include "domain/call.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const call_event_names[] = {"offered", "ringing", "answered", "transferred",
                                        "hangup", NULL};
const char *const call_direction_names[] = {"inbound", "outbound", NULL};
const char *const call_cause_names[] = {"normal", "busy", "no_answer", "abandoned", "rejected",
                                        "failed", "transferred", NULL};
const char *const call_state_names[] = {"ringing", "talking", "ended", NULL};
const char *const call_outcome_names[] = {"answered", "abandoned", "missed", "failed",
                                          "transferred", NULL};

/* ---- validation --------------------------------------------------------------------------- */

enum { F_CALL_ID, F_EVENT, F_AT, F_DIRECTION, F_FROM, F_TO, F_AGENT, F_QUEUE, F_CAUSE,
       F_EVENT_ID, F_PARENT, F_COUNT };

static const struct vfield event_spec[F_COUNT] = {
    [F_CALL_ID] = {"call_id", VT_STRING, VF_REQUIRED, 1, CALL_ID_MAX, NULL},
    [F_EVENT] = {"event", VT_ENUM, VF_REQUIRED, 0, 0, call_event_names},
    [F_AT] = {"at", VT_TIME, VF_REQUIRED, 0, 0, NULL},
    [F_DIRECTION] = {"direction", VT_ENUM, 0, 0, 0, call_direction_names},
    [F_FROM] = {"from", VT_PHONE, VF_NULLABLE, 0, 0, NULL},
    [F_TO] = {"to", VT_PHONE, VF_NULLABLE, 0, 0, NULL},
    [F_AGENT] = {"agent", VT_STRING, VF_NULLABLE, 1, CALL_AGENT_MAX, NULL},
    [F_QUEUE] = {"queue", VT_STRING, VF_NULLABLE, 1, CALL_QUEUE_MAX, NULL},
    [F_CAUSE] = {"cause", VT_ENUM, VF_NULLABLE, 0, 0, call_cause_names},
    [F_EVENT_ID] = {"event_id", VT_STRING, 0, 1, CALL_ID_MAX, NULL},
    [F_PARENT] = {"parent_call_id", VT_STRING, VF_NULLABLE, 1, CALL_ID_MAX, NULL},
};

static const char *str_or_null(const struct vvalue *v)
{
    return v->present && !v->is_null ? v->str : NULL;
}

static void fill_event(const struct vvalue *v, struct call_event *out)
{
    memset(out, 0, sizeof *out);
    out->kind = (enum call_event_kind)v[F_EVENT].num;
    out->at = v[F_AT].time;
    out->direction = v[F_DIRECTION].present ? (int)v[F_DIRECTION].num : -1;
    out->cause = str_or_null(&v[F_CAUSE]) ? (int)v[F_CAUSE].num : -1;
    out->call_id = v[F_CALL_ID].str;
    out->event_id = str_or_null(&v[F_EVENT_ID]);
    out->parent_call_id = str_or_null(&v[F_PARENT]);
    out->agent = str_or_null(&v[F_AGENT]);
    out->queue = str_or_null(&v[F_QUEUE]);
    out->from = str_or_null(&v[F_FROM]);
    out->to = str_or_null(&v[F_TO]);
    if (out->from)
        memcpy(out->from_norm, v[F_FROM].phone, PHONE_NORMAL_MAX);
    if (out->to)
        memcpy(out->to_norm, v[F_TO].phone, PHONE_NORMAL_MAX);
}

/* Rules that involve more than one field. */
static void check_event_rules(const struct vvalue *v, const struct call_event *e, hl_time now,
                              struct verrors *errs)
{
    if (e->cause >= 0 && e->kind != CALL_EV_HANGUP)
        verr_add(errs, "cause", "only a hangup has a cause");
    if (e->kind == CALL_EV_OFFERED) {
        if (!v[F_DIRECTION].present)
            verr_add(errs, "direction", "is required for an offered call");
        if (!v[F_FROM].present)
            verr_add(errs, "from", "is required for an offered call (null when withheld)");
        if (!v[F_TO].present)
            verr_add(errs, "to", "is required for an offered call");
    }
    if (e->parent_call_id && strcmp(e->parent_call_id, e->call_id) == 0)
        verr_add(errs, "parent_call_id", "must name another call");
    if (e->at > now + CALL_FUTURE_SLACK)
        verr_add(errs, "at", "is more than 24 hours ahead of the service's clock");
}

bool call_event_parse(const json_t *obj, const char *cc, hl_time now, struct call_event *out,
                      struct verrors *errs)
{
    struct vvalue v[F_COUNT];
    int before = errs->n;
    bool shape_ok = validate_object(obj, event_spec, F_COUNT, v, cc, errs);
    fill_event(v, out);
    if (shape_ok)
        check_event_rules(v, out, now, errs);
    return errs->n == before;
}

void call_event_dedup_key(const struct call_event *e, char *out, size_t outlen)
{
    if (e->event_id)
        snprintf(out, outlen, "id:%s", e->event_id);
    else
        snprintf(out, outlen, "at:%s:%" PRId64, call_event_names[e->kind], e->at);
}

/* ---- derivation --------------------------------------------------------------------------- */

/* Canonical order: time, then the natural order of the kinds, then the de-duplication key. */
static int compare_events(const void *a, const void *b)
{
    const struct call_event *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->dedup_key ? x->dedup_key : "", y->dedup_key ? y->dedup_key : "");
}

static const struct call_event *first_of(const struct call_event *ev, size_t n,
                                         enum call_event_kind kind)
{
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == kind)
            return &ev[i];
    return NULL;
}

/* Who the call is about: the first event (in canonical order) that says so wins. */
static void derive_parties(const struct call_event *ev, size_t n, struct call_record *r)
{
    for (size_t i = 0; i < n; i++) {
        const struct call_event *e = &ev[i];
        if (r->direction < 0 && e->direction >= 0)
            r->direction = e->direction;
        if (!r->from && e->from) {
            r->from = e->from;
            r->from_norm = e->from_norm;
        }
        if (!r->to && e->to) {
            r->to = e->to;
            r->to_norm = e->to_norm;
        }
        if (!r->queue && e->queue)
            r->queue = e->queue;
        if (!r->parent_call_id && e->parent_call_id)
            r->parent_call_id = e->parent_call_id;
        if (e->agent)
            r->agent = e->agent; /* the last agent named, unless the answer names one */
    }
}

static int derive_outcome(const struct call_record *r)
{
    if (!r->ended)
        return -1;
    if (r->answered)
        return CALL_OUTCOME_ANSWERED;
    if (r->transferred || r->cause == CALL_CAUSE_TRANSFERRED)
        return CALL_OUTCOME_TRANSFERRED;
    if (r->cause == CALL_CAUSE_FAILED)
        return CALL_OUTCOME_FAILED;
    if (r->direction == CALL_DIR_OUTBOUND)
        return CALL_OUTCOME_MISSED; /* the customer was not reached */
    /* Nobody answered and the line cleared normally: the caller hung up while waiting. */
    if (r->cause == CALL_CAUSE_ABANDONED || r->cause == CALL_CAUSE_NORMAL)
        return CALL_OUTCOME_ABANDONED;
    return CALL_OUTCOME_MISSED; /* busy, no_answer, rejected or no cause given */
}

static int64_t nonnegative(int64_t us)
{
    return us < 0 ? 0 : us; /* two PBX nodes' clocks may disagree by a little */
}

static void derive_times(struct call_record *r, hl_time threshold)
{
    r->ring_us = -1;
    r->talk_us = -1;
    r->within_threshold = -1;
    if (r->answered)
        r->ring_us = nonnegative(r->answered_at - r->offered_at);
    else if (r->ended)
        r->ring_us = nonnegative(r->ended_at - r->offered_at);
    if (r->answered && r->ended)
        r->talk_us = nonnegative(r->ended_at - r->answered_at);
    if (r->direction == CALL_DIR_INBOUND && (r->answered || r->ended))
        r->within_threshold = r->answered && r->ring_us <= threshold;
}

void call_derive(struct call_event *ev, size_t n, hl_time threshold, struct call_record *out)
{
    memset(out, 0, sizeof *out);
    out->direction = -1;
    out->cause = -1;
    out->event_count = (int)n;
    if (n == 0)
        return;
    qsort(ev, n, sizeof *ev, compare_events);
    derive_parties(ev, n, out);
    const struct call_event *offered = first_of(ev, n, CALL_EV_OFFERED);
    const struct call_event *ringing = first_of(ev, n, CALL_EV_RINGING);
    const struct call_event *answered = first_of(ev, n, CALL_EV_ANSWERED);
    const struct call_event *transferred = first_of(ev, n, CALL_EV_TRANSFERRED);
    const struct call_event *hangup = first_of(ev, n, CALL_EV_HANGUP);
    /* The call began when it was offered (or rang); without either, at the first event known. */
    const struct call_event *start = offered ? offered : ringing ? ringing : &ev[0];
    if (offered && ringing && ringing->at < offered->at)
        start = ringing;
    out->offered_at = start->at;
    if (answered) {
        out->answered = true;
        out->answered_at = answered->at;
        if (answered->agent)
            out->agent = answered->agent;
    }
    if (transferred) {
        out->transferred = true;
        out->transferred_at = transferred->at;
    }
    if (hangup) {
        out->ended = true;
        out->ended_at = hangup->at;
        out->cause = hangup->cause;
    }
    out->state = out->ended ? CALL_STATE_ENDED : out->answered ? CALL_STATE_TALKING
                                                                : CALL_STATE_RINGING;
    out->outcome = derive_outcome(out);
    derive_times(out, threshold);
}

const char *call_callback_number(const struct call_record *r)
{
    if (r->direction != CALL_DIR_INBOUND || !r->ended || !r->from_norm || !r->from_norm[0])
        return NULL;
    if (r->outcome != CALL_OUTCOME_ABANDONED && r->outcome != CALL_OUTCOME_MISSED)
        return NULL;
    return r->from_norm;
}

const char *call_reached_number(const struct call_record *r)
{
    if (!r->answered || r->direction < 0)
        return NULL;
    const char *n = r->direction == CALL_DIR_INBOUND ? r->from_norm : r->to_norm;
    return n && n[0] ? n : NULL;
}

void call_format_seconds(int64_t us, char *out, size_t outlen)
{
    int64_t ms = us / 1000;
    const int64_t max_ms = INT64_C(999999999999); /* numeric(12,3) */
    if (ms > max_ms)
        ms = max_ms;
    if (ms < 0)
        ms = 0;
    snprintf(out, outlen, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
}
