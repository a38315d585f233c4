/* kernel_btf.c: reads the running kernel's BTF for the functions and tracepoint arguments the programs depend on. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "daemon/sensor/kernel_btf.h"

#define EXIT_TP	"btf_trace_sched_process_exit"

/* Arguments of tracepoint typedef `name` (void *ctx first, then the tracepoint's own), or -1. */
static int tp_args(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);	/* pointer */
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -1;
}

int kernel_btf_probe(struct kernel_btf *k)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int n;

	if (!btf) {
		log_warnx("vmlinux BTF (/sys/kernel/btf/vmlinux): %s: the kernel needs CONFIG_DEBUG_INFO_BTF",
			  strerror(errno));
		return -1;
	}
	k->signal_task = btf__find_by_name_kind(btf, "bpf_send_signal_task", BTF_KIND_FUNC) >= 0;
	k->mem_alloc = btf__find_by_name_kind(btf, "bpf_mem_alloc", BTF_KIND_STRUCT) >= 0;
	n = tp_args(btf, EXIT_TP);
	btf__free(btf);
	if (n != 2 && n != 3) {
		log_warnx("vmlinux BTF: %s: %d arguments, where (ctx, task) or (ctx, task, group_dead) was expected",
			  EXIT_TP, n);
		return -1;
	}
	k->exit_group_dead = n == 3;
	return 0;
}
