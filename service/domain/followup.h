/**
 * @file followup.h
 * @brief Follow-up (outbound call task) kinds, statuses and attempt outcomes.
 */
#ifndef HOTLINE_DOMAIN_FOLLOWUP_H
#define HOTLINE_DOMAIN_FOLLOWUP_H

enum followup_kind { FOLLOWUP_PROGRESS_NOTICE, FOLLOWUP_SATISFACTION, FOLLOWUP_WEEKLY_CALLBACK,
                     FOLLOWUP_GOVERNMENT_CALLBACK, FOLLOWUP_MISSED_CALL, FOLLOWUP_AGREED_CALLBACK,
                     FOLLOWUP_CUSTOM, FOLLOWUP_KIND_COUNT };

enum followup_status { FOLLOWUP_PENDING, FOLLOWUP_DONE, FOLLOWUP_CANCELLED, FOLLOWUP_FAILED,
                       FOLLOWUP_STATUS_COUNT };

enum followup_outcome { OUTCOME_REACHED, OUTCOME_NO_ANSWER, OUTCOME_BUSY, OUTCOME_DECLINED,
                        OUTCOME_WRONG_NUMBER, OUTCOME_COUNT };

/** NULL-terminated name tables indexed by the enums (the same words as in the database). */
extern const char *const followup_kind_names[];
extern const char *const followup_status_names[];
extern const char *const followup_outcome_names[];

#endif
