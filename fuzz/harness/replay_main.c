/* Replays fuzz inputs without libFuzzer: each argument is a file or a folder of files, fed
 * once to LLVMFuzzerTestOneInput. Missing folders are fine (a target may have no
 * regressions yet); an unreadable file is an error. AFL++ builds the same targets with its
 * own driver (scripts/fuzz). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replay_file(const char *path, unsigned *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (!buf || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
		fprintf(stderr, "%s: read failed\n", path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			struct dirent **ents;
			int n = scandir(argv[i], &ents, NULL, alphasort);

			for (int j = 0; j < n; j++) {
				char path[4096];

				if (ents[j]->d_name[0] != '.') {
					snprintf(path, sizeof(path), "%s/%s", argv[i], ents[j]->d_name);
					rc |= replay_file(path, &count);
				}
				free(ents[j]);
			}
			free(ents);
		} else {
			rc |= replay_file(argv[i], &count);
		}
	}
	printf("replayed %u inputs\n", count);
	return rc;
}
