// The one C module through which SmartAuthPostgresStore reaches PostgreSQL (libpq).
#ifndef CSMARTAUTH_POSTGRES_H
#define CSMARTAUTH_POSTGRES_H
// Debian installs libpq's headers in /usr/include/postgresql; its own includes are relative to that folder.
#include <postgresql/libpq-fe.h>

/// The five-character SQLSTATE of a failed result, or NULL (a client-side failure has none).
/// `PG_DIAG_SQLSTATE` is a character-literal macro, which Swift does not import.
const char *_Nullable smartauth_pq_result_sqlstate(const PGresult *_Nonnull result);

/// The primary, human-readable message of a failed result, or NULL.
const char *_Nullable smartauth_pq_result_primary_message(const PGresult *_Nonnull result);

/// Installs a notice processor that drops notices (`NOTICE: drop cascades to …`): the library never prints, and
/// libpq's default processor writes to stderr.
void smartauth_pq_silence_notices(PGconn *_Nonnull conn);
#endif
