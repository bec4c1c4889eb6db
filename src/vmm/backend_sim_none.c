/* Built when the simulator library is absent: the sim backend is unavailable. */
#include "backend.h"

const struct vmm_backend_ops *const vmm_backend_sim = NULL;
