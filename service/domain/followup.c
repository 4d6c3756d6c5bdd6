/**
 * @file followup.c
 * @brief Follow-up name tables.
 */
#include "domain/followup.h"

#include <stddef.h>
#include <string.h>

const char *const followup_kind_names[] = {"progress_notice", "satisfaction", "weekly_callback",
                                           "government_callback", "missed_call",
                                           "agreed_callback", "custom", NULL};
const char *const followup_status_names[] = {"pending", "done", "cancelled", "failed", NULL};
const char *const followup_outcome_names[] = {"reached", "no_answer", "busy", "declined",
                                              "wrong_number", NULL};

bool followup_kind_is_urgent(enum followup_kind kind)
{
    return kind == FOLLOWUP_GOVERNMENT_CALLBACK;
}

bool followup_schedule(const struct calendar *c, enum followup_kind kind, bool urgent,
                       hl_time wanted, hl_time *due)
{
    if (urgent || followup_kind_is_urgent(kind)) {
        *due = wanted;
        return true;
    }
    return cal_next_calling_moment(c, wanted, due);
}

bool followup_satisfaction_due(const struct calendar *c, hl_time resolved_at, hl_time *due)
{
    int64_t day = cal_local_day(c, resolved_at, NULL);
    for (int i = 0; i < c->rules.satisfaction_after_business_days; i++)
        if (!cal_next_working_day(c, day, &day))
            return false;
    return cal_next_calling_moment(c, cal_at(c, day, 0), due);
}

void followup_attempt_effect(enum followup_outcome outcome, int attempts, int max_attempts,
                             struct attempt_effect *out)
{
    *out = (struct attempt_effect){.status = FOLLOWUP_PENDING};
    switch (outcome) {
    case OUTCOME_REACHED:
    case OUTCOME_DECLINED:
        out->status = FOLLOWUP_DONE;
        out->completed = true;
        break;
    case OUTCOME_NO_ANSWER:
    case OUTCOME_BUSY:
        if (attempts < max_attempts) {
            out->reschedule = true;
        } else {
            out->status = FOLLOWUP_FAILED;
            out->failed = true;
        }
        break;
    case OUTCOME_WRONG_NUMBER:
    case OUTCOME_COUNT:
        out->status = FOLLOWUP_FAILED;
        out->failed = true;
        break;
    }
}

static const char *const manual_kinds[] = {"agreed_callback", "custom", NULL};

enum { FI_KIND, FI_DUE, FI_PHONE, FI_AGENT, FI_GROUP, FI_NOTES, FI_URGENT, FI_COUNT };

static const struct vfield followup_spec[FI_COUNT] = {
    [FI_KIND] = {"kind", VT_ENUM, VF_REQUIRED, 0, 0, manual_kinds},
    [FI_DUE] = {"due_at", VT_TIME, VF_REQUIRED, 0, 0, NULL},
    [FI_PHONE] = {"phone", VT_PHONE, 0, 0, 0, NULL},
    [FI_AGENT] = {"agent", VT_STRING, 0, 1, 64, NULL},
    [FI_GROUP] = {"agent_group", VT_STRING, VF_NULLABLE, 1, 64, NULL},
    [FI_NOTES] = {"notes", VT_STRING, VF_NULLABLE, 0, 2000, NULL},
    [FI_URGENT] = {"urgent", VT_BOOL, 0, 0, 0, NULL},
};

bool followup_input_from_json(const json_t *body, const char *cc, struct followup_input *out,
                              struct verrors *errs)
{
    struct vvalue v[FI_COUNT];
    bool ok = validate_object(body, followup_spec, FI_COUNT, v, cc, errs);
    memset(out, 0, sizeof *out);
    out->kind = v[FI_KIND].num == 0 ? FOLLOWUP_AGREED_CALLBACK : FOLLOWUP_CUSTOM;
    out->due_at = v[FI_DUE].time;
    out->phone = v[FI_PHONE].str;
    if (out->phone)
        memcpy(out->phone_norm, v[FI_PHONE].phone, PHONE_NORMAL_MAX);
    out->agent = v[FI_AGENT].str;
    out->agent_group = v[FI_GROUP].str;
    out->notes = v[FI_NOTES].str;
    out->urgent = v[FI_URGENT].num != 0;
    return ok;
}

enum { AI_OUTCOME, AI_SCORE, AI_NOTES, AI_CALL, AI_SATISFIED, AI_COUNT };

static const struct vfield attempt_spec[AI_COUNT] = {
    [AI_OUTCOME] = {"outcome", VT_ENUM, VF_REQUIRED, 0, 0, followup_outcome_names},
    [AI_SCORE] = {"satisfaction", VT_INT, VF_NULLABLE, 1, 5, NULL},
    [AI_NOTES] = {"notes", VT_STRING, VF_NULLABLE, 0, 2000, NULL},
    [AI_CALL] = {"call_id", VT_STRING, VF_NULLABLE, 1, 255, NULL},
    [AI_SATISFIED] = {"satisfied", VT_BOOL, VF_NULLABLE, 0, 0, NULL},
};

bool attempt_input_from_json(const json_t *body, struct attempt_input *out,
                             struct verrors *errs)
{
    struct vvalue v[AI_COUNT];
    bool ok = validate_object(body, attempt_spec, AI_COUNT, v, "86", errs);
    memset(out, 0, sizeof *out);
    out->outcome = (enum followup_outcome)v[AI_OUTCOME].num;
    out->satisfaction = v[AI_SCORE].present && !v[AI_SCORE].is_null ? (int)v[AI_SCORE].num : 0;
    out->notes = v[AI_NOTES].str;
    out->call_id = v[AI_CALL].str;
    out->satisfied = v[AI_SATISFIED].present && !v[AI_SATISFIED].is_null
                         ? (int)v[AI_SATISFIED].num
                         : -1;
    if (ok && out->satisfaction && out->outcome != OUTCOME_REACHED) {
        verr_add(errs, "satisfaction", "can only be given when the customer was reached");
        ok = false;
    }
    if (ok && out->satisfied >= 0 && out->outcome != OUTCOME_REACHED) {
        verr_add(errs, "satisfied", "can only be given when the customer was reached");
        ok = false;
    }
    return ok;
}
