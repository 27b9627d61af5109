// The one C module through which SmartAuthSQLiteStore reaches SQLite 3 (libsqlite3).
#ifndef CSMARTAUTH_SQLITE_H
#define CSMARTAUTH_SQLITE_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer; Swift cannot use it.
sqlite3_destructor_type _Nonnull smartauth_sqlite_transient(void);
#endif
