/* attest: a kernel that pvmfw verified asks gzhyp what it is. It finds its vendor calls
 * advertised, reads the DICE handover page pvmfw's HANDOVER left (magic, a CDI, the four
 * measurements), cannot hand over again with measurements of its choosing, asks for an
 * attestation report over a nonce and prints it in hex for the host's verifier (gz-sign
 * report) with the attestation key's certificate from the DICE page, and checks that the
 * report carries the measurements of the DICE page. Booted without pvmfw
 * it says that it has nothing to attest. */
#include "common/guest.h"

#include <gzabi/guest_calls.h>
#include <gzabi/pvmfw.h>

static uint8_t nonce[GZ_ATTEST_NONCE_SIZE];
static uint8_t report[GZ_ATTEST_REPORT_SIZE];
static uint8_t forged[3][32];

static bool same(const uint8_t *a, const volatile uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

void guest_main(unsigned cpu)
{
	const volatile uint8_t *dice = (const volatile uint8_t *)GZ_PVMFW_DICE_GPA;
	uint64_t features = hvc(GZ_VENDOR_HYP_FEATURES, 0, 0, 0), magic = 0;
	uint64_t want = 0x1fULL << GZ_VENDOR_HYP_FN(GZ_VENDOR_HYP_PVMFW_KEY);
	bool cdi_set = false;
	int64_t r;

	(void)cpu;
	printf_("attest: pvmfw's calls advertised: %s\n", (features & want) == want ? "yes" : "no");
	for (unsigned i = 0; i < GZ_ATTEST_NONCE_SIZE; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	r = (int64_t)hvc(GZ_VENDOR_HYP_ATTEST, (uint64_t)nonce, (uint64_t)report, 0);
	if (r != 0) {
		printf_("attest: no report (%ld)\n", r);
		return;
	}
	for (unsigned i = 0; i < 8; i++)
		magic |= (uint64_t)dice[i] << (8 * i);
	for (unsigned i = 0; i < 32; i++)
		cdi_set |= dice[GZ_DICE_OFF_CDI + i] != 0;
	printf_("attest: DICE handover at 0x%lx: magic %s, CDI %s, measurements %s the report's\n",
		(uint64_t)GZ_PVMFW_DICE_GPA, magic == GZ_DICE_MAGIC ? "ok" : "wrong",
		cdi_set ? "set" : "zero",
		same(report + GZ_ATTEST_OFF_MEASUREMENTS, dice + GZ_DICE_OFF_MEASUREMENTS, 128)
		    ? "equal to"
		    : "differ from");
	/* the kernel cannot measure itself anew */
	r = (int64_t)hvc(GZ_VENDOR_HYP_PVMFW_HANDOVER, (uint64_t)forged, 0, 0);
	printf_("attest: a second HANDOVER: %ld\n", r);
	puts_("attest: report ");
	for (unsigned i = 0; i < GZ_ATTEST_REPORT_SIZE; i++)
		printf_("%02x", report[i]);
	/* what the relying party checks the report's key with, up to the platform's root */
	puts_("\nattest: certificate ");
	for (unsigned i = 0; i < GZ_ATTEST_CERT_SIZE; i++)
		printf_("%02x", dice[GZ_DICE_OFF_CERT + i]);
	puts_("\nbye\n");
}
