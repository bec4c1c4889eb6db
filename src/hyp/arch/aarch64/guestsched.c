/* The test mode's vCPU scheduler: least run time first, per physical CPU (guestsched.h). */
#include "guestsched.h"

static bool wakes(const struct gz_guestsched_vcpu *c, uint64_t now, uint64_t gen)
{
	return c->sleep_gen != gen || (c->wake_at && now >= c->wake_at);
}

int gz_guestsched_pick(struct gz_guestsched_cpu *cpu, struct gz_guestsched_vcpu *v, unsigned nr,
		       uint64_t now, uint64_t gen)
{
	int best = -1;

	for (unsigned k = 1; k <= nr; k++) {
		unsigned i = (cpu->last + k) % nr;
		struct gz_guestsched_vcpu *c = &v[i];

		if (c->pcpu != cpu->id)
			continue;
		if (c->sleep) {
			if (!wakes(c, now, gen))
				continue;
			c->sleep = false;
			if (c->vtime < cpu->floor)
				c->vtime = cpu->floor;
		}
		if (best < 0 || c->vtime < v[best].vtime)
			best = (int)i;
	}
	if (best >= 0) {
		cpu->last = (unsigned)best;
		if (v[best].vtime > cpu->floor)
			cpu->floor = v[best].vtime;
	}
	return best;
}

void gz_guestsched_ran(struct gz_guestsched_vcpu *c, uint64_t ticks)
{
	c->vtime += ticks ? ticks : 1;
}

void gz_guestsched_sleep(struct gz_guestsched_vcpu *c, uint64_t gen, uint64_t wake_at)
{
	c->sleep_gen = gen;
	c->wake_at = wake_at;
	c->sleep = true;
}
