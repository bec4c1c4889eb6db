/* gzvmm --peer-vm (src/vmm/pair.c, fdt_build.c): the second VM's options parsed on the first
 * VM's backend with their one-line errors, and the channel node of the device tree with its id
 * written in place and the two vsock CIDs when both VMs have one. Running two VMs is tested end to
 * end (tests/sim sim_chan_*, tests/qemu qemu_full_stack_chan). */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libfdt.h>
#include <string.h>

#include "fdt_build.h"
#include "layout.h"
#include "pair.h"

static char buf[4096];
static char err[512];

static int peer(const char *args, enum vmm_backend_kind be, struct vmm_config *out)
{
	struct vmm_config first = {.backend = be, .peer_args = args};

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	return vmm_pair_parse(&first, out, buf, sizeof(buf), err, sizeof(err));
}

static void test_peer_options(void **state)
{
	struct vmm_config c;

	(void)state;
	assert_int_equal(
	    peer("--kernel s.elf  --mem 64M\t--console file:/tmp/p", VMM_BACKEND_SIM, &c), 0);
	assert_string_equal(c.kernel, "s.elf");
	assert_int_equal(c.mem_size, 64ULL << 20);
	assert_int_equal(c.backend, VMM_BACKEND_SIM);
	assert_int_equal(c.console, VMM_CONSOLE_FILE);
	assert_string_equal(c.console_path, "/tmp/p");
	assert_int_equal(peer("--kernel s.elf", VMM_BACKEND_GZVM, &c), 0);
	assert_int_equal(c.backend, VMM_BACKEND_GZVM);
}

static void test_peer_refusals(void **state)
{
	static const struct {
		const char *args;
		const char *msg;
	} cases[] = {
	    {"--cpus 0", "--peer-vm: invalid --cpus '0' (1 to 8)"},
	    {"", "--peer-vm: missing --kernel FILE"},
	    {"--kernel a --backend gzvm", "--peer-vm: option --backend given twice"},
	    {"--kernel a --slice 5000",
	     "--peer-vm: the peer runs on the first VM's backend: no --clock, --slice or "
	     "--max-insns of its own"},
	    {"--kernel a --clock wall", "--peer-vm: the peer runs on the first VM's backend: no "
					"--clock, --slice or --max-insns of its own"},
	    {"--kernel a --peer-vm x", "--peer-vm: the peer cannot have a peer"},
	    {"--kernel a --chan-region 8K",
	     "--peer-vm: --chan-region needs --peer-vm (the first VM's, mapped in both)"},
	    {"--kernel a --help", "--peer-vm: --help and --version are not for the peer"},
	    {"--kernel a --dry-run", "--peer-vm and --dry-run exclude each other"},
	};
	struct vmm_config c;
	char many[1024]; /* 70 words of 9 bytes */

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(peer(cases[i].args, VMM_BACKEND_SIM, &c), -1);
		assert_string_equal(err, cases[i].msg);
	}
	/* More words than fit, and a string longer than the buffer. */
	many[0] = '\0';
	for (unsigned i = 0; i < 70; i++)
		strcat(many, "--no-rng ");
	assert_int_equal(peer(many, VMM_BACKEND_SIM, &c), -1);
	assert_string_equal(err, "--peer-vm: too long or too many arguments");
	{
		static char longer[sizeof(buf) + 8];

		memset(longer, 'k', sizeof(longer) - 1);
		assert_int_equal(peer(longer, VMM_BACKEND_SIM, &c), -1);
		assert_string_equal(err, "--peer-vm: too long or too many arguments");
	}
	/* The first VM's --dry-run too. */
	struct vmm_config first = {
	    .backend = VMM_BACKEND_SIM, .peer_args = "--kernel a", .dry_run = true};
	assert_int_equal(vmm_pair_parse(&first, &c, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_string_equal(err, "--peer-vm and --dry-run exclude each other");
	/* Both VMs with one vsock CID: the channel could not tell them apart. */
	first.dry_run = false;
	first.vsock_cid = 3;
	first.peer_args = "--kernel a --vsock 3,/tmp/b.sock";
	assert_int_equal(vmm_pair_parse(&first, &c, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_string_equal(err, "--peer-vm: both VMs have vsock CID 3");
	first.peer_args = "--kernel a --vsock 4,/tmp/b.sock";
	assert_int_equal(vmm_pair_parse(&first, &c, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_int_equal(c.vsock_cid, 4);
}

static void test_channel_node(void **state)
{
	static uint8_t blob[16384];
	struct vmm_fdt_params p = {.ram_base = VMM_RAM_BASE, .ram_size = 64 << 20, .cpus = 1};
	const fdt32_t *v;
	uint32_t size;
	int node, len;

	(void)state;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	assert_true(fdt_path_offset(blob, "/opengz-channel") < 0);
	assert_int_equal(vmm_fdt_set_channel_id(blob, 3), -1);

	p.channel = true;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	size = fdt_totalsize(blob);
	node = fdt_path_offset(blob, "/opengz-channel");
	assert_true(node >= 0);
	assert_int_equal(fdt_node_check_compatible(blob, node, "opengz,channel"), 0);
	v = fdt_getprop(blob, node, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(v[0]), 0); /* GIC_SPI */
	assert_int_equal(fdt32_to_cpu(v[1]), VMM_CHAN_SPI);
	assert_int_equal(fdt32_to_cpu(v[2]), 1); /* edge rising */
	assert_int_equal(vmm_fdt_set_channel_id(blob, 7), 0);
	v = fdt_getprop(blob, node, "opengz,channel-id", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_to_cpu(*v), 7);
	assert_int_equal(fdt_totalsize(blob), size); /* in place: the blob in RAM keeps its size */
	assert_null(fdt_getprop(blob, node, "opengz,vsock-cids", &len));

	/* Both VMs with a vsock CID: the channel carries vsock between them. */
	p.vsock_cid = 3;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	node = fdt_path_offset(blob, "/opengz-channel");
	assert_null(fdt_getprop(blob, node, "opengz,vsock-cids", &len)); /* no peer CID */
	p.peer_vsock_cid = 4;
	assert_int_equal(vmm_fdt_build(&p, blob, sizeof(blob)), 0);
	node = fdt_path_offset(blob, "/opengz-channel");
	v = fdt_getprop(blob, node, "opengz,vsock-cids", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(v[0]), 3);
	assert_int_equal(fdt32_to_cpu(v[1]), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_options),
	    cmocka_unit_test(test_peer_refusals),
	    cmocka_unit_test(test_channel_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
