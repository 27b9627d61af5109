#include "CSmartAuthOpenSSL.h"

void smartauth_openssl_free(void *pointer) { OPENSSL_free(pointer); }

void smartauth_openssl_clear_free(void *pointer, size_t length) { OPENSSL_clear_free(pointer, length); }

long smartauth_openssl_bio_mem_contents(BIO *bio, const char **contents) {
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    *contents = data;
    return length;
}
