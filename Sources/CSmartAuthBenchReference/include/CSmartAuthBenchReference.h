// Raw OpenSSL 3 signing and verification, done the fastest way OpenSSL allows (keys parsed once, contexts
// and digests fetched once and reused). Used only by `smart-auth bench` as the reference that SmartAuth's own
// figures are compared with, so that a ratio near 1.0 means "no overhead over the primitive".
#ifndef CSMARTAUTH_BENCH_REFERENCE_H
#define CSMARTAUTH_BENCH_REFERENCE_H

#include <stddef.h>

typedef enum {
    SMARTAUTH_REF_HMAC = 0,
    SMARTAUTH_REF_RSA_PKCS1 = 1,
    SMARTAUTH_REF_RSA_PSS = 2,
    SMARTAUTH_REF_ECDSA = 3,
    SMARTAUTH_REF_ED25519 = 4,
} smartauth_ref_kind;

typedef struct smartauth_ref smartauth_ref;

/// A reference signer/verifier. `key` is the HMAC secret for SMARTAUTH_REF_HMAC, otherwise a PKCS#8 DER private
/// key. `digest_bits` is 256, 384 or 512 (ignored for Ed25519). Returns NULL on failure.
smartauth_ref *_Nullable smartauth_ref_new(smartauth_ref_kind kind, int digest_bits, const void *_Nonnull key,
                                           size_t key_length);
void smartauth_ref_free(smartauth_ref *_Nullable ref);

/// Signs `message` into `signature` (capacity `*signature_length`, updated). Returns 1 on success.
/// ECDSA signatures are DER, OpenSSL's native form.
int smartauth_ref_sign(smartauth_ref *_Nonnull ref, const void *_Nonnull message, size_t message_length,
                       void *_Nonnull signature, size_t *_Nonnull signature_length);

/// Runs `iterations` verifications of one signature; returns how many succeeded.
long smartauth_ref_verify_loop(smartauth_ref *_Nonnull ref, const void *_Nonnull message, size_t message_length,
                               const void *_Nonnull signature, size_t signature_length, long iterations);

/// Runs `iterations` signatures of one message; returns how many succeeded.
long smartauth_ref_sign_loop(smartauth_ref *_Nonnull ref, const void *_Nonnull message, size_t message_length,
                             long iterations);

#endif
