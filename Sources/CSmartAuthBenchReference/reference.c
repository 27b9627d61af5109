#include "CSmartAuthBenchReference.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

struct smartauth_ref {
    smartauth_ref_kind kind;
    const EVP_MD *md;       // fetched once
    EVP_PKEY *pkey;         // parsed once
    EVP_PKEY_CTX *verify;   // initialised once for EVP_PKEY_verify (RSA, ECDSA)
    EVP_PKEY_CTX *sign;     // initialised once for EVP_PKEY_sign (RSA, ECDSA)
    EVP_MD_CTX *md_ctx;     // reused for Ed25519
    EVP_MAC_CTX *mac;       // keyed once; re-initialised with the same key per message (HMAC)
};

static const char *digest_name(int bits) {
    return bits == 384 ? "SHA384" : bits == 512 ? "SHA512" : "SHA256";
}

static int configure(smartauth_ref *ref, EVP_PKEY_CTX *ctx) {
    if (ref->kind == SMARTAUTH_REF_RSA_PKCS1 || ref->kind == SMARTAUTH_REF_RSA_PSS) {
        int padding = ref->kind == SMARTAUTH_REF_RSA_PSS ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, padding) <= 0) return 0;
        if (ref->kind == SMARTAUTH_REF_RSA_PSS &&
            (EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, ref->md) <= 0))
            return 0;
    }
    return EVP_PKEY_CTX_set_signature_md(ctx, ref->md) > 0;
}

smartauth_ref *smartauth_ref_new(smartauth_ref_kind kind, int digest_bits, const void *key, size_t key_length) {
    smartauth_ref *ref = calloc(1, sizeof *ref);
    if (ref == NULL) return NULL;
    ref->kind = kind;
    ref->md = EVP_MD_fetch(NULL, digest_name(digest_bits), NULL);
    if (kind == SMARTAUTH_REF_HMAC) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        ref->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac);
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest_name(digest_bits), 0),
            OSSL_PARAM_construct_end(),
        };
        if (ref->mac == NULL || !EVP_MAC_init(ref->mac, key, key_length, params)) goto fail;
        return ref;
    }
    const unsigned char *der = key;
    ref->pkey = d2i_AutoPrivateKey(NULL, &der, (long)key_length);
    if (ref->pkey == NULL) goto fail;
    if (kind == SMARTAUTH_REF_ED25519) {
        ref->md_ctx = EVP_MD_CTX_new();
        if (ref->md_ctx == NULL) goto fail;
        return ref;
    }
    ref->verify = EVP_PKEY_CTX_new(ref->pkey, NULL);
    ref->sign = EVP_PKEY_CTX_new(ref->pkey, NULL);
    if (ref->verify == NULL || ref->sign == NULL) goto fail;
    if (EVP_PKEY_verify_init(ref->verify) <= 0 || !configure(ref, ref->verify)) goto fail;
    if (EVP_PKEY_sign_init(ref->sign) <= 0 || !configure(ref, ref->sign)) goto fail;
    return ref;
fail:
    smartauth_ref_free(ref);
    return NULL;
}

void smartauth_ref_free(smartauth_ref *ref) {
    if (ref == NULL) return;
    EVP_MD_free((EVP_MD *)ref->md);
    EVP_PKEY_free(ref->pkey);
    EVP_PKEY_CTX_free(ref->verify);
    EVP_PKEY_CTX_free(ref->sign);
    EVP_MD_CTX_free(ref->md_ctx);
    EVP_MAC_CTX_free(ref->mac);
    free(ref);
}

static int hmac(smartauth_ref *ref, const void *message, size_t length, unsigned char *out, size_t *out_length) {
    // EVP_MAC_init with a NULL key restarts with the key already set.
    return EVP_MAC_init(ref->mac, NULL, 0, NULL) && EVP_MAC_update(ref->mac, message, length) &&
           EVP_MAC_final(ref->mac, out, out_length, EVP_MAX_MD_SIZE);
}

int smartauth_ref_sign(smartauth_ref *ref, const void *message, size_t message_length, void *signature,
                       size_t *signature_length) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    switch (ref->kind) {
    case SMARTAUTH_REF_HMAC:
        if (*signature_length < EVP_MAX_MD_SIZE) return 0;
        return hmac(ref, message, message_length, signature, signature_length);
    case SMARTAUTH_REF_ED25519:
        if (EVP_DigestSignInit_ex(ref->md_ctx, NULL, NULL, NULL, NULL, ref->pkey, NULL) <= 0) return 0;
        return EVP_DigestSign(ref->md_ctx, signature, signature_length, message, message_length) > 0;
    default:
        if (!EVP_Digest(message, message_length, digest, &digest_length, ref->md, NULL)) return 0;
        return EVP_PKEY_sign(ref->sign, signature, signature_length, digest, digest_length) > 0;
    }
}

static int verify_once(smartauth_ref *ref, const void *message, size_t message_length, const void *signature,
                       size_t signature_length) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    switch (ref->kind) {
    case SMARTAUTH_REF_HMAC: {
        unsigned char tag[EVP_MAX_MD_SIZE];
        size_t tag_length = 0;
        if (!hmac(ref, message, message_length, tag, &tag_length)) return 0;
        return tag_length == signature_length && CRYPTO_memcmp(tag, signature, tag_length) == 0;
    }
    case SMARTAUTH_REF_ED25519:
        if (EVP_DigestVerifyInit_ex(ref->md_ctx, NULL, NULL, NULL, NULL, ref->pkey, NULL) <= 0) return 0;
        return EVP_DigestVerify(ref->md_ctx, signature, signature_length, message, message_length) == 1;
    default:
        if (!EVP_Digest(message, message_length, digest, &digest_length, ref->md, NULL)) return 0;
        return EVP_PKEY_verify(ref->verify, signature, signature_length, digest, digest_length) == 1;
    }
}

long smartauth_ref_verify_loop(smartauth_ref *ref, const void *message, size_t message_length, const void *signature,
                               size_t signature_length, long iterations) {
    long valid = 0;
    for (long i = 0; i < iterations; i++) valid += verify_once(ref, message, message_length, signature, signature_length);
    return valid;
}

long smartauth_ref_sign_loop(smartauth_ref *ref, const void *message, size_t message_length, long iterations) {
    long done = 0;
    unsigned char signature[1024];
    for (long i = 0; i < iterations; i++) {
        size_t length = sizeof signature;
        done += smartauth_ref_sign(ref, message, message_length, signature, &length);
    }
    return done;
}
