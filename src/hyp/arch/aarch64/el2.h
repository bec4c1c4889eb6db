/*
 * Internals of the EL2 port shared by its assembly and C files: the trap frame the vectors
 * build, per-CPU data, the platform description read from the boot DTB, and the port's entry
 * points. Constants used from assembly are plain #defines; C-only parts are guarded.
 */
#ifndef GZ_EL2_H
#define GZ_EL2_H

#define GZ_EL2_MAX_CPUS	  8
#define GZ_EL2_STACK_SIZE 0x4000 /* per CPU, 16 KiB */

/* Trap frame layout (bytes): x0..x30, then the interrupted SP and the syndrome registers. */
#define GZ_FRAME_X(n) ((n)*8)
#define GZ_FRAME_SP   248
#define GZ_FRAME_ELR  256
#define GZ_FRAME_SPSR 264
#define GZ_FRAME_ESR  272
#define GZ_FRAME_FAR  280
#define GZ_FRAME_SIZE 288 /* multiple of 16: SP stays aligned */

/* World switch (switch.S, vectors.S): offsets into struct gz_cpu_ctx (checked in
 * vcpu_run.c; x0-x30 come first, at GZ_FRAME_X as in the frame), into struct gz_el2_percpu,
 * and the host's callee-saved registers kept while a guest runs (x19-x30, then SP). */
#define GZ_CTX_PC	  264 /* pc, then pstate */
#define GZ_PERCPU_GUEST	  24
#define GZ_CTX_FP	  480
#define GZ_FP_FPSR	  512
#define GZ_FP_FPCR	  516
#define GZ_HOST_SAVE_SP	  96
#define GZ_HOST_SAVE_SIZE 104

/* Vector slots, in VBAR_EL2 table order (offset = slot * 0x80). */
#define GZ_VEC_CUR_SP0_SYNC 0
#define GZ_VEC_CUR_SP0_IRQ  1
#define GZ_VEC_CUR_SP0_FIQ  2
#define GZ_VEC_CUR_SP0_SERR 3
#define GZ_VEC_CUR_SPX_SYNC 4
#define GZ_VEC_CUR_SPX_IRQ  5
#define GZ_VEC_CUR_SPX_FIQ  6
#define GZ_VEC_CUR_SPX_SERR 7
#define GZ_VEC_LOW64_SYNC   8
#define GZ_VEC_LOW64_IRQ    9
#define GZ_VEC_LOW64_FIQ    10
#define GZ_VEC_LOW64_SERR   11
#define GZ_VEC_LOW32_SYNC   12
#define GZ_VEC_LOW32_IRQ    13
#define GZ_VEC_LOW32_FIQ    14
#define GZ_VEC_LOW32_SERR   15
#define GZ_VEC_COUNT	    16

/* Exit statuses reported to QEMU (semihosting) and in the final status line. */
#define GZ_EL2_EXIT_OK	      0
#define GZ_EL2_EXIT_FAIL      1 /* boot check failed (wrong EL, bad DTB, ...) */
#define GZ_EL2_EXIT_EXCEPTION 2 /* unexpected exception */
#define GZ_EL2_EXIT_PANIC     3 /* gz_hal_panic */

/* PSCI SYSTEM_OFF for assembly (gas takes no 'U' suffix); main.c checks it equals
 * GZ_PSCI_SYSTEM_OFF of <gzabi/guest_calls.h>. */
#define GZ_EL2_PSCI_SYSTEM_OFF_ASM 0x84000008

/* The boot image is linked and loaded here (QEMU virt RAM base + Image text_offset). */
#define GZ_EL2_TEXT_OFFSET 0x80000
/* PL011 of QEMU's virt board: the console until the DTB names the real one. */
#define GZ_EL2_EARLY_UART 0x09000000UL

#ifdef __ASSEMBLER__
/* x2-x29 into (stp) / out of (ldp) their slots at \base: a trap frame and a vCPU context
 * both start with x0-x30. */
.macro	x2_x29 op, base
	\op	x2, x3, [\base, #GZ_FRAME_X(2)]
	\op	x4, x5, [\base, #GZ_FRAME_X(4)]
	\op	x6, x7, [\base, #GZ_FRAME_X(6)]
	\op	x8, x9, [\base, #GZ_FRAME_X(8)]
	\op	x10, x11, [\base, #GZ_FRAME_X(10)]
	\op	x12, x13, [\base, #GZ_FRAME_X(12)]
	\op	x14, x15, [\base, #GZ_FRAME_X(14)]
	\op	x16, x17, [\base, #GZ_FRAME_X(16)]
	\op	x18, x19, [\base, #GZ_FRAME_X(18)]
	\op	x20, x21, [\base, #GZ_FRAME_X(20)]
	\op	x22, x23, [\base, #GZ_FRAME_X(22)]
	\op	x24, x25, [\base, #GZ_FRAME_X(24)]
	\op	x26, x27, [\base, #GZ_FRAME_X(26)]
	\op	x28, x29, [\base, #GZ_FRAME_X(28)]
	.endm

/* Into the guest with x0-x30 from the context at \base, x0 or x1 (loaded last; ELR_EL2 and
 * SPSR_EL2 already set). */
	.macro	eret_to_ctx base
	x2_x29 ldp, \base
	ldr	x30, [\base, #GZ_FRAME_X(30)]
	ldp	x0, x1, [\base, #GZ_FRAME_X(0)]
	eret
	dsb	nsh			/* no straight-line speculation past the ERET */
	isb
	.endm
#else
#include <arm64/types.h>

struct gz_el2_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};
_Static_assert(sizeof(struct gz_el2_frame) == GZ_FRAME_SIZE, "trap frame layout");
_Static_assert(__builtin_offsetof(struct gz_el2_frame, elr) == GZ_FRAME_ELR, "trap frame elr");
_Static_assert(__builtin_offsetof(struct gz_el2_frame, far) == GZ_FRAME_FAR, "trap frame far");

#include <arm64/cpu_ctx.h>

struct gz_el2_host_save {
	uint64_t x19_x30[12];
	uint64_t sp;
};
_Static_assert(sizeof(struct gz_el2_host_save) == GZ_HOST_SAVE_SIZE, "host save layout");

/* Per-physical-CPU data; TPIDR_EL2 points at this CPU's entry. */
/* The host's breakpoints and watchpoints while a guest's are in the CPU (debug.c). */
struct gz_el2_debug_save {
	uint64_t bcr[GZ_DBG_MAX_BPS], bvr[GZ_DBG_MAX_BPS];
	uint64_t wcr[GZ_DBG_MAX_WPS], wvr[GZ_DBG_MAX_WPS];
};

struct gz_el2_percpu {
	unsigned id;
	uint64_t mpidr;
	volatile bool online;
	/* world switch: the vCPU loaded on this CPU (NULL: none), where its exit returns to,
	 * the exit's syndrome */
	struct gz_cpu_ctx *guest;
	struct gz_el2_host_save host;
	unsigned exit_slot;
	uint64_t exit_esr, exit_far, exit_hpfar;
	/* host interrupts seen (physical GIC), and the preemption timer's firings */
	uint64_t irqs, timer_irqs;
	/* kick SGIs this CPU sent, and IRQ exits it handled at EL2 (guest timer, maintenance,
	 * kick) */
	uint64_t kicks_sent, irqs_consumed;
	/* this CPU's redistributor SGI/PPI frame; is the physical vtimer PPI enabled there */
	uint64_t gicr_sgi;
	bool vtimer_ppi_on;
	/* the maintenance PPI and kick SGI were seen enabled and no host VM ran since */
	bool guest_ppis_on;
	/* kick SGIs: senders looking at this CPU's guest now, and one was sent to it */
	unsigned kicks_inflight;
	bool kick_sent;
	/* contexts this CPU entered (or found kicked at the entry), mod 2^32: a kick's sender
	 * sees the target's exit done when it moves */
	unsigned entries;
	/* this CPU sent a kick to CPU kick_wait_cpu - 1 (0: none) while its entry count was
	 * kick_wait_entries: its next guest entry waits for that CPU to enter again */
	unsigned kick_wait_cpu, kick_wait_entries;
	/* waiting for that CPU now: two CPUs that kicked each other do not wait for each other */
	bool kick_settling;
	/* the last IRQ exit was gzhyp's own interrupt, already handled (irq_consumed) */
	bool irq_consumed;
	/* test mode: the preemption slice (EL2 timer ticks) the next guest entry arms */
	uint64_t entry_slice;
	/* the host's debug registers while a guest's are loaded (debug.c) */
	struct gz_el2_debug_save debug_save;
};

#define GZ_EL2_MAX_MEM	    8
#define GZ_EL2_BOOTARGS_MAX 2048 /* Linux's arm64 COMMAND_LINE_SIZE */
/* What the boot DTB says about the machine. */
struct gz_el2_platform {
	uint64_t mem_base[GZ_EL2_MAX_MEM];
	uint64_t mem_size[GZ_EL2_MAX_MEM];
	unsigned nr_mem;
	uint64_t cpu_mpidr[GZ_EL2_MAX_CPUS];
	unsigned nr_cpus;
	bool cpus_psci; /* every cpu node has enable-method = "psci" */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size;
	uint64_t uart_base;
	const char *bootargs; /* a copy of the DTB's (GZ_EL2_BOOTARGS_MAX with its NUL), or NULL */
	uint64_t dtb_pa;
};

extern struct gz_el2_percpu gz_el2_percpu[GZ_EL2_MAX_CPUS];
extern struct gz_el2_platform gz_el2_platform;

/* A lower-EL trap of the vCPU @ctx loaded on this CPU (vectors.S), its x0-x30, PC and PSTATE
 * already in @ctx: returns when the exit is complete (the guest continues from @ctx), else
 * switches back to the host (vcpu_run.c). */
void gz_el2_guest_trap(struct gz_cpu_ctx *ctx, unsigned slot);

/* World switch (switch.S). enter saves the host's callee-saved registers in @h, loads the
 * guest's FP/SIMD from ctx->fp and ERETs into the guest with its x0-x30 (ELR_EL2/SPSR_EL2
 * already set); it "returns" the vector slot when leave_guest is called from the trap path,
 * which saves the guest's FP/SIMD into @guest_fp. gzhyp itself never uses FP/SIMD (it is
 * built -mgeneral-regs-only), so nothing of its own is saved or restored. */
unsigned gz_el2_enter_guest(struct gz_el2_host_save *h, struct gz_cpu_ctx *ctx);
__attribute__((noreturn)) void gz_el2_leave_guest(struct gz_el2_host_save *h, unsigned slot,
						  struct gz_fpsimd *guest_fp);
void gz_el2_fpsimd_save(struct gz_fpsimd *fp);
void gz_el2_fpsimd_load(const struct gz_fpsimd *fp);
struct gz_el2_percpu *gz_el2_this_cpu(void);
/* This CPU's EL2 trap configuration for running vCPUs. */
void gz_el2_vcpu_init_cpu(void);
/* Guest debug (debug.c): arm the CPU with the guest's breakpoints and watchpoints, the host's
 * kept in @save (true when it did), and put the host's back. */
bool gz_el2_debug_enter(const struct gz_cpu_ctx *c, struct gz_el2_debug_save *save);
void gz_el2_debug_leave(const struct gz_cpu_ctx *c, const struct gz_el2_debug_save *save);

/* gzhyp's own EL2 stage-1 tables (mmu.c): built once, turned on on every CPU. They map the
 * image, the devices gzhyp drives, the fixmap slots and only the RAM the core asks for
 * (gz_hal_hyp_map); pool_ready lets them take table pages from the core's pool. */
int gz_el2_mmu_init(void);
void gz_el2_mmu_enable_cpu(void);
void gz_el2_mmu_pool_ready(void);
/* The host window: the port's own work as the host (the host's DTB at boot, the test mode's
 * driver) reaches host RAM at VA = PA + GZ_EL2_HOST_WINDOW, mapped for that work only. open
 * maps the pages covering [pa, pa + size) (RW when @write, else R) and returns the window
 * address of @pa, NULL when that is not RAM or no table page is left; close unmaps them. */
#define GZ_EL2_HOST_WINDOW  (1ULL << 38)
void *gz_el2_host_window_open(gz_pa_t pa, uint64_t size, bool write);
void gz_el2_host_window_close(gz_pa_t pa, uint64_t size);
/* Proves at boot that RAM gzhyp was not given is not mapped (AT S1E2R faults) and that the
 * core's map/unmap and the fixmap take effect (selftest.c). */
int gz_el2_mmu_selftest(void);
extern const char __text_end[], __rodata_end[];

/* The physical GIC (gic.c): distributor once, redistributor and CPU interface per CPU, the
 * EL2 physical timer (PPI 26) as the preemption tick; host interrupts are drained by polling
 * ICC_IAR1_EL1 (gzhyp takes no IRQ exceptions itself). */
int gz_el2_gic_init(void);
extern bool gz_el2_gic_ready; /* the boot CPU's GIC setup worked */
int gz_el2_gic_init_cpu(void);
/* Let the guest's virtual timer interrupt the guest (physical PPI 27) or not: it must not
 * while its line is already high and the core has injected it, or every entry would exit at
 * once; WFI traps and the host tick bring such a guest back to the core. */
void gz_el2_gic_vtimer_gate(bool allow);
/* Arm the preemption timer @ticks counter ticks from now (0: stop it). */
void gz_el2_tick_arm(uint64_t ticks);
/* Arm the EL2 timer for physical count @cval (stopped again with gz_el2_tick_arm(0)). */
void gz_el2_tick_arm_at(uint64_t cval);
/* Keep the EL2 timer enabled with its interrupt masked (a host's deadline between its RUNs:
 * under emulation unmasking a timer is a line update, enabling one reprograms a host timer
 * and wakes the emulator's main loop). */
void gz_el2_tick_mask(void);
/* Put the EL2 timer back as CNTHP_CTL_EL2 @ctl (ENABLE, IMASK) and CNTHP_CVAL_EL2 @cval said. */
void gz_el2_tick_restore(uint64_t ctl, uint64_t cval);
/* Is the EL2 timer armed, with its deadline passed? */
bool gz_el2_tick_due(void);
/* Guests on this CPU (the world switch's calls): enter makes sure the maintenance PPI, the
 * EL2 timer's PPI 26 and the kick SGI are enabled at this CPU's redistributor (a host VM's
 * GIC driver disables them; looked at once after each time a host VM ran); leave, once the
 * guest is unloaded, waits for kick senders that saw it and clears a kick that did not
 * cause the exit. */
void gz_el2_gic_guest_enter(void);
/* A host VM is about to run: it may change its PPI/SGI enables (guest_enter rechecks). */
void gz_el2_gic_host_enter(void);
void gz_el2_gic_guest_leave(void);
/* After a guest's IRQ exit: is the pending interrupt gzhyp's own (the guest's timer when
 * @vtimer_high, the EL2 timer when @hyp_timer_mine (armed for the core's emulated timer),
 * the maintenance PPI, the kick SGI, which is acknowledged here)? */
bool gz_el2_gic_irq_consume(bool vtimer_high, bool hyp_timer_mine);
/* Send the kick SGI to the CPU that has @ctx loaded, if another one does. */
void gz_el2_gic_kick(const struct gz_cpu_ctx *ctx);
/* gz_hal_vcpu_kick_settle: let the CPU this one's last kick went to enter again. */
void gz_el2_gic_kick_settle(void);
/* Acknowledge and handle every pending host interrupt; returns how many. */
unsigned gz_el2_irq_drain(void);

/* Test mode: gzhyp plays the host driver and runs a guest image (guestrun.c) on the boot
 * CPU and, sharing the vCPUs, on the other @online CPUs, which enter through
 * gz_el2_guest_secondary (returning when the VM is off). */
__attribute__((noreturn)) void gz_el2_guest_test(unsigned online);
void gz_el2_guest_secondary(unsigned cpu);
/* Host mode: boot the Linux Image at gz.kernel as the host VM (hostvm.c); secondaries the
 * host starts with PSCI CPU_ON enter it through gz_el2_host_secondary (which returns for
 * gzhyp's own bring-up). */
__attribute__((noreturn)) void gz_el2_host_boot(void);
void gz_el2_host_secondary(unsigned cpu);
/* The value of "key=value" on the command line (NULL when absent); bootarg words. */
const char *gz_el2_bootarg_value(const char *key);
bool gz_el2_bootarg(const char *word);
/* Overwrites the value of "key=value" in the command line @s with '*' (a secret that must
 * reach neither a log nor the host); its length, 0 when absent. */
size_t gz_el2_bootarg_scrub(char *s, const char *key);
/* The platform's attestation root secret from gz.attest_root=HEX (platform.c): 1 and the 32
 * bytes in @out (then forgotten: a second call gets 0), 0 when absent, -1 when not 64 hex
 * digits. The command line gzhyp keeps and prints has stars in its place. */
int gz_el2_attest_root(uint8_t out[32]);
bool gz_el2_parse_u64(const char *s, uint64_t *v);

/* Called from the vectors with the saved frame; returns to resume it. */
void gz_el2_trap(struct gz_el2_frame *frame, unsigned slot);

/* Entry points from head.S. */
__attribute__((noreturn)) void gz_el2_main(uint64_t dtb_pa, uint64_t mpidr, uint64_t load_pa,
					   uint64_t link_pa);
__attribute__((noreturn)) void gz_el2_wrong_el(uint64_t el, uint64_t dtb_pa);
__attribute__((noreturn)) void gz_el2_secondary_main(uint64_t cpu, uint64_t mpidr);
void gz_el2_secondary_entry(void); /* PSCI CPU_ON entry (physical address), x0 = cpu index */
extern const char gz_el2_vectors[];
extern const char _text[], _end[];

#define gz_sysreg_read(name)                                                                       \
	({                                                                                         \
		uint64_t _v;                                                                       \
		__asm__ volatile("mrs %0, " #name : "=r"(_v));                                     \
		_v;                                                                                \
	})
#define gz_sysreg_write(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

#define GZ_STR2(x) #x
#define GZ_STR(x)  GZ_STR2(x)

/* Console output that takes no lock (exception reports, panics, the exit line): these may
 * run while this CPU holds the console lock. */
void gz_el2_raw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Console, firmware and exit. */
void gz_pl011_set_base(uint64_t base);
void gz_pl011_putc(char c);
int64_t gz_psci_fw_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t gz_psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context);
void gz_psci_system_off(void);
/* Reports @status to the emulator and powers off; returns only if neither worked. */
void gz_semihost_exit(unsigned status);
/* Prints the final status line, then exits (semihosting, else PSCI SYSTEM_OFF). */
__attribute__((noreturn)) void gz_el2_exit(unsigned status);
/* Set while gz_semihost_exit probes the HLT: an UNDEF there means "no semihosting". */
extern volatile uint64_t gz_semihost_probe_pc;
extern volatile bool gz_semihost_missing;

/* Fills gz_el2_platform from the DTB; returns a GZ_FDT_E* code on a malformed tree. */
int gz_el2_platform_init(const void *dtb);
extern const char *gz_el2_platform_stage; /* what gz_el2_platform_init was reading */
/* Runs every HAL operation once and checks what can be read back (boot self-test). */
int gz_el2_hal_selftest(void);

#endif /* __ASSEMBLER__ */
#endif
