/* hardened.c: runs a command under the shim's hardened start (no_new_privs, capabilities, seccomp baseline), for harden_bench.sh. */
#include <stdio.h>
#include <unistd.h>

#include "shim/harden.h"

int main(int argc, char **argv)
{
	struct harden h;
	char why[256];

	if (argc < 2) {
		fprintf(stderr, "usage: hardened CMD [ARG...]\n");
		return 2;
	}
	if (harden_init(&h, NULL, 0, NULL, 0, why, sizeof(why))) {
		fprintf(stderr, "hardened: %s\n", why);
		return 1;
	}
	if (harden_apply(&h)) {
		perror("hardened: harden_apply");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
