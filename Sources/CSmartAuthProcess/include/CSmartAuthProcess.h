// Process control for the benchmarks: starting their helper tools (pgbench, redis-benchmark, wrk, the reference
// servers) with a clean signal state, and pinning threads to CPUs.
//
// Spawning: Foundation's Process hands a child the calling thread's signal mask, and Dispatch's threads
// block most signals: pgbench started from one never sees the SIGALRM that ends its -T run, and a server
// started from one ignores SIGTERM. posix_spawn's attributes fix that; Swift cannot reach the sigset macros.
#ifndef CSMARTAUTH_PROCESS_H
#define CSMARTAUTH_PROCESS_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (both NULL-terminated) in a process group of its own, every signal
/// unblocked and at its default action, standard input from /dev/null, standard output and error on `output_fd`,
/// and no other descriptor of the caller's. Returns 0 and sets `*pid`, or returns an errno value.
int smartauth_spawn(const char *_Nonnull path, char *_Nullable const *_Nonnull argv,
                    char *_Nullable const *_Nonnull envp, int output_fd, pid_t *_Nonnull pid);

/// Restricts thread `tid` (0: the calling thread) to the `count` CPUs in `cpus` (the macros of cpu_set_t are
/// out of Swift's reach). Children started afterwards by that thread inherit the restriction. Returns 0 or an
/// errno value.
int smartauth_pin_thread(pid_t tid, const int *_Nonnull cpus, int count);

#endif
