/* Measurements, the DICE handover and attestation reports (gzhyp/attest.h). */
#include <gzabi/guest_calls.h>
#include <gzabi/pvmfw.h>
#include <gzabi/status.h>
#include <gzcrypto/cert.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/ed25519.h>
#include <gzcrypto/hkdf.h>
#include <gzhyp/attest.h>
#include <gzhyp/lib.h>
#include <gzhyp/mem_guest.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>

/* Written before the host runs (boot), read-only after. */
static uint8_t boot_secret[32];
static uint8_t attest_pk[GZCRYPTO_ED25519_PUBLIC_SIZE];
static uint8_t attest_sk[GZCRYPTO_ED25519_SECRET_SIZE];
static bool have_secret;
static uint8_t attest_cert[GZCRYPTO_CERT_SIZE];
static bool have_cert;

static const char cdi_info[] = "opengz CDI v1";
static const char key_info[] = "opengz attestation key v1";

void gz_attest_set_secret(const uint8_t secret[32])
{
	uint8_t seed[GZCRYPTO_ED25519_SEED_SIZE];

	have_secret = secret != NULL;
	have_cert = false;
	gz_memset(attest_cert, 0, sizeof(attest_cert));
	gzcrypto_wipe(boot_secret, sizeof(boot_secret));
	gzcrypto_wipe(attest_sk, sizeof(attest_sk));
	gzcrypto_wipe(attest_pk, sizeof(attest_pk));
	if (!secret)
		return;
	gz_memcpy(boot_secret, secret, sizeof(boot_secret));
	gzcrypto_hkdf_sha256(seed, sizeof(seed), NULL, 0, boot_secret, sizeof(boot_secret),
			     key_info, sizeof(key_info) - 1);
	gzcrypto_ed25519_keypair(attest_pk, attest_sk, seed);
	gzcrypto_wipe(seed, sizeof(seed));
}

bool gz_attest_public_key(uint8_t out[32])
{
	if (have_secret)
		gz_memcpy(out, attest_pk, sizeof(attest_pk));
	return have_secret;
}

_Static_assert(GZ_ATTEST_CERT_SIZE == GZCRYPTO_CERT_SIZE, "one certificate size");

bool gz_attest_certify(const uint8_t root_seed[32])
{
	uint8_t pk[GZCRYPTO_ED25519_PUBLIC_SIZE], sk[GZCRYPTO_ED25519_SECRET_SIZE];

	if (!have_secret)
		return false;
	gzcrypto_ed25519_keypair(pk, sk, root_seed);
	gzcrypto_cert_seal(attest_cert, GZCRYPTO_CERT_ATTEST, attest_pk, sk);
	gzcrypto_wipe(sk, sizeof(sk));
	have_cert = true;
	return true;
}

bool gz_attest_certificate(uint8_t out[GZ_ATTEST_CERT_SIZE])
{
	if (have_cert)
		gz_memcpy(out, attest_cert, sizeof(attest_cert));
	return have_cert;
}

void gz_attest_cdi(uint8_t cdi[32], const uint8_t m[4][32])
{
	/* the measurements as HKDF's salt: a CDI for every other boot chain */
	gzcrypto_hkdf_sha256(cdi, 32, m, 4 * 32, boot_secret, sizeof(boot_secret), cdi_info,
			     sizeof(cdi_info) - 1);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int64_t handover_locked(struct gz_vcpu *v)
{
	struct gz_vm *vm = v->vm;
	struct gz_pvmfw *f = &vm->pvmfw;
	uint8_t m[4][32], page[GZ_DICE_SIZE];
	int st;

	if (!f->size || !have_secret)
		return GZ_SMCCC_RET_NOT_SUPPORTED;
	if ((v->ctx.x[2] | v->ctx.x[3]) || f->handed_over || f->refused)
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	gz_memcpy(m[0], f->sha256, 32);
	if (gz_mem_guest_read(&vm->mem, v->ctx.x[1], m[1], 3 * 32) != GZ_OK)
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	gz_memset(page, 0, sizeof(page));
	put64(page, GZ_DICE_MAGIC);
	gz_attest_cdi(page + GZ_DICE_OFF_CDI, (const uint8_t(*)[32])m);
	gz_memcpy(page + GZ_DICE_OFF_MEASUREMENTS, m, sizeof(m));
	gz_memcpy(page + GZ_DICE_OFF_CERT, attest_cert, sizeof(attest_cert)); /* zero: none */
	st = gz_mem_guest_write(&vm->mem, f->dice, page, sizeof(page));
	gzcrypto_wipe(page, sizeof(page));
	if (st != GZ_OK)
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	gz_memcpy(f->measure, m[1], 3 * 32);
	f->handed_over = true;
	return GZ_SMCCC_RET_SUCCESS;
}

static int64_t report_locked(struct gz_vcpu *v)
{
	struct gz_vm *vm = v->vm;
	struct gz_pvmfw *f = &vm->pvmfw;
	uint8_t r[GZ_ATTEST_REPORT_SIZE];

	if (!f->handed_over || !have_secret)
		return GZ_SMCCC_RET_NOT_SUPPORTED;
	if (v->ctx.x[3] || gz_mem_guest_read(&vm->mem, v->ctx.x[1], r + GZ_ATTEST_OFF_NONCE,
					     GZ_ATTEST_NONCE_SIZE) != GZ_OK)
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	put64(r, GZ_ATTEST_MAGIC);
	put64(r + 8, GZ_ATTEST_VERSION); /* version 1, flags 0 */
	gz_memcpy(r + GZ_ATTEST_OFF_MEASUREMENTS, f->sha256, 32);
	gz_memcpy(r + GZ_ATTEST_OFF_MEASUREMENTS + 32, f->measure, 3 * 32);
	gz_memcpy(r + GZ_ATTEST_OFF_KEY, attest_pk, sizeof(attest_pk));
	gzcrypto_ed25519_sign(r + GZ_ATTEST_SIGNED, r, GZ_ATTEST_SIGNED, attest_sk);
	return gz_mem_guest_write(&vm->mem, v->ctx.x[2], r, sizeof(r)) == GZ_OK
		   ? GZ_SMCCC_RET_SUCCESS
		   : GZ_SMCCC_RET_INVALID_PARAMETER;
}

/* The VM's lock keeps HANDOVER and ATTEST of two vCPUs from meeting half way. */
static int64_t under_lock(struct gz_vcpu *v, int64_t (*fn)(struct gz_vcpu *v))
{
	int64_t r;

	gz_hal_lock(&v->vm->lock);
	r = fn(v);
	gz_hal_unlock(&v->vm->lock);
	return r;
}

int64_t gz_attest_handover(struct gz_vcpu *v)
{
	return under_lock(v, handover_locked);
}

int64_t gz_attest_report(struct gz_vcpu *v)
{
	return under_lock(v, report_locked);
}
