/* Monotonic and wall clocks in seconds. */
#ifndef TIMER_H
#define TIMER_H

double time_now(void);  /* CLOCK_MONOTONIC */
double time_wall(void); /* CLOCK_REALTIME */
void time_sleep(double seconds);

#endif
