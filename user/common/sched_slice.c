/* sched_slice.c: sets the EEVDF slice of the calling thread with sched_setattr(2), keeping its policy and nice. */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>
#include <linux/sched/types.h>

#include "common/sched_slice.h"

int sched_slice_set(uint64_t ns)
{
	struct sched_attr a;

	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0))
		return -1;
	if (a.sched_policy != SCHED_NORMAL && a.sched_policy != SCHED_BATCH)
		return 0;	/* real-time or deadline: sched_runtime is not a slice there */
	a.size = sizeof(a);
	a.sched_runtime = ns;
	a.sched_flags &= SCHED_FLAG_RESET_ON_FORK;
	return (int)syscall(SYS_sched_setattr, 0, &a, 0);
}
