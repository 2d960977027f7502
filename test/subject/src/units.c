/* K/M/G parsing and iperf3's adaptive unit formatting (unit_snprintf 'A'/'a'). */
#include "config.h"

#include "units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int unit_parse(const char *s, double factor, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || v < 0)
        return -1;
    switch (*end) {
    case 'k': case 'K': v *= factor; end++; break;
    case 'm': case 'M': v *= factor * factor; end++; break;
    case 'g': case 'G': v *= factor * factor * factor; end++; break;
    case 't': case 'T': v *= factor * factor * factor * factor; end++; break;
    default: break;
    }
    if (*end != '\0' || v > 1.8e19)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static void adaptive(char *buf, size_t len, double value, double base, const char *const *units)
{
    int i = 0;
    while (value >= base && units[i + 1] != NULL) {
        value /= base;
        i++;
    }
    if (value < 9.995)
        snprintf(buf, len, "%4.2f %s", value, units[i]);
    else if (value < 99.95)
        snprintf(buf, len, "%4.1f %s", value, units[i]);
    else
        snprintf(buf, len, "%4.0f %s", value, units[i]);
}

void unit_bytes(char *buf, size_t len, double bytes)
{
    static const char *const units[] = {"Byte", "KByte", "MByte", "GByte", "TByte", NULL};
    adaptive(buf, len, bytes, 1024.0, units);
}

void unit_bits(char *buf, size_t len, double bits)
{
    static const char *const units[] = {"bit", "Kbit", "Mbit", "Gbit", "Tbit", NULL};
    adaptive(buf, len, bits, 1000.0, units);
}
