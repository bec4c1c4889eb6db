/* MMIO exits to the host and their completion on the next RUN: a trapped load or store the
 * hypervisor does not emulate becomes GZVM_EXIT_MMIO; the value the VMM leaves in the run
 * page is loaded into the target register with the access's size and sign extension, or,
 * when the VMM asks for it (opengz's completion field), the access takes an external abort.
 * And the register <-> data conversions every access goes through, once each way. */
#include <uapi/linux/gzvm.h>
#include <arm64/inject.h>
#include <arm64/sysreg.h>
#include <gzhyp/atomic.h>
#include <gzhyp/lib.h>
#include <gzhyp/mmio.h>
#include <gzhyp/memslot.h>
#include <gzhyp/pvm.h>
#include <gzhyp/vcpu.h>
#include <gzhyp/vm.h>

/* The low @size bytes (1..8) of @v in the other order. */
static uint64_t swap(uint64_t v, unsigned size)
{
	return __builtin_bswap64(v) >> (64 - 8 * size);
}

static uint64_t low_bytes(uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

uint64_t gz_mmio_reg(uint64_t data, unsigned size, bool big_endian, bool sign_extend, bool sf)
{
	uint64_t v = big_endian ? swap(data, size) : low_bytes(data, size);

	if (sign_extend && size < 8) {
		unsigned shift = 64 - 8 * size;

		v = (uint64_t)((int64_t)(v << shift) >> shift);
	}
	/* A W-register destination: the upper half is zero (LDRSB Wt sign-extends to 32). */
	if (!sf)
		v &= 0xffffffffULL;
	return v;
}

uint64_t gz_mmio_data(uint64_t reg, unsigned size, bool big_endian)
{
	return big_endian ? swap(reg, size) : low_bytes(reg, size);
}

uint64_t gz_mmio_load(const uint8_t *bytes, unsigned size, bool big_endian, bool sign_extend,
		      bool sf)
{
	uint64_t data = 0;

	size = GZ_MIN(size, 8u);
	for (unsigned i = 0; i < size; i++)
		data |= (uint64_t)bytes[i] << (8 * i);
	return gz_mmio_reg(data, size, big_endian, sign_extend, sf);
}

void gz_mmio_store_bytes(uint64_t reg, unsigned size, bool big_endian, uint8_t *out)
{
	uint64_t data;

	size = GZ_MIN(size, 8u);
	data = gz_mmio_data(reg, size, big_endian);
	for (unsigned i = 0; i < size; i++)
		out[i] = (uint8_t)(data >> (8 * i));
}

bool gz_mmio_guest_big_endian(const struct gz_vcpu *vcpu)
{
	uint64_t sctlr = vcpu->ctx.sys[GZ_SYS_SCTLR_EL1];
	uint64_t mode = vcpu->ctx.pstate & PSR_MODE_MASK;

	if ((vcpu->ctx.pstate & PSR_MODE_nRW) || mode == PSR_MODE_EL0t)
		return !!(sctlr & SCTLR_EL1_E0E);
	return !!(sctlr & SCTLR_EL1_EE);
}

bool gz_mmio_const_read(const struct gz_vcpu *vcpu, const struct gz_exit_desc *desc,
			uint32_t *value)
{
	const struct gz_exit_abort *ab = &desc->abort;
	struct gz_vm *vm = vcpu->vm;

	if (desc->type != GZ_XT_DABT || !ab->isv || ab->cm || ab->write || ab->ea || ab->s1ptw ||
	    !gz_mmio_const_lookup(&vm->mmio_const, ab->ipa, ab->size, value))
		return false;
	return gz_memslot_lookup(&vm->mem, ab->ipa) < 0 && gz_pvm_mmio_allowed(vm, ab->ipa);
}

void gz_mmio_exit(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc)
{
	struct gzvm_vcpu_run *run = vcpu->run;
	const struct gz_exit_abort *ab = &desc->abort;
	bool be = gz_mmio_guest_big_endian(vcpu);

	gz_memset(&run->mmio, 0, sizeof(run->mmio));
	run->exit_reason = GZVM_EXIT_MMIO;
	run->mmio.phys_addr = ab->ipa;
	run->mmio.size = ab->size;
	run->mmio.reg_nr = ab->reg;
	run->mmio.is_write = ab->write;
	if (ab->write) {
		uint8_t bytes[8];

		gz_mmio_store_bytes(gz_vcpu_get_reg(vcpu, ab->reg), ab->size, be, bytes);
		gz_memcpy(run->mmio.data, bytes, ab->size);
	}
	vcpu->mmio.active = true;
	vcpu->mmio.is_write = ab->write;
	vcpu->mmio.size = ab->size;
	vcpu->mmio.reg = ab->reg;
	vcpu->mmio.sign_extend = ab->sign_extend;
	vcpu->mmio.sf = ab->sf;
	vcpu->mmio.big_endian = be;
	vcpu->mmio.insn_len = desc->il ? 4 : 2;
	vcpu->mmio.far = ab->va;
	vcpu->mmio.no_isv = false;
}

void gz_mmio_pend_no_isv(struct gz_vcpu *vcpu, const struct gz_exit_desc *desc)
{
	vcpu->mmio = (struct gz_mmio_pending){
	    .active = true,
	    .no_isv = true,
	    .is_write = desc->abort.write,
	    .far = desc->abort.va,
	};
	/* internal.data[4], past the exit's data: the v13 completion until the VMM asks */
	vcpu->run->mmio.completion = GZVM_MMIO_COMPLETE_DATA;
}

bool gz_mmio_completion(const struct gz_vcpu *vcpu, uint8_t *completion)
{
	*completion = GZVM_MMIO_COMPLETE_DATA;
	if (!vcpu->mmio.active)
		return true;
	/* Host memory: one read, the value checked is the value used. */
	*completion = gz_atomic_load(&vcpu->run->mmio.completion);
	return *completion == GZVM_MMIO_COMPLETE_DATA ||
	       *completion == GZVM_MMIO_COMPLETE_EXT_ABORT;
}

void gz_mmio_complete(struct gz_vcpu *vcpu, uint8_t completion)
{
	struct gz_mmio_pending *p = &vcpu->mmio;

	if (!p->active)
		return;
	p->active = false;
	if (completion == GZVM_MMIO_COMPLETE_EXT_ABORT) {
		/* As if the device answered with an error: taken at the access itself. */
		arm64_inject_dabt(&vcpu->ctx, p->far, p->is_write);
		return;
	}
	if (p->no_isv)
		return;
	/* The run page is host memory: read the data once, never trust it beyond 8 bytes. */
	if (!p->is_write) {
		uint8_t data[8];

		gz_memcpy(data, (const void *)vcpu->run->mmio.data, sizeof(data));
		gz_vcpu_set_reg(vcpu, p->reg,
				gz_mmio_load(data, p->size, p->big_endian, p->sign_extend, p->sf));
	}
	vcpu->ctx.pc += p->insn_len;
}
