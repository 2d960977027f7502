/*
 * tgkill(2) for sigstorm: sends one signal to one thread of another process.
 * Node can only signal whole processes (kill(2)), where the kernel picks the thread; `kill -s`
 * and every shell builtin do the same. Thread-directed workloads need the thread chosen by us.
 *
 * usage: tgkill TGID TID SIGNUM    exit 0 sent, 3 no such thread (it exited), 2 usage, 1 other error
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long number(const char *text)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value <= 0)
        return -1;
    return value;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tgkill TGID TID SIGNUM\n");
        return 2;
    }
    long tgid = number(argv[1]), tid = number(argv[2]), sig = number(argv[3]);
    if (tgid < 0 || tid < 0 || sig < 0 || sig > 64) {
        fprintf(stderr, "tgkill: expected three positive numbers, got %s %s %s\n", argv[1], argv[2], argv[3]);
        return 2;
    }
    if (syscall(SYS_tgkill, (pid_t)tgid, (pid_t)tid, (int)sig) != 0) {
        int saved = errno;
        fprintf(stderr, "tgkill(%ld, %ld, %ld): %s\n", tgid, tid, sig, strerror(saved));
        return saved == ESRCH ? 3 : 1;
    }
    return 0;
}
