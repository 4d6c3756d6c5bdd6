/**
 * @file fuzz_ticket.c
 * @brief libFuzzer: bytes → JSON (as the server parses bodies) → the ticket create and patch
 *        validators, the patch diff, and a spec with every field type of domain/validate.
 *        Properties: no crash or UB; a valid result only when no error was collected; every
 *        accepted string is clean UTF-8 text within its bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ticket.h"
#include "domain/validate.h"

static const char *const colours[] = {"red", "green", NULL};

static const struct vfield every_type[] = {
    {"s", VT_STRING, VF_NULLABLE, 1, 16, NULL},
    {"e", VT_ENUM, 0, 0, 0, colours},
    {"i", VT_INT, VF_REQUIRED, -5, 5, NULL},
    {"b", VT_BOOL, 0, 0, 0, NULL},
    {"p", VT_PHONE, VF_NULLABLE, 0, 0, NULL},
    {"t", VT_TIME, 0, 0, 0, NULL},
    {"d", VT_DATE, 0, 0, 0, NULL},
};

static void check_string(const char *s, size_t max)
{
    if (s && (strlen(s) > max || !text_is_clean(s) || !utf8_is_valid(s, strlen(s))))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!body)
        return 0;
    struct ticket_input in;
    struct verrors errs = {0};
    bool ok = ticket_input_for_create(body, "86", &in, &errs);
    if (ok != (errs.n == 0))
        abort();
    if (ok) {
        check_string(in.subject, TICKET_SUBJECT_MAX);
        check_string(in.details, TICKET_DETAILS_MAX);
        check_string(in.caller_name, TICKET_NAME_MAX);
        if (in.caller_phone && strspn(in.caller_phone_norm, "0123456789") !=
                                   strlen(in.caller_phone_norm))
            abort();
    }
    memset(&errs, 0, sizeof errs);
    ok = ticket_input_for_patch(body, "86", &in, &errs);
    if (ok) {
        json_t *current = json_pack("{s:s, s:s, s:s, s:n}", "class", "general", "kind",
                                    "inquiry", "subject", "x", "details");
        json_t *before, *after;
        ticket_patch_diff(current, &in, &before, &after);
        json_decref(before);
        json_decref(after);
        json_decref(current);
    }
    struct vvalue out[sizeof every_type / sizeof every_type[0]];
    memset(&errs, 0, sizeof errs);
    ok = validate_object(body, every_type, sizeof every_type / sizeof every_type[0], out, "1",
                         &errs);
    if (ok && (out[2].num < -5 || out[2].num > 5))
        abort();
    json_decref(body);
    return 0;
}
