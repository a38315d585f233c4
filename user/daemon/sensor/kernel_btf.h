/* kernel_btf.h: what the running kernel's BTF says it has, which picks among the BPF programs (sensor.c). */
#ifndef MCPWARDEN_KERNEL_BTF_H
#define MCPWARDEN_KERNEL_BTF_H

#include <stdbool.h>

struct kernel_btf {
	bool signal_task;	/* kfunc bpf_send_signal_task (6.13+): a child can be killed from its fork */
	bool exit_group_dead;	/* tp_btf/sched_process_exit passes (task, group_dead) (6.16+), not (task) only */
	bool mem_alloc;		/* the BPF memory allocator (6.1+): hash maps that allocate as used are fit for
				   tracepoint programs; before it they are refused there, or warned about */
};

/* Reads the vmlinux BTF (/sys/kernel/btf/vmlinux). 0, or -1 (logged) when there is none or it is not as expected. */
int kernel_btf_probe(struct kernel_btf *k);

#endif
