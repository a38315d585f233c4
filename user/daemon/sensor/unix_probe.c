/* unix_probe.c: loads no-op programs for the cgroup connect_unix and sendmsg_unix hooks to see whether this kernel has them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "daemon/sensor/unix_probe.h"

bool unix_probe(char *why, size_t size)
{
	/* r0 = 1; exit: let everything through. */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	const int types[] = { ATTACH_CGROUP_UNIX_CONNECT, ATTACH_CGROUP_UNIX_SENDMSG };

	for (size_t i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = types[i]);
		int prog = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "mcpw_unix_probe", "GPL", insns, 2, &opts);

		if (prog < 0) {
			snprintf(why, size, "load cgroup/%s: %s (Linux 6.7 and later have it)",
				 i ? "sendmsg_unix" : "connect_unix", strerror(errno));
			return false;
		}
		close(prog);
	}
	snprintf(why, size, "ok");
	return true;
}
