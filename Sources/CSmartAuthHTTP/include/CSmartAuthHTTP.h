// The one C module through which SmartAuthServer reaches libmicrohttpd. MHD_start_daemon is variadic, so a
// small wrapper here starts the daemon from a plain struct of options (prefix smartauth_mhd_).
#ifndef CSMARTAUTH_HTTP_H
#define CSMARTAUTH_HTTP_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>
#endif
