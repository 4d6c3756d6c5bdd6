/**
 * @file retry.h
 * @brief Exponential backoff with jitter for deliveries that failed.
 */
#ifndef HOTLINE_DOMAIN_RETRY_H
#define HOTLINE_DOMAIN_RETRY_H

#include <stdint.h>

/**
 * The delay before attempt number `attempt + 1` after `attempt` failed ones (attempt >= 1):
 * base × 2^(attempt − 1), capped at max, plus a jitter of up to base (from `random`), so that
 * many deliveries failing together do not retry together.
 */
int64_t retry_delay_ms(int attempt, int base_ms, int max_ms, uint32_t random);

#endif
