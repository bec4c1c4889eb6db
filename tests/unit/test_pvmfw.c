/* Booting through pvmfw in the core (src/hyp/core/pvmfw.c through the host-call dispatcher
 * and the run loop): SET_PVMFW_GPA takes a firmware the host loaded into a PROTECT_FW slot,
 * measures it and locks the host out of its pages (the VM becomes protected); every bad
 * header is refused with nothing changed; GET_PVMFW_SIZE answers its size; the first RUN
 * enters the firmware whatever the host set, once; the firmware's guest calls (KEY, RAM,
 * REFUSE) with every bad argument; HANDOVER's DICE page and CDI, and ATTEST's signed report
 * (src/hyp/core/attest.c).
 * test-libs: gzcore gzfake gzlib gzcrypto
 * test-labels: protected */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <gzabi/pvmfw.h>
#include <gzcrypto/cert.h>
#include <gzcrypto/ed25519.h>
#include <gzcrypto/sha2.h>
#include <gzhyp/attest.h>
#include <gzhyp/pgstate.h>
#include <gzhyp/pvmfw.h>

#include "vm_fixture.h"

#define RAM  0x80000000ULL
#define FW   GZ_PVMFW_GPA
#define SLOT 8 /* pages in each slot */
/* the firmware's host pages, the RAM's */
#define FW_PAGE(i)  VFIX_GUEST_PAGE(10 + (i))
#define RAM_PAGE(i) VFIX_GUEST_PAGE(i)

static uint16_t vm;
static const uint8_t secret[32] = {0x5e, 0xc2, 0xe7}; /* the platform's, for attestation */
static uint8_t image[3 * 4096 + 100];

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void add_slot(unsigned slot, gz_ipa_t gpa, uint32_t flags)
{
	gz_pa_t pa = VFIX_GUEST_PAGE(100);
	struct gzvm_memory_region_ranges *r = gz_hal_pa_to_va(pa);

	assert_int_equal(hstatus(GZ_HVC_MEMREGION_PURPOSE, vm, gpa, SLOT << 12, flags, 0), GZ_OK);
	memset(r, 0, 64);
	r->slot = slot;
	r->total_pages = SLOT;
	r->gpa = gpa;
	assert_int_equal(hstatus(GZ_HVC_SET_MEMREGION, vm, 8192, pa, 0, 0), GZ_OK);
}

/* A valid image: header, then a pattern; entry at 64, 6 pages of memory. */
static void make_image(void)
{
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + 1);
	memset(image, 0, GZ_PVMFW_HEADER_SIZE);
	put64(image + GZ_PVMFW_OFF_MAGIC, GZ_PVMFW_MAGIC);
	image[GZ_PVMFW_OFF_VERSION] = GZ_PVMFW_VERSION;
	image[GZ_PVMFW_OFF_HDR_SIZE] = GZ_PVMFW_HEADER_SIZE;
	put64(image + GZ_PVMFW_OFF_IMAGE, sizeof(image));
	put64(image + GZ_PVMFW_OFF_MEM, 6 * 4096);
	put64(image + GZ_PVMFW_OFF_ENTRY, 64);
}

/* The host's copy into its pages, which stay mapped in the VM (@mapped of them). */
static void load(unsigned mapped)
{
	for (unsigned i = 0; i < SLOT; i++)
		memset(gz_hal_pa_to_va(FW_PAGE(i)), 0, 4096);
	for (unsigned i = 0; i * 4096 < sizeof(image); i++)
		memcpy(gz_hal_pa_to_va(FW_PAGE(i)), image + i * 4096,
		       GZ_MIN(sizeof(image) - i * 4096, 4096));
	for (unsigned i = 0; i < mapped; i++)
		assert_int_equal(
		    hstatus(GZ_HVC_MAP_GUEST, vm, 1, FW_PAGE(i) >> 12, (FW >> 12) + i, 1), GZ_OK);
}

static int setup(void **state)
{
	(void)state;
	vm = vfix_setup_vm(2);
	assert_int_not_equal(vm, 0);
	assert_int_equal(hstatus(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_ENABLE_DEMAND_PAGING, 0, 0, 0),
			 GZ_OK);
	add_slot(0, RAM, GZVM_USER_MEM_REGION_GUEST_MEM);
	add_slot(1, FW, GZVM_USER_MEM_REGION_PROTECT_FW);
	for (unsigned i = 0; i < SLOT; i++)
		assert_int_equal(
		    hstatus(GZ_HVC_MAP_GUEST, vm, 0, RAM_PAGE(i) >> 12, (RAM >> 12) + i, 1), GZ_OK);
	make_image();
	gz_pvmfw_set_platform_key(NULL);
	gz_attest_set_secret(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gz_pvmfw_set_platform_key(NULL);
	gz_attest_set_secret(NULL);
	return vfix_teardown() ? 0 : -1;
}

static int64_t set_gpa(gz_ipa_t gpa)
{
	return (int64_t)hcall(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_PROTECTED_VM,
			      GZVM_CAP_PVM_SET_PVMFW_GPA, gpa, 0)
	    .a[0];
}

static uint64_t fw_size(void)
{
	struct gz_smccc_regs r =
	    hcall(GZ_HVC_ENABLE_CAP, vm, GZVM_CAP_PROTECTED_VM, GZVM_CAP_PVM_GET_PVMFW_SIZE, 0, 0);

	assert_int_equal(r.a[0], GZ_OK);
	return r.a[1];
}

static bool is_protected(void)
{
	return gz_vm_kind(gz_vm_get(vm)) == GZ_VM_PROTECTED;
}

static void test_takes_and_measures(void **state)
{
	uint8_t want[32];

	(void)state;
	load(4);
	assert_int_equal(gz_pgstate_state(FW_PAGE(0)), GZ_PAGE_LENT);
	assert_int_equal(fw_size(), 0);
	assert_int_equal(set_gpa(FW), GZ_OK);
	assert_int_equal(fw_size(), sizeof(image));
	assert_true(is_protected());
	/* the image's pages and RAM's are the VM's alone now */
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(gz_pgstate_state(FW_PAGE(i)), GZ_PAGE_OWNED);
		assert_int_not_equal(gz_pgstate_owner(FW_PAGE(i)), GZ_OWNER_HOST);
	}
	assert_int_equal(gz_pgstate_state(RAM_PAGE(0)), GZ_PAGE_OWNED);
	gzcrypto_sha256(want, image, sizeof(image));
	assert_memory_equal(gz_vm_get(vm)->pvmfw.sha256, want, 32);
	assert_int_equal(gz_vm_get(vm)->pvmfw.entry, FW + 64);
	/* once only */
	assert_int_equal(set_gpa(FW), GZ_ERR_BAD_STATE);
	assert_int_equal(fw_size(), sizeof(image));
}

/* Each bad header: refused, the VM normal, the pages still lent. */
static void refused(unsigned off, uint64_t v, int64_t want)
{
	make_image();
	put64(image + off, v);
	load(0);
	for (unsigned i = 0; i < 4; i++)
		hstatus(GZ_HVC_MAP_GUEST, vm, 1, FW_PAGE(i) >> 12, (FW >> 12) + i, 1);
	assert_int_equal(set_gpa(FW), want);
	assert_false(is_protected());
	assert_int_equal(gz_pgstate_state(FW_PAGE(0)), GZ_PAGE_LENT);
	assert_int_equal(fw_size(), 0);
}

static void test_bad_headers(void **state)
{
	(void)state;
	refused(GZ_PVMFW_OFF_MAGIC, GZ_PVMFW_MAGIC ^ 1, GZ_ERR_INVALID_ARGS);
	refused(GZ_PVMFW_OFF_VERSION, 2 | (uint64_t)GZ_PVMFW_HEADER_SIZE << 32,
		GZ_ERR_INVALID_ARGS);
	refused(GZ_PVMFW_OFF_VERSION, 1 | 32ULL << 32, GZ_ERR_INVALID_ARGS); /* header size */
	refused(GZ_PVMFW_OFF_IMAGE, 63, GZ_ERR_INVALID_ARGS);		     /* below the header */
	refused(GZ_PVMFW_OFF_IMAGE, 7 * 4096, GZ_ERR_INVALID_ARGS);	     /* above its memory */
	refused(GZ_PVMFW_OFF_MEM, 9 * 4096, GZ_ERR_INVALID_ARGS);	     /* past the slot */
	refused(GZ_PVMFW_OFF_MEM, 8 * 4096, GZ_ERR_INVALID_ARGS);	 /* into the DICE page */
	refused(GZ_PVMFW_OFF_ENTRY, sizeof(image), GZ_ERR_INVALID_ARGS); /* past the image */
	refused(GZ_PVMFW_OFF_ENTRY, 66, GZ_ERR_INVALID_ARGS);		 /* unaligned */
}

/* The image's last page not mapped: gzhyp cannot read it. */
static void test_image_not_mapped(void **state)
{
	(void)state;
	load(3);
	assert_int_equal(set_gpa(FW), GZ_ERR_NOT_FOUND);
	assert_false(is_protected());
}

static void test_bad_places(void **state)
{
	(void)state;
	load(4);
	/* not page aligned, outside the IPA space, outside a slot, in RAM's slot, the slot's
	 * second page (the header is not there), and after the VM ran */
	assert_int_equal(set_gpa(FW + 8), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set_gpa(1ULL << 40), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set_gpa(0x10000000), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set_gpa(RAM), GZ_ERR_INVALID_ARGS);
	assert_int_equal(set_gpa(FW + 4096), GZ_ERR_INVALID_ARGS);
	assert_false(is_protected());
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(set_gpa(FW), GZ_ERR_BAD_STATE);
	assert_false(is_protected());
}

static void test_first_run_enters_firmware(void **state)
{
	struct gz_vcpu *v = vfix_vcpu(vm, 0);

	(void)state;
	load(4);
	assert_int_equal(set_gpa(FW), GZ_OK);
	/* what the host set: its kernel, its DTB, a PSTATE of EL0 with interrupts open */
	v->ctx.pc = RAM;
	v->ctx.x[0] = RAM + 0x2000;
	v->ctx.x[5] = 0x55;
	v->ctx.pstate = 0;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, FW + 64);
	assert_int_equal(vfix_guest.last.x[0], RAM + 0x2000);
	assert_int_equal(vfix_guest.last.x[1], RAM);
	assert_int_equal(vfix_guest.last.x[5], 0);
	assert_int_equal(vfix_guest.last.pstate, PSR_MODE_EL1h | PSR_DAIF);
	assert_true(gz_vm_get(vm)->pvmfw.entered);
	/* the next RUN goes on where the guest is */
	v->ctx.pc = RAM + 0x100;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, RAM + 0x100);
}

static void test_no_firmware_runs_as_set(void **state)
{
	struct gz_vcpu *v = vfix_vcpu(vm, 0);

	(void)state;
	v->ctx.pc = RAM;
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.pc, RAM);
	assert_false(gz_vm_get(vm)->pvmfw.entered);
}

/* One HVC by vCPU 0, then a host interrupt: the guest's x0 after it. */
static int64_t guest_call(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	static uint64_t args[VFIX_MAX_STEPS][4];
	unsigned k = vfix_guest.n;

	args[k][0] = a;
	args[k][1] = b;
	args[k][2] = c;
	args[k][3] = d;
	vfix_push_hvc(args[k]);
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	return (int64_t)vfix_guest.last.x[0];
}

static void test_key_and_ram(void **state)
{
	static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
	uint8_t out[32];

	(void)state;
	load(4);
	assert_int_equal(set_gpa(FW), GZ_OK);
	assert_false(gz_pvmfw_platform_key(out));
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_KEY, RAM + 0x100, 0, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED);
	gz_pvmfw_set_platform_key(key);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_KEY, RAM + 0x100, 0, 0), 0);
	assert_memory_equal((uint8_t *)gz_hal_pa_to_va(RAM_PAGE(0)) + 0x100, key, 32);
	/* nothing mapped there, across the end of RAM, extra arguments */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_KEY, 0x10000000, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_KEY, RAM + SLOT * 4096 - 16, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_KEY, RAM, 1, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_KEY, RAM, 0, 1),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	/* RAM: the slots, not what the host mapped of them; nothing outside */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, RAM, SLOT * 4096, 0), 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, FW + 4096, 7 * 4096, 0), 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, RAM, 0, 0), 0);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, RAM, SLOT * 4096 + 1, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, RAM - 1, 2, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, RAM, ~0ULL, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER); /* wraps */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_RAM, RAM, 1, 1),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	/* a number of the range nobody answers */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_LAST, 0, 0, 0), GZ_SMCCC_RET_NOT_SUPPORTED);
}

static void test_refuse(void **state)
{
	static uint64_t refuse[4] = {GZ_VENDOR_HYP_PVMFW_REFUSE, 4, 0, 0};
	struct gzvm_vcpu_run *run = vfix_run_page(vm, 0);
	uint32_t reason;

	(void)state;
	/* a VM that did not boot through pvmfw has nothing to refuse, hand over or attest */
	gz_attest_set_secret(secret);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_REFUSE, 4, 0, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM, 0, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, RAM, RAM + 0x100, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED);
	vfix_destroy_all();
	setup(state);
	load(4);
	assert_int_equal(set_gpa(FW), GZ_OK);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_REFUSE, 0, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_REFUSE, GZ_PVMFW_REFUSE_CODE_MAX + 1, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_REFUSE, 4, 1, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(gz_vm_get(vm)->pvmfw.refused, 0);
	/* the host learns the code; the firmware's result is final */
	vfix_push_hvc(refuse);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(reason, GZVM_EXIT_HYPERCALL);
	assert_int_equal(run->hypercall.args[0], GZ_VENDOR_HYP_PVMFW_REFUSE);
	assert_int_equal(run->hypercall.args[1], 4);
	assert_int_equal(gz_vm_get(vm)->pvmfw.refused, 4);
	run->hypercall.args[0] = 77; /* what a host may write back: not copied */
	vfix_push(GZ_EXIT_KIND_IRQ, 0, 0, 0, NULL, NULL);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(vfix_guest.last.x[0], 0);
	/* the first code stays */
	refuse[1] = 5;
	vfix_push_hvc(refuse);
	assert_int_equal(vfix_run(vm, 0, &reason), GZ_OK);
	assert_int_equal(gz_vm_get(vm)->pvmfw.refused, 4);
}

/* A firmware taken, its DICE page (the slot's last) mapped, the platform's secret set; the
 * kernel's, initrd's and configuration's measurements at RAM + 0x200. */
static void booted(void)
{
	uint8_t *m = (uint8_t *)gz_hal_pa_to_va(RAM_PAGE(0)) + 0x200;

	load(4);
	assert_int_equal(
	    hstatus(GZ_HVC_MAP_GUEST, vm, 1, FW_PAGE(SLOT - 1) >> 12, (FW >> 12) + SLOT - 1, 1),
	    GZ_OK);
	assert_int_equal(set_gpa(FW), GZ_OK);
	for (unsigned i = 0; i < 96; i++)
		m[i] = (uint8_t)(0x40 + i);
	gz_attest_set_secret(secret);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void test_handover(void **state)
{
	const uint8_t *dice = (const uint8_t *)gz_hal_pa_to_va(FW_PAGE(SLOT - 1));
	uint8_t m[4][32], cdi[32], pk[32];

	(void)state;
	booted();
	gz_attest_set_secret(NULL);
	assert_false(gz_attest_public_key(pk));
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 0, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED); /* a platform without a secret */
	gz_attest_set_secret(secret);
	assert_true(gz_attest_public_key(pk));
	/* an unreadable buffer, extra arguments */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, 0x10000000, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 1, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 0, 1),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_false(gz_vm_get(vm)->pvmfw.handed_over);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 0, 0), 0);
	/* the page: magic, the CDI of exactly these measurements under this secret, them */
	memcpy(m[0], gz_vm_get(vm)->pvmfw.sha256, 32);
	memcpy(m[1], (uint8_t *)gz_hal_pa_to_va(RAM_PAGE(0)) + 0x200, 96);
	gz_attest_cdi(cdi, (const uint8_t(*)[32])m);
	assert_int_equal(le64(dice), GZ_DICE_MAGIC);
	assert_memory_equal(dice + GZ_DICE_OFF_CDI, cdi, 32);
	assert_memory_equal(dice + GZ_DICE_OFF_MEASUREMENTS, m, 128);
	/* an attestation key nobody certified: no certificate */
	assert_memory_equal(dice + GZ_DICE_OFF_CERT, (uint8_t[GZ_ATTEST_CERT_SIZE]){0},
			    GZ_ATTEST_CERT_SIZE);
	/* another measurement, another CDI; another secret, another CDI */
	m[1][0] ^= 1;
	gz_attest_cdi(cdi, (const uint8_t(*)[32])m);
	assert_memory_not_equal(dice + GZ_DICE_OFF_CDI, cdi, 32);
	m[1][0] ^= 1;
	gz_attest_set_secret((const uint8_t[32]){1});
	gz_attest_cdi(cdi, (const uint8_t(*)[32])m);
	assert_memory_not_equal(dice + GZ_DICE_OFF_CDI, cdi, 32);
	gz_attest_set_secret(secret);
	/* once: the kernel cannot measure itself anew */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
}

/* The platform's attestation root certifies the attestation key: not without a secret, anew
 * with every secret, and the certificate reaches the DICE page at HANDOVER. */
static void test_certificate(void **state)
{
	const uint8_t *dice = (const uint8_t *)gz_hal_pa_to_va(FW_PAGE(SLOT - 1));
	static const uint8_t root_seed[32] = {7, 7, 7};
	uint8_t cert[GZ_ATTEST_CERT_SIZE], root_pk[32], root_sk[64], pk[32], subject[32];

	(void)state;
	gzcrypto_ed25519_keypair(root_pk, root_sk, root_seed);
	booted();
	gz_attest_set_secret(NULL);
	assert_false(gz_attest_certify(root_seed));
	assert_false(gz_attest_certificate(cert));
	gz_attest_set_secret(secret);
	assert_false(gz_attest_certificate(cert));
	assert_true(gz_attest_certify(root_seed));
	assert_true(gz_attest_certificate(cert));
	assert_true(gz_attest_public_key(pk));
	assert_int_equal(
	    gzcrypto_cert_open(subject, cert, sizeof(cert), GZCRYPTO_CERT_ATTEST, root_pk),
	    GZCRYPTO_CERT_OK);
	assert_memory_equal(subject, pk, 32);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 0, 0), 0);
	assert_memory_equal(dice + GZ_DICE_OFF_CERT, cert, sizeof(cert));
	/* a new secret: a new key, not certified until the root says so again */
	gz_attest_set_secret((const uint8_t[32]){2});
	assert_false(gz_attest_certificate(cert));
	gz_attest_set_secret(secret);
}

static void test_handover_refused(void **state)
{
	static uint64_t refuse[4] = {GZ_VENDOR_HYP_PVMFW_REFUSE, 3, 0, 0};

	(void)state;
	load(4); /* the DICE page not mapped: nowhere to write the CDI */
	assert_int_equal(set_gpa(FW), GZ_OK);
	gz_attest_set_secret(secret);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_false(gz_vm_get(vm)->pvmfw.handed_over);
	/* after a refusal, no handover */
	vfix_push_hvc(refuse);
	assert_int_equal(vfix_run(vm, 0, NULL), GZ_OK);
	assert_int_equal(
	    hstatus(GZ_HVC_MAP_GUEST, vm, 1, FW_PAGE(SLOT - 1) >> 12, (FW >> 12) + SLOT - 1, 1),
	    GZ_OK);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM, 0, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
}

static void test_attest(void **state)
{
	uint8_t *ram = gz_hal_pa_to_va(RAM_PAGE(0)), pk[32];
	const uint8_t *r = ram + 0x400;

	(void)state;
	booted();
	/* before the handover there are no measurements to attest */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, RAM + 0x300, RAM + 0x400, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_PVMFW_HANDOVER, RAM + 0x200, 0, 0), 0);
	for (unsigned i = 0; i < 32; i++)
		ram[0x300 + i] = (uint8_t)(0xa0 + i);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, RAM + 0x300, RAM + 0x400, 0), 0);
	assert_true(gz_attest_public_key(pk));
	assert_int_equal(le64(r), GZ_ATTEST_MAGIC);
	assert_int_equal(le64(r + 8), GZ_ATTEST_VERSION);
	assert_memory_equal(r + GZ_ATTEST_OFF_MEASUREMENTS, gz_vm_get(vm)->pvmfw.sha256, 32);
	assert_memory_equal(r + GZ_ATTEST_OFF_MEASUREMENTS + 32, ram + 0x200, 96);
	assert_memory_equal(r + GZ_ATTEST_OFF_NONCE, ram + 0x300, 32);
	assert_memory_equal(r + GZ_ATTEST_OFF_KEY, pk, 32);
	assert_true(gzcrypto_ed25519_verify(r + GZ_ATTEST_SIGNED, r, GZ_ATTEST_SIGNED, pk));
	/* a changed measurement or nonce no longer verifies */
	ram[0x400 + GZ_ATTEST_OFF_MEASUREMENTS + 40] ^= 1;
	assert_false(gzcrypto_ed25519_verify(r + GZ_ATTEST_SIGNED, r, GZ_ATTEST_SIGNED, pk));
	ram[0x400 + GZ_ATTEST_OFF_MEASUREMENTS + 40] ^= 1;
	ram[0x400 + GZ_ATTEST_OFF_NONCE] ^= 1;
	assert_false(gzcrypto_ed25519_verify(r + GZ_ATTEST_SIGNED, r, GZ_ATTEST_SIGNED, pk));
	/* unreadable nonce, unwritable report, x3 set */
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, 0x10000000, RAM + 0x400, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, RAM + 0x300, 0x10000000, 0),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, RAM + 0x300, RAM + 0x400, 1),
			 GZ_SMCCC_RET_INVALID_PARAMETER);
	/* the platform's secret gone: nothing attested */
	gz_attest_set_secret(NULL);
	assert_int_equal(guest_call(GZ_VENDOR_HYP_ATTEST, RAM + 0x300, RAM + 0x400, 0),
			 GZ_SMCCC_RET_NOT_SUPPORTED);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_takes_and_measures),
	    T(test_bad_headers),
	    T(test_image_not_mapped),
	    T(test_bad_places),
	    T(test_first_run_enters_firmware),
	    T(test_no_firmware_runs_as_set),
	    T(test_key_and_ram),
	    T(test_refuse),
	    T(test_handover),
	    T(test_certificate),
	    T(test_handover_refused),
	    T(test_attest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
