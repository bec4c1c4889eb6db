/* The guest's physical memory map: that of QEMU's 'virt' board, so guests built for it boot
 * unchanged. Every address the VMM hands to the hypervisor or writes into the device tree
 * comes from here. */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

#include <arm64/gicv3.h>

#define VMM_RAM_BASE	    0x40000000ULL
#define VMM_GIC_DIST_BASE   0x08000000ULL
#define VMM_GIC_REDIST_BASE 0x080A0000ULL
#define VMM_UART_BASE	    0x09000000ULL
#define VMM_UART_SIZE	    0x1000ULL
#define VMM_UART_SPI	    1U
#define VMM_VIRTIO_BASE	    0x0a000000ULL
#define VMM_VIRTIO_STRIDE   0x200ULL
#define VMM_VIRTIO_SPI_BASE 16U
/* The doorbell of a channel end (--peer-vm): SPI 64, clear of the devices' SPIs. */
#define VMM_CHAN_SPI 64U
/* A channel's bulk region (--chan-region): at this IPA in both VMs, clear of the devices and
 * of RAM, at most 2 MiB (GZ_CHAN_REGION_PAGES_MAX). */
#define VMM_CHAN_REGION_BASE 0x20000000ULL
#define VMM_CHAN_REGION_MAX  (2ULL << 20)
#define VMM_VIRTIO_MAX	     32U

/* Two banks of CFI flash at 0 (QEMU virt): bank 0 the firmware (--bios), executing in
 * place; bank 1 its variable store (--bios-vars). Erase blocks of 256 KiB. */
#define VMM_FLASH_BASE	     0x0ULL
#define VMM_FLASH_BANK_SIZE  (64ULL << 20)
#define VMM_FLASH_BANKS	     2U
#define VMM_FLASH_BLOCK_SIZE (256U << 10)
/* Memslots of the banks while they read as memory (RAM is slot 0). */
#define VMM_FLASH_SLOT	1U
#define VMM_RTC_BASE	0x09010000ULL /* PL031 */
#define VMM_RTC_SIZE	0x1000ULL
#define VMM_RTC_SPI	2U
#define VMM_FW_CFG_BASE 0x09020000ULL
#define VMM_FW_CFG_SIZE 0x18ULL
#define VMM_GPIO_BASE	0x09030000ULL /* PL061 */
#define VMM_GPIO_SIZE	0x1000ULL
#define VMM_GPIO_SPI	7U
/* virt's gpio-keys: the power key on GPIO line 3, Linux's KEY_POWER. */
#define VMM_GPIO_POWER_LINE 3U
#define VMM_KEY_POWER	    116U

/* A protected VM's bounce pool (swiotlb.h): the last 4 MiB of its RAM, slot 4 (pvmfw has 3),
 * given to VMs of at least 32 MiB. */
#define VMM_SWIOTLB_SIZE (4ULL << 20)
#define VMM_SWIOTLB_SLOT 4U

/* The optional scratch register file of the project's test guests (--testdev) is at
 * GZDEV_TESTDEV_BASE (gzdev/testdev.h), not in the device tree. */

#define VMM_MAX_CPUS	8U
#define VMM_MAX_DISKS	8U
#define VMM_MAX_SLOTS	10U
#define VMM_PAGE_SIZE	0x1000ULL
#define VMM_SZ_2M	0x200000ULL
#define VMM_MEM_MIN	VMM_SZ_2M
#define VMM_MEM_MAX	(8ULL << 30)
#define VMM_MEM_DEFAULT (256ULL << 20)

/* Raw binaries built for QEMU virt expect to run at RAM base + 0x80000. */
#define VMM_RAW_LOAD_OFFSET 0x80000ULL
/* A raw binary does not say how much memory past its file it uses (BSS, stacks, heap): as
 * QEMU's virt boot code does, nothing else goes within min(RAM / 2, 128 MiB) of its load
 * address. */
#define VMM_RAW_GAP_MAX (128ULL << 20)
/* The booting protocol caps the DTB at 2 MiB. */
#define VMM_DTB_MAX_SIZE VMM_SZ_2M

/* UART input clock in the device tree (QEMU's apb-pclk). */
#define VMM_UART_CLOCK_HZ 24000000U

#endif
