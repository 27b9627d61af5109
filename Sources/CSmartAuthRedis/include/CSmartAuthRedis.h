// The one C module through which SmartAuthRedisStore reaches Redis (libhiredis). Only the non-variadic
// redisCommandArgv/redisAppendCommandArgv family is used: a command is never a format string built from input.
#ifndef CSMARTAUTH_REDIS_H
#define CSMARTAUTH_REDIS_H
#include <hiredis/hiredis.h>
#endif
