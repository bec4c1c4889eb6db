/* gzvmm --peer-vm: two VMs in one process joined by a hypervisor channel (pair.c). */
#ifndef VMM_PAIR_H
#define VMM_PAIR_H

#include <stddef.h>

#include "cli.h"
#include "vm.h"

/* The second VM's configuration from cfg->peer_args (blank-separated options of 'run', on
 * the first VM's backend; @buf holds the split words). 0, or -1 with a one-line message. */
int vmm_pair_parse(const struct vmm_config *cfg, struct vmm_config *peer, char *buf, size_t bufsize,
		   char *err, size_t errlen);
/* Set up both VMs on one backend, join them (GZVM_CREATE_CHANNEL, the id in both device
 * trees), run the second on a thread of its own (destroyed when it ends) and the first here.
 * Returns the first VM's exit status (usage errors: VMM_EXIT_USAGE). */
int vmm_pair_main(const struct vmm_config *cfg, const struct vmm_backend_ops *ops);

#endif
