/* Command line: the iperf3 options this subject understands. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iperf.h"
#include "units.h"

static const char usage_short[] = "Usage: iperf3 [-s|-c host] [options]\n"
                                  "       iperf3 [-h|--help] [-v|--version]\n";

static const char usage_long[] =
    "\n"
    "Server or Client:\n"
    "  -p, --port      #         server port to listen on/connect to\n"
    "  -i, --interval  #         seconds between periodic throughput reports\n"
    "  -J, --json                output in JSON format\n"
    "  --forceflush              force flushing output at every interval\n"
    "  -v, --version             show version information and quit\n"
    "  -h, --help                show this message and quit\n"
    "Server specific:\n"
    "  -s, --server              run in server mode\n"
    "  -1, --one-off             handle one client connection then exit\n"
    "Client specific:\n"
    "  -c, --client    <host>    run in client mode, connecting to <host>\n"
    "  -b, --bitrate   #[KMG]    target bitrate in bits/sec per stream (0 for unlimited)\n"
    "                            (default unlimited for TCP)\n"
    "  -t, --time      #         time in seconds to transmit for (default 10 secs)\n"
    "  -l, --length    #[KMG]    length of buffer to read or write (default 128 KB)\n"
    "  -P, --parallel  #         number of parallel client streams to run\n"
    "  -R, --reverse             run in reverse mode (server sends, client receives)\n"
    "\n"
    "[KMG] indicates options that support a K/M/G suffix for kilo-, mega-, or giga-\n"
    "\n"
    "This is the sigstorm test subject, an iperf3 look-alike; it is not iperf3.\n";

void iperf_usage(FILE *f)
{
    fputs(usage_short, f);
    fputs(usage_long, f);
}

void iperf_test_init(struct iperf_test *test)
{
    memset(test, 0, sizeof(*test));
    test->port = DEFAULT_PORT;
    test->num_streams = 1;
    test->duration = DEFAULT_DURATION;
    test->interval = 1.0;
    test->blksize = DEFAULT_BLKSIZE;
    test->listen_fd = -1;
    test->ctrl_fd = -1;
    test->wake_pipe[0] = test->wake_pipe[1] = -1;
}

static int param_error(const char *msg)
{
    fprintf(stderr, "iperf3: parameter error - %s\n\n", msg);
    iperf_usage(stderr);
    return -1;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Returns 0 to run, 1 when the program should exit 0 (help/version), -1 on a usage error (exit 1). */
int iperf_parse_arguments(struct iperf_test *test, int argc, char **argv)
{
    enum { OPT_FORCEFLUSH = 1000 };
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},     {"interval", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'J'},           {"forceflush", no_argument, NULL, OPT_FORCEFLUSH},
        {"version", no_argument, NULL, 'v'},        {"help", no_argument, NULL, 'h'},
        {"server", no_argument, NULL, 's'},         {"one-off", no_argument, NULL, '1'},
        {"client", required_argument, NULL, 'c'},   {"bitrate", required_argument, NULL, 'b'},
        {"bandwidth", required_argument, NULL, 'b'}, {"time", required_argument, NULL, 't'},
        {"length", required_argument, NULL, 'l'},   {"parallel", required_argument, NULL, 'P'},
        {"reverse", no_argument, NULL, 'R'},        {NULL, 0, NULL, 0},
    };
    int opt;
    long v;
    uint64_t u;
    while ((opt = getopt_long(argc, argv, "p:i:Jvhs1c:b:t:l:P:R", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (parse_int(optarg, 1, 65535, &v) != 0)
                return param_error("bad port number");
            test->port = (int)v;
            break;
        case 'i': {
            char *end = NULL;
            double d = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || d < 0 || (d > 0 && d < 0.1) || d > 60)
                return param_error("invalid report interval (min = 0.1, max = 60 seconds)");
            test->interval = d;
            break;
        }
        case 'J': test->json = 1; break;
        case OPT_FORCEFLUSH: test->forceflush = 1; break;
        case 'v':
            printf("%s\n", IPERF_VERSION);
            return 1;
        case 'h':
            iperf_usage(stdout);
            return 1;
        case 's':
            if (test->role == 'c')
                return param_error("cannot be both server and client");
            test->role = 's';
            break;
        case '1': test->one_off = 1; break;
        case 'c':
            if (test->role == 's')
                return param_error("cannot be both server and client");
            test->role = 'c';
            free(test->server_host);
            test->server_host = strdup(optarg);
            break;
        case 'b':
            if (unit_parse(optarg, 1000.0, &u) != 0)
                return param_error("bad bitrate");
            test->rate = u;
            break;
        case 't':
            if (parse_int(optarg, 1, 86400, &v) != 0)
                return param_error("test duration valid values are 1 to 86400 seconds");
            test->duration = (int)v;
            break;
        case 'l':
            if (unit_parse(optarg, 1024.0, &u) != 0 || u < 1 || u > 16 * 1024 * 1024)
                return param_error("block size too large (maximum = 16777216 bytes)");
            test->blksize = (int)u;
            break;
        case 'P':
            if (parse_int(optarg, 1, MAX_STREAMS, &v) != 0)
                return param_error("number of parallel streams too large (maximum = 128)");
            test->num_streams = (int)v;
            break;
        case 'R': test->reverse = 1; break;
        default:
            /* getopt already printed "iperf3: invalid option -- 'x'" */
            iperf_usage(stderr);
            return -1;
        }
    }
    if (optind < argc)
        return param_error("extra arguments on the command line");
    if (test->role == 0)
        return param_error("must either be a client (-c) or server (-s)");
    if (test->role == 's' && (test->reverse || test->rate || test->num_streams != 1))
        return param_error("some option you are trying to set is client only");
    return 0;
}
