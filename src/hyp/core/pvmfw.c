/* Booting a protected VM through pvmfw (gzhyp/pvmfw.h): the platform's trusted key, the
 * firmware taken and measured at SET_PVMFW_GPA, the first vCPU sent into it, and the
 * firmware's guest calls. */
#include <uapi/linux/gzvm.h>
#include <gzabi/guest_calls.h>
#include <gzabi/pvmfw.h>
#include <gzabi/status.h>
#include <gzcrypto/sha2.h>
#include <gzhyp/attest.h>
#include <gzhyp/lib.h>
#include <gzhyp/mem_guest.h>
#include <gzhyp/memslot.h>
#include <gzhyp/pvmfw.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vcpu_exit.h>
#include <gzhyp/vm.h>

#define FEATURE(id) (1ULL << GZ_VENDOR_HYP_FN(id))

/* Written before the host runs (boot), read-only after. */
static uint8_t platform_key[32];
static bool platform_has_key;

void gz_pvmfw_set_platform_key(const uint8_t key[32])
{
	platform_has_key = key != NULL;
	if (key)
		gz_memcpy(platform_key, key, sizeof(platform_key));
	else
		gz_memset(platform_key, 0, sizeof(platform_key));
}

bool gz_pvmfw_platform_key(uint8_t out[32])
{
	if (platform_has_key)
		gz_memcpy(out, platform_key, sizeof(platform_key));
	return platform_has_key;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le64(p); /* the 4 bytes after it are read but not used */
}

/* The header at @gpa as the VM's memory holds it now: GZ_OK and the image's size and entry
 * IPA, or why not. @room: bytes of the PROTECT_FW slot from @gpa on. */
static int read_header(struct gz_vm *vm, gz_ipa_t gpa, uint64_t room, uint64_t *size,
		       uint64_t *entry)
{
	uint8_t h[GZ_PVMFW_HEADER_SIZE];
	uint64_t image, mem, off;
	int st;

	st = gz_mem_guest_read(&vm->mem, gpa, h, sizeof(h));
	if (st != GZ_OK)
		return st == GZ_ERR_NOT_FOUND ? st : GZ_ERR_INVALID_ARGS;
	image = le64(h + GZ_PVMFW_OFF_IMAGE);
	mem = le64(h + GZ_PVMFW_OFF_MEM);
	off = le64(h + GZ_PVMFW_OFF_ENTRY);
	if (le64(h + GZ_PVMFW_OFF_MAGIC) != GZ_PVMFW_MAGIC ||
	    le32(h + GZ_PVMFW_OFF_VERSION) != GZ_PVMFW_VERSION ||
	    le32(h + GZ_PVMFW_OFF_HDR_SIZE) != GZ_PVMFW_HEADER_SIZE ||
	    image < GZ_PVMFW_HEADER_SIZE || image > mem || mem > room - GZ_PVMFW_DICE_SIZE ||
	    mem > GZ_PVMFW_MAX_SIZE || off >= image || (off & 3))
		return GZ_ERR_INVALID_ARGS;
	*size = image;
	*entry = gpa + off;
	return GZ_OK;
}

static int measure(struct gz_vm *vm, gz_ipa_t gpa, uint64_t size, uint8_t out[32])
{
	struct gzcrypto_sha256 c;
	uint8_t buf[256];
	uint64_t done, n;
	int st;

	gzcrypto_sha256_init(&c);
	for (done = 0; done < size; done += n) {
		n = GZ_MIN(size - done, (uint64_t)sizeof(buf));
		st = gz_mem_guest_read(&vm->mem, gpa + done, buf, n);
		if (st != GZ_OK)
			return st;
		gzcrypto_sha256_update(&c, buf, (size_t)n);
	}
	gzcrypto_sha256_final(&c, out);
	return GZ_OK;
}

static int set_gpa_locked(struct gz_vm *vm, gz_ipa_t gpa)
{
	const struct gz_memslot *s;
	uint64_t size, entry, room;
	int slot, st;

	if (vm->state != GZ_VM_CREATED || vm->pvmfw.size)
		return GZ_ERR_BAD_STATE;
	if (!GZ_IS_ALIGNED(gpa, GZ_PAGE_SIZE) || gpa >= (1ULL << vm->ipa_bits))
		return GZ_ERR_INVALID_ARGS;
	slot = gz_memslot_lookup(&vm->mem, gpa);
	s = slot < 0 ? NULL : gz_memslot_get(&vm->mem, (uint32_t)slot);
	if (!s || !(s->flags & GZVM_USER_MEM_REGION_PROTECT_FW))
		return GZ_ERR_INVALID_ARGS;
	room = s->base + (s->npages << GZ_PAGE_SHIFT) - gpa;
	/* First while the host may still hold the pages: a bad or unreadable image changes
	 * nothing. */
	st = read_header(vm, gpa, room, &size, &entry);
	if (st == GZ_OK)
		st = measure(vm, gpa, size, vm->pvmfw.sha256);
	if (st == GZ_OK)
		st = gz_vm_mem_set_protected(&vm->mem);
	/* The pages are the VM's now: what counts is what they hold from here on, so it is
	 * measured again (a host racing its own call changes only what is measured; the
	 * firmware runs nothing that was not). */
	if (st == GZ_OK)
		st = measure(vm, gpa, size, vm->pvmfw.sha256);
	if (st != GZ_OK)
		return st;
	vm->pvmfw.gpa = gpa;
	vm->pvmfw.dice = s->base + (s->npages << GZ_PAGE_SHIFT) - GZ_PVMFW_DICE_SIZE;
	vm->pvmfw.entry = entry;
	vm->pvmfw.size = size;
	return GZ_OK;
}

int gz_pvmfw_set_gpa(struct gz_vm *vm, gz_ipa_t gpa)
{
	int st;

	gz_hal_lock(&vm->lock);
	st = set_gpa_locked(vm, gpa);
	gz_hal_unlock(&vm->lock);
	return st;
}

uint64_t gz_pvmfw_size(struct gz_vm *vm)
{
	uint64_t n;

	gz_hal_lock(&vm->lock);
	n = vm->pvmfw.size;
	gz_hal_unlock(&vm->lock);
	return n;
}

void gz_pvmfw_first_run(struct gz_vm *vm, struct gz_vcpu *v)
{
	uint64_t x0 = v->ctx.x[0], pc = v->ctx.pc;

	/* called once per VM: the VM leaves CREATED right after */
	if (!vm->pvmfw.size)
		return;
	vm->pvmfw.entered = true;
	/* A full reset: nothing the host set (system registers, PSTATE) reaches the firmware
	 * but the two addresses it is told to check. */
	gz_vcpu_reset(v, vm->pvmfw.entry, x0);
	v->ctx.x[1] = pc;
}

bool gz_pvmfw_guest_owns(uint32_t fid)
{
	return fid >= GZ_VENDOR_HYP_PVMFW_FIRST && fid <= GZ_VENDOR_HYP_PVMFW_LAST;
}

uint64_t gz_pvmfw_guest_features(void)
{
	return FEATURE(GZ_VENDOR_HYP_PVMFW_KEY) | FEATURE(GZ_VENDOR_HYP_PVMFW_REFUSE) |
	       FEATURE(GZ_VENDOR_HYP_PVMFW_RAM) | FEATURE(GZ_VENDOR_HYP_PVMFW_HANDOVER) |
	       FEATURE(GZ_VENDOR_HYP_ATTEST);
}

/* RAM: slot by slot (a range may span adjacent slots), not page by page. */
static int64_t call_ram(struct gz_vcpu *v)
{
	struct gz_vm_mem *m = &v->vm->mem;
	uint64_t ipa = v->ctx.x[1], end = ipa + v->ctx.x[2];
	const struct gz_memslot *s;
	int slot;

	if (v->ctx.x[3] || end < ipa)
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	while (ipa < end) {
		slot = gz_memslot_lookup(m, ipa);
		s = slot < 0 ? NULL : gz_memslot_get(m, (uint32_t)slot);
		if (!s)
			return GZ_SMCCC_RET_INVALID_PARAMETER;
		ipa = s->base + (s->npages << GZ_PAGE_SHIFT);
	}
	return GZ_SMCCC_RET_SUCCESS;
}

static int64_t call_key(struct gz_vcpu *v)
{
	uint8_t key[32];
	int st;

	if (v->ctx.x[2] | v->ctx.x[3])
		return GZ_SMCCC_RET_INVALID_PARAMETER;
	if (!gz_pvmfw_platform_key(key))
		return GZ_SMCCC_RET_NOT_SUPPORTED;
	st = gz_mem_guest_write(&v->vm->mem, v->ctx.x[1], key, sizeof(key));
	return st == GZ_OK ? GZ_SMCCC_RET_SUCCESS : GZ_SMCCC_RET_INVALID_PARAMETER;
}

enum gz_exit_action gz_pvmfw_guest_call(struct gz_vcpu *v, uint32_t fid)
{
	struct gz_vm *vm = v->vm;
	uint64_t code = v->ctx.x[1];
	bool ok;

	switch (fid) {
	case GZ_VENDOR_HYP_PVMFW_KEY:
		v->ctx.x[0] = (uint64_t)call_key(v);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_PVMFW_RAM:
		v->ctx.x[0] = (uint64_t)call_ram(v);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_PVMFW_HANDOVER:
		v->ctx.x[0] = (uint64_t)gz_attest_handover(v);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_ATTEST:
		v->ctx.x[0] = (uint64_t)gz_attest_report(v);
		return GZ_EXIT_RESUME;
	case GZ_VENDOR_HYP_PVMFW_REFUSE:
		gz_hal_lock(&vm->lock);
		ok = vm->pvmfw.size && code && code <= GZ_PVMFW_REFUSE_CODE_MAX &&
		     !(v->ctx.x[2] | v->ctx.x[3]);
		if (ok && !vm->pvmfw.refused)
			vm->pvmfw.refused = (uint32_t)code;
		gz_hal_unlock(&vm->lock);
		if (!ok) {
			v->ctx.x[0] = (uint64_t)(vm->pvmfw.size ? GZ_SMCCC_RET_INVALID_PARAMETER
								: GZ_SMCCC_RET_NOT_SUPPORTED);
			return GZ_EXIT_RESUME;
		}
		/* The host learns why (args[1]); the firmware's result is final. */
		gz_vcpu_exit_hypercall(v);
		v->ctx.x[0] = GZ_SMCCC_RET_SUCCESS;
		v->hvc_copy_back = false;
		return GZ_EXIT_TO_HOST;
	default:
		v->ctx.x[0] = (uint64_t)GZ_SMCCC_RET_NOT_SUPPORTED;
		return GZ_EXIT_RESUME;
	}
}
