/* The GICv3 virtual CPU interface of each simulated physical CPU (vgic_cpuif.c): the
 * ICH_*_EL2 register file and the guest's ICC_* view of it. */
#ifndef GZ_SIM_VGIC_CPUIF_H
#define GZ_SIM_VGIC_CPUIF_H

#include <arm64/cpu_ctx.h>

struct gz_sim_ich {
	uint64_t reg[GZ_ICH_NR_REGS];
};
struct gz_sim_ich *gz_sim_ich_of(unsigned pcpu);
void gz_sim_ich_reset_all(void);
/* Guest access to an ICC_* register (SYS_ENC) through the virtual interface: returns false
 * when the register is not one the virtual interface provides (the caller treats it as
 * trapped). */
bool gz_sim_icc_read(struct gz_sim_ich *ich, uint32_t sysreg, uint64_t *val);
bool gz_sim_icc_write(struct gz_sim_ich *ich, uint32_t sysreg, uint64_t val);
/* The virtual IRQ line: a pending group-1 interrupt passes PMR and the running priority. */
bool gz_sim_ich_irq_pending(const struct gz_sim_ich *ich);
/* Maintenance interrupt condition (HCR.En and MISR != 0). */
bool gz_sim_ich_maint_pending(const struct gz_sim_ich *ich);
uint64_t gz_sim_ich_misr(const struct gz_sim_ich *ich);
uint64_t gz_sim_ich_eisr(const struct gz_sim_ich *ich);
uint64_t gz_sim_ich_elrsr(const struct gz_sim_ich *ich);

#endif
