/* Runs a command once and prints its wall time in microseconds and its peak RSS in KiB, for
 * `bench/startup.py`. posix_spawn from this small process: the child's peak RSS is its own, not
 * a copy of a Python interpreter's (which a fork from Python would report), and the time is the
 * command's start-up and run, not Python's fork. Standard input comes from the file named
 * first ("-": none), standard output and error go to /dev/null. Not part of mes. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: spawn_time STDIN|- COMMAND [ARG...]\n"); return 64; }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, argv[1][0] == '-' && !argv[1][1] ? "/dev/null" : argv[1], O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid;
    if (posix_spawn(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) { perror("posix_spawn"); return 71; }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) { perror("wait4"); return 71; }
    clock_gettime(CLOCK_MONOTONIC, &b);
    long us = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
    printf("%ld %ld %d\n", us, ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
