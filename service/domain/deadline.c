/**
 * @file deadline.c
 * @brief Deadlines per class and kind, and the sweeper's decisions.
 */
#include "domain/deadline.h"

#include <stdio.h>
#include <string.h>

const char *const deadline_names[] = {"resolve", "relay", "callback", "weekly_callback",
                                      "progress_notice", NULL};
const char *const escalation_names[] = {"agent", "supervisor", "manager", NULL};

static void set(struct deadlines *d, enum deadline_kind k, hl_time due, const char *rule)
{
    d->has[k] = true;
    d->due[k] = due;
    snprintf(d->rule[k], sizeof d->rule[k], "%s", rule);
}

static void hhmm(int secs, char *out, size_t n)
{
    snprintf(out, n, "%02d:%02d", secs / 3600, secs % 3600 / 60);
}

static bool resolve_deadline(const struct calendar *c, enum ticket_class cls, hl_time received,
                             struct deadlines *out)
{
    int n = cls == TICKET_CLASS_GENERAL ? c->rules.general_days : c->rules.hard_days;
    hl_time due;
    if (!cal_end_of_nth_business_day(c, received, n, &due))
        return false;
    int sod;
    int64_t day = cal_local_day(c, received, &sod);
    bool counts = cal_is_working_day(c, day) && sod < c->closes;
    char closing[16], rule[DEADLINE_RULE_MAX];
    hhmm(c->closes, closing, sizeof closing);
    if (cls == TICKET_CLASS_GENERAL && n == 1)
        snprintf(rule, sizeof rule,
                 counts ? "general: answered the same business day (received on a working day "
                          "before closing at %s)"
                        : "general: received after closing or on a non-working day, so by the "
                          "end of the next business day (%s)",
                 closing);
    else
        snprintf(rule, sizeof rule,
                 counts ? "%s: finished within %d business days, the day received counting as "
                          "the first (closing at %s)"
                        : "%s: received outside business hours, so by the end of the %d-th "
                          "business day from the next one (closing at %s)",
                 ticket_class_names[cls], n, closing);
    set(out, DL_RESOLVE, due, rule);
    return true;
}

bool deadlines_for(const struct calendar *c, enum ticket_class cls, enum ticket_kind kind,
                   hl_time received, struct deadlines *out)
{
    memset(out, 0, sizeof *out);
    char rule[DEADLINE_RULE_MAX];
    switch (cls) {
    case TICKET_CLASS_GENERAL:
    case TICKET_CLASS_HARD:
        if (!resolve_deadline(c, cls, received, out))
            return false;
        break;
    case TICKET_CLASS_SPECIAL:
        if (!deadline_next_weekly(c, received, out))
            return false;
        break;
    case TICKET_CLASS_GOVERNMENT:
        snprintf(rule, sizeof rule,
                 "government: relayed within %d minutes of receipt, around the clock",
                 c->rules.government_relay_minutes);
        set(out, DL_RELAY, received + HL_MIN(c->rules.government_relay_minutes), rule);
        break;
    case TICKET_CLASS_COUNT:
        return false;
    }
    if (kind == TICKET_KIND_COMPLAINT)
        deadline_next_progress(c, received, out);
    return true;
}

void deadline_government_callback(const struct calendar *c, hl_time relayed_at,
                                  struct deadlines *d)
{
    char rule[DEADLINE_RULE_MAX];
    snprintf(rule, sizeof rule,
             "government: the customer called back within %d minutes of the relay, around the "
             "clock",
             c->rules.government_callback_minutes);
    set(d, DL_CALLBACK, relayed_at + HL_MIN(c->rules.government_callback_minutes), rule);
}

bool deadline_next_weekly(const struct calendar *c, hl_time from, struct deadlines *d)
{
    hl_time due;
    if (!cal_next_calling_moment(c, from + HL_HOUR(24 * (int64_t)c->rules.special_callback_days),
                                 &due))
        return false;
    char rule[DEADLINE_RULE_MAX];
    snprintf(rule, sizeof rule,
             "special: a callback every %d days until resolved (in the first calling window "
             "from then)",
             c->rules.special_callback_days);
    set(d, DL_WEEKLY, due, rule);
    return true;
}

void deadline_next_progress(const struct calendar *c, hl_time from, struct deadlines *d)
{
    char rule[DEADLINE_RULE_MAX];
    snprintf(rule, sizeof rule,
             "complaint: the customer told of the progress every %d hours while unresolved",
             c->rules.complaint_notice_hours);
    set(d, DL_PROGRESS, from + HL_HOUR(c->rules.complaint_notice_hours), rule);
}

/* ---- the sweeper ------------------------------------------------------------------------------ */

unsigned deadlines_active(const struct ticket_clock *t)
{
    if (t->status == TICKET_STATUS_RESOLVED || t->status == TICKET_STATUS_CLOSED)
        return 0;
    unsigned active = 0;
    for (int k = 0; k < DL_COUNT; k++)
        if (t->d.has[k])
            active |= DL_BIT(k);
    if (t->relayed)
        active &= ~DL_BIT(DL_RELAY);
    if (t->called_back)
        active &= ~DL_BIT(DL_CALLBACK);
    return active;
}

bool ticket_overdue(const struct ticket_clock *t)
{
    return (t->breached & deadlines_active(t)) != 0;
}

bool ticket_next_due(const struct ticket_clock *t, hl_time *out)
{
    unsigned pending = deadlines_active(t) & ~t->breached;
    bool found = false;
    for (int k = 0; k < DL_COUNT; k++)
        if (pending & DL_BIT(k) && (!found || t->d.due[k] < *out)) {
            *out = t->d.due[k];
            found = true;
        }
    if (ticket_overdue(t) && t->escalation_level < ESCALATION_MAX && t->has_next_escalation &&
        (!found || t->next_escalation_at < *out)) {
        *out = t->next_escalation_at;
        found = true;
    }
    return found;
}

void sweep_decide(const struct ticket_clock *t, hl_time now, const struct rules *r,
                  struct sweep_decision *out)
{
    memset(out, 0, sizeof *out);
    out->after = *t;
    struct ticket_clock *a = &out->after;
    unsigned pending = deadlines_active(t) & ~t->breached;
    for (int k = 0; k < DL_COUNT; k++)
        if (pending & DL_BIT(k) && t->d.due[k] <= now)
            out->newly_breached |= DL_BIT(k);
    a->breached |= out->newly_breached;
    bool due_again = ticket_overdue(t) && t->has_next_escalation && t->next_escalation_at <= now;
    if ((out->newly_breached || due_again) && a->escalation_level < ESCALATION_MAX) {
        a->escalation_level++;
        out->escalate_to = a->escalation_level;
        a->has_next_escalation = a->escalation_level < ESCALATION_MAX;
        a->next_escalation_at = now + HL_MIN(r->escalation_delay_minutes);
    } else if (due_again) {
        a->has_next_escalation = false; /* at the top: nothing more to raise */
    }
    out->has_next_due = ticket_next_due(a, &out->next_due);
}
