/* gzvmm's record file (--record/--replay, src/vmm/record.c): a file as --record writes it is
 * read back item by item, and every malformed one is refused with its one-line message
 * (table-driven); FNV-1a 64 against its published test vectors. */
/* test-libs: gzvmm_lib */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

#define HEAD  "gzvmm-record 1\nseed 3\nepoch 1767225600\ncpus 2\ninput-device pl011\n"
#define IMAGE "image 0123456789abcdef\n"

static void test_good(void **state)
{
	static const char text[] = HEAD IMAGE "disk 0 00000000000000ff\ndisk 1 ffffffffffffffff\n"
					      "input 4 1000 410a\ninput 9 2000 ff00\n";
	struct vmm_record r;
	char err[256];

	(void)state;
	assert_int_equal(vmm_record_parse(text, strlen(text), &r, err, sizeof(err)), 0);
	assert_int_equal(r.seed, 3);
	assert_int_equal(r.epoch, 1767225600);
	assert_int_equal(r.cpus, 2);
	assert_string_equal(r.input_dev, "pl011");
	assert_int_equal(r.image_hash, 0x0123456789abcdefULL);
	assert_int_equal(r.ndisks, 2);
	assert_int_equal(r.disk_hash[0], 0xff);
	assert_int_equal(r.disk_hash[1], UINT64_MAX);
	assert_int_equal(r.nin, 2);
	assert_int_equal(r.in[0].step, 4);
	assert_int_equal(r.in[0].insns, 1000);
	assert_int_equal(r.in[0].len, 2);
	assert_memory_equal(r.in[0].data, "A\n", 2);
	assert_int_equal(r.in[1].data[0], 0xff);
	vmm_record_free(&r);
	assert_null(r.in);
	/* the last line may lack its newline; no input at all is a record too */
	assert_int_equal(vmm_record_parse(HEAD "image 0000000000000000", strlen(HEAD) + 22, &r, err,
					  sizeof(err)),
			 0);
	assert_int_equal(r.nin, 0);
	vmm_record_free(&r);
}

static void test_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"", "not a gzvmm record file (no 'gzvmm-record 1' line)"},
	    {"gzvmm-record 2\n", "not a gzvmm record file (no 'gzvmm-record 1' line)"},
	    {"gzvmm-record 1x", "not a gzvmm record file (no 'gzvmm-record 1' line)"},
	    {"gzvmm-record 1",
	     "incomplete record: seed, epoch, cpus, input-device and image are all "
	     "needed"},
	    {HEAD, "incomplete record: seed, epoch, cpus, input-device and image are all needed"},
	    {HEAD IMAGE "bogus 1\n", "line 7: unknown item"},
	    {HEAD IMAGE "\n", "line 7: unknown item"},
	    {HEAD IMAGE "seed 4\n", "line 7: item given twice"},
	    {"gzvmm-record 1\nseed x\n", "line 2: seed wants a number"},
	    {"gzvmm-record 1\nseed 1 2\n", "line 2: seed wants a number"},
	    {"gzvmm-record 1\nseed 99999999999999999999\n", "line 2: seed wants a number"},
	    {"gzvmm-record 1\nepoch 99999999999999\n", "line 2: epoch wants seconds"},
	    {"gzvmm-record 1\ncpus 0\n", "line 2: cpus wants 1 to 8"},
	    {"gzvmm-record 1\ncpus 9\n", "line 2: cpus wants 1 to 8"},
	    {"gzvmm-record 1\ninput-device keyboard\n",
	     "line 2: input-device wants pl011, virtio or none"},
	    {"gzvmm-record 1\ninput-device usb\n",
	     "line 2: input-device wants pl011, virtio or none"},
	    {"gzvmm-record 1\nimage 0123\n", "line 2: image wants 16 hex digits"},
	    {"gzvmm-record 1\nimage 0123456789ABCDEF\n", "line 2: image wants 16 hex digits"},
	    {"gzvmm-record 1\ndisk 1 0123456789abcdef\n",
	     "line 2: disk wants INDEX (in order) HASH"},
	    {"gzvmm-record 1\ndisk 0 xyz\n", "line 2: disk wants INDEX (in order) HASH"},
	    {"gzvmm-record 1\ninput 1\n", "line 2: input wants STEP INSNS HEX"},
	    {"gzvmm-record 1\ninput 1 2 \n", "line 2: input bytes must be 1 to 4096 hex pairs"},
	    {"gzvmm-record 1\ninput 1 2 abc\n", "line 2: input bytes must be 1 to 4096 hex pairs"},
	    {"gzvmm-record 1\ninput 1 2 zz\n", "line 2: bad hex in input bytes"},
	    {"gzvmm-record 1\ninput 5 2 41\ninput 5 3 42\n", "line 3: input steps must increase"},
	    {"gzvmm-record 1\nseed 1\0\n", "line 2: a NUL byte"},
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmm_record r;
		size_t len = strlen(cases[i].text);

		if (strcmp(cases[i].msg, "line 2: a NUL byte") == 0)
			len = 23;
		memset(err, 0, sizeof(err));
		assert_int_equal(vmm_record_parse(cases[i].text, len, &r, err, sizeof(err)), -1);
		assert_string_equal(err, cases[i].msg);
		assert_null(r.in);
	}
}

static void test_disks_and_long_input(void **state)
{
	static char text[16384];
	struct vmm_record r;
	char err[256];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), HEAD IMAGE);
	for (unsigned i = 0; i < VMM_MAX_DISKS + 1; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "disk %u 0000000000000000\n", i);
	assert_int_equal(vmm_record_parse(text, n, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "line 15: disk wants INDEX (in order) HASH");
	/* 4096 bytes on a line are the most, and 17 lines make the array grow */
	n = (size_t)snprintf(text, sizeof(text), HEAD IMAGE "input 1 1 ");
	memset(text + n, 'a', 8192);
	n += 8192;
	text[n++] = '\n';
	for (unsigned i = 2; i < 19; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "input %u 7 00\n", i);
	assert_int_equal(vmm_record_parse(text, n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nin, 18);
	assert_int_equal(r.in[0].len, 4096);
	assert_int_equal(r.in[0].data[4095], 0xaa);
	vmm_record_free(&r);
	n = (size_t)snprintf(text, sizeof(text), HEAD IMAGE "input 1 1 ");
	memset(text + n, 'b', 8194);
	n += 8194;
	assert_int_equal(vmm_record_parse(text, n, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "line 7: input bytes must be 1 to 4096 hex pairs");
}

static void test_fnv(void **state)
{
	(void)state;
	assert_int_equal(vmm_fnv1a(VMM_FNV_INIT, "", 0), 0xcbf29ce484222325ULL);
	assert_int_equal(vmm_fnv1a(VMM_FNV_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(vmm_fnv1a(vmm_fnv1a(VMM_FNV_INIT, "foo", 3), "bar", 3),
			 vmm_fnv1a(VMM_FNV_INIT, "foobar", 6));
	assert_int_equal(vmm_fnv1a(VMM_FNV_INIT, "foobar", 6), 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_disks_and_long_input),
	    cmocka_unit_test(test_fnv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
