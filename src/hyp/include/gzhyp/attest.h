/*
 * Measurements, the DICE-style handover and attestation for VMs booted through pvmfw
 * (include/gzabi/pvmfw.h, docs/security.md "Measured boot and attestation"). gzhyp holds one
 * per-boot secret that nothing else sees (given by the platform before the host runs: the EL2
 * port derives it from the boot DTB's rng-seed, which it hides from the host; the simulator
 * from the host's random source). From it come the attestation key (Ed25519, the same for
 * every VM of this boot) and each VM's compound device identifier (CDI), which HKDF binds to
 * the VM's four measurements: its firmware (SHA-256 of the image at SET_PVMFW_GPA), kernel,
 * initrd and configuration (the bootargs), the last three as the firmware verified them.
 */
#ifndef GZ_ATTEST_H
#define GZ_ATTEST_H

#include <arm64/types.h>
#include <gzabi/pvmfw.h>

struct gz_vcpu;

/* The per-boot secret (32 bytes; NULL forgets it), before the host runs: derives the
 * attestation key pair. Without one HANDOVER and ATTEST answer NOT_SUPPORTED. */
void gz_attest_set_secret(const uint8_t secret[32]);
/* The attestation public key, which the platform publishes (gzhyp's boot log); false
 * without a secret. */
bool gz_attest_public_key(uint8_t out[32]);
/* Certifies the attestation key with the platform's attestation root (the Ed25519 seed
 * @root_seed, given before the host runs; the caller wipes it): false without a secret.
 * The certificate (gzcrypto/cert.h) is what a verifier checks the key with, up to the root. */
bool gz_attest_certify(const uint8_t root_seed[32]);
/* The certificate of the attestation key; false when it was not certified. */
bool gz_attest_certificate(uint8_t out[GZ_ATTEST_CERT_SIZE]);
/* The CDI of a VM whose measurements are @m (firmware, kernel, initrd, configuration). */
void gz_attest_cdi(uint8_t cdi[32], const uint8_t m[4][32]);

/* The guest calls HANDOVER and ATTEST of vCPU @v (x1..x3 as include/gzabi/pvmfw.h says): the
 * SMCCC result for x0. They take the VM's lock. */
int64_t gz_attest_handover(struct gz_vcpu *v);
int64_t gz_attest_report(struct gz_vcpu *v);

#endif
