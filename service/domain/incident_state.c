/**
 * @file incident_state.c
 * @brief The incident transition table and the acknowledgement clock.
 */
#include "domain/incident_state.h"

#include <stdio.h>
#include <string.h>

#include "domain/roles.h"

#define S(x) INCIDENT_##x
#define OPS ROLE_OPERATIONS
#define STAFF ROLES_STAFF
#define LEADS ROLES_SUPERVISING

static const struct {
    enum incident_status from, to;
    unsigned roles;
} table[] = {
    /* the relay reached operations by other means (the duty phone); the sweeper also takes
     * this step when the outbox reports the webhook delivered */
    {S(REPORTED), S(RELAYED), STAFF | OPS},
    /* operations acknowledges, also before the delivery has been confirmed */
    {S(REPORTED), S(ACKNOWLEDGED), OPS},
    {S(RELAYED), S(ACKNOWLEDGED), OPS},
    {S(ACKNOWLEDGED), S(REPAIRING), OPS | LEADS},
    {S(REPAIRING), S(RESOLVED), OPS | LEADS},
    {S(RESOLVED), S(REPAIRING), OPS | LEADS}, /* the hazard is back */
    {S(RESOLVED), S(CLOSED), LEADS},          /* after the all-clear round */
};

#define TABLE_N (sizeof table / sizeof table[0])

unsigned incident_transition_roles(enum incident_status from, enum incident_status to)
{
    for (size_t i = 0; i < TABLE_N; i++)
        if (table[i].from == from && table[i].to == to)
            return table[i].roles;
    return 0;
}

int incident_transitions_from(enum incident_status from, unsigned role,
                              enum incident_status out[INCIDENT_STATUS_COUNT])
{
    int n = 0;
    for (size_t i = 0; i < TABLE_N && n < INCIDENT_STATUS_COUNT; i++)
        if (table[i].from == from && (role == 0 || (table[i].roles & role)))
            out[n++] = table[i].to;
    return n;
}

void incident_transitions_text(enum incident_status from, unsigned role, char *out, size_t n)
{
    enum incident_status to[INCIDENT_STATUS_COUNT];
    int k = incident_transitions_from(from, role, to);
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? ", " : "", incident_status_names[to[i]]);
    }
    if (k == 0)
        snprintf(out, n, "none");
}

bool incident_transition_needs_note(enum incident_status to)
{
    return to == S(RESOLVED);
}

bool incident_awaits_ack(enum incident_status s)
{
    return s == S(REPORTED) || s == S(RELAYED);
}

bool incident_next_due(const struct incident_clock *c, int ack_minutes, hl_time *out)
{
    if (!incident_awaits_ack(c->status) || c->escalation_level >= INCIDENT_ESCALATION_MAX)
        return false;
    *out = c->ack_due_at + HL_MIN((int64_t)ack_minutes * c->escalation_level);
    return true;
}

void incident_sweep_decide(const struct incident_clock *c, hl_time now, int ack_minutes,
                           struct incident_sweep *out)
{
    memset(out, 0, sizeof *out);
    hl_time due;
    struct incident_clock after = *c;
    if (incident_next_due(c, ack_minutes, &due) && due <= now) {
        after.escalation_level++;
        out->escalate_to = after.escalation_level;
    }
    out->has_next_due = incident_next_due(&after, ack_minutes, &out->next_due);
}
