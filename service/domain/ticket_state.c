/**
 * @file ticket_state.c
 * @brief The transition table.
 */
#include "domain/ticket_state.h"

#include <stdio.h>
#include <string.h>

#define S(x) TICKET_STATUS_##x

static const struct {
    enum ticket_status from, to;
} table[] = {
    {S(NEW), S(IN_PROGRESS)},      /* an agent starts on it */
    {S(NEW), S(RELAYED)},          /* handed to another department or the authorities */
    {S(NEW), S(RESOLVED)},         /* answered on the call itself */
    {S(IN_PROGRESS), S(RELAYED)},
    {S(IN_PROGRESS), S(RESOLVED)},
    {S(RELAYED), S(IN_PROGRESS)},  /* back from the department */
    {S(RELAYED), S(RESOLVED)},
    {S(RESOLVED), S(CLOSED)},      /* confirmed and archived */
    {S(RESOLVED), S(REOPENED)},    /* the customer is not satisfied */
    {S(CLOSED), S(REOPENED)},      /* the customer calls again about it */
    {S(REOPENED), S(IN_PROGRESS)},
    {S(REOPENED), S(RELAYED)},
    {S(REOPENED), S(RESOLVED)},
};

bool ticket_transition_allowed(enum ticket_status from, enum ticket_status to)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].from == from && table[i].to == to)
            return true;
    return false;
}

int ticket_transitions_from(enum ticket_status from, enum ticket_status out[TICKET_STATUS_COUNT])
{
    int n = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0] && n < TICKET_STATUS_COUNT; i++)
        if (table[i].from == from)
            out[n++] = table[i].to;
    return n;
}

bool ticket_transition_needs_note(enum ticket_status to)
{
    return to == S(REOPENED) || to == S(RESOLVED);
}

/* ---- complaints -------------------------------------------------------------------------------- */

const char *const complaint_step_names[] = {"none", "complaint_record", "resolution",
                                            "manager_review", "satisfaction_callback", NULL};

#define V(x) VIA_##x

/* needs: the fact that must hold (STEP_RECORD: record complete; STEP_REVIEW: reviewed);
 * unreviewed: only while the manager has not approved the resolution. */
static const struct {
    enum ticket_status from, to;
    enum transition_via via;
    enum complaint_step needs;
    bool unreviewed;
} complaint_table[] = {
    {S(NEW), S(IN_PROGRESS), V(REQUEST), STEP_NONE, false},
    {S(NEW), S(RELAYED), V(REQUEST), STEP_NONE, false},
    {S(NEW), S(RESOLVED), V(REQUEST), STEP_RECORD, false},
    {S(IN_PROGRESS), S(RELAYED), V(REQUEST), STEP_NONE, false},
    {S(IN_PROGRESS), S(RESOLVED), V(REQUEST), STEP_RECORD, false},
    {S(RELAYED), S(IN_PROGRESS), V(REQUEST), STEP_NONE, false},
    {S(RELAYED), S(RESOLVED), V(REQUEST), STEP_RECORD, false},
    {S(RESOLVED), S(IN_PROGRESS), V(REVIEW), STEP_NONE, true},   /* sent back by the review */
    {S(RESOLVED), S(REOPENED), V(REQUEST), STEP_NONE, true},     /* called again before review */
    {S(RESOLVED), S(REOPENED), V(CALLBACK), STEP_REVIEW, false}, /* unsatisfied */
    {S(RESOLVED), S(CLOSED), V(CALLBACK), STEP_REVIEW, false},   /* satisfied (or unreachable) */
    {S(CLOSED), S(REOPENED), V(REQUEST), STEP_NONE, false},      /* the customer calls again */
    {S(REOPENED), S(IN_PROGRESS), V(REQUEST), STEP_NONE, false},
    {S(REOPENED), S(RELAYED), V(REQUEST), STEP_NONE, false},
    {S(REOPENED), S(RESOLVED), V(REQUEST), STEP_RECORD, false},
};
#define N_COMPLAINT (sizeof complaint_table / sizeof complaint_table[0])

static bool holds(enum complaint_step needs, const struct complaint_facts *f)
{
    switch (needs) {
    case STEP_RECORD:
        return f->record_complete;
    case STEP_REVIEW:
        return f->reviewed;
    default:
        return true;
    }
}

enum complaint_step complaint_next_step(enum ticket_status status,
                                        const struct complaint_facts *f)
{
    switch (status) {
    case S(RESOLVED):
        return f->reviewed ? STEP_CALLBACK : STEP_REVIEW;
    case S(CLOSED):
        return STEP_NONE;
    default:
        return f->record_complete ? STEP_RESOLUTION : STEP_RECORD;
    }
}

/* The step a row of the table waits for: the fact it needs, or the step that makes the change
 * (the review, the callback); once reviewed, what was open before the review is the callback's. */
static enum complaint_step row_missing(size_t i, enum ticket_status from,
                                       const struct complaint_facts *f)
{
    if (!holds(complaint_table[i].needs, f))
        return complaint_table[i].needs;
    if (complaint_table[i].unreviewed && f->reviewed)
        return STEP_CALLBACK;
    if (complaint_table[i].via == V(REVIEW))
        return STEP_REVIEW;
    if (complaint_table[i].via == V(CALLBACK))
        return STEP_CALLBACK;
    return complaint_next_step(from, f);
}

static enum transition_verdict complaint_check(enum ticket_status from, enum ticket_status to,
                                               enum transition_via via,
                                               const struct complaint_facts *f,
                                               enum complaint_step *missing)
{
    bool in_chain = false;
    for (size_t i = 0; i < N_COMPLAINT; i++) {
        if (complaint_table[i].from != from || complaint_table[i].to != to)
            continue;
        if (complaint_table[i].via == via && holds(complaint_table[i].needs, f) &&
            !(complaint_table[i].unreviewed && f->reviewed)) {
            *missing = STEP_NONE;
            return TV_OK;
        }
        if (!in_chain) /* the first row of the change names what it waits for */
            *missing = row_missing(i, from, f);
        in_chain = true;
    }
    if (in_chain)
        return TV_MISSING;
    if (to == S(CLOSED) && via == V(REQUEST)) { /* closing early: name what is missing */
        *missing = complaint_next_step(from, f);
        return TV_MISSING;
    }
    return TV_REFUSED;
}

enum transition_verdict ticket_transition_check(enum ticket_kind kind, enum ticket_status from,
                                                enum ticket_status to, enum transition_via via,
                                                const struct complaint_facts *facts,
                                                enum complaint_step *missing)
{
    *missing = STEP_NONE;
    if (kind == TICKET_KIND_COMPLAINT)
        return complaint_check(from, to, via, facts, missing);
    return via == V(REQUEST) && ticket_transition_allowed(from, to) ? TV_OK : TV_REFUSED;
}

int ticket_transitions_for(enum ticket_kind kind, enum ticket_status from,
                           const struct complaint_facts *f,
                           enum ticket_status out[TICKET_STATUS_COUNT])
{
    if (kind != TICKET_KIND_COMPLAINT)
        return ticket_transitions_from(from, out);
    int n = 0;
    for (size_t i = 0; i < N_COMPLAINT && n < TICKET_STATUS_COUNT; i++)
        if (complaint_table[i].from == from && complaint_table[i].via == V(REQUEST) &&
            !(complaint_table[i].unreviewed && f && f->reviewed))
            out[n++] = complaint_table[i].to;
    return n;
}

void ticket_transitions_text(enum ticket_status from, char *out, size_t n)
{
    ticket_transitions_text_for(TICKET_KIND_INQUIRY, from, NULL, out, n);
}

void ticket_transitions_text_for(enum ticket_kind kind, enum ticket_status from,
                                 const struct complaint_facts *f, char *out, size_t n)
{
    enum ticket_status to[TICKET_STATUS_COUNT];
    int k = ticket_transitions_for(kind, from, f, to);
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? ", " : "", ticket_status_names[to[i]]);
    }
    if (k == 0)
        snprintf(out, n, "none");
}
