// The one C module through which SmartAuthPostgresStore reaches PostgreSQL (libpq).
#ifndef CSMARTAUTH_POSTGRES_H
#define CSMARTAUTH_POSTGRES_H
// Debian installs libpq's headers in /usr/include/postgresql; its own includes are relative to that folder.
#include <postgresql/libpq-fe.h>

/// The five-character SQLSTATE of a failed result, or NULL (a client-side failure has none).
/// `PG_DIAG_SQLSTATE` is a character-literal macro, which Swift does not import.
const char *_Nullable smartauth_pq_result_sqlstate(const PGresult *_Nonnull result);

/// The primary, human-readable message of a failed result, or NULL.
const char *_Nullable smartauth_pq_result_primary_message(const PGresult *_Nonnull result);

/// Installs a notice processor that drops notices (`NOTICE: drop cascades to …`): the library never prints, and
/// libpq's default processor writes to stderr.
void smartauth_pq_silence_notices(PGconn *_Nonnull conn);

// The store's completion poller: one epoll instance over the sockets of the pool's connections, edge-triggered,
// and an eventfd that wakes it. Wrapped here because Swift's Glibc module does not export <sys/epoll.h> or
// <sys/eventfd.h>, and `struct epoll_event` is packed on x86-64.

/// `epoll_create1(EPOLL_CLOEXEC)`: a poller, or -1 with errno set.
int smartauth_pq_poller_create(void);

/// Registers `fd` in `poller` edge-triggered (`EPOLLET`), for as long as it stays open: an event whenever data
/// arrives, or also when it becomes writable when `writable` is non-zero; the event carries `slot`. Calling it
/// again for a registered `fd` changes the interest and, if `fd` is ready, reports an event at once (the kernel
/// checks readiness on every change). Returns 0, or -1 with errno set.
int smartauth_pq_poller_register(int poller, int fd, unsigned long long slot, int writable);

/// Waits up to `timeout_ms` (-1: no limit) for events and stores the `slot` of each, at most `capacity`.
/// Returns how many were stored (0 on timeout or EINTR), or -1 with errno set.
int smartauth_pq_poller_wait(int poller, unsigned long long *_Nonnull slots, int capacity, int timeout_ms);

/// `eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)`: a wake-up descriptor, or -1 with errno set.
int smartauth_pq_wakeup_create(void);

/// Makes the wake-up descriptor readable.
void smartauth_pq_wakeup_signal(int fd);

/// Reads the wake-up descriptor back to not readable.
void smartauth_pq_wakeup_drain(int fd);
#endif
