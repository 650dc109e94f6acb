/* The yardstick of a batch's receipts (issue 31): creates N files of 4,000 bytes in a fresh
 * directory (open O_CREAT|O_EXCL, write, close, as the batch writes each receipt), then one
 * syncfs, and prints the wall seconds and N. What the file system costs, with no rendering,
 * signing or database around it. Not part of mes.
 *
 *   cc -O2 -o files_syncfs bench/files_syncfs.c && ./files_syncfs DIR [N]   (N: 100000) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s DIR [N]\n", argv[0]); return 64; }
    long n = argc > 2 ? atol(argv[2]) : 100000;
    if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) { perror(argv[1]); return 73; }
    int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) { perror(argv[1]); return 73; }
    static char body[4000];
    memcpy(body, "%PDF-1.4\n", 9);
    for (size_t i = 9; i < sizeof body; i++) body[i] = (char)('A' + i % 26);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char name[64];
    for (long i = 0; i < n; i++) {
        snprintf(name, sizeof name, "JO-%010ld_NOM.pdf", i);
        int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) { perror(name); return 73; }
        if (write(fd, body, sizeof body) != (ssize_t)sizeof body) { perror(name); return 74; }
        close(fd);
    }
    if (syncfs(dir) != 0) { perror("syncfs"); return 74; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.3f s for %ld files of %zu bytes, one syncfs\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, n, sizeof body);
    close(dir);
    return 0;
}
