/**
 * @file ticket.c
 * @brief Ticket name tables and body specs.
 */
#include "domain/ticket.h"

#include <string.h>

#include "domain/complaint.h"

const char *const ticket_class_names[] = {"general", "hard", "special", "government", NULL};
const char *const ticket_kind_names[] = {"inquiry", "complaint", "suggestion", "repair",
                                         "emergency", NULL};
const char *const ticket_status_names[] = {"new", "in_progress", "relayed", "resolved",
                                           "closed", "reopened", NULL};

enum { F_CLASS, F_KIND, F_SUBJECT, F_DETAILS, F_CALLER_NAME, F_CALLER_PHONE, F_OWNER,
       F_DEPARTMENT, F_CALL_ID, F_COUNT };

static const struct vfield create_spec[F_COUNT] = {
    [F_CLASS] = {"class", VT_ENUM, VF_REQUIRED, 0, 0, ticket_class_names},
    [F_KIND] = {"kind", VT_ENUM, 0, 0, 0, ticket_kind_names},
    [F_SUBJECT] = {"subject", VT_STRING, VF_REQUIRED, 1, TICKET_SUBJECT_MAX, NULL},
    [F_DETAILS] = {"details", VT_STRING, VF_NULLABLE, 0, TICKET_DETAILS_MAX, NULL},
    [F_CALLER_NAME] = {"caller_name", VT_STRING, VF_NULLABLE, 1, TICKET_NAME_MAX, NULL},
    [F_CALLER_PHONE] = {"caller_phone", VT_PHONE, VF_NULLABLE, 0, 0, NULL},
    [F_OWNER] = {"owner", VT_STRING, 0, 1, ACTOR_NAME_MAX, NULL},
    [F_DEPARTMENT] = {"department", VT_STRING, VF_NULLABLE, 1, TICKET_NAME_MAX, NULL},
    [F_CALL_ID] = {"call_id", VT_STRING, 0, 1, 255, NULL},
};

/* Holes (owner, call_id) have no name: those fields cannot be patched. */
static const struct vfield patch_spec[F_COUNT] = {
    [F_CLASS] = {"class", VT_ENUM, 0, 0, 0, ticket_class_names},
    [F_KIND] = {"kind", VT_ENUM, 0, 0, 0, ticket_kind_names},
    [F_SUBJECT] = {"subject", VT_STRING, 0, 1, TICKET_SUBJECT_MAX, NULL},
    [F_DETAILS] = {"details", VT_STRING, VF_NULLABLE, 0, TICKET_DETAILS_MAX, NULL},
    [F_CALLER_NAME] = {"caller_name", VT_STRING, VF_NULLABLE, 1, TICKET_NAME_MAX, NULL},
    [F_CALLER_PHONE] = {"caller_phone", VT_PHONE, VF_NULLABLE, 0, 0, NULL},
    [F_DEPARTMENT] = {"department", VT_STRING, VF_NULLABLE, 1, TICKET_NAME_MAX, NULL},
};

static void fill(const struct vvalue *v, struct ticket_input *out)
{
    memset(out, 0, sizeof *out);
    out->has_class = v[F_CLASS].present;
    out->cls = (enum ticket_class)v[F_CLASS].num;
    out->has_kind = v[F_KIND].present;
    out->kind = (enum ticket_kind)v[F_KIND].num;
    out->has_subject = v[F_SUBJECT].present;
    out->subject = v[F_SUBJECT].str;
    out->has_details = v[F_DETAILS].present;
    out->details = v[F_DETAILS].str;
    out->has_caller_name = v[F_CALLER_NAME].present;
    out->caller_name = v[F_CALLER_NAME].str;
    out->has_caller_phone = v[F_CALLER_PHONE].present;
    out->caller_phone = v[F_CALLER_PHONE].str;
    if (out->caller_phone)
        memcpy(out->caller_phone_norm, v[F_CALLER_PHONE].phone, PHONE_NORMAL_MAX);
    out->has_owner = v[F_OWNER].present;
    out->owner = v[F_OWNER].str;
    out->has_department = v[F_DEPARTMENT].present;
    out->department = v[F_DEPARTMENT].str;
    out->has_call_id = v[F_CALL_ID].present;
    out->call_id = v[F_CALL_ID].str;
}

/* The body without its complaint record, which is checked on its own (an object, not a field
 * the spec runner knows). Caller decrefs. */
static json_t *without_complaint(const json_t *body, const json_t **complaint)
{
    *complaint = json_object_get(body, "complaint");
    if (!*complaint)
        return json_incref((json_t *)body);
    json_t *rest = json_copy((json_t *)body);
    json_object_del(rest, "complaint");
    return rest;
}

bool ticket_input_for_create(const json_t *body, const char *cc, struct ticket_input *out,
                             struct verrors *errs)
{
    struct vvalue v[F_COUNT];
    const json_t *rec;
    json_t *rest = without_complaint(body, &rec);
    bool ok = validate_object(rest, create_spec, F_COUNT, v, cc, errs);
    json_decref(rest);
    fill(v, out);
    if (!out->has_kind)
        out->kind = TICKET_KIND_INQUIRY;
    out->complaint = rec;
    if (rec && ok && out->kind != TICKET_KIND_COMPLAINT) {
        verr_add(errs, "complaint", "only a ticket of kind complaint has a complaint record");
        ok = false;
    }
    if (rec && !complaint_record_check(rec, false, errs))
        ok = false;
    return ok;
}

bool ticket_input_for_patch(const json_t *body, const char *cc, struct ticket_input *out,
                            struct verrors *errs)
{
    struct vvalue v[F_COUNT];
    const json_t *rec;
    json_t *rest = without_complaint(body, &rec);
    bool ok = validate_object(rest, patch_spec, F_COUNT, v, cc, errs);
    json_decref(rest);
    fill(v, out);
    out->complaint = rec;
    if (rec && !complaint_record_check(rec, true, errs))
        ok = false;
    if (ok && json_object_size(body) == 0) {
        verr_add(errs, "", "the patch changes nothing: give at least one field");
        ok = false;
    }
    return ok;
}

/* Compare one field; value NULL means JSON null. */
static int diff_field(const json_t *current, const char *name, bool present, const char *value,
                      json_t *before, json_t *after)
{
    if (!present)
        return 0;
    json_t *old = json_object_get(current, name);
    const char *old_s = json_is_string(old) ? json_string_value(old) : NULL;
    bool same = (!old_s && !value) || (old_s && value && strcmp(old_s, value) == 0);
    if (same)
        return 0;
    json_object_set(before, name, old ? old : json_null());
    json_object_set_new(after, name, value ? json_string(value) : json_null());
    return 1;
}

int ticket_patch_diff(const json_t *current, const struct ticket_input *in, json_t **before,
                      json_t **after)
{
    *before = json_object();
    *after = json_object();
    int n = 0;
    n += diff_field(current, "class", in->has_class, ticket_class_names[in->cls], *before, *after);
    n += diff_field(current, "kind", in->has_kind, ticket_kind_names[in->kind], *before, *after);
    n += diff_field(current, "subject", in->has_subject, in->subject, *before, *after);
    n += diff_field(current, "details", in->has_details, in->details, *before, *after);
    n += diff_field(current, "caller_name", in->has_caller_name, in->caller_name, *before,
                    *after);
    n += diff_field(current, "caller_phone", in->has_caller_phone, in->caller_phone, *before,
                    *after);
    n += diff_field(current, "department", in->has_department, in->department, *before, *after);
    if (in->complaint) {
        json_t *old = json_object_get(current, "complaint");
        json_t *merged = ticket_complaint_merge(old, in->complaint);
        if (!json_equal(merged, old ? old : json_null()) &&
            !(json_is_null(old ? old : json_null()) && json_object_size(merged) == 0)) {
            json_object_set(*before, "complaint", old ? old : json_null());
            json_object_set(*after, "complaint", merged);
            n++;
        }
        json_decref(merged);
    }
    return n;
}

json_t *ticket_complaint_merge(const json_t *current, const json_t *patch)
{
    json_t *out = json_is_object(current) ? json_copy((json_t *)current) : json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v)
    {
        if (json_is_null(v))
            json_object_del(out, key);
        else
            json_object_set(out, key, v);
    }
    return out;
}
