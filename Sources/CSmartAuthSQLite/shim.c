#include "CSmartAuthSQLite.h"

sqlite3_destructor_type smartauth_sqlite_transient(void) { return SQLITE_TRANSIENT; }
