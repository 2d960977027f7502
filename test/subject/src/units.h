/* K/M/G parsing and iperf3-style adaptive formatting. */
#ifndef UNITS_H
#define UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Parse "100", "10K", "1.5M", "2G"; factor is 1000 (rates) or 1024 (sizes). Returns -1 on error. */
int unit_parse(const char *s, double factor, uint64_t *out);
/* "1.85 GByte" (bytes, base 1024) or "7.96 Gbit" (bits, base 1000); callers append "s". */
void unit_bytes(char *buf, size_t len, double bytes);
void unit_bits(char *buf, size_t len, double bits);

#endif
