/**
 * @file followup.c
 * @brief Follow-up name tables.
 */
#include "domain/followup.h"

#include <stddef.h>

const char *const followup_kind_names[] = {"progress_notice", "satisfaction", "weekly_callback",
                                           "government_callback", "missed_call",
                                           "agreed_callback", "custom", NULL};
const char *const followup_status_names[] = {"pending", "done", "cancelled", "failed", NULL};
const char *const followup_outcome_names[] = {"reached", "no_answer", "busy", "declined",
                                              "wrong_number", NULL};
