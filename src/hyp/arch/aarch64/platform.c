/* The machine as the boot DTB describes it: RAM regions, CPUs (MPIDRs), the GICv3
 * distributor and redistributors, the console UART and the command line. The DTB is
 * untrusted input: it is validated by gz_fdt_check and every value is checked before use. */
#include <gzcrypto/ct.h>
#include <gzcrypto/hex.h>
#include <gzhyp/fdt.h>
#include <gzhyp/lib.h>

#include "el2.h"

struct gz_el2_platform gz_el2_platform;
const char *gz_el2_platform_stage = "header";
static struct gz_fdt boot_fdt;

static int read_memory(const struct gz_fdt *fdt, struct gz_el2_platform *p)
{
	uint64_t base, size;
	int rc;

	for (unsigned i = 0;; i++) {
		rc = gz_fdt_find_memory(fdt, i, &base, &size);
		if (rc == GZ_FDT_E_NOTFOUND)
			break;
		if (rc < 0)
			return rc;
		if (size == 0)
			continue;
		if (p->nr_mem == GZ_EL2_MAX_MEM)
			break; /* more regions than we track: use the first ones */
		p->mem_base[p->nr_mem] = base;
		p->mem_size[p->nr_mem] = size;
		p->nr_mem++;
	}
	return p->nr_mem ? GZ_FDT_OK : GZ_FDT_E_NOTFOUND;
}

static int read_cpus(const struct gz_fdt *fdt, struct gz_el2_platform *p)
{
	struct gz_fdt_prop prop;
	int cpus = gz_fdt_path(fdt, "/cpus"), n = -1, rc;
	uint64_t mpidr, size;

	if (cpus < 0)
		return cpus;
	p->cpus_psci = true;
	for (;;) {
		n = gz_fdt_next_subnode(fdt, cpus, n);
		if (n == GZ_FDT_E_NOTFOUND)
			break;
		if (n < 0)
			return n;
		if (gz_fdt_getprop(fdt, n, "device_type", &prop) < 0 ||
		    !gz_fdt_stringlist_contains(&prop, "cpu"))
			continue;
		rc = gz_fdt_reg(fdt, n, 0, &mpidr, &size);
		if (rc < 0)
			return rc;
		if (gz_fdt_getprop(fdt, n, "enable-method", &prop) < 0 ||
		    !gz_fdt_stringlist_contains(&prop, "psci"))
			p->cpus_psci = false;
		if (p->nr_cpus < GZ_EL2_MAX_CPUS)
			p->cpu_mpidr[p->nr_cpus] = mpidr;
		p->nr_cpus++;
	}
	return p->nr_cpus ? GZ_FDT_OK : GZ_FDT_E_NOTFOUND;
}

static int read_gic(const struct gz_fdt *fdt, struct gz_el2_platform *p)
{
	int gic = gz_fdt_find_compatible(fdt, -1, "arm,gic-v3");
	int rc;

	if (gic < 0)
		return gic;
	rc = gz_fdt_reg(fdt, gic, 0, &p->gicd_base, &p->gicd_size);
	if (rc < 0)
		return rc;
	return gz_fdt_reg(fdt, gic, 1, &p->gicr_base, &p->gicr_size);
}

/* The UART /chosen/stdout-path names ("path[:options]"), else the first PL011. */
static int read_uart(const struct gz_fdt *fdt, int chosen, struct gz_el2_platform *p)
{
	struct gz_fdt_prop prop;
	char path[128];
	int uart = GZ_FDT_E_NOTFOUND;
	uint64_t size;

	if (chosen >= 0 && gz_fdt_getprop(fdt, chosen, "stdout-path", &prop) == GZ_FDT_OK &&
	    prop.len > 0 && prop.len <= sizeof(path) && prop.data[prop.len - 1] == 0) {
		size_t i;

		for (i = 0; i < prop.len - 1 && prop.data[i] != ':'; i++)
			path[i] = (char)prop.data[i];
		path[i] = 0;
		uart = gz_fdt_path(fdt, path);
		if (uart >= 0 && gz_fdt_getprop(fdt, uart, "compatible", &prop) == GZ_FDT_OK &&
		    !gz_fdt_stringlist_contains(&prop, "arm,pl011"))
			uart = GZ_FDT_E_NOTFOUND; /* not a UART this console drives */
	}
	if (uart < 0)
		uart = gz_fdt_find_compatible(fdt, -1, "arm,pl011");
	if (uart < 0)
		return uart;
	return gz_fdt_reg(fdt, uart, 0, &p->uart_base, &size);
}

/* gz.attest_root=HEX: taken out of the command line as soon as it is copied, before anything
 * prints it, and kept until hostvm.c certifies the attestation key with it. */
static uint8_t attest_root[32];
static int attest_root_state;

static void take_attest_root(char *args)
{
	const char *v = gz_el2_bootarg_value("gz.attest_root");
	size_t n = 0;

	if (!v)
		return;
	while (v[n] && v[n] != ' ')
		n++;
	attest_root_state = gzcrypto_hex_decode(attest_root, sizeof(attest_root), v, n) ? 1 : -1;
	gz_el2_bootarg_scrub(args, "gz.attest_root");
}

int gz_el2_attest_root(uint8_t out[32])
{
	int st = attest_root_state;

	if (st == 1)
		gz_memcpy(out, attest_root, sizeof(attest_root));
	gzcrypto_wipe(attest_root, sizeof(attest_root));
	attest_root_state = 0;
	return st;
}

/* Copied into the image: the DTB is the host's memory, which gzhyp does not keep mapped
 * once its MMU is on (mmu.c). A command line that does not fit is refused. */
static int read_bootargs(const struct gz_fdt *fdt, int chosen, struct gz_el2_platform *p)
{
	static char buf[GZ_EL2_BOOTARGS_MAX];
	struct gz_fdt_prop prop;
	size_t n;

	if (chosen < 0 || gz_fdt_getprop(fdt, chosen, "bootargs", &prop) != GZ_FDT_OK ||
	    prop.len == 0)
		return GZ_FDT_OK;
	n = gz_strnlen((const char *)prop.data, prop.len);
	if (n == prop.len)
		return GZ_FDT_OK; /* not terminated: ignored, as before */
	if (n >= sizeof(buf))
		return GZ_FDT_E_BADLAYOUT;
	gz_memcpy(buf, prop.data, n + 1);
	p->bootargs = buf;
	take_attest_root(buf);
	return GZ_FDT_OK;
}

int gz_el2_platform_init(const void *dtb)
{
	struct gz_el2_platform *p = &gz_el2_platform;
	uint32_t total;
	int rc, chosen;

	gz_el2_platform_stage = "header";
	if (!dtb)
		return GZ_FDT_E_BADARG;
	rc = gz_fdt_totalsize(dtb, GZ_FDT_HEADER_SIZE, &total);
	if (rc < 0)
		return rc;
	if (total > GZ_FDT_MAX_SIZE)
		return GZ_FDT_E_BADLAYOUT;
	rc = gz_fdt_check(&boot_fdt, dtb, total);
	if (rc < 0)
		return rc;
	gz_memset(p, 0, sizeof(*p));
	gz_el2_platform_stage = "memory";
	rc = read_memory(&boot_fdt, p);
	if (rc < 0)
		return rc;
	gz_el2_platform_stage = "cpus";
	rc = read_cpus(&boot_fdt, p);
	if (rc < 0)
		return rc;
	gz_el2_platform_stage = "gicv3";
	rc = read_gic(&boot_fdt, p);
	if (rc < 0)
		return rc;
	gz_el2_platform_stage = "uart";
	chosen = gz_fdt_path(&boot_fdt, "/chosen");
	rc = read_uart(&boot_fdt, chosen, p);
	if (rc < 0)
		return rc;
	gz_el2_platform_stage = "bootargs";
	rc = read_bootargs(&boot_fdt, chosen, p);
	if (rc < 0)
		return rc;
	gz_el2_platform_stage = "done";
	return GZ_FDT_OK;
}
