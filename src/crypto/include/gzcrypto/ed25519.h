/* Ed25519 (RFC 8032 §5.1): key generation from a 32-byte seed, signing and strict
 * verification. The secret key is laid out as libsodium's: seed || public key.
 *
 * Verification accepts a signature (R, S) of message M under public key A only if:
 *  - S < L (a non-canonical S, e.g. S + L, is malleability: refused);
 *  - A and R are canonical encodings (y < p, no "negative zero" x) of curve points;
 *  - neither A nor R has small order (one of the eight points of order 1, 2, 4 or 8): such a
 *    key or commitment lets one signature verify for many messages or keys;
 *  - [S]B - [k]A, k = SHA-512(R || A || M) mod L, encodes to exactly R: the cofactorless
 *    equation of RFC 8032 §5.1.7, so a mixed-order A cannot make a verdict depend on which
 *    equation a verifier uses.
 * These are the rules of libsodium 1.0.18's crypto_sign_verify_detached (fuzz_crypto_diff
 * checks that both give the same verdict on every input). Signing and key generation are
 * constant-time in the secret; verification is constant-time too, though it need not be. */
#ifndef GZCRYPTO_ED25519_H
#define GZCRYPTO_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GZCRYPTO_ED25519_SEED_SIZE   32
#define GZCRYPTO_ED25519_PUBLIC_SIZE 32
#define GZCRYPTO_ED25519_SECRET_SIZE 64
#define GZCRYPTO_ED25519_SIG_SIZE    64

void gzcrypto_ed25519_keypair(uint8_t pk[GZCRYPTO_ED25519_PUBLIC_SIZE],
			      uint8_t sk[GZCRYPTO_ED25519_SECRET_SIZE],
			      const uint8_t seed[GZCRYPTO_ED25519_SEED_SIZE]);
void gzcrypto_ed25519_sign(uint8_t sig[GZCRYPTO_ED25519_SIG_SIZE], const void *msg, size_t len,
			   const uint8_t sk[GZCRYPTO_ED25519_SECRET_SIZE]);
bool gzcrypto_ed25519_verify(const uint8_t sig[GZCRYPTO_ED25519_SIG_SIZE], const void *msg,
			     size_t len, const uint8_t pk[GZCRYPTO_ED25519_PUBLIC_SIZE]);

#endif
