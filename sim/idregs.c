/* gz_hal_cpu_id_reg on the simulator: the ID registers of the CPU model the vCPUs run
 * (cfg.cpu_model), read once from an engine of that model and kept. */
#include <pthread.h>
#include <arm64/idreg.h>
#include "machine.h"
#include "ucreg.h"

#define SCRATCH_TCG_BUFFER (1u << 20) /* the engine never translates code */

static pthread_mutex_t idregs_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t idregs[ID_AA64_NR];
static int idregs_model = -2; /* the model idregs[] belongs to; -2: none */

static void load(int model)
{
	uc_engine *uc;

	for (unsigned i = 0; i < ID_AA64_NR; i++)
		idregs[i] = 0;
	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK)
		gz_hal_panic("sim: no Unicorn engine for the CPU's ID registers");
	uc_ctl_set_cpu_model(uc, model);
	uc_ctl_set_tcg_buffer_size(uc, SCRATCH_TCG_BUFFER);
	for (unsigned i = 0; i < ID_AA64_NR; i++) {
		uint32_t enc = ID_AA64_ENC(i);
		struct gz_sim_cpreg e = {SYS_ENC_OP0(enc), SYS_ENC_OP1(enc), SYS_ENC_CRN(enc),
					 SYS_ENC_CRM(enc), SYS_ENC_OP2(enc)};

		idregs[i] = gz_sim_ucreg_cp_read(uc, e);
	}
	uc_close(uc);
	idregs_model = model;
}

uint64_t gz_hal_cpu_id_reg(uint32_t enc)
{
	int model = gz_sim_m.cfg.cpu_model < 0 ? UC_CPU_ARM64_A72 : gz_sim_m.cfg.cpu_model;
	uint64_t v;

	if (!ID_AA64_IS(enc))
		return 0;
	pthread_mutex_lock(&idregs_mu);
	if (idregs_model != model)
		load(model);
	v = idregs[ID_AA64_INDEX(enc)];
	pthread_mutex_unlock(&idregs_mu);
	return v;
}
