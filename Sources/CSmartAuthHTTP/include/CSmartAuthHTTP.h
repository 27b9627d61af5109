// The one C module through which SmartAuthServer reaches libmicrohttpd. MHD_start_daemon is variadic, so a
// small wrapper here starts the daemon from a plain struct of options (prefix smartauth_mhd_). The listening
// socket is created here too, so that a bind failure comes back with its errno instead of as a NULL daemon.
#ifndef CSMARTAUTH_HTTP_H
#define CSMARTAUTH_HTTP_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// The `MHD_OPTION_URI_LOG_CALLBACK` signature (microhttpd.h spells it only in a comment). It sees the raw
/// request target, query included, before libmicrohttpd splits and unescapes it; its result becomes `*con_cls`.
typedef void *_Nullable (*smartauth_mhd_uri_callback)(void *_Nullable cls, const char *_Nonnull uri,
                                                       struct MHD_Connection *_Nonnull connection);

/// Everything `smartauth_mhd_start` passes to `MHD_start_daemon`.
struct smartauth_mhd_options {
    /// `MHD_FLAG` bits.
    unsigned int flags;
    /// A bound, listening, non-blocking socket. `smartauth_mhd_start` takes ownership of it whatever the
    /// outcome: on success libmicrohttpd has it (`MHD_OPTION_LISTEN_SOCKET`) and closes it on stop unless
    /// `MHD_quiesce_daemon` handed it back first; on failure it is closed.
    int listen_fd;
    /// `MHD_OPTION_THREAD_POOL_SIZE`; 0 or 1 means the single internal polling thread.
    unsigned int thread_pool_size;
    /// `MHD_OPTION_CONNECTION_LIMIT`.
    unsigned int connection_limit;
    /// `MHD_OPTION_CONNECTION_TIMEOUT`, seconds.
    unsigned int connection_timeout;
    /// `MHD_OPTION_CONNECTION_MEMORY_LIMIT`, bytes.
    size_t memory_limit;
    /// `MHD_OPTION_STRICT_FOR_CLIENT`.
    int strict_for_client;
    /// PEM text for `MHD_OPTION_HTTPS_MEM_CERT`/`_KEY` (only with `MHD_USE_TLS`), NUL-terminated.
    const char *_Nullable tls_certificate_pem;
    const char *_Nullable tls_key_pem;
    /// The access handler and its closure.
    MHD_AccessHandlerCallback _Nonnull access_handler;
    void *_Nullable access_handler_cls;
    /// `MHD_OPTION_NOTIFY_COMPLETED` and `MHD_OPTION_URI_LOG_CALLBACK`, sharing one closure.
    MHD_RequestCompletedCallback _Nonnull completed_handler;
    smartauth_mhd_uri_callback _Nonnull uri_handler;
    void *_Nullable callbacks_cls;
};

/// Starts a daemon. On failure returns NULL and writes libmicrohttpd's own explanation (at most
/// `error_capacity - 1` bytes, NUL-terminated) into `error_message`; libmicrohttpd's log output is otherwise
/// discarded (the transport does not print).
struct MHD_Daemon *_Nullable smartauth_mhd_start(const struct smartauth_mhd_options *_Nonnull options,
                                                 char *_Nonnull error_message, size_t error_capacity);

/// Creates a TCP socket for `host` (an IPv4 or IPv6 literal) and `port`, with SO_REUSEADDR, non-blocking and
/// close-on-exec, binds it and listens with `backlog`. Returns the descriptor, or -1 with `*error_number` set
/// (EINVAL when `host` is not an address literal). `*is_ipv6` tells which family was used.
int smartauth_mhd_listen(const char *_Nonnull host, uint16_t port, int backlog, int *_Nonnull is_ipv6,
                         int *_Nonnull error_number);

/// The port a daemon is bound to (`MHD_DAEMON_INFO_BIND_PORT`), falling back to getsockname on its socket.
uint16_t smartauth_mhd_bound_port(struct MHD_Daemon *_Nonnull daemon);

/// Dotted-quad text of the four bytes at `octets` into `buffer` (room for INET_ADDRSTRLEN, 16), NUL-terminated;
/// returns its length.
size_t smartauth_format_ipv4(const unsigned char *_Nonnull octets, char *_Nonnull buffer);

/// Formats the peer address of `connection` (`MHD_CONNECTION_INFO_CLIENT_ADDRESS`) as text into `buffer`,
/// IPv4-mapped IPv6 addresses as plain IPv4. Returns the length written, or 0 if unknown.
size_t smartauth_mhd_client_address(struct MHD_Connection *_Nonnull connection, char *_Nonnull buffer,
                                    size_t capacity);

/// Overwrites `length` bytes at `pointer` with zeros in a way the compiler may not elide (for key PEM text).
void smartauth_mhd_zeroize(void *_Nonnull pointer, size_t length);

/// How many processors this process may run on (its CPU affinity mask), or 0 if that cannot be read.
int smartauth_mhd_available_processors(void);

#endif
