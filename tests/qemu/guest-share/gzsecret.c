// SPDX-License-Identifier: GPL-2.0
/*
 * gzsecret: the protected Linux guest's side of the malicious-host test (test-only). It holds
 * a secret in private memory the way the test guest pvm_secret does (16 pages whose every
 * word carries SECRET_MAGIC in its high half, tests/guests/common/secret.h) and publishes the
 * mailbox the attacker's scan looks for (tests/qemu/gzattack/hattack.h) inside gzbounce's
 * pool, the only memory this guest shares: the secret's IPA, the pool's IPA and size, and a
 * word where the host writes that it is done. Through /sys/module/gzsecret/parameters:
 *   state   "done=yes|no intact=yes|NO": the host's word, and whether every secret word is
 *           still what the guest wrote
 *   attest  write a 32-byte nonce in hex; read the attestation report gzhyp signs over the
 *           VM's measurements and that nonce (guest call ATTEST, for a VM booted through
 *           opengz's pvmfw), 272 bytes in hex, or "error N"
 */
#include <linux/arm-smccc.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>

#include "gzbounce.h"

#define GZS_PAGES	16
#define GZS_MAGIC	0x5ec2e75e00000000ULL
#define GZS_MAILBOX	0x31584f424c49414dULL /* "MAILBOX1" */
#define GZS_HOST_DONE	0xd0e
#define GZS_ATTEST	0xc6000024UL
#define GZS_NONCE_SIZE	32
#define GZS_REPORT_SIZE 272
#define GZS_REPORT_OFF	512 /* the report's place in the call's private page */
enum { MB_MAGIC, MB_SELF, MB_SECRET, MB_PAGES, MB_BOUNCE, MB_BOUNCE_PAGES, MB_DONE = 8 };

static u64 *secret;
static u32 seed;
static u64 *mailbox;
static u8 *call_page; /* nonce and report, private */
static bool have_nonce;

static u64 gzs_word(unsigned int i)
{
	return GZS_MAGIC | (u32)(seed ^ (i * 0x9e3779b9U));
}

static int gzs_state_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i, bad = 0;

	for (i = 0; i < GZS_PAGES * PAGE_SIZE / 8; i++)
		bad += READ_ONCE(secret[i]) != gzs_word(i);
	return sysfs_emit(buf, "done=%s intact=%s\n",
			  READ_ONCE(mailbox[MB_DONE]) == GZS_HOST_DONE ? "yes" : "no",
			  bad ? "NO" : "yes");
}

static const struct kernel_param_ops gzs_state_ops = {.get = gzs_state_get};
module_param_cb(state, &gzs_state_ops, NULL, 0444);

static int gzs_attest_set(const char *val, const struct kernel_param *kp)
{
	if (strlen(val) < 2 * GZS_NONCE_SIZE || hex2bin(call_page, val, GZS_NONCE_SIZE))
		return -EINVAL;
	have_nonce = true;
	return 0;
}

static int gzs_attest_get(char *buf, const struct kernel_param *kp)
{
	struct arm_smccc_res res;

	if (!have_nonce)
		return sysfs_emit(buf, "error no nonce\n");
	arm_smccc_1_1_hvc(GZS_ATTEST, virt_to_phys(call_page),
			  virt_to_phys(call_page + GZS_REPORT_OFF), 0, &res);
	if (res.a0)
		return sysfs_emit(buf, "error %ld\n", (long)res.a0);
	bin2hex(buf, call_page + GZS_REPORT_OFF, GZS_REPORT_SIZE);
	buf[2 * GZS_REPORT_SIZE] = '\n';
	return 2 * GZS_REPORT_SIZE + 1;
}

static const struct kernel_param_ops gzs_attest_ops = {.set = gzs_attest_set,
						       .get = gzs_attest_get};
module_param_cb(attest, &gzs_attest_ops, NULL, 0644);

static int __init gzsecret_init(void)
{
	struct page *pages = alloc_pages(GFP_KERNEL, order_base_2(GZS_PAGES));
	phys_addr_t mb, pool;
	size_t pool_size;
	unsigned int i;

	call_page = (u8 *)get_zeroed_page(GFP_KERNEL);
	gzbounce_pool(&pool, &pool_size);
	mailbox = gzbounce_alloc(PAGE_SIZE, &mb);
	if (!pages || !call_page || !mailbox) {
		if (pages)
			__free_pages(pages, order_base_2(GZS_PAGES));
		free_page((unsigned long)call_page);
		if (mailbox)
			gzbounce_free(mailbox, PAGE_SIZE);
		return -ENOMEM;
	}
	secret = page_address(pages);
	seed = get_random_u32();
	for (i = 0; i < GZS_PAGES * PAGE_SIZE / 8; i++)
		secret[i] = gzs_word(i);
	mailbox[MB_SELF] = mb;
	mailbox[MB_SECRET] = page_to_phys(pages);
	mailbox[MB_PAGES] = GZS_PAGES;
	mailbox[MB_BOUNCE] = pool;
	mailbox[MB_BOUNCE_PAGES] = pool_size >> PAGE_SHIFT;
	/* the magic last: a scan that sees it sees the rest */
	smp_wmb();
	WRITE_ONCE(mailbox[MB_MAGIC], GZS_MAILBOX);
	pr_info("gzsecret: %u secret pages written, the mailbox in the bounce pool\n", GZS_PAGES);
	return 0;
}

module_init(gzsecret_init);
MODULE_DESCRIPTION("opengz test: a protected Linux guest's secret and its mailbox for the host");
MODULE_LICENSE("GPL");
