/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ordinary driver for a fuzz target: feeds it every file of its corpus
 * (tests/fuzz/corpus/<target>/, or the paths given), so the normal test
 * run exercises the fuzz entry point with no libFuzzer.
 */
#include <dirent.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* A copy of exactly n bytes, so ASan sees reads past the input. */
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return -1;
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: missing\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (run_path(p, count) != 0)
			rc = -1;
	}
	if (d)
		closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			rc |= run_path(argv[i], &count);
	} else {
		/* replay_fuzz_x -> tests/fuzz/corpus/fuzz_x */
		char self[4096], dir[4200];
		snprintf(self, sizeof(self), "%s", argv[0]);
		const char *base = basename(self);
		const char *name = strncmp(base, "replay_", 7) == 0 ? base + 7 : base;
		snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", name);
		rc = run_path(dir, &count);
	}
	printf("replayed %u inputs%s\n", count, rc ? " (some unreadable)" : "");
	return rc || count == 0 ? 1 : 0;
}
