/**
 * @file idempotency.h
 * @brief Idempotency-Key records: the first request with a key stores its answer; a retry with
 *        the same key and body gets that answer again; the same key with another body is refused.
 */
#ifndef HOTLINE_STORE_IDEMPOTENCY_H
#define HOTLINE_STORE_IDEMPOTENCY_H

#include "domain/timefmt.h"
#include "store/db.h"

enum idem_outcome { IDEM_NEW, IDEM_REPLAY, IDEM_MISMATCH };

struct idem_key {
    const char *actor, *key, *method, *path, *request_hash;
};

/**
 * Claim the key inside the caller's transaction. A concurrent request with the same key waits
 * on the unique index until the first commits, then sees its answer.
 * @param[out] outcome what to do
 * @param[out] status,response the stored answer on IDEM_REPLAY (caller frees response)
 */
enum db_status store_idem_claim(struct db *db, const struct idem_key *k, hl_time now,
                                enum idem_outcome *outcome, int *status, char **response);

/** Record the answer of a claimed key, in the same transaction. */
enum db_status store_idem_save(struct db *db, const struct idem_key *k, int status,
                               const char *response);

/** Forget keys older than the cut-off. @param[out] deleted rows removed */
enum db_status store_idem_expire(struct db *db, hl_time before, long *deleted);

#endif
