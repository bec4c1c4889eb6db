/*
 * opengz's pvmfw: the first code a protected VM runs (docs/security.md "Verified boot"). It
 * asks gzhyp for the platform's trusted key, finds the boot signature block, the bootargs
 * and the initrd in the device tree the host wrote, reads the machine it describes (its memory
 * and devices, gzhyp/fdt_vmdesc.h), checks with gzhyp that the device tree, the memory it
 * names, the kernel and the initrd lie in the VM's own memory, and verifies all of it against
 * the block (gzcrypto_bootsig_verify). Then it starts the kernel at its first byte, as booting.rst
 * wants it (x0 = the device tree), after it handed gzhyp the kernel's, the initrd's and the
 * configuration's measurements (HANDOVER: gzhyp writes the VM's CDI into the DICE page); on any
 * failure it tells gzhyp why (REFUSE, which the host reports) and powers the VM off, so the
 * kernel never runs.
 *
 * Everything it reads it reads from the VM's memory, which is the VM's alone once touched
 * (donated): what it verified is what the kernel gets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <gzabi/guest_calls.h>
#include <gzabi/pvmfw.h>
#include <gzcrypto/bootsig.h>
#include <gzhyp/fdt.h>
#include <gzhyp/fdt_vmdesc.h>
#include <gzhyp/lib.h>

#define UART_DR 0x09000000UL /* the PL011 gzvmm puts on every VM (QEMU virt's) */
#define DTB_MAX (2U << 20)   /* the booting protocol's limit */

struct boot {
	uint64_t dtb, kernel;
	const char *bootargs;
	size_t bootargs_len;
	uint64_t initrd, initrd_size;
	const uint8_t *sig;
	size_t sig_len;
	struct gz_vmdesc machine;
};

static uint64_t smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

static void say(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	gz_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *p = line; *p; p++)
		*(volatile uint32_t *)UART_DR = (uint8_t)*p;
}

static const char *reason(unsigned code)
{
	switch (code) {
	case GZ_PVMFW_REFUSE_NO_KEY:
		return "no trusted key";
	case GZ_PVMFW_REFUSE_NO_SIG:
		return "no boot signature block";
	case GZ_PVMFW_REFUSE_BAD_DT:
		return "device tree unusable";
	case GZ_PVMFW_REFUSE_BAD_IMAGES:
		return "kernel or initrd outside the VM's memory";
	case GZ_PVMFW_REFUSE_BAD_MEMORY:
		return "device tree's memory is not the VM's memory";
	default:
		return gzcrypto_bootsig_error((enum gzcrypto_bootsig_status)code);
	}
}

static __attribute__((noreturn)) void refuse(unsigned code)
{
	say("pvmfw: refused: %s\n", reason(code));
	smc(GZ_VENDOR_HYP_PVMFW_REFUSE, code, 0, 0);
	smc(GZ_PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void pvmfw_exception(uint64_t esr, uint64_t elr, uint64_t far)
{
	say("pvmfw: exception ESR 0x%lx at 0x%lx (FAR 0x%lx)\n", esr, elr, far);
	refuse(GZ_PVMFW_REFUSE_BAD_DT);
}

/* Is [ipa, ipa + len) memory gzhyp gives this VM? (Not MMIO the host would answer.) */
static bool vm_ram(uint64_t ipa, uint64_t len)
{
	return smc(GZ_VENDOR_HYP_PVMFW_RAM, ipa, len, 0) == GZ_SMCCC_RET_SUCCESS;
}

static bool cells(const struct gz_fdt_prop *p, uint64_t *v)
{
	return (p->len == 4 || p->len == 8) && gz_fdt_read_cells(p->data, p->len / 4, v) == 0;
}

/* bootargs, the initrd's range and the signature block from /chosen; the machine. */
static unsigned read_dt(struct boot *b)
{
	struct gz_fdt fdt;
	struct gz_fdt_prop p, q;
	uint32_t total;
	uint64_t start, end;
	int chosen;

	if ((b->dtb & 7) || !vm_ram(b->dtb, GZ_FDT_HEADER_SIZE) ||
	    gz_fdt_totalsize((const void *)b->dtb, GZ_FDT_HEADER_SIZE, &total) != GZ_FDT_OK ||
	    total > DTB_MAX || !vm_ram(b->dtb, total) ||
	    gz_fdt_check(&fdt, (const void *)b->dtb, total) != GZ_FDT_OK)
		return GZ_PVMFW_REFUSE_BAD_DT;
	if (gz_vmdesc_read(&b->machine, &fdt) != GZ_FDT_OK)
		return GZ_PVMFW_REFUSE_BAD_DT;
	chosen = gz_fdt_path(&fdt, "/chosen");
	if (chosen < 0 || gz_fdt_getprop(&fdt, chosen, GZ_PVMFW_DT_BOOTSIG, &p) != GZ_FDT_OK)
		return GZ_PVMFW_REFUSE_NO_SIG;
	b->sig = p.data;
	b->sig_len = p.len;
	b->bootargs = "";
	if (gz_fdt_getprop(&fdt, chosen, "bootargs", &p) == GZ_FDT_OK) {
		/* a string property: its bytes up to the NUL are the command line */
		if (!p.len || p.data[p.len - 1] != '\0')
			return GZ_PVMFW_REFUSE_BAD_DT;
		b->bootargs = (const char *)p.data;
		b->bootargs_len = p.len - 1;
	}
	if (gz_fdt_getprop(&fdt, chosen, "linux,initrd-start", &p) == GZ_FDT_OK) {
		if (gz_fdt_getprop(&fdt, chosen, "linux,initrd-end", &q) != GZ_FDT_OK ||
		    !cells(&p, &start) || !cells(&q, &end) || end < start)
			return GZ_PVMFW_REFUSE_BAD_DT;
		b->initrd = start;
		b->initrd_size = end - start;
	}
	return 0;
}

static uint64_t mem_total(const struct gz_vmdesc *d)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < d->nmem; i++)
		n += d->mem_size[i];
	return n;
}

/* 0 when the kernel may start, or why not. On success @s holds the verified block, whose
 * digests are the kernel's, the initrd's and the bootargs' measurements. */
static unsigned verify(struct boot *b, const uint8_t key[32], struct gzcrypto_bootsig *s)
{
	enum gzcrypto_bootsig_status st;
	unsigned code = read_dt(b);

	if (code)
		return code;
	/* The block first: until its signature holds, its sizes mean nothing. */
	st = gzcrypto_bootsig_open(s, b->sig, b->sig_len, key);
	if (st != GZCRYPTO_BOOTSIG_OK)
		return st;
	if (!s->kernel_size || !vm_ram(b->kernel, s->kernel_size) ||
	    (b->initrd_size && !vm_ram(b->initrd, b->initrd_size)))
		return GZ_PVMFW_REFUSE_BAD_IMAGES;
	/* What the device tree calls memory must be memory gzhyp gives the VM: a host that
	 * describes other memory (and signs that) is caught here, whatever it signed. */
	for (unsigned i = 0; i < b->machine.nmem; i++)
		if (!b->machine.mem_size[i] ||
		    !vm_ram(b->machine.mem_base[i], b->machine.mem_size[i]))
			return GZ_PVMFW_REFUSE_BAD_MEMORY;
	st = gzcrypto_bootsig_verify(b->sig, b->sig_len, key, (const void *)b->kernel,
				     s->kernel_size, (const void *)b->initrd, b->initrd_size,
				     b->bootargs, b->bootargs_len, b->machine.memory_sha256,
				     b->machine.devices_sha256);
	if (st != GZCRYPTO_BOOTSIG_OK)
		return st;
	say("pvmfw: verified kernel (%lu bytes), initrd (%lu bytes), bootargs (%lu bytes), "
	    "memory (%lu MiB), devices (%u)\n",
	    (unsigned long)s->kernel_size, (unsigned long)b->initrd_size,
	    (unsigned long)b->bootargs_len, (unsigned long)(mem_total(&b->machine) >> 20),
	    b->machine.ndevices);
	return 0;
}

/* Returns the kernel's entry (start.S jumps there with x0 = @dtb), or does not return. */
uint64_t pvmfw_main(uint64_t dtb, uint64_t kernel)
{
	struct boot b;
	struct gzcrypto_bootsig s;
	uint8_t key[32], m[3][32];
	unsigned code;
	uint64_t r;

	/* not an initializer: the compiler would call memset, which is not here */
	gz_memset(&b, 0, sizeof(b));
	b.dtb = dtb;
	b.kernel = kernel;

	if (smc(GZ_VENDOR_HYP_PVMFW_KEY, (uint64_t)(uintptr_t)key, 0, 0) != GZ_SMCCC_RET_SUCCESS)
		refuse(GZ_PVMFW_REFUSE_NO_KEY);
	code = verify(&b, key, &s);
	if (code)
		refuse(code);
	/* The measurements gzhyp attests and derives the VM's CDI from: what was just checked.
	 * A platform without a per-boot secret attests nothing; the kernel still starts. */
	gz_memcpy(m[0], s.kernel_sha256, 32);
	gz_memcpy(m[1], s.initrd_sha256, 32);
	gzcrypto_bootsig_config(m[2], &s);
	r = smc(GZ_VENDOR_HYP_PVMFW_HANDOVER, (uint64_t)(uintptr_t)m, 0, 0);
	if (r != GZ_SMCCC_RET_SUCCESS && r != (uint64_t)GZ_SMCCC_RET_NOT_SUPPORTED)
		say("pvmfw: no DICE handover (%ld)\n", (long)r);
	return kernel;
}
