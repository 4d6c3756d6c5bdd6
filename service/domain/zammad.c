/**
 * @file zammad.c
 * @brief The Zammad generic CTI mapping (see zammad.h).
 */
#include "domain/zammad.h"

#include <string.h>

struct name_map {
    const char *zammad;
    int ours;
};

static const struct name_map events[] = {
    {"newCall", CALL_EV_OFFERED},
    {"answer", CALL_EV_ANSWERED},
    {"hangup", CALL_EV_HANGUP},
};

/* The event name doubles as the event id: Zammad sends each event once per call. */
static const char *const event_ids[CALL_EV_COUNT] = {
    [CALL_EV_OFFERED] = "zammad:newCall",
    [CALL_EV_ANSWERED] = "zammad:answer",
    [CALL_EV_HANGUP] = "zammad:hangup",
};

static const struct name_map causes[] = {
    {"normalClearing", CALL_CAUSE_NORMAL}, {"busy", CALL_CAUSE_BUSY},
    {"cancel", CALL_CAUSE_ABANDONED},      {"noAnswer", CALL_CAUSE_NO_ANSWER},
    {"congestion", CALL_CAUSE_FAILED},     {"notFound", CALL_CAUSE_FAILED},
    {"forwarded", CALL_CAUSE_TRANSFERRED},
};

static int map_name(const struct name_map *m, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(m[i].zammad, s) == 0)
            return m[i].ours;
    return -1;
}

/*
 * A string value: NULL when absent, null or empty. A value that is present but not a clean
 * string of at most max bytes is an error named name.
 */
static const char *string_value(const json_t *v, const char *name, size_t max,
                                struct verrors *errs)
{
    if (!v || json_is_null(v))
        return NULL;
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) != strlen(s) || !text_is_clean(s)) {
        verr_add(errs, name, "must be a string without control characters");
        return NULL;
    }
    if (strlen(s) > max) {
        verr_add(errs, name, "must be at most %zu bytes", max);
        return NULL;
    }
    return s[0] ? s : NULL;
}

static const char *member(const json_t *obj, const char *name, size_t max, struct verrors *errs)
{
    return string_value(json_object_get(obj, name), name, max, errs);
}

/* user[] (form arrays) or user (a string or a JSON array): the first name given. */
static const char *first_user(const json_t *obj, struct verrors *errs)
{
    const char *names[] = {"user[]", "user"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(obj, names[i]);
        const char *s = string_value(json_is_array(v) ? json_array_get(v, 0) : v, names[i],
                                     CALL_AGENT_MAX, errs);
        if (s)
            return s;
    }
    return NULL;
}

static bool is_withheld(const char *s)
{
    return !s || strcmp(s, "anonymous") == 0 || strcmp(s, "unknown") == 0;
}

static void map_number(const json_t *obj, const char *name, const char *cc, const char **out,
                       char norm[PHONE_NORMAL_MAX], struct verrors *errs)
{
    const char *s = member(obj, name, 40, errs);
    *out = NULL;
    norm[0] = '\0';
    if (is_withheld(s))
        return;
    if (!phone_normalize(s, cc, norm)) {
        norm[0] = '\0';
        verr_add(errs, name, "must be a phone number or \"anonymous\"");
        return;
    }
    *out = s;
}

static void map_call_id(const json_t *obj, struct call_event *out, struct verrors *errs)
{
    out->call_id = member(obj, "callId", CALL_ID_MAX, errs);
    if (!out->call_id)
        out->call_id = member(obj, "call_id", CALL_ID_MAX, errs);
    if (!out->call_id && !json_object_get(obj, "callId") && !json_object_get(obj, "call_id"))
        verr_add(errs, "callId", "is required");
    else if (!out->call_id)
        verr_add(errs, "callId", "must not be empty");
    out->parent_call_id = member(obj, "origCallId", CALL_ID_MAX, errs);
    if (out->call_id && out->parent_call_id && strcmp(out->call_id, out->parent_call_id) == 0)
        out->parent_call_id = NULL; /* sipgate repeats the id on the first leg */
}

static void map_event(const json_t *obj, struct call_event *out, struct verrors *errs)
{
    const char *ev = member(obj, "event", 32, errs);
    int kind = map_name(events, sizeof events / sizeof events[0], ev);
    if (kind < 0) {
        verr_add(errs, "event", "must be one of: newCall, answer, hangup");
        return;
    }
    out->kind = (enum call_event_kind)kind;
    out->event_id = event_ids[kind];
}

static void map_direction(const json_t *obj, struct call_event *out, struct verrors *errs)
{
    const char *d = member(obj, "direction", 8, errs);
    out->direction = !d ? -1 : strcmp(d, "in") == 0 ? CALL_DIR_INBOUND
                              : strcmp(d, "out") == 0 ? CALL_DIR_OUTBOUND : -2;
    if (out->direction == -2) {
        out->direction = -1;
        verr_add(errs, "direction", "must be in or out");
    } else if (out->direction < 0 && out->kind == CALL_EV_OFFERED) {
        verr_add(errs, "direction", "is required for newCall");
    }
}

static void map_cause(const json_t *obj, struct call_event *out, struct verrors *errs)
{
    const char *c = member(obj, "cause", 32, errs);
    out->cause = -1;
    if (!c || out->kind != CALL_EV_HANGUP)
        return; /* Zammad ignores a cause on other events; so do we */
    out->cause = map_name(causes, sizeof causes / sizeof causes[0], c);
    if (out->cause < 0)
        verr_add(errs, "cause", "must be one of: normalClearing, busy, cancel, noAnswer, "
                                "congestion, notFound, forwarded");
}

bool zammad_to_event(const json_t *obj, const char *cc, hl_time now, struct call_event *out,
                     struct verrors *errs)
{
    int before = errs->n;
    memset(out, 0, sizeof *out);
    out->at = now;
    out->direction = -1;
    out->cause = -1;
    if (!json_is_object(obj)) {
        verr_add(errs, "", "the body must be an object of Zammad CTI fields");
        return false;
    }
    map_event(obj, out, errs);
    map_call_id(obj, out, errs);
    map_direction(obj, out, errs);
    map_number(obj, "from", cc, &out->from, out->from_norm, errs);
    map_number(obj, "to", cc, &out->to, out->to_norm, errs);
    map_cause(obj, out, errs);
    out->queue = member(obj, "queue", CALL_QUEUE_MAX, errs);
    out->agent = first_user(obj, errs);
    if (!out->agent)
        out->agent = member(obj, "answeringNumber", CALL_AGENT_MAX, errs);
    return errs->n == before;
}
