// The one C module through which SmartAuthCrypto reaches OpenSSL 3 (libcrypto).
// Macros and variadic calls get small named wrappers here (prefix smartauth_openssl_), so Swift never
// needs to reimplement them.
#ifndef CSMARTAUTH_OPENSSL_H
#define CSMARTAUTH_OPENSSL_H

#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stddef.h>

/// OPENSSL_free is a macro; Swift cannot call it.
void smartauth_openssl_free(void *_Nullable pointer);

/// OPENSSL_clear_free is a macro; Swift cannot call it. Zeroes `length` bytes before freeing (for buffers that
/// held private key material, such as an encoder's DER output).
void smartauth_openssl_clear_free(void *_Nullable pointer, size_t length);

/// Length and pointer of a memory BIO's contents (BIO_get_mem_data is a macro over a variadic BIO_ctrl).
long smartauth_openssl_bio_mem_contents(BIO *_Nonnull bio, const char *_Nullable *_Nonnull contents);

/// EVP_PKEY_PUBLIC_KEY and EVP_PKEY_KEYPAIR are macros over other macros, which Swift does not import.
enum {
    smartauth_openssl_selection_public_key = EVP_PKEY_PUBLIC_KEY,
    smartauth_openssl_selection_keypair = EVP_PKEY_KEYPAIR,
};

#endif
