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

void ticket_transitions_text(enum ticket_status from, char *out, size_t n)
{
    enum ticket_status to[TICKET_STATUS_COUNT];
    int k = ticket_transitions_from(from, to);
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? ", " : "", ticket_status_names[to[i]]);
    }
    if (k == 0)
        snprintf(out, n, "none");
}
