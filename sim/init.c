/* Bringing the simulated machine up and down (gz_sim_init/fini, gzsim/sim.h): check the
 * configuration, reset the clocks and the CPU interfaces, map physical memory; at the end
 * release every vCPU's engine and the memory. */
#include <stdlib.h>
#include <gzabi/status.h>
#include "detsched.h"
#include "machine.h"
#include "phys.h"
#include "registry.h"
#include "vgic_cpuif.h"

int gz_sim_init(const struct gz_sim_config *cfg)
{
	struct gz_sim_config c = cfg ? *cfg : (struct gz_sim_config){.cpu_model = -1};
	const char *trace = getenv("GZSIM_TRACE");

	gz_sim_fini();
	if (!c.phys_base)
		c.phys_base = GZ_SIM_DEFAULT_PHYS_BASE;
	if (!c.phys_size)
		c.phys_size = GZ_SIM_DEFAULT_PHYS_SIZE;
	if (!c.cntfrq)
		c.cntfrq = GZ_SIM_DEFAULT_CNTFRQ;
	if (!c.insn_hz)
		c.insn_hz = GZ_SIM_DEFAULT_INSN_HZ;
	if (!c.slice)
		c.slice = GZ_SIM_DEFAULT_SLICE;
	if (c.clock != GZ_SIM_CLOCK_INSNS && c.clock != GZ_SIM_CLOCK_WALL)
		return GZ_ERR_INVALID_ARGS;
	if (c.deterministic && c.clock != GZ_SIM_CLOCK_INSNS)
		return GZ_ERR_INVALID_ARGS; /* wall-clock time is never deterministic */
	if (c.cntfrq > 10000000000ULL || c.insn_hz > 100000000000ULL)
		return GZ_ERR_INVALID_ARGS;
	gz_sim_m.cfg = c;
	gz_sim_m.trace = trace ? atoi(trace) : 0;
	gz_sim_clock_reset();
	gz_sim_det_reset(c.deterministic, c.seed);
	gz_sim_ich_reset_all();
	return gz_sim_phys_setup();
}

void gz_sim_fini(void)
{
	gz_sim_registry_forget_all();
	gz_sim_phys_teardown();
}
