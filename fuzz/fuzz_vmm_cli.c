/* Fuzz target: gzvmm's command line. The input is split at NUL bytes into argv. Invariants:
 * an accepted command line yields a config inside every documented limit; a refused one
 * yields exactly one non-empty, terminated line of message; size parsing agrees with a
 * reference computation. */
/* fuzz-libs: gzvmm_lib */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAXARGS 24

static void check_size(const char *s)
{
	uint64_t v, ref = 0, mul = 1ULL << 20;
	int rc = vmm_parse_size(s, &v);
	const char *p = s;
	unsigned __int128 acc = 0;
	bool ok = *p >= '0' && *p <= '9';

	while (*p >= '0' && *p <= '9') {
		acc = acc * 10 + (unsigned)(*p - '0');
		if (acc > UINT64_MAX)
			ok = false;
		p++;
	}
	bool suffix = true;

	if (*p == 'k' || *p == 'K')
		mul = 1ULL << 10, p++;
	else if (*p == 'm' || *p == 'M')
		p++;
	else if (*p == 'g' || *p == 'G')
		mul = 1ULL << 30, p++;
	else
		suffix = false;
	/* "B" only after a unit: "1G", "1GB", but not "1B". */
	if (suffix && (*p == 'b' || *p == 'B'))
		p++;
	if (*p != '\0' || acc * mul > UINT64_MAX)
		ok = false;
	ref = (uint64_t)(acc * mul);
	if ((rc == 0) != ok || (ok && v != ref))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmm_config cfg;
	char *buf = malloc(size + 1);
	char *argv[MAXARGS + 2] = {"gzvmm"};
	int argc = 1;
	enum vmm_cli_action act;
	char err[160];
	size_t start = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i <= size && argc <= MAXARGS; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	if (argc > 1)
		check_size(argv[argc - 1]);
	memset(err, 0x55, sizeof(err));
	if (vmm_cli_parse(argc, argv, &cfg, &act, err, sizeof(err)) == 0) {
		if (act == VMM_CLI_RUN) {
			/* a kernel, firmware in flash, or both */
			if ((!cfg.kernel && !cfg.bios) || cfg.cpus < 1 || cfg.cpus > VMM_MAX_CPUS ||
			    cfg.mem_size < VMM_MEM_MIN || cfg.mem_size > VMM_MEM_MAX ||
			    cfg.mem_size % VMM_SZ_2M || cfg.ndisks > VMM_MAX_DISKS ||
			    (cfg.virtio_version != 1 && cfg.virtio_version != 2))
				abort();
			for (unsigned i = 0; i < cfg.ndisks; i++)
				if (!cfg.disks[i].path[0])
					abort();
			if (cfg.console == VMM_CONSOLE_FILE &&
			    (!cfg.console_path || !*cfg.console_path))
				abort();
		}
	} else {
		size_t n = strnlen(err, sizeof(err));

		if (n == 0 || n == sizeof(err) || memchr(err, '\n', n))
			abort();
	}
	free(buf);
	return 0;
}
