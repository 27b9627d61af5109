#include "CSmartAuthRedis.h"

#include <errno.h>
#include <poll.h>
#include <sys/time.h>

static struct timeval smartauth_redis_timeval(long timeout_ms) {
    if (timeout_ms < 1) timeout_ms = 1;
    struct timeval tv;
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    return tv;
}

redisContext *smartauth_redis_connect(const char *host, int port, long timeout_ms) {
    return redisConnectWithTimeout(host, port, smartauth_redis_timeval(timeout_ms));
}

int smartauth_redis_set_timeout(redisContext *context, long timeout_ms) {
    return redisSetTimeout(context, smartauth_redis_timeval(timeout_ms));
}

int smartauth_redis_error(const redisContext *context) { return context->err; }

const char *smartauth_redis_error_text(const redisContext *context) { return context->errstr; }

redisReply *smartauth_redis_command(
    redisContext *context, int argc, const char *const *argv, const size_t *lengths) {
    // hiredis 0.14 declares argv as `const char **`; it only reads it.
    return (redisReply *)redisCommandArgv(context, argc, (const char **)argv, lengths);
}

int smartauth_redis_append(redisContext *context, int argc, const char *const *argv, const size_t *lengths) {
    return redisAppendCommandArgv(context, argc, (const char **)argv, lengths);
}

redisReply *smartauth_redis_next_reply(redisContext *context) {
    void *reply = NULL;
    if (redisGetReply(context, &reply) != REDIS_OK) return NULL;
    return (redisReply *)reply;
}

int smartauth_redis_flush(redisContext *context) {
    int done = 0;
    while (!done) {
        if (redisBufferWrite(context, &done) != REDIS_OK) return REDIS_ERR;
    }
    return REDIS_OK;
}

int smartauth_redis_buffered_reply(redisContext *context, redisReply **reply) {
    void *out = NULL;
    *reply = NULL;
    if (redisGetReplyFromReader(context, &out) != REDIS_OK) return -1;
    if (out == NULL) return 0;
    *reply = (redisReply *)out;
    return 1;
}

int smartauth_redis_read_available(redisContext *context, int timeout_ms) {
    struct pollfd pfd;
    pfd.fd = context->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    int ready = poll(&pfd, 1, timeout_ms);
    if (ready == 0) return 0;
    if (ready < 0) return errno == EINTR ? 0 : -1;
    // Readable, or hung up / in error: either way a read tells which, and sets the context's error if needed.
    return redisBufferRead(context) == REDIS_OK ? 1 : -1;
}

int smartauth_redis_is_stale(const redisContext *context) {
    struct pollfd pfd;
    pfd.fd = context->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    return poll(&pfd, 1, 0) != 0;
}

void smartauth_redis_free_reply(redisReply *reply) {
    if (reply != NULL) freeReplyObject(reply);
}
