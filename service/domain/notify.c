/**
 * @file notify.c
 * @brief Notification results and selections.
 */
#include "domain/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const notify_round_names[] = {"alert", "all_clear", NULL};
const char *const notify_status_names[] = {"pending",      "claimed",  "reached",    "not_reached",
                                           "wrong_number", "declined", "no_contact", NULL};
const char *const notify_result_names[] = {"reached", "no_answer", "wrong_number", "declined",
                                           NULL};

bool notify_status_final(enum notify_status s)
{
    return s == NS_REACHED || s == NS_NOT_REACHED || s == NS_WRONG_NUMBER || s == NS_DECLINED;
}

void notify_apply_result(int attempts_before, enum notify_result r, hl_time now,
                         const struct notify_policy *p, struct notify_outcome *out)
{
    static const enum notify_status final_of[NR_COUNT] = {
        [NR_REACHED] = NS_REACHED,
        [NR_NO_ANSWER] = NS_NOT_REACHED,
        [NR_WRONG_NUMBER] = NS_WRONG_NUMBER,
        [NR_DECLINED] = NS_DECLINED,
    };
    memset(out, 0, sizeof *out);
    out->attempts = attempts_before + 1;
    if (r == NR_NO_ANSWER && out->attempts < p->max_attempts) {
        out->status = NS_PENDING;
        out->has_available_at = true;
        out->available_at = now + HL_MIN(p->retry_minutes);
        return;
    }
    out->status = final_of[r];
    out->final = true;
}

enum notify_call_verdict notify_result_from_call(const struct notify_call *c, bool has_result,
                                                 enum notify_result *r)
{
    if (c->known && !c->to_listed)
        return NC_NOT_LISTED;
    if (has_result)
        return NC_OK; /* a call the phone system never reported is a reference only */
    if (!c->known)
        return NC_UNKNOWN;
    if (c->answered) {
        *r = NR_REACHED;
        return NC_OK;
    }
    if (!c->ended)
        return NC_NOT_ENDED;
    *r = NR_NO_ANSWER;
    return NC_OK;
}

void selection_cleanup(struct selection *s)
{
    free(s->ids);
    s->ids = NULL;
}

/* A list of 1..max short strings into out[]; problems name the field. */
static int string_list(const json_t *v, const char *field, const char **out, int max,
                       struct verrors *errs)
{
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > (size_t)max) {
        verr_add(errs, field, "must be a list of 1 to %d strings", max);
        return 0;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (!s || json_string_length(e) < 1 || json_string_length(e) > 64 ||
            strlen(s) != json_string_length(e) || !text_is_clean(s)) {
            verr_add(errs, field, "must be a list of 1 to %d strings of 1 to 64 characters", max);
            return 0;
        }
        out[i] = s;
    }
    return (int)json_array_size(v);
}

static int id_list(const json_t *v, int64_t **out, struct verrors *errs)
{
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > SELECTION_IDS_MAX) {
        verr_add(errs, "customer_ids", "must be a list of 1 to %d customer ids",
                 SELECTION_IDS_MAX);
        return 0;
    }
    int64_t *ids = malloc(json_array_size(v) * sizeof *ids);
    if (!ids) {
        verr_add(errs, "customer_ids", "is too long");
        return 0;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_integer(e) || json_integer_value(e) < 1) {
            verr_add(errs, "customer_ids", "must hold positive integer ids");
            free(ids);
            return 0;
        }
        ids[i] = json_integer_value(e);
    }
    *out = ids;
    return (int)json_array_size(v);
}

static const char *const selection_members[] = {"round",          "areas",        "streets",
                                                "address_prefix", "customer_ids", "alert_list",
                                                NULL};

static void check_unknown(const json_t *body, struct verrors *errs)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        (void)v;
        if (enum_index(selection_members, key) < 0)
            verr_add(errs, text_is_clean(key) ? key : "?", "unknown field");
    }
}

static void check_prefix(const json_t *v, struct selection *out, struct verrors *errs)
{
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) < 1 || json_string_length(v) > 200 ||
        strlen(s) != json_string_length(v) || !text_is_clean(s))
        verr_add(errs, "address_prefix", "must be a string of 1 to 200 characters");
    else
        out->address_prefix = s;
}

bool selection_from_json(const json_t *body, enum notify_round default_round,
                         struct selection *out, struct verrors *errs)
{
    int before = errs->n;
    memset(out, 0, sizeof *out);
    out->round = default_round;
    if (!json_is_object(body)) {
        verr_add(errs, "", "the body must be a JSON object");
        return false;
    }
    check_unknown(body, errs);
    json_t *v;
    if ((v = json_object_get(body, "round"))) {
        int r = json_is_string(v) ? enum_index(notify_round_names, json_string_value(v)) : -1;
        if (r < 0)
            verr_add(errs, "round", "must be one of: alert, all_clear");
        out->round = r < 0 ? default_round : (enum notify_round)r;
    }
    if ((v = json_object_get(body, "areas")))
        out->nareas = string_list(v, "areas", out->areas, SELECTION_LIST_MAX, errs);
    if ((v = json_object_get(body, "streets")))
        out->nstreets = string_list(v, "streets", out->streets, SELECTION_LIST_MAX, errs);
    if ((v = json_object_get(body, "address_prefix")))
        check_prefix(v, out, errs);
    if ((v = json_object_get(body, "customer_ids")))
        out->nids = id_list(v, &out->ids, errs);
    if ((v = json_object_get(body, "alert_list"))) {
        if (!json_is_boolean(v))
            verr_add(errs, "alert_list", "must be true or false");
        out->alert_list = json_is_true(v);
    }
    if (errs->n == before && !out->nareas && !out->nstreets && !out->address_prefix &&
        !out->nids && !out->alert_list)
        verr_add(errs, "", "name who must be told: areas, streets, address_prefix, "
                           "customer_ids or alert_list");
    if (errs->n == before && out->alert_list && out->round == ROUND_ALERT)
        verr_add(errs, "alert_list", "selects the alert list for the all_clear round only");
    if (errs->n != before)
        selection_cleanup(out);
    return errs->n == before;
}
