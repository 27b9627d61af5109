#include "CSmartAuthPostgres.h"

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

const char *smartauth_pq_result_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

const char *smartauth_pq_result_primary_message(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
}

static void smartauth_pq_ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

void smartauth_pq_silence_notices(PGconn *conn) {
    PQsetNoticeProcessor(conn, smartauth_pq_ignore_notice, NULL);
}

int smartauth_pq_poller_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int smartauth_pq_poller_register(int poller, int fd, unsigned long long slot, int writable) {
    struct epoll_event event = {0};
    event.events = EPOLLIN | EPOLLET | (writable ? EPOLLOUT : 0);
    event.data.u64 = slot;
    if (epoll_ctl(poller, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
    // Not registered yet, or registered under a descriptor that has since been closed (which removes it).
    if (errno != ENOENT) return -1;
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

int smartauth_pq_poller_wait(int poller, unsigned long long *slots, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(poller, events, capacity, timeout_ms);
    if (count < 0) return errno == EINTR ? 0 : -1;
    for (int index = 0; index < count; index++) slots[index] = events[index].data.u64;
    return count;
}

int smartauth_pq_wakeup_create(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

void smartauth_pq_wakeup_signal(int fd) {
    uint64_t one = 1;
    // A full counter (never reached) or EAGAIN still leaves the descriptor readable.
    ssize_t written = write(fd, &one, sizeof one);
    (void)written;
}

void smartauth_pq_wakeup_drain(int fd) {
    uint64_t value;
    ssize_t read_count = read(fd, &value, sizeof value);
    (void)read_count;
}
