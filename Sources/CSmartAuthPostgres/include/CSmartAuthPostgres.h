// The one C module through which SmartAuthPostgresStore reaches PostgreSQL (libpq).
#ifndef CSMARTAUTH_POSTGRES_H
#define CSMARTAUTH_POSTGRES_H
// Debian installs libpq's headers in /usr/include/postgresql; its own includes are relative to that folder.
#include <postgresql/libpq-fe.h>
#endif
