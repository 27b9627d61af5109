#include "CSmartAuthPostgres.h"

const char *smartauth_pq_result_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

const char *smartauth_pq_result_primary_message(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
}

static void smartauth_pq_ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

void smartauth_pq_silence_notices(PGconn *conn) {
    PQsetNoticeProcessor(conn, smartauth_pq_ignore_notice, NULL);
}
