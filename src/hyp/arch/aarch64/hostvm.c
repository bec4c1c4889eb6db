/*
 * Host mode ("gz.test=host gz.kernel=ADDR"): gzhyp boots the Linux kernel Image QEMU's generic
 * loader put at ADDR as the host VM, at EL1 under the core's identity stage 2 (filled lazily
 * by gz_host_s2_handle_fault), from which gzhyp's own memory is missing: its image (RAM base up
 * to the next 2 MiB) and its working memory (the top of the first RAM region) are hyp-owned.
 * The DTB Linux gets is QEMU's with the memory node shrunk to what the host may use and both
 * hyp ranges listed in the memory reservation block.
 *
 * The host has the GIC and the UART directly (HCR_EL2.IMO/FMO clear: physical interrupts go
 * to EL1, the core never sees them). Its SMCs trap (HCR_EL2.TSC): PSCI CPU_ON is redirected
 * so the CPU first enters gzhyp at EL2, then the host's entry at EL1; every other SMC is
 * forwarded to the firmware. HVCs are the gzvm hypercall ABI (gz_hostcall_dispatch). A host
 * access to memory it does not own is refused by the core and becomes a synchronous external
 * abort in the host.
 */
#include <uapi/linux/gzvm.h>
#include <arm64/decode.h>
#include <arm64/inject.h>
#include <gzhyp/fdt.h>
#include <gzabi/guest_calls.h>
#include <gzabi/hvc.h>
#include <gzhyp/hostcall.h>
#include <gzhyp/lib.h>
#include <gzhyp/log.h>
#include <gzhyp/mem.h>
#include <gzhyp/pvmfw.h>
#include <gzcrypto/cert.h>
#include <gzcrypto/ct.h>
#include <gzcrypto/hex.h>
#include <gzcrypto/hkdf.h>
#include <gzhyp/attest.h>
#include <gzhyp/s2pt.h>
#include <gzabi/status.h>
#include <gzhyp/vm.h>
#include <gzhyp/vmid.h>
#include <hal.h>
#include <arm64/sysreg_el2.h>

#include "el2.h"

#define HV_ALIGN	 0x200000UL
#define HV_WORK_SIZE	 0x2000000UL /* 32 MiB at the top of RAM region 0 */
#define HV_DTB_SPACE	 0x200000UL  /* the copied DTB, just below the working memory */
#define HV_PA_BITS	 40
#define HV_PSTATE_BOOT	 (PSR_MODE_EL1h | PSR_DAIF)
#define HV_CPU_ON_FAILED ((uint64_t)(int64_t)GZ_PSCI_RET_INVALID_PARAMETERS)

/* HCR_EL2 of the host VM: stage 2, AArch64 EL1, SMC trapped (PSCI), set/way as clean and
 * invalidate, broadcast TLB/barriers inner shareable; interrupts stay the host's. PTW (a
 * stage-1 walk that lands on device memory faults) as for guests: the host's tables are in
 * RAM, and a switch between host and guest that toggled it would flush the whole TLB once
 * more (QEMU's TCG flushes on every change of HCR_EL2.PTW). */
#define HV_HCR (HCR_VM | HCR_RW | HCR_TSC | HCR_SWIO | HCR_FB | HCR_BSU_IS | HCR_PTW)

static struct gz_cpu_ctx host_ctx[GZ_EL2_MAX_CPUS];
static volatile uint64_t host_entry[GZ_EL2_MAX_CPUS], host_ctxid[GZ_EL2_MAX_CPUS];
static volatile bool host_cpu_on[GZ_EL2_MAX_CPUS];
static uint64_t hv_vttbr, hv_vtcr;
static volatile uint64_t denied;

/* gz.pvmfw_key=HEX: the platform's trusted key for protected VMs' kernels (gzhyp/pvmfw.h),
 * from gzhyp's own command line, before the host runs: the host never gets to set it. */
static void platform_pvmfw_key(void)
{
	const char *v = gz_el2_bootarg_value("gz.pvmfw_key");
	uint8_t key[32];
	size_t n = 0;

	if (!v) {
		gz_printf("host: no gz.pvmfw_key: pvmfw refuses every kernel\n");
		return;
	}
	while (v[n] && v[n] != ' ')
		n++;
	if (!gzcrypto_hex_decode(key, sizeof(key), v, n)) {
		gz_printf("host: gz.pvmfw_key is not 64 hex digits: pvmfw refuses every kernel\n");
		return;
	}
	gz_pvmfw_set_platform_key(key);
	gz_printf("host: pvmfw's trusted key %02x%02x%02x%02x... from gzhyp's command line\n",
		  key[0], key[1], key[2], key[3]);
}

/* The per-boot secret of attestation (gzhyp/attest.h) from the boot DTB's /chosen/rng-seed
 * (QEMU's 32 random bytes, a boot loader's on hardware), in the host's copy @dtb of it: the
 * host gets other bytes in its place, derived one way from the seed, so it keeps its entropy
 * and never learns gzhyp's. Without a seed of at least 16 bytes nothing is attested. */
static void platform_secret(uint8_t *dtb)
{
	static const char secret_info[] = "opengz gzhyp per-boot secret";
	static const char host_info[] = "opengz host rng-seed";
	struct gz_fdt fdt;
	struct gz_fdt_prop seed;
	uint8_t secret[32], key[32];
	uint32_t total;
	int chosen;

	if (gz_fdt_totalsize(dtb, GZ_FDT_HEADER_SIZE, &total) < 0 ||
	    gz_fdt_check(&fdt, dtb, total) < 0 || (chosen = gz_fdt_path(&fdt, "/chosen")) < 0 ||
	    gz_fdt_getprop(&fdt, chosen, "rng-seed", &seed) != GZ_FDT_OK || seed.len < 16) {
		gz_printf("host: no rng-seed in the boot DTB: no attestation\n");
		return;
	}
	gzcrypto_hkdf_sha256(secret, sizeof(secret), NULL, 0, seed.data, seed.len, secret_info,
			     sizeof(secret_info) - 1);
	gzcrypto_hkdf_sha256((uint8_t *)seed.data, seed.len, NULL, 0, secret, sizeof(secret),
			     host_info, sizeof(host_info) - 1);
	gz_attest_set_secret(secret);
	gzcrypto_wipe(secret, sizeof(secret));
	gz_attest_public_key(key);
	gz_printf("host: attestation key ");
	for (unsigned i = 0; i < sizeof(key); i++)
		gz_printf("%02x", key[i]);
	gz_printf(" (the VMs' reports are signed with it)\n");
}

/* gz.attest_root: the platform's attestation root (an Ed25519 seed, platform.c took it off the
 * command line) certifies this boot's attestation key, and is forgotten: gzhyp signs nothing
 * else with it. The host's copy @dtb of the command line gets stars in its place. */
static void platform_attest_root(uint8_t *dtb)
{
	struct gz_fdt fdt;
	struct gz_fdt_prop args;
	uint8_t root[32], cert[GZCRYPTO_CERT_SIZE];
	uint32_t total;
	int chosen, st = gz_el2_attest_root(root);

	if (gz_fdt_totalsize(dtb, GZ_FDT_HEADER_SIZE, &total) == 0 &&
	    gz_fdt_check(&fdt, dtb, total) == 0 && (chosen = gz_fdt_path(&fdt, "/chosen")) >= 0 &&
	    gz_fdt_getprop(&fdt, chosen, "bootargs", &args) == GZ_FDT_OK && args.len &&
	    args.data[args.len - 1] == '\0')
		gz_el2_bootarg_scrub((char *)args.data, "gz.attest_root");
	if (st <= 0) {
		gz_printf("host: %s: the attestation key is not certified\n",
			  st ? "gz.attest_root is not 64 hex digits" : "no gz.attest_root");
		return;
	}
	st = gz_attest_certify(root);
	gzcrypto_wipe(root, sizeof(root));
	if (!st || !gz_attest_certificate(cert)) {
		gz_printf("host: no attestation key to certify\n");
		return;
	}
	gz_printf("host: attestation certificate ");
	for (unsigned i = 0; i < sizeof(cert); i++)
		gz_printf("%02x", cert[i]);
	gz_printf(" (the attestation key, certified by the platform's root %02x%02x%02x%02x...)\n",
		  cert[16], cert[17], cert[18], cert[19]);
}

static __attribute__((noreturn)) void hv_fail(const char *what, int64_t st)
{
	gz_printf("host: failed: %s (%ld)\n", what, (long)st);
	gz_el2_exit(GZ_EL2_EXIT_FAIL);
}

static void be64_write(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void be32_write(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* FDT header fields (big-endian words) and the node gzhyp adds for the gzvm driver. */
#define FDT_TOTALSIZE	 4
#define FDT_OFF_STRUCT	 8
#define FDT_OFF_STRINGS	 12
#define FDT_OFF_RSVMAP	 16
#define FDT_SIZE_STRINGS 32
#define FDT_SIZE_STRUCT	 36
#define FDT_RSV_ENTRY	 16
#define FDT_TOKEN	 4
#define HV_NODE_NAME	 "hypervisor"
#define HV_NODE_COMPAT	 "mediatek,geniezone"
#define HV_PROP_NAME	 "compatible"

static uint32_t pad4(uint32_t n)
{
	return (n + 3U) & ~3U;
}

/* Build the host's DTB at @dst from QEMU's (@src): header, the reservation block with
 * gzhyp's two ranges added, the structure block with the memory node's one range set to
 * [@base, @base + @size) and a "hypervisor" node (compatible "mediatek,geniezone", which
 * gzvm.ko binds) appended to the root, then the strings with "compatible" appended for that
 * node. Both are host memory, reached through the host window (mmu.c). */
static void make_host_dtb(uint8_t *dst, const uint8_t *src, uint64_t base, uint64_t size,
			  uint64_t r0, uint64_t r0s, uint64_t r1, uint64_t r1s)
{
	struct gz_fdt fdt;
	struct gz_fdt_prop reg;
	uint32_t total, nrsv = 0, root_end, o, node_len, off_struct, size_struct, off_strings;
	uint64_t a, sz;
	int node = -1, depth = 0, r;

	if (gz_fdt_totalsize(src, GZ_FDT_HEADER_SIZE, &total) < 0 ||
	    gz_fdt_check(&fdt, src, total) < 0 || total + GZ_PAGE_SIZE > HV_DTB_SPACE)
		hv_fail("boot DTB", GZ_ERR_INVALID_ARGS);
	/* the memory node: exactly one (address, size) pair of 2 + 2 cells */
	while ((node = gz_fdt_next_node(&fdt, node, &depth)) >= 0) {
		struct gz_fdt_prop dt;

		if (gz_fdt_getprop(&fdt, node, "device_type", &dt) == GZ_FDT_OK && dt.len == 7 &&
		    gz_memcmp(dt.data, "memory", 7) == 0)
			break;
	}
	r = node < 0 ? node : gz_fdt_getprop(&fdt, node, "reg", &reg);
	if (r != GZ_FDT_OK || reg.len != 16)
		hv_fail("memory node (one 64-bit range expected)", r);
	/* the structure block ends with the root's END_NODE and FDT_END */
	root_end = fdt.size_struct - 2 * FDT_TOKEN;
	if (fdt.size_struct < 2 * FDT_TOKEN ||
	    be32(src + fdt.off_struct + root_end) != GZ_FDT_END_NODE ||
	    be32(src + fdt.off_struct + root_end + FDT_TOKEN) != GZ_FDT_END)
		hv_fail("boot DTB structure block does not end with the root", GZ_ERR_INVALID_ARGS);
	while (gz_fdt_rsv(&fdt, nrsv, &a, &sz) == GZ_FDT_OK)
		nrsv++;

	gz_memset(dst, 0, HV_DTB_SPACE);
	gz_memcpy(dst, src, GZ_FDT_HEADER_SIZE);
	o = GZ_FDT_HEADER_SIZE;
	be32_write(dst + FDT_OFF_RSVMAP, o);
	gz_memcpy(dst + o, src + fdt.off_rsvmap, nrsv * FDT_RSV_ENTRY);
	o += nrsv * FDT_RSV_ENTRY;
	be64_write(dst + o, r0);
	be64_write(dst + o + 8, r0s);
	be64_write(dst + o + FDT_RSV_ENTRY, r1);
	be64_write(dst + o + FDT_RSV_ENTRY + 8, r1s);
	o += 3 * FDT_RSV_ENTRY; /* two entries and the zero terminator */

	off_struct = o;
	gz_memcpy(dst + o, src + fdt.off_struct, root_end);
	o += root_end;
	be32_write(dst + o, GZ_FDT_BEGIN_NODE);
	gz_memcpy(dst + o + FDT_TOKEN, HV_NODE_NAME, sizeof(HV_NODE_NAME));
	o += FDT_TOKEN + pad4(sizeof(HV_NODE_NAME));
	be32_write(dst + o, GZ_FDT_PROP);
	be32_write(dst + o + FDT_TOKEN, sizeof(HV_NODE_COMPAT));
	be32_write(dst + o + 2 * FDT_TOKEN, fdt.size_strings); /* the appended "compatible" */
	gz_memcpy(dst + o + 3 * FDT_TOKEN, HV_NODE_COMPAT, sizeof(HV_NODE_COMPAT));
	o += 3 * FDT_TOKEN + pad4(sizeof(HV_NODE_COMPAT));
	be32_write(dst + o, GZ_FDT_END_NODE);
	o += FDT_TOKEN;
	node_len = o - (off_struct + root_end);
	be32_write(dst + o, GZ_FDT_END_NODE);
	be32_write(dst + o + FDT_TOKEN, GZ_FDT_END);
	o += 2 * FDT_TOKEN;
	size_struct = fdt.size_struct + node_len;

	off_strings = o;
	gz_memcpy(dst + o, src + fdt.off_strings, fdt.size_strings);
	o += fdt.size_strings;
	gz_memcpy(dst + o, HV_PROP_NAME, sizeof(HV_PROP_NAME));
	o += sizeof(HV_PROP_NAME);

	be32_write(dst + FDT_OFF_STRUCT, off_struct);
	be32_write(dst + FDT_SIZE_STRUCT, size_struct);
	be32_write(dst + FDT_OFF_STRINGS, off_strings);
	be32_write(dst + FDT_SIZE_STRINGS, fdt.size_strings + (uint32_t)sizeof(HV_PROP_NAME));
	be32_write(dst + FDT_TOTALSIZE, pad4(o));
	{
		uint32_t at = off_struct + (uint32_t)(reg.data - (src + fdt.off_struct));

		be64_write(dst + at, base);
		be64_write(dst + at + 8, size);
	}
	r = gz_fdt_check(&fdt, dst, pad4(o));
	if (r < 0 || gz_fdt_path(&fdt, "/" HV_NODE_NAME) < 0)
		hv_fail("rewritten DTB does not check", r);
}

static void reset_host_ctx(struct gz_cpu_ctx *c, uint64_t entry, uint64_t x0)
{
	gz_memset(c, 0, sizeof(*c));
	c->pc = entry;
	c->x[0] = x0;
	c->pstate = HV_PSTATE_BOOT;
	c->sys[GZ_SYS_SCTLR_EL1] = SCTLR_EL1_RESET;
	c->hcr_el2 = HV_HCR;
	c->vttbr_el2 = hv_vttbr;
	c->vtcr_el2 = hv_vtcr;
	c->vmpidr_el2 = gz_sysreg_read(mpidr_el1);
	c->vpidr_el2 = 0; /* the physical MIDR */
	c->cntvoff_el2 = 0;
	c->cnthctl_el2 = CNTHCTL_EL1PCTEN; /* its counter is the CPU's; the timer traps */
}

static unsigned cpu_of_mpidr(uint64_t mpidr)
{
	for (unsigned i = 0; i < gz_el2_platform.nr_cpus && i < GZ_EL2_MAX_CPUS; i++)
		if (gz_el2_platform.cpu_mpidr[i] == (mpidr & MPIDR_AFF_MASK))
			return i;
	return GZ_EL2_MAX_CPUS;
}

static void host_smc(struct gz_cpu_ctx *c)
{
	uint64_t fid = c->x[0] & 0xffffffffUL;

	c->pc += 4; /* a trapped SMC returns to itself */
	if (fid == GZ_PSCI_CPU_ON_64 || fid == GZ_PSCI_CPU_ON_32) {
		unsigned idx = cpu_of_mpidr(c->x[1]);

		if (idx >= GZ_EL2_MAX_CPUS) {
			c->x[0] = HV_CPU_ON_FAILED;
			return;
		}
		host_entry[idx] = fid == GZ_PSCI_CPU_ON_32 ? c->x[2] & 0xffffffffUL : c->x[2];
		host_ctxid[idx] = c->x[3];
		__atomic_store_n(&host_cpu_on[idx], true, __ATOMIC_RELEASE);
		c->x[0] = (uint64_t)gz_psci_cpu_on(
		    c->x[1] & MPIDR_AFF_MASK, (uint64_t)(uintptr_t)gz_el2_secondary_entry, idx);
		if (c->x[0] != 0)
			__atomic_store_n(&host_cpu_on[idx], false, __ATOMIC_RELEASE);
		return;
	}
	c->x[0] = (uint64_t)gz_psci_fw_call(fid, c->x[1], c->x[2], c->x[3]);
}

static bool host_timer_armed(const struct gz_cpu_ctx *c)
{
	uint64_t ctl = c->sys[GZ_SYS_CNTV_CTL_EL0];

	return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK);
}

static void host_hvc(struct gz_cpu_ctx *c)
{
	struct gz_smccc_regs r;

	if (GZ_SMCCC_OWNER(c->x[0]) != GZ_HVC_OWNER_MTK) {
		c->x[0] = (uint64_t)(int64_t)GZ_SMCCC_RET_NOT_SUPPORTED;
		return;
	}
	for (unsigned i = 0; i < 8; i++)
		r.a[i] = c->x[i];
	/* A RUN puts a guest's virtual timer on this CPU: the host's own timer (its scheduler
	 * tick) would not fire until the guest exits for another reason, and a spinning vCPU
	 * would keep the CPU. The host's deadline moves to the EL2 timer (the host's CNTVOFF is
	 * 0, so its virtual count is the physical one): when it passes, the guest exits with an
	 * IRQ, the RUN returns, and the host's restored timer fires at once. Other calls leave
	 * the host's timer where it is. */
	if (r.a[0] == GZ_HVC_RUN && host_timer_armed(c)) {
		gz_el2_gic_guest_enter(); /* PPI 26 among the guest's */
		gz_el2_tick_arm_at(c->sys[GZ_SYS_CNTV_CVAL_EL0]);
		gz_hostcall_dispatch(&r);
		gz_el2_tick_mask(); /* not gz_el2_tick_arm(0): the next RUN only unmasks it */
	} else {
		gz_hostcall_dispatch(&r);
	}
	for (unsigned i = 0; i < 4; i++)
		c->x[i] = r.a[i];
}

/* A host abort at stage 2: a missing mapping (translation or access-flag fault) of the
 * host's own memory is filled in and the access runs again; anything else (memory the host
 * does not own, or a permission or other stage-2 fault, which would come back at once after
 * an "already mapped" success) becomes a synchronous external abort in the host, as
 * hardware gives for memory that answers with an error. */
static void host_abort(struct gz_cpu_ctx *c, const struct gz_exit_desc *d)
{
	const struct gz_exit_abort *ab = &d->abort;

	if ((ab->kind == GZ_FAULT_TRANSLATION || ab->kind == GZ_FAULT_ACCESS_FLAG) &&
	    gz_host_s2_handle_fault(ab->ipa & GZ_PAGE_MASK) == GZ_OK)
		return;
	if (__atomic_fetch_add(&denied, 1, __ATOMIC_RELAXED) < 4)
		gz_printf("host: access to 0x%lx refused (not the host's memory)\n", ab->ipa);
	if (d->type == GZ_XT_IABT)
		arm64_inject_iabt(c, ab->va);
	else
		arm64_inject_dabt(c, ab->va, ab->write);
}

static __attribute__((noreturn)) void host_loop(struct gz_cpu_ctx *c)
{
	for (;;) {
		struct gz_exit_record e;
		struct gz_exit_desc d;

		if (gz_hal_vcpu_run(c, &e) < 0)
			hv_fail("host entry refused", GZ_ERR_INVALID_ARGS);
		arm64_exit_decode(&e, &d);
		switch (d.type) {
		case GZ_XT_IRQ:
		case GZ_XT_FAIL_ENTRY:
			break;
		case GZ_XT_SERROR:
			gz_printf("host: SError, ESR_EL2=0x%lx\n", e.esr);
			break;
		case GZ_XT_HVC:
			host_hvc(c);
			break;
		case GZ_XT_SMC:
			host_smc(c);
			break;
		case GZ_XT_DABT:
		case GZ_XT_IABT:
			host_abort(c, &d);
			break;
		default:
			gz_printf("host: unhandled exit ESR_EL2=0x%lx at 0x%lx\n", e.esr, c->pc);
			hv_fail("host exit", GZ_ERR_NOT_SUPPORTED);
		}
	}
}

void gz_el2_host_secondary(unsigned cpu)
{
	if (cpu >= GZ_EL2_MAX_CPUS || !__atomic_load_n(&host_cpu_on[cpu], __ATOMIC_ACQUIRE))
		return; /* gzhyp's own bring-up: back to the firmware */
	reset_host_ctx(&host_ctx[cpu], host_entry[cpu], host_ctxid[cpu]);
	host_loop(&host_ctx[cpu]);
}

void gz_el2_host_boot(void)
{
	const struct gz_el2_platform *p = &gz_el2_platform;
	const char *v = gz_el2_bootarg_value("gz.kernel");
	struct gz_core_config cfg = {0};
	uint64_t kernel, low_end = GZ_ALIGN_UP((uint64_t)(uintptr_t)_end, HV_ALIGN);
	uint64_t work, dtb, host_base, host_size;
	uint8_t *dst, *src;
	int64_t st;

	if (!v || !gz_el2_parse_u64(v, &kernel) || kernel & (HV_ALIGN - 1))
		hv_fail("gz.kernel=ADDR (2 MiB aligned) missing", GZ_ERR_INVALID_ARGS);
	if (p->nr_mem < 1 || p->mem_size[0] < HV_WORK_SIZE * 4)
		hv_fail("RAM region 0 too small", GZ_ERR_NO_MEMORY);
	work = p->mem_base[0] + p->mem_size[0] - HV_WORK_SIZE;
	dtb = work - HV_DTB_SPACE;
	host_base = low_end;
	host_size = work - host_base;
	if (kernel < host_base || kernel >= dtb || p->dtb_pa + HV_DTB_SPACE > work)
		hv_fail("the kernel or the DTB overlaps gzhyp's memory", GZ_ERR_INVALID_ARGS);

	cfg.mem.hyp_base = p->mem_base[0];
	cfg.mem.hyp_size = low_end - p->mem_base[0];
	cfg.mem.work_base = work;
	cfg.mem.work_size = HV_WORK_SIZE;
	/* QEMU virt's high MMIO (PCIe ECAM at 256 GiB, 64-bit BARs up to 1 TiB) is the host's
	 * too: its stage 2 spans 40 bits, not just the RAM's. */
	cfg.mem.pa_bits = HV_PA_BITS;
	st = gz_core_init(&cfg);
	if (st)
		hv_fail("gz_core_init", st);
	platform_pvmfw_key();
	gz_el2_mmu_pool_ready();
	hv_vttbr = gz_s2pt_vttbr(gz_mem_host_s2());
	hv_vtcr = gz_s2pt_vtcr(gz_mem_host_s2()) | gz_vmid_vtcr_vs(gz_vm_vmid_alloc());
	/* gzhyp reads QEMU's DTB and writes the host's only here, before the host runs: the
	 * host window is open for the two ranges for that long. */
	src = gz_el2_host_window_open(p->dtb_pa, HV_DTB_SPACE, false);
	dst = gz_el2_host_window_open(dtb, HV_DTB_SPACE, true);
	if (!src || !dst)
		hv_fail("host window on the DTBs", GZ_ERR_NO_MEMORY);
	make_host_dtb(dst, src, host_base, host_size, p->mem_base[0], low_end - p->mem_base[0],
		      work, HV_WORK_SIZE);
	platform_secret(dst);
	platform_attest_root(dst);
	gz_hal_dcache_clean_inval(dst, HV_DTB_SPACE);
	gz_el2_host_window_close(dtb, HV_DTB_SPACE);
	gz_el2_host_window_close(p->dtb_pa, HV_DTB_SPACE);
	gz_printf("host: Linux at 0x%lx, DTB 0x%lx; host memory 0x%lx-0x%lx; gzhyp keeps "
		  "0x%lx-0x%lx and 0x%lx-0x%lx (reserved in the DTB, not in the host's stage 2)\n",
		  kernel, dtb, host_base, work, p->mem_base[0], low_end, work, work + HV_WORK_SIZE);
	reset_host_ctx(&host_ctx[0], kernel, dtb);
	host_loop(&host_ctx[0]);
}
