/* Device-tree generation with libfdt's sequential-write API. Interrupt specifiers use the
 * GICv3 binding: <type number flags>, type 0 = SPI, 1 = PPI. */
#include "fdt_build.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"
#include <gzabi/pvmfw.h>

#define GIC_SPI		0U
#define GIC_PPI		1U
#define IRQ_EDGE_RISING 1U
#define IRQ_LEVEL_HIGH	4U
/* Architected timer PPIs: secure phys, non-secure phys, virtual, hypervisor. */
static const uint32_t timer_ppis[4] = {13, 14, 11, 10};

#define CHK(x)                                                                                     \
	do {                                                                                       \
		if ((x) != 0)                                                                      \
			return -1;                                                                 \
	} while (0)

static int prop_reg(void *fdt, const uint64_t *pairs, unsigned n)
{
	fdt64_t cells[8];

	for (unsigned i = 0; i < n * 2; i++)
		cells[i] = cpu_to_fdt64(pairs[i]);
	return fdt_property(fdt, "reg", cells, n * 2 * sizeof(fdt64_t));
}

static int prop_cells(void *fdt, const char *name, const uint32_t *v, unsigned n)
{
	fdt32_t cells[16];

	for (unsigned i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, cells, n * sizeof(fdt32_t));
}

static int begin_at(void *fdt, const char *name, uint64_t addr)
{
	char node[64];

	snprintf(node, sizeof(node), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(fdt, node);
}

static int add_cpus(void *fdt, unsigned cpus)
{
	CHK(fdt_begin_node(fdt, "cpus"));
	CHK(fdt_property_u32(fdt, "#address-cells", 1));
	CHK(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < cpus; i++) {
		CHK(begin_at(fdt, "cpu", i));
		CHK(fdt_property_string(fdt, "device_type", "cpu"));
		CHK(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
		CHK(fdt_property_string(fdt, "enable-method", "psci"));
		/* MPIDR affinity of vCPU i: Aff0 = i. */
		CHK(fdt_property_u32(fdt, "reg", i));
		CHK(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int add_gic(void *fdt, unsigned cpus)
{
	uint64_t reg[4] = {VMM_GIC_DIST_BASE, ARCH_GICD_SIZE, VMM_GIC_REDIST_BASE,
			   ARCH_GICR_STRIDE * cpus};

	CHK(begin_at(fdt, "intc", VMM_GIC_DIST_BASE));
	CHK(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	CHK(fdt_property_u32(fdt, "#interrupt-cells", 3));
	CHK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CHK(fdt_property_u32(fdt, "#address-cells", 2));
	CHK(fdt_property_u32(fdt, "#size-cells", 2));
	CHK(fdt_property(fdt, "ranges", NULL, 0));
	CHK(fdt_property_u32(fdt, "#redistributor-regions", 1));
	CHK(prop_reg(fdt, reg, 2));
	CHK(fdt_property_u32(fdt, "phandle", VMM_FDT_PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int add_timer(void *fdt)
{
	uint32_t irqs[12];

	for (unsigned i = 0; i < 4; i++) {
		irqs[i * 3] = GIC_PPI;
		irqs[i * 3 + 1] = timer_ppis[i];
		irqs[i * 3 + 2] = IRQ_LEVEL_HIGH;
	}
	CHK(fdt_begin_node(fdt, "timer"));
	CHK(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	CHK(fdt_property(fdt, "always-on", NULL, 0));
	CHK(prop_cells(fdt, "interrupts", irqs, 12));
	return fdt_end_node(fdt);
}

static int add_uart(void *fdt)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clk_names[] = "uartclk\0apb_pclk";
	uint64_t reg[2] = {VMM_UART_BASE, VMM_UART_SIZE};
	uint32_t irq[3] = {GIC_SPI, VMM_UART_SPI, IRQ_LEVEL_HIGH};
	uint32_t clocks[2] = {VMM_FDT_PHANDLE_CLK, VMM_FDT_PHANDLE_CLK};

	CHK(fdt_begin_node(fdt, "apb-pclk"));
	CHK(fdt_property_string(fdt, "compatible", "fixed-clock"));
	CHK(fdt_property_u32(fdt, "#clock-cells", 0));
	CHK(fdt_property_u32(fdt, "clock-frequency", VMM_UART_CLOCK_HZ));
	CHK(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	CHK(fdt_property_u32(fdt, "phandle", VMM_FDT_PHANDLE_CLK));
	CHK(fdt_end_node(fdt));

	CHK(begin_at(fdt, "pl011", VMM_UART_BASE));
	CHK(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	CHK(prop_reg(fdt, reg, 1));
	CHK(prop_cells(fdt, "interrupts", irq, 3));
	CHK(prop_cells(fdt, "clocks", clocks, 2));
	CHK(fdt_property(fdt, "clock-names", clk_names, sizeof(clk_names)));
	return fdt_end_node(fdt);
}

/* A PrimeCell device clocked by apb-pclk, as virt describes its PL031 and PL061. */
static int begin_primecell(void *fdt, const char *name, const char *compat, size_t compat_len,
			   uint64_t base, uint64_t size, unsigned spi)
{
	uint64_t reg[2] = {base, size};
	uint32_t irq[3] = {GIC_SPI, spi, IRQ_LEVEL_HIGH};

	CHK(begin_at(fdt, name, base));
	CHK(fdt_property(fdt, "compatible", compat, compat_len));
	CHK(prop_reg(fdt, reg, 1));
	CHK(prop_cells(fdt, "interrupts", irq, 3));
	CHK(fdt_property_u32(fdt, "clocks", VMM_FDT_PHANDLE_CLK));
	return fdt_property_string(fdt, "clock-names", "apb_pclk");
}

static int add_rtc_gpio(void *fdt)
{
	static const char rtc[] = "arm,pl031\0arm,primecell";
	static const char gpio[] = "arm,pl061\0arm,primecell";
	uint32_t key[3] = {VMM_FDT_PHANDLE_GPIO, VMM_GPIO_POWER_LINE, 0};

	CHK(begin_primecell(fdt, "pl031", rtc, sizeof(rtc), VMM_RTC_BASE, VMM_RTC_SIZE,
			    VMM_RTC_SPI));
	CHK(fdt_end_node(fdt));
	CHK(begin_primecell(fdt, "pl061", gpio, sizeof(gpio), VMM_GPIO_BASE, VMM_GPIO_SIZE,
			    VMM_GPIO_SPI));
	CHK(fdt_property(fdt, "gpio-controller", NULL, 0));
	CHK(fdt_property_u32(fdt, "#gpio-cells", 2));
	CHK(fdt_property_u32(fdt, "phandle", VMM_FDT_PHANDLE_GPIO));
	CHK(fdt_end_node(fdt));
	CHK(fdt_begin_node(fdt, "gpio-keys"));
	CHK(fdt_property_string(fdt, "compatible", "gpio-keys"));
	CHK(fdt_begin_node(fdt, "poweroff"));
	CHK(fdt_property_string(fdt, "label", "GPIO Key Poweroff"));
	CHK(fdt_property_u32(fdt, "linux,code", VMM_KEY_POWER));
	CHK(prop_cells(fdt, "gpios", key, 3));
	CHK(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

/* One node for both banks, 32-bit wide, as virt has it. */
static int add_flash(void *fdt)
{
	uint64_t reg[4] = {VMM_FLASH_BASE, VMM_FLASH_BANK_SIZE,
			   VMM_FLASH_BASE + VMM_FLASH_BANK_SIZE, VMM_FLASH_BANK_SIZE};

	CHK(begin_at(fdt, "flash", VMM_FLASH_BASE));
	CHK(fdt_property_string(fdt, "compatible", "cfi-flash"));
	CHK(prop_reg(fdt, reg, 2));
	CHK(fdt_property_u32(fdt, "bank-width", 4));
	return fdt_end_node(fdt);
}

/* A protected VM's bounce pool (a child of /reserved-memory), the virtio transports'
 * memory-region. */
static int add_swiotlb(void *fdt, const struct vmm_fdt_params *p)
{
	uint64_t reg[2] = {p->swiotlb_base, p->swiotlb_size};

	CHK(begin_at(fdt, "restricted-dma", p->swiotlb_base));
	CHK(fdt_property_string(fdt, "compatible", "restricted-dma-pool"));
	CHK(prop_reg(fdt, reg, 1));
	CHK(fdt_property_u32(fdt, "phandle", VMM_FDT_PHANDLE_SWIOTLB));
	return fdt_end_node(fdt);
}

static int add_virtio(void *fdt, unsigned i, bool swiotlb)
{
	uint64_t base = VMM_VIRTIO_BASE + i * VMM_VIRTIO_STRIDE;
	uint64_t reg[2] = {base, VMM_VIRTIO_STRIDE};
	uint32_t irq[3] = {GIC_SPI, VMM_VIRTIO_SPI_BASE + i, IRQ_EDGE_RISING};

	CHK(begin_at(fdt, "virtio_mmio", base));
	CHK(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	CHK(prop_reg(fdt, reg, 1));
	CHK(prop_cells(fdt, "interrupts", irq, 3));
	CHK(fdt_property(fdt, "dma-coherent", NULL, 0));
	if (swiotlb)
		CHK(fdt_property_u32(fdt, "memory-region", VMM_FDT_PHANDLE_SWIOTLB));
	return fdt_end_node(fdt);
}

/* A hypervisor channel end (docs/abi.md "Channels between VMs"): its id, known once both VMs
 * exist (vmm_fdt_set_channel_id), and its doorbell; when both VMs have a vsock CID, the two
 * CIDs the channel carries vsock between (docs/abi.md "vsock over a channel"); with a bulk
 * region, its IPA and size (two 64-bit numbers) and in its owner "opengz,region-owner". */
static int add_channel(void *fdt, const struct vmm_fdt_params *p)
{
	uint32_t irq[3] = {GIC_SPI, VMM_CHAN_SPI, IRQ_EDGE_RISING};
	uint32_t cids[2] = {p->vsock_cid, p->peer_vsock_cid};

	CHK(fdt_begin_node(fdt, "opengz-channel"));
	CHK(fdt_property_string(fdt, "compatible", "opengz,channel"));
	CHK(fdt_property_u32(fdt, "opengz,channel-id", 0));
	CHK(prop_cells(fdt, "interrupts", irq, 3));
	if (p->vsock_cid && p->peer_vsock_cid)
		CHK(prop_cells(fdt, "opengz,vsock-cids", cids, 2));
	if (p->chan_region) {
		fdt64_t region[2] = {cpu_to_fdt64(VMM_CHAN_REGION_BASE),
				     cpu_to_fdt64(p->chan_region)};

		CHK(fdt_property(fdt, "opengz,region", region, sizeof(region)));
		if (p->chan_region_owner)
			CHK(fdt_property(fdt, "opengz,region-owner", NULL, 0));
	}
	return fdt_end_node(fdt);
}

int vmm_fdt_set_channel_id(void *fdt, uint32_t id)
{
	int node = fdt_path_offset(fdt, "/opengz-channel");

	if (node < 0 || fdt_setprop_inplace_u32(fdt, node, "opengz,channel-id", id) != 0)
		return -1;
	return 0;
}

static int add_chosen(void *fdt, const struct vmm_fdt_params *p)
{
	char stdout_path[64];

	snprintf(stdout_path, sizeof(stdout_path), "/pl011@%llx",
		 (unsigned long long)VMM_UART_BASE);
	CHK(fdt_begin_node(fdt, "chosen"));
	if (p->bootargs)
		CHK(fdt_property_string(fdt, "bootargs", p->bootargs));
	CHK(fdt_property_string(fdt, "stdout-path", stdout_path));
	if (p->initrd_end) {
		CHK(fdt_property_u64(fdt, "linux,initrd-start", p->initrd_start));
		CHK(fdt_property_u64(fdt, "linux,initrd-end", p->initrd_end));
	}
	if (p->bootsig)
		CHK(fdt_property(fdt, GZ_PVMFW_DT_BOOTSIG, p->bootsig, (int)p->bootsig_size));
	return fdt_end_node(fdt);
}

/* The page where gzhyp hands a VM booted through pvmfw its CDI and measurements
 * (include/gzabi/pvmfw.h): no-map, the kernel's to find, not to use as RAM. */
/* The DICE handover page of a VM booted through pvmfw (a child of /reserved-memory). */
static int add_dice(void *fdt)
{
	uint64_t reg[2] = {GZ_PVMFW_DICE_GPA, GZ_PVMFW_DICE_SIZE};

	CHK(begin_at(fdt, "dice", GZ_PVMFW_DICE_GPA));
	CHK(fdt_property_string(fdt, "compatible", "opengz,dice"));
	CHK(prop_reg(fdt, reg, 1));
	CHK(fdt_property(fdt, "no-map", NULL, 0));
	return fdt_end_node(fdt);
}

/* /reserved-memory: the DICE page (--pvmfw) and a protected VM's bounce pool, either or both. */
static int add_reserved(void *fdt, const struct vmm_fdt_params *p)
{
	uint32_t two = 2;

	CHK(fdt_begin_node(fdt, "reserved-memory"));
	CHK(prop_cells(fdt, "#address-cells", &two, 1));
	CHK(prop_cells(fdt, "#size-cells", &two, 1));
	CHK(fdt_property(fdt, "ranges", NULL, 0));
	if (p->dice)
		CHK(add_dice(fdt));
	if (p->swiotlb_size)
		CHK(add_swiotlb(fdt, p));
	return fdt_end_node(fdt);
}

static int build(const struct vmm_fdt_params *p, void *fdt, size_t size)
{
	uint64_t mem[2] = {p->ram_base, p->ram_size};
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";

	CHK(fdt_create(fdt, (int)size));
	CHK(fdt_finish_reservemap(fdt));
	CHK(fdt_begin_node(fdt, ""));
	CHK(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	CHK(fdt_property_string(fdt, "model", "opengz gzvmm"));
	CHK(fdt_property_u32(fdt, "#address-cells", 2));
	CHK(fdt_property_u32(fdt, "#size-cells", 2));
	CHK(fdt_property_u32(fdt, "interrupt-parent", VMM_FDT_PHANDLE_GIC));
	CHK(add_chosen(fdt, p));
	CHK(begin_at(fdt, "memory", p->ram_base));
	CHK(fdt_property_string(fdt, "device_type", "memory"));
	CHK(prop_reg(fdt, mem, 1));
	CHK(fdt_end_node(fdt));
	if (p->dice || p->swiotlb_size)
		CHK(add_reserved(fdt, p));
	CHK(add_cpus(fdt, p->cpus));
	CHK(fdt_begin_node(fdt, "psci"));
	CHK(fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat)));
	CHK(fdt_property_string(fdt, "method", "hvc"));
	CHK(fdt_end_node(fdt));
	CHK(add_gic(fdt, p->cpus));
	CHK(add_timer(fdt));
	CHK(add_uart(fdt));
	CHK(add_rtc_gpio(fdt));
	if (p->flash)
		CHK(add_flash(fdt));
	for (unsigned i = 0; i < p->nvirtio; i++)
		CHK(add_virtio(fdt, i, p->swiotlb_size != 0));
	if (p->channel)
		CHK(add_channel(fdt, p));
	CHK(fdt_end_node(fdt));
	CHK(fdt_finish(fdt));
	return fdt_pack(fdt);
}

int vmm_fdt_build(const struct vmm_fdt_params *p, void *buf, size_t bufsize)
{
	if (!p || !buf || bufsize > INT32_MAX || p->cpus < 1 || p->cpus > VMM_MAX_CPUS ||
	    p->nvirtio > VMM_VIRTIO_MAX || p->ram_size == 0)
		return -1;
	return build(p, buf, bufsize);
}
