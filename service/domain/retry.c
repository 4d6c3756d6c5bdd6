/**
 * @file retry.c
 * @brief Backoff arithmetic.
 */
#include "domain/retry.h"

int64_t retry_delay_ms(int attempt, int base_ms, int max_ms, uint32_t random)
{
    int64_t delay = base_ms;
    for (int i = 1; i < attempt && delay < max_ms; i++)
        delay *= 2;
    if (delay > max_ms)
        delay = max_ms;
    return delay + (base_ms > 0 ? (int64_t)(random % (uint32_t)base_ms) : 0);
}
