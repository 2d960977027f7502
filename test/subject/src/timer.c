/* Monotonic and wall clocks in seconds. */
#include "config.h"

#include "timer.h"

#include <errno.h>
#include <time.h>

static double ts_seconds(const struct timespec *ts) { return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9; }

double time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_seconds(&ts);
}

double time_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts_seconds(&ts);
}

void time_sleep(double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
