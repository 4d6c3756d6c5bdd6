/**
 * @file complaint.c
 * @brief Complaint record, dispatch state machine, inputs of the complaint steps.
 */
#include "domain/complaint.h"

#include <stdio.h>
#include <string.h>

const char *const complaint_stage_names[] = {"handling", "awaiting_review", "awaiting_callback",
                                             "archived", NULL};
const char *const complaint_outcome_names[] = {"satisfied", "unsatisfied", "unreachable",
                                               "declined", NULL};
const char *const dispatch_status_names[] = {"sent",    "accepted",     "returned",
                                             "replied", "redispatched", NULL};
const char *const dispatch_action_names[] = {"accept",    "return",        "reply", "redispatch",
                                             "rule_keep", "rule_reassign", NULL};
const char *const extension_deadline_names[] = {"resolve", "weekly_callback", NULL};

bool text_is_blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* A text that must say something when given: not only spaces (empty is the spec's error). */
static void need_text(struct verrors *errs, const struct vvalue *v, const char *field)
{
    if (v->present && !v->is_null && v->str && v->str[0] && text_is_blank(v->str))
        verr_add(errs, field, "must not be blank");
}

enum complaint_stage complaint_stage_of(enum ticket_status status, bool reviewed)
{
    if (status == TICKET_STATUS_CLOSED)
        return STAGE_ARCHIVED;
    if (status == TICKET_STATUS_RESOLVED)
        return reviewed ? STAGE_AWAITING_CALLBACK : STAGE_AWAITING_REVIEW;
    return STAGE_HANDLING;
}

/* ---- the satisfaction result ---------------------------------------------------------------- */

enum complaint_outcome complaint_callback_outcome(const struct attempt_effect *e,
                                                  enum followup_outcome outcome,
                                                  int explicit_satisfied, int score, int min_score,
                                                  bool *needs_result)
{
    *needs_result = false;
    if (e->failed)
        return CO_UNREACHABLE; /* no answer after the allowed attempts, or a wrong number */
    if (!e->completed)
        return CO_NONE; /* tried again later */
    if (outcome == OUTCOME_DECLINED)
        return CO_DECLINED; /* not pressed (seed 001): archived with that recorded */
    if (explicit_satisfied >= 0)
        return explicit_satisfied ? CO_SATISFIED : CO_UNSATISFIED;
    if (score > 0)
        return score >= min_score ? CO_SATISFIED : CO_UNSATISFIED;
    *needs_result = true;
    return CO_NONE;
}

/* ---- the complaint record ------------------------------------------------------------------- */

enum { CR_PRODUCT, CR_WHAT, CR_WANTS, CR_HANDLING, CR_COUNT };

static const struct vfield record_spec[CR_COUNT] = {
    [CR_PRODUCT] = {"product", VT_STRING, VF_NULLABLE, 1, 200, NULL},
    [CR_WHAT] = {"what_happened", VT_STRING, VF_NULLABLE, 1, COMPLAINT_FIELD_MAX, NULL},
    [CR_WANTS] = {"customer_wants", VT_STRING, VF_NULLABLE, 1, NOTE_MAX, NULL},
    [CR_HANDLING] = {"handling", VT_STRING, VF_NULLABLE, 1, COMPLAINT_FIELD_MAX, NULL},
};

bool complaint_record_check(const json_t *rec, bool patch, struct verrors *errs)
{
    int before = errs->n;
    struct verrors inner = {0};
    struct vvalue v[CR_COUNT];
    if (!json_is_object(rec)) {
        verr_add(errs, "complaint",
                 "must be an object of product, what_happened, "
                 "customer_wants and handling");
        return false;
    }
    validate_object(rec, record_spec, CR_COUNT, v, "86", &inner);
    for (int i = 0; i < CR_COUNT; i++) {
        if (!patch && v[i].present && v[i].is_null)
            verr_add(&inner, record_spec[i].name, "must not be null");
        need_text(&inner, &v[i], record_spec[i].name);
    }
    for (int i = 0; i < inner.n; i++) {
        char field[80];
        snprintf(field, sizeof field, "complaint.%s", inner.e[i].field);
        verr_add(errs, field, "%s", inner.e[i].message);
    }
    return errs->n == before;
}

/* ---- dispatches ----------------------------------------------------------------------------- */

static const struct {
    enum dispatch_status from;
    enum dispatch_action action;
    enum dispatch_status to;
} dispatch_table[] = {
    {DS_SENT, DA_ACCEPT, DS_ACCEPTED},
    {DS_SENT, DA_RETURN, DS_RETURNED}, /* only before signing for it */
    {DS_ACCEPTED, DA_REPLY, DS_REPLIED},
    {DS_RETURNED, DA_REDISPATCH, DS_REDISPATCHED},
    {DS_RETURNED, DA_RULE_KEEP, DS_SENT}, /* signed for again from now */
    {DS_RETURNED, DA_RULE_REASSIGN, DS_REDISPATCHED},
};
#define N_DISPATCH (sizeof dispatch_table / sizeof dispatch_table[0])

bool dispatch_next(enum dispatch_status from, enum dispatch_action a, enum dispatch_status *to)
{
    for (size_t i = 0; i < N_DISPATCH; i++)
        if (dispatch_table[i].from == from && dispatch_table[i].action == a) {
            *to = dispatch_table[i].to;
            return true;
        }
    return false;
}

void dispatch_actions_text(enum dispatch_status from, char *out, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < N_DISPATCH; i++)
        if (dispatch_table[i].from == from) {
            size_t len = strlen(out);
            snprintf(out + len, n - len, "%s%s", len ? ", " : "",
                     dispatch_action_names[dispatch_table[i].action]);
        }
    if (!out[0])
        snprintf(out, n, "none");
}

enum { DI_DEPARTMENT, DI_CONTACT, DI_AGREED, DI_NOTE, DI_COUNT };

static const struct vfield dispatch_spec[DI_COUNT] = {
    [DI_DEPARTMENT] = {"department", VT_STRING, VF_REQUIRED, 1, DEPARTMENT_MAX, NULL},
    [DI_CONTACT] = {"contact_person", VT_STRING, VF_REQUIRED, 1, PERSON_MAX, NULL},
    [DI_AGREED] = {"agreed", VT_STRING, VF_REQUIRED, 1, NOTE_MAX, NULL},
    [DI_NOTE] = {"note", VT_STRING, VF_NULLABLE, 1, NOTE_MAX, NULL},
};

bool dispatch_input_from_json(const json_t *body, struct dispatch_input *out, struct verrors *errs)
{
    int before = errs->n;
    struct vvalue v[DI_COUNT];
    validate_object(body, dispatch_spec, DI_COUNT, v, "86", errs);
    for (int i = 0; i < DI_NOTE; i++)
        need_text(errs, &v[i], dispatch_spec[i].name);
    *out = (struct dispatch_input){v[DI_DEPARTMENT].str, v[DI_CONTACT].str, v[DI_AGREED].str,
                                   v[DI_NOTE].str};
    return errs->n == before;
}

/* accept: {contact_person, note}; return: {contact_person, reason}; reply: {contact_person,
 * result}. The text is required except when signing for it. */
bool dispatch_answer_from_json(const json_t *body, enum dispatch_action action,
                               struct dispatch_answer *out, struct verrors *errs)
{
    const char *text = action == DA_RETURN ? "reason" : action == DA_REPLY ? "result" : "note";
    const struct vfield spec[2] = {
        {"contact_person", VT_STRING, 0, 1, PERSON_MAX, NULL},
        {text, VT_STRING, action == DA_ACCEPT ? VF_NULLABLE : VF_REQUIRED, 1, NOTE_MAX, NULL},
    };
    int before = errs->n;
    struct vvalue v[2];
    validate_object(body, spec, 2, v, "86", errs);
    need_text(errs, &v[0], "contact_person");
    if (action != DA_ACCEPT)
        need_text(errs, &v[1], text);
    *out = (struct dispatch_answer){action, v[0].str, v[1].str};
    return errs->n == before;
}

static const char *const ruling_names[] = {"department_keeps", "reassign", NULL};

enum { RU_DECISION, RU_REASON, RU_DEPARTMENT, RU_CONTACT, RU_AGREED, RU_NOTE, RU_COUNT };

static const struct vfield ruling_spec[RU_COUNT] = {
    [RU_DECISION] = {"decision", VT_ENUM, VF_REQUIRED, 0, 0, ruling_names},
    [RU_REASON] = {"reason", VT_STRING, VF_REQUIRED, 1, NOTE_MAX, NULL},
    [RU_DEPARTMENT] = {"department", VT_STRING, 0, 1, DEPARTMENT_MAX, NULL},
    [RU_CONTACT] = {"contact_person", VT_STRING, 0, 1, PERSON_MAX, NULL},
    [RU_AGREED] = {"agreed", VT_STRING, 0, 1, NOTE_MAX, NULL},
    [RU_NOTE] = {"note", VT_STRING, VF_NULLABLE, 1, NOTE_MAX, NULL},
};

bool dispatch_ruling_from_json(const json_t *body, struct dispatch_ruling *out,
                               struct verrors *errs)
{
    int before = errs->n;
    struct vvalue v[RU_COUNT];
    bool ok = validate_object(body, ruling_spec, RU_COUNT, v, "86", errs);
    for (int i = RU_REASON; i < RU_NOTE; i++)
        need_text(errs, &v[i], ruling_spec[i].name);
    out->action = v[RU_DECISION].num == 1 ? DA_RULE_REASSIGN : DA_RULE_KEEP;
    out->reason = v[RU_REASON].str;
    out->to = (struct dispatch_input){v[RU_DEPARTMENT].str, v[RU_CONTACT].str, v[RU_AGREED].str,
                                      v[RU_NOTE].str};
    if (ok && out->action == DA_RULE_REASSIGN)
        for (int i = RU_DEPARTMENT; i < RU_NOTE; i++)
            if (!v[i].present)
                verr_add(errs, ruling_spec[i].name, "is required to reassign");
    if (ok && out->action == DA_RULE_KEEP)
        for (int i = RU_DEPARTMENT; i <= RU_NOTE; i++)
            if (v[i].present)
                verr_add(errs, ruling_spec[i].name,
                         "only when reassigning: the department keeps its dispatch");
    return errs->n == before;
}

/* ---- escalation, hand-over, extensions, review
 * --------------------------------------------------- */

static const char *const level_names[] = {"supervisor", "manager", NULL};

bool escalation_input_from_json(const json_t *body, struct escalation_input *out,
                                struct verrors *errs)
{
    static const struct vfield spec[3] = {
        {"reason", VT_STRING, VF_REQUIRED, 1, NOTE_MAX, NULL},
        {"to", VT_ENUM, 0, 0, 0, level_names},
        {"assignee", VT_STRING, VF_NULLABLE, 1, 64, NULL},
    };
    int before = errs->n;
    struct vvalue v[3];
    validate_object(body, spec, 3, v, "86", errs);
    need_text(errs, &v[0], "reason");
    need_text(errs, &v[2], "assignee");
    out->reason = v[0].str;
    out->to_level = v[1].present ? (int)v[1].num + 1 : -1;
    out->assignee = v[2].str;
    return errs->n == before;
}

bool handover_input_from_json(const json_t *body, struct handover_input *out, struct verrors *errs)
{
    static const struct vfield spec[2] = {
        {"to", VT_STRING, VF_REQUIRED, 1, 64, NULL},
        {"reason", VT_STRING, VF_REQUIRED, 1, NOTE_MAX, NULL},
    };
    int before = errs->n;
    struct vvalue v[2];
    validate_object(body, spec, 2, v, "86", errs);
    need_text(errs, &v[0], "to");
    need_text(errs, &v[1], "reason");
    *out = (struct handover_input){v[0].str, v[1].str};
    return errs->n == before;
}

bool extension_input_from_json(const json_t *body, struct extension_input *out,
                               struct verrors *errs)
{
    static const struct vfield spec[3] = {
        {"until", VT_TIME, VF_REQUIRED, 0, 0, NULL},
        {"reason", VT_STRING, VF_REQUIRED, 1, NOTE_MAX, NULL},
        {"deadline", VT_ENUM, 0, 0, 0, extension_deadline_names},
    };
    int before = errs->n;
    struct vvalue v[3];
    validate_object(body, spec, 3, v, "86", errs);
    need_text(errs, &v[1], "reason");
    out->until = v[0].time;
    out->reason = v[1].str;
    out->deadline = v[2].present && v[2].num == 1 ? DL_WEEKLY : DL_RESOLVE;
    return errs->n == before;
}

/* {"decision": yes|no, note-ish}: the note is required when the answer is no. */
static bool decision_from_json(const json_t *body, const char *const *names, const char *note,
                               struct decision_input *out, struct verrors *errs)
{
    const struct vfield spec[2] = {
        {"decision", VT_ENUM, VF_REQUIRED, 0, 0, names},
        {note, VT_STRING, VF_NULLABLE, 1, NOTE_MAX, NULL},
    };
    int before = errs->n;
    struct vvalue v[2];
    bool ok = validate_object(body, spec, 2, v, "86", errs);
    need_text(errs, &v[1], note);
    out->approve = v[0].num == 0;
    out->note = v[1].str;
    if (ok && !out->approve && !out->note)
        verr_add(errs, note, "is required when the answer is %s", names[1]);
    return errs->n == before;
}

bool extension_decision_from_json(const json_t *body, struct decision_input *out,
                                  struct verrors *errs)
{
    static const char *const names[] = {"approved", "refused", NULL};
    return decision_from_json(body, names, "note", out, errs);
}

bool review_input_from_json(const json_t *body, struct decision_input *out, struct verrors *errs)
{
    static const char *const names[] = {"approved", "sent_back", NULL};
    return decision_from_json(body, names, "reason", out, errs);
}
