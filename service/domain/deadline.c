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

bool deadline_warning_at(hl_time start, hl_time due, int percent, hl_time *warn)
{
    if (due <= start || percent < 1 || percent > 99)
        return false;
    *warn = start + (due - start) * percent / 100;
    return true;
}

/* A deadline running from start to due, warned of at the calendar's share of that time. */
static void set(const struct calendar *c, struct deadlines *d, enum deadline_kind k,
                hl_time start, hl_time due, const char *rule)
{
    d->has[k] = true;
    d->due[k] = due;
    d->has_warn[k] = deadline_warning_at(start, due, c->rules.warning_percent, &d->warn[k]);
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
    set(c, out, DL_RESOLVE, received, due, rule);
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
        set(c, out, DL_RELAY, received, received + HL_MIN(c->rules.government_relay_minutes),
            rule);
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
    set(c, d, DL_CALLBACK, relayed_at,
        relayed_at + HL_MIN(c->rules.government_callback_minutes), rule);
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
    set(c, d, DL_WEEKLY, from, due, rule);
    return true;
}

void deadline_next_progress(const struct calendar *c, hl_time from, struct deadlines *d)
{
    char rule[DEADLINE_RULE_MAX];
    snprintf(rule, sizeof rule,
             "complaint: the customer told of the progress every %d hours while unresolved",
             c->rules.complaint_notice_hours);
    set(c, d, DL_PROGRESS, from, from + HL_HOUR(c->rules.complaint_notice_hours), rule);
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

/* The deadlines whose warning is still to be given: running, not passed, not warned of. */
static unsigned warnings_pending(const struct ticket_clock *t)
{
    unsigned pending = deadlines_active(t) & ~t->breached & ~t->warned, out = 0;
    for (int k = 0; k < DL_COUNT; k++)
        if (pending & DL_BIT(k) && t->d.has_warn[k] && t->d.warn[k] < t->d.due[k])
            out |= DL_BIT(k);
    return out;
}

static void earliest(hl_time t, bool *found, hl_time *out)
{
    if (!*found || t < *out) {
        *out = t;
        *found = true;
    }
}

bool ticket_next_due(const struct ticket_clock *t, hl_time *out)
{
    unsigned pending = deadlines_active(t) & ~t->breached, warn = warnings_pending(t);
    bool found = false;
    for (int k = 0; k < DL_COUNT; k++) {
        if (pending & DL_BIT(k))
            earliest(t->d.due[k], &found, out);
        if (warn & DL_BIT(k))
            earliest(t->d.warn[k], &found, out);
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
    unsigned pending = deadlines_active(t) & ~t->breached, warn = warnings_pending(t);
    for (int k = 0; k < DL_COUNT; k++) {
        if (pending & DL_BIT(k) && t->d.due[k] <= now)
            out->newly_breached |= DL_BIT(k);
        if (warn & DL_BIT(k) && t->d.warn[k] <= now)
            out->newly_warned |= DL_BIT(k);
    }
    a->breached |= out->newly_breached;
    /* a deadline that passed before its warning could be given is reported as overdue only;
     * either way it is never warned of later */
    a->warned |= out->newly_warned | out->newly_breached;
    out->newly_warned &= ~out->newly_breached;
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

/* ---- business minutes, extensions, escalation by hand ------------------------------------------- */

bool deadline_business_minutes(const struct calendar *c, hl_time from, int minutes,
                               hl_time *due)
{
    hl_time left = HL_MIN(minutes);
    int64_t day = cal_local_day(c, from, NULL);
    if (!cal_is_working_day(c, day) && !cal_next_working_day(c, day, &day))
        return false;
    for (int guard = 0; guard < 3660; guard++) {
        hl_time open = cal_at(c, day, c->opens), close = cal_closing(c, day);
        hl_time start = from > open ? from : open;
        if (start < close) {
            if (close - start >= left) {
                *due = start + left;
                return true;
            }
            left -= close - start;
        }
        if (!cal_next_working_day(c, day, &day))
            return false;
    }
    return false;
}

/* The running deadline k, or false. */
static bool running(const struct ticket_clock *t, enum deadline_kind k)
{
    return k < DL_COUNT && (deadlines_active(t) & DL_BIT(k)) != 0;
}

enum extension_verdict extension_request_check(const struct ticket_clock *t,
                                               enum deadline_kind k, hl_time until, hl_time now)
{
    if (!running(t, k))
        return EXT_NOT_RUNNING;
    if (now >= t->d.due[k])
        return EXT_PASSED;
    if (until <= t->d.due[k])
        return EXT_NOT_LATER;
    return EXT_OK;
}

enum extension_verdict deadline_extend(struct ticket_clock *t, enum deadline_kind k,
                                       hl_time until, hl_time now, const struct rules *r)
{
    if (!running(t, k))
        return EXT_NOT_RUNNING;
    if (until <= now)
        return EXT_UNTIL_PASSED;
    t->d.due[k] = until;
    t->d.has_warn[k] = deadline_warning_at(now, until, r->warning_percent, &t->d.warn[k]);
    t->breached &= ~DL_BIT(k);
    t->warned &= ~DL_BIT(k);
    if (!ticket_overdue(t))
        t->has_next_escalation = false; /* nothing overdue is left to escalate again */
    return EXT_OK;
}

bool escalate_by_hand(struct ticket_clock *t, int to, hl_time now, const struct rules *r)
{
    if (to < 0)
        to = t->escalation_level + 1;
    if (to <= t->escalation_level || to > ESCALATION_MAX)
        return false;
    t->escalation_level = to;
    t->has_next_escalation = ticket_overdue(t) && to < ESCALATION_MAX;
    if (t->has_next_escalation)
        t->next_escalation_at = now + HL_MIN(r->escalation_delay_minutes);
    return true;
}
