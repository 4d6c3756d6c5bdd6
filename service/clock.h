/**
 * @file clock.h
 * @brief The one place the service reads the time. Test builds (HOTLINE_TESTING) can pin it
 *        to the contents of HOTLINE_TEST_CLOCK_FILE; production builds cannot.
 */
#ifndef HOTLINE_CLOCK_H
#define HOTLINE_CLOCK_H

#include "domain/timefmt.h"

/** The current instant. */
hl_time clock_now(void);

/** Monotonic microseconds, for measuring durations only. */
int64_t clock_mono_us(void);

#endif
