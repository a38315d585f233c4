/* lsm_probe.c: reads the active LSMs and loads and attaches a no-op BPF LSM program, to see whether BPF LSM works here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "daemon/sensor/lsm_probe.h"
#include "daemon/sensor/mounts.h"

#define LSM_HOOK	"bpf_lsm_bprm_check_security"
#define LSM_LIST	SECURITYFS_DIR "/lsm"

/* True when "bpf" is in the kernel's list of active LSMs (securityfs, mounted by the daemon): elsewhere an LSM
 * program loads and attaches but the kernel never calls it. */
static bool bpf_lsm_active(char *why, size_t size)
{
	char list[512], *tok, *save;
	FILE *f = fopen(LSM_LIST, "re");
	struct statfs fs;
	size_t n;

	if (!f) {
		snprintf(why, size, "%s: %s", LSM_LIST, strerror(errno));
		return false;
	}
	/* The kernel's own file, not one mounted over it: only securityfs has the answer. */
	if (fstatfs(fileno(f), &fs) || fs.f_type != SECURITYFS_MAGIC) {
		snprintf(why, size, "%s: not on securityfs", LSM_LIST);
		fclose(f);
		return false;
	}
	n = fread(list, 1, sizeof(list) - 1, f);
	fclose(f);
	list[n] = '\0';
	for (tok = strtok_r(list, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
		if (!strcmp(tok, "bpf"))
			return true;
	snprintf(why, size, "bpf is not among the active LSMs (%s: %.*s); boot with lsm=...,bpf to have it",
		 LSM_LIST, (int)strcspn(list, "\n"), list);
	return false;
}

bool lsm_probe(char *why, size_t size)
{
	/* r0 = 0; exit: allow everything. */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *btf;
	int id, prog, link;

	if (!bpf_lsm_active(why, size))
		return false;
	if (!(btf = btf__load_vmlinux_btf())) {
		snprintf(why, size, "vmlinux BTF: %s", strerror(errno));
		return false;
	}
	id = btf__find_by_name_kind(btf, LSM_HOOK, BTF_KIND_FUNC);
	btf__free(btf);
	if (id < 0) {
		snprintf(why, size, "%s: not in vmlinux BTF", LSM_HOOK);
		return false;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC, .attach_btf_id = id);
	prog = bpf_prog_load(BPF_PROG_TYPE_LSM, "mcpw_lsm_probe", "GPL", insns, 2, &opts);
	if (prog < 0) {
		snprintf(why, size, "load lsm/bprm_check_security: %s", strerror(errno));
		return false;
	}
	link = bpf_link_create(prog, 0, BPF_LSM_MAC, NULL);
	if (link < 0) {
		snprintf(why, size, "attach lsm/bprm_check_security: %s", strerror(errno));
		close(prog);
		return false;
	}
	close(link);
	close(prog);
	snprintf(why, size, "ok");
	return true;
}
