/* pvm_secret: the victim of the malicious-host tests (tests/sim/host_attack.c, the full
 * stack's gzattack). A protected guest (gzvmm --protected) writes a secret pattern into 16
 * pages of its private RAM and shares one mailbox page (MEM_SHARE) that names them, so that
 * the attacker can find their IPAs: it then checks the pattern again and again, with no exit
 * to the host, until the host writes "done" into the mailbox (the attacks are over) or 120 s
 * of guest time pass. Its last lines say whether the secret survived; the host proves
 * afterwards that the pages it got back were scrubbed (common/secret.c). */
#include "common/secret.h"

void guest_main(unsigned cpu)
{
	(void)cpu;
	secret_run(0, 0);
}
