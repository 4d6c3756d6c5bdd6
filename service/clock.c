/**
 * @file clock.c
 * @brief Wall clock and monotonic clock; the test override exists only under HOTLINE_TESTING.
 */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"

static hl_time real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (hl_time)ts.tv_sec * HL_USEC_PER_SEC + ts.tv_nsec / 1000;
}

#ifdef HOTLINE_TESTING
static bool pinned_now(hl_time *out)
{
    if (!cfg.test_clock_file[0])
        return false;
    FILE *f = fopen(cfg.test_clock_file, "r");
    if (!f)
        return false;
    char buf[64] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return n > 0 && tf_parse_rfc3339(buf, out);
}
#endif

hl_time clock_now(void)
{
#ifdef HOTLINE_TESTING
    hl_time t;
    if (pinned_now(&t))
        return t;
#endif
    return real_now();
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
