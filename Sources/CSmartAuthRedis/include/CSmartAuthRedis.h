// The one C module through which SmartAuthRedisStore reaches Redis (libhiredis). Only the non-variadic
// redisCommandArgv/redisAppendCommandArgv family is used: a command is never a format string built from input.
//
// The small wrappers below (prefix smartauth_redis_) give Swift typed, nullability-annotated entry points:
// hiredis returns replies as `void *`, keeps its error text in a fixed-size char array, and has no call that
// waits for a socket to become readable with a timeout (which the revocation subscriber needs so that it can
// notice a request to stop).
#ifndef CSMARTAUTH_REDIS_H
#define CSMARTAUTH_REDIS_H
#include <hiredis/hiredis.h>
#include <stddef.h>

/// Connects over TCP with a connect timeout in milliseconds; never NULL unless out of memory (a failed
/// connection is a context whose error is set).
redisContext *_Nullable smartauth_redis_connect(const char *_Nonnull host, int port, long timeout_ms);

/// Sets the socket's read and write timeouts in milliseconds (at least 1). Returns REDIS_OK or REDIS_ERR.
int smartauth_redis_set_timeout(redisContext *_Nonnull context, long timeout_ms);

/// The context's error code (0 when none) and its text (never NULL).
int smartauth_redis_error(const redisContext *_Nonnull context);
const char *_Nonnull smartauth_redis_error_text(const redisContext *_Nonnull context);

/// Sends one command given as binary-safe arguments and waits for its reply (redisCommandArgv). NULL on an
/// I/O or protocol error; the context's error is then set and the context must not be used again.
redisReply *_Nullable smartauth_redis_command(
    redisContext *_Nonnull context, int argc, const char *_Nonnull const *_Nonnull argv,
    const size_t *_Nonnull lengths);

/// Queues one command without sending it (redisAppendCommandArgv), for pipelining. REDIS_OK or REDIS_ERR.
int smartauth_redis_append(
    redisContext *_Nonnull context, int argc, const char *_Nonnull const *_Nonnull argv,
    const size_t *_Nonnull lengths);

/// Sends what is queued (if anything) and waits for the next reply (redisGetReply). NULL on error.
redisReply *_Nullable smartauth_redis_next_reply(redisContext *_Nonnull context);

/// Writes queued commands until the output buffer is empty. REDIS_OK or REDIS_ERR.
int smartauth_redis_flush(redisContext *_Nonnull context);

/// A reply already received and buffered, without any I/O: 1 and `*reply` set, 0 when none is complete yet,
/// -1 on a protocol error.
int smartauth_redis_buffered_reply(redisContext *_Nonnull context, redisReply *_Nullable *_Nonnull reply);

/// Waits up to `timeout_ms` for the socket to become readable, then reads what is there into hiredis's buffer.
/// 1 when something was read, 0 on timeout, -1 on an error (the context's error is then set).
int smartauth_redis_read_available(redisContext *_Nonnull context, int timeout_ms);

/// Whether an idle connection has been closed by the server (or has unexpected data waiting): its socket is
/// readable although no reply is pending. 1 when stale, 0 when it looks usable.
int smartauth_redis_is_stale(const redisContext *_Nonnull context);

/// Frees a reply (freeReplyObject).
void smartauth_redis_free_reply(redisReply *_Nullable reply);
#endif
