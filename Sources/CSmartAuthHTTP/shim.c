// For sched_getaffinity and CPU_COUNT.
#define _GNU_SOURCE
#include "CSmartAuthHTTP.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Where libmicrohttpd's log lines go while smartauth_mhd_start runs on this thread. Errors found while
// starting (TLS set-up, thread creation) are logged on the starting thread; log lines from the worker threads
// find NULL here and are dropped, so the transport never prints.
static _Thread_local char *smartauth_mhd_log_buffer = NULL;
static _Thread_local size_t smartauth_mhd_log_capacity = 0;

static void smartauth_mhd_logger(void *cls, const char *format, va_list arguments) {
    (void)cls;
    if (smartauth_mhd_log_buffer == NULL || smartauth_mhd_log_capacity == 0) return;
    // Keep the first message: it names the cause; later ones are consequences.
    if (smartauth_mhd_log_buffer[0] != '\0') return;
    vsnprintf(smartauth_mhd_log_buffer, smartauth_mhd_log_capacity, format, arguments);
    size_t length = strlen(smartauth_mhd_log_buffer);
    while (length > 0 && (smartauth_mhd_log_buffer[length - 1] == '\n' || smartauth_mhd_log_buffer[length - 1] == '\r')) {
        smartauth_mhd_log_buffer[--length] = '\0';
    }
}

struct MHD_Daemon *smartauth_mhd_start(const struct smartauth_mhd_options *options, char *error_message,
                                       size_t error_capacity) {
    if (error_capacity > 0) error_message[0] = '\0';
    // libmicrohttpd 0.9.75 closes a MHD_OPTION_LISTEN_SOCKET on some failure paths (TLS set-up, measured) and
    // perhaps not on others. Give it a duplicate, so that afterwards exactly one close happens either way:
    // the original is ours, and the duplicate is closed here only if it still is the same socket (a closed
    // descriptor number may already belong to another thread's file).
    int mhd_fd = fcntl(options->listen_fd, F_DUPFD_CLOEXEC, 0);
    if (mhd_fd < 0) {
        snprintf(error_message, error_capacity, "cannot duplicate the listening socket: %s", strerror(errno));
        close(options->listen_fd);
        return NULL;
    }
    struct stat original;
    if (fstat(options->listen_fd, &original) != 0) memset(&original, 0, sizeof original);
    struct MHD_OptionItem items[16];
    size_t n = 0;
    // In an option array a callback goes in `value` and its closure in `ptr_value`.
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)(void *)smartauth_mhd_logger, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, (intptr_t)mhd_fd, NULL};
    if (options->thread_pool_size > 1) {
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)options->thread_pool_size, NULL};
    }
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)options->connection_limit, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)options->connection_timeout, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)options->memory_limit, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_STRICT_FOR_CLIENT, (intptr_t)options->strict_for_client, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)(void *)options->completed_handler,
                                         options->callbacks_cls};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)(void *)options->uri_handler,
                                         options->callbacks_cls};
    if (options->tls_certificate_pem != NULL && options->tls_key_pem != NULL) {
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)options->tls_certificate_pem};
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)options->tls_key_pem};
        // TLS 1.2 and 1.3 only; GnuTLS's NORMAL set otherwise still admits TLS 1.0 and 1.1.
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
                                             (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
    }
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    smartauth_mhd_log_buffer = error_message;
    smartauth_mhd_log_capacity = error_capacity;
    // MHD_USE_ERROR_LOG routes messages to the logger above; without it libmicrohttpd says nothing at all.
    // The port argument is ignored because MHD_OPTION_LISTEN_SOCKET supplies the socket.
    struct MHD_Daemon *daemon = MHD_start_daemon(options->flags | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                                 options->access_handler, options->access_handler_cls,
                                                 MHD_OPTION_ARRAY, items, MHD_OPTION_END);
    smartauth_mhd_log_buffer = NULL;
    smartauth_mhd_log_capacity = 0;
    if (daemon == NULL) {
        struct stat duplicate;
        if (fstat(mhd_fd, &duplicate) == 0 && original.st_ino != 0 && duplicate.st_ino == original.st_ino &&
            duplicate.st_dev == original.st_dev) {
            close(mhd_fd);
        }
    }
    close(options->listen_fd);
    return daemon;
}

int smartauth_mhd_listen(const char *host, uint16_t port, int backlog, int *is_ipv6, int *error_number) {
    struct sockaddr_storage storage;
    socklen_t length;
    memset(&storage, 0, sizeof storage);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        length = sizeof *v4;
        *is_ipv6 = 0;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        length = sizeof *v6;
        *is_ipv6 = 1;
    } else {
        *error_number = EINVAL;
        return -1;
    }
    int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error_number = errno;
        return -1;
    }
    int on = 1;
    // SO_REUSEADDR lets a restarted server bind while old connections sit in TIME_WAIT; it does not let two
    // servers listen on one port (that would need SO_REUSEPORT, which is deliberately not set).
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (const struct sockaddr *)&storage, length) != 0 || listen(fd, backlog) != 0) {
        *error_number = errno;
        close(fd);
        return -1;
    }
    return fd;
}

uint16_t smartauth_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info != NULL && info->port != 0) return info->port;
    info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
    if (info == NULL) return 0;
    int listen_fd = info->listen_fd;
    struct sockaddr_storage storage;
    socklen_t length = sizeof storage;
    if (getsockname(listen_fd, (struct sockaddr *)&storage, &length) != 0) return 0;
    if (storage.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&storage)->sin_port);
    if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
    return 0;
}

// Dotted-quad text of four address bytes into buffer (capacity at least 16); its length. inet_ntop does the same
// through a printf-style formatter; this runs for every request.
size_t smartauth_format_ipv4(const unsigned char *octets, char *buffer) {
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned value = octets[i];
        if (value >= 100) buffer[n++] = (char)('0' + value / 100);
        if (value >= 10) buffer[n++] = (char)('0' + value / 10 % 10);
        buffer[n++] = (char)('0' + value % 10);
        if (i < 3) buffer[n++] = '.';
    }
    buffer[n] = '\0';
    return n;
}

size_t smartauth_mhd_client_address(struct MHD_Connection *connection, char *buffer, size_t capacity) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL || capacity == 0) return 0;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET) {
        if (capacity < INET_ADDRSTRLEN) return 0;
        return smartauth_format_ipv4((const unsigned char *)&((const struct sockaddr_in *)address)->sin_addr, buffer);
    }
    if (address->sa_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)address)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(v6)) {
            // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; rate limits and logs want a.b.c.d.
            if (capacity < INET_ADDRSTRLEN) return 0;
            return smartauth_format_ipv4(&v6->s6_addr[12], buffer);
        }
        return inet_ntop(AF_INET6, v6, buffer, (socklen_t)capacity) == NULL ? 0 : strlen(buffer);
    }
    return 0;
}

void smartauth_mhd_zeroize(void *pointer, size_t length) { explicit_bzero(pointer, length); }

int smartauth_mhd_available_processors(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}
