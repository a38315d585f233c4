/* verifier_budget.c: loads a BPF object as the daemon does and prints each program's verified instructions, for test_verifier_budget.sh. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon/sensor/kernel_btf.h"
#include "daemon/sensor/unix_probe.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* Opens `file`, leaving out the exit program this kernel's tracepoint does not fit, the unix programs where it
 * has no unix hooks (`unix_hooks`), and, when `optional` is false, the LSM and fentry/fexit programs (the daemon
 * leaves them out where the kernel refuses them); unix programs get their attach types. */
static struct bpf_object *open_obj(const char *file, const struct kernel_btf *k, bool unix_hooks, bool optional)
{
	struct bpf_object *o = bpf_object__open_file(file, NULL);
	struct bpf_program *p;

	if (!o)
		return NULL;
	bpf_object__for_each_program(p, o) {
		const char *n = bpf_program__name(p);

		bool connect_unix = !strcmp(n, "enforce_connect_unix");

		if (connect_unix || !strcmp(n, "enforce_sendmsg_unix")) {
			bpf_program__set_expected_attach_type(p, (enum bpf_attach_type)(connect_unix ?
				ATTACH_CGROUP_UNIX_CONNECT : ATTACH_CGROUP_UNIX_SENDMSG));
			if (!unix_hooks)
				bpf_program__set_autoload(p, false);
		}
		if ((!optional && (bpf_program__type(p) == BPF_PROG_TYPE_LSM ||
				   bpf_program__type(p) == BPF_PROG_TYPE_TRACING) &&
		     strncmp(bpf_program__section_name(p), "tp_btf/", 7)) ||
		    (!k->exit_group_dead && !strcmp(n, "handle_exit")))
			bpf_program__set_autoload(p, false);
	}
	return o;
}

/* usage: verifier_budget FILE.bpf.o: "NAME INSNS" per program loaded; LSM, fentry and fexit programs only where
 * they load. */
int main(int argc, char **argv)
{
	struct bpf_object *o;
	struct bpf_program *p;
	struct kernel_btf k;
	char why[160];
	bool unix_hooks;

	if (argc != 2) {
		fprintf(stderr, "usage: verifier_budget FILE.bpf.o\n");
		return 2;
	}
	libbpf_set_print(quiet);
	if (kernel_btf_probe(&k))
		return 1;
	unix_hooks = unix_probe(why, sizeof(why));
	o = open_obj(argv[1], &k, unix_hooks, true);
	if (o && bpf_object__load(o)) {
		bpf_object__close(o);
		o = open_obj(argv[1], &k, unix_hooks, false);	/* BPF LSM or fexit refused here: the daemon leaves them out too */
		if (o && bpf_object__load(o)) {
			fprintf(stderr, "verifier_budget: %s: load failed\n", argv[1]);
			return 1;
		}
	}
	if (!o) {
		fprintf(stderr, "verifier_budget: %s: open failed\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(p, o) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(p))
			continue;
		memset(&info, 0, len);
		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len)) {
			fprintf(stderr, "verifier_budget: %s: no info\n", bpf_program__name(p));
			return 1;
		}
		printf("%s %u\n", bpf_program__name(p), info.verified_insns);
	}
	bpf_object__close(o);
	return 0;
}
