/* sensor.c: opens, loads and attaches the BPF skeletons, makes them share maps, and wraps map access. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "common/log.h"
#include "daemon/sensor/sensor.h"
#include "daemon/sensor/kernel_btf.h"
#include "daemon/sensor/migrate.h"
#include "daemon/sensor/unix_probe.h"
#include "enforce.skel.h"
#include "net.skel.h"
#include "proc.skel.h"
#include "stdout.skel.h"

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !log_verbose())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Makes every non-internal map of `to` reuse the same-named map of the loaded object `from`. */
static int share_maps(struct bpf_object *from, struct bpf_object *to)
{
	struct bpf_map *m, *src;

	bpf_object__for_each_map(m, to) {
		if (bpf_map__is_internal(m))
			continue;
		src = bpf_object__find_map_by_name(from, bpf_map__name(m));
		if (src && bpf_map__reuse_fd(m, bpf_map__fd(src))) {
			log_warnx("share map %s from %s with %s: %s", bpf_map__name(m),
				  bpf_object__name(from), bpf_object__name(to), strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Loads an opened skeleton on the maps of the loaded proc.bpf.o, and its own on those the pin root holds;
 * `file` names it in the log. 0 or -1 (logged). */
static int load_shared(struct sensor *s, struct bpf_object_skeleton *skel, const char *file)
{
	int err;

	if (pins_reuse_maps(s->pins, *skel->obj) || share_maps(s->proc->obj, *skel->obj))
		return -1;
	if ((err = bpf_object__load_skeleton(skel))) {
		log_warnx("load %s: %s", file, strerror(-err));
		return -1;
	}
	return 0;
}

/* Makes hash map `m` allocate its entries at creation, for kernels before the BPF memory allocator. */
static int preallocate(struct bpf_map *m)
{
	return bpf_map__set_map_flags(m, bpf_map__map_flags(m) & ~BPF_F_NO_PREALLOC);
}

/* Opens and loads proc.bpf.c with the exit program this kernel's tracepoint fits, and unborn_run when `first_run`.
 * 0 or -1 (logged). */
static int proc_load(struct sensor *s, bool first_run)
{
	struct proc_bpf *p = proc_bpf__open();
	int err;

	if (!(s->proc = p)) {
		log_warn("open proc.bpf.o");
		return -1;
	}
	/* One entry per tracked (or, for exit_claims, dying) process: as many as the host can have. */
	if (bpf_map__set_max_entries(p->maps.tracked, s->capacity) ||
	    bpf_map__set_max_entries(p->maps.sb_counted, s->capacity) ||
	    bpf_map__set_max_entries(p->maps.exit_claims, s->capacity) ||
	    (s->prealloc && (bpf_map__set_max_entries(p->maps.thread_calls, s->capacity) ||
			     preallocate(p->maps.tracked) || preallocate(p->maps.thread_calls) ||
			     preallocate(p->maps.sb_counted) || preallocate(p->maps.exit_claims)))) {
		log_warnx("proc.bpf.o: size the per-process maps for %u processes", s->capacity);
		return -1;
	}
	if (pins_reuse_maps(s->pins, p->obj))
		return -1;
	if (bpf_program__set_autoload(s->exit_group_dead ? p->progs.handle_exit_live : p->progs.handle_exit, false) ||
	    (s->exit_group_dead && bpf_program__set_autoload(p->progs.handle_free, false)) ||
	    (!first_run && bpf_program__set_autoload(p->progs.unborn_run, false))) {
		log_warnx("proc.bpf.o: leave out the programs this kernel does not take");
		return -1;
	}
	if ((err = proc_bpf__load(p))) {
		log_warnx("load proc.bpf.o: %s", strerror(-err));
		return -1;
	}
	return 0;
}

/* Loads proc.bpf.c. Where no task can be signalled from its fork, with unborn_run; a kernel that refuses it
 * (fexit) gets proc.bpf.c without it, and UNBORN_NONE. 0 or -1 (logged). */
static int proc_choose(struct sensor *s, bool signal_task)
{
	s->unborn = signal_task ? UNBORN_TASK_SIGNAL : UNBORN_FIRST_RUN;
	snprintf(s->unborn_why, sizeof(s->unborn_why), "ok");
	if (!proc_load(s, s->unborn == UNBORN_FIRST_RUN))
		return 0;
	if (s->unborn != UNBORN_FIRST_RUN)
		return -1;
	proc_bpf__destroy(s->proc);
	s->proc = NULL;
	s->unborn = UNBORN_NONE;
	snprintf(s->unborn_why, sizeof(s->unborn_why), "no bpf_send_signal_task (Linux 6.13 and later have it), and "
		 "the kernel refused fexit/schedule_tail (the daemon's log has libbpf's words)");
	log_warnx("children can't be killed before they run (%s): a policy with max_processes is refused unless "
		  "BPF LSM refuses its forks", s->unborn_why);
	return proc_load(s, false);
}

const char *sensor_unborn_name(enum sensor_unborn u)
{
	return u == UNBORN_TASK_SIGNAL ? "bpf_send_signal_task" : u == UNBORN_FIRST_RUN ? "fexit/schedule_tail" : "none";
}

/* Loads enforce.bpf.c on the shared maps: its LSM programs only where BPF LSM works (`lsm`), its unix programs
 * as `mode` says: the cgroup ones (with their attach types set here: libbpf 1.1 knows no section for them), the
 * LSM ones, or none. 0 or -1 (logged). */
static int enforce_load(struct sensor *s, bool lsm, enum sensor_unix mode)
{
	struct bpf_program *un[2], *lsm_un[2];
	const int types[2] = { ATTACH_CGROUP_UNIX_CONNECT, ATTACH_CGROUP_UNIX_SENDMSG };

	s->enf = enforce_bpf__open();
	if (!s->enf) {
		log_warn("open enforce.bpf.o");
		return -1;
	}
	un[0] = s->enf->progs.enforce_connect_unix;
	un[1] = s->enf->progs.enforce_sendmsg_unix;
	lsm_un[0] = s->enf->progs.enforce_lsm_connect_unix;
	lsm_un[1] = s->enf->progs.enforce_lsm_sendmsg_unix;
	if (!lsm && (bpf_program__set_autoload(s->enf->progs.enforce_bprm, false) ||
		     bpf_program__set_autoload(s->enf->progs.enforce_task_alloc, false) ||
		     bpf_program__set_autoload(s->enf->progs.enforce_ptrace, false))) {
		log_warnx("enforce.bpf.o: leave out the LSM programs");
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if ((mode == UNIX_CGROUP ? bpf_program__set_expected_attach_type(un[i], (enum bpf_attach_type)types[i])
					 : bpf_program__set_autoload(un[i], false)) ||
		    (mode != UNIX_LSM && bpf_program__set_autoload(lsm_un[i], false))) {
			log_warnx("enforce.bpf.o: %s: attach type %d", bpf_program__name(un[i]), types[i]);
			return -1;
		}
	}
	s->unix_mode = mode;
	return load_shared(s, s->enf->skeleton, "enforce.bpf.o");
}

const char *sensor_unix_name(enum sensor_unix u)
{
	return u == UNIX_CGROUP ? "cgroup/connect_unix" : u == UNIX_LSM ? "lsm/socket_connect" : "none";
}

/* The link of `prog`: the one the pin root holds, or a new one. NULL on error (logged). */
static struct bpf_link *link_of(struct sensor *s, struct bpf_program *prog, const char *what)
{
	struct bpf_link *l = bpf_program__type(prog) == BPF_PROG_TYPE_TRACING &&
			     bpf_program__expected_attach_type(prog) == BPF_TRACE_ITER ? NULL : pins_link(s->pins, prog);

	if (!l && !(l = bpf_program__attach(prog)))
		log_warn("attach %s of %s", bpf_program__name(prog), what);
	return l;
}

/* Attaches the programs of every object, proc.bpf.o first, or takes over the links the pin root holds for
 * them; the cgroup ones are enforce_attach_cgroup's. 0 or -1 (logged). */
static int attach_all(struct sensor *s)
{
	const struct {
		struct bpf_object_skeleton *skel;
		const char *file;
	} objs[] = {
		{ s->proc->skeleton, "proc.bpf.o" }, { s->net->skeleton, "net.bpf.o" },
		{ s->out->skeleton, "stdout.bpf.o" }, { s->enf->skeleton, "enforce.bpf.o" },
	};

	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		for (int j = 0; j < objs[i].skel->prog_cnt; j++) {
			struct bpf_program *prog = *objs[i].skel->progs[j].prog;

			if (!bpf_program__autoload(prog) || bpf_program__type(prog) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR)
				continue;
			if (!(*objs[i].skel->progs[j].link = link_of(s, prog, objs[i].file)))
				return -1;
		}
	}
	return 0;
}

/* The cgroup sock_addr programs go on the cgroup v2 root, so a server that moves itself out stays under them. */
static int enforce_attach_cgroup(struct sensor *s, const char *cgroup2)
{
	struct bpf_program *progs[SENSOR_SOCK_LINKS] = {
		s->enf->progs.enforce_connect4, s->enf->progs.enforce_connect6,
		s->enf->progs.enforce_sendmsg4, s->enf->progs.enforce_sendmsg6,
		s->enf->progs.enforce_connect_unix, s->enf->progs.enforce_sendmsg_unix,
	};
	int n = bpf_program__autoload(progs[4]) ? SENSOR_SOCK_LINKS : 4;
	int fd = open(cgroup2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		log_warn("cgroup v2 root %s", cgroup2);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		s->sock_links[i] = pins_link(s->pins, progs[i]) ?: bpf_program__attach_cgroup(progs[i], fd);
		if (!s->sock_links[i]) {
			log_warn("attach %s to cgroup %s", bpf_program__name(progs[i]), cgroup2);
			close(fd);
			return -1;
		}
	}
	close(fd);
	s->net_enforce = true;
	return 0;
}

/* Writes the lineage map's shares (lineage_limits_for()). 0 or -1 (logged). */
static int share_lineage(struct sensor *s)
{
	__u32 zero = 0;

	s->limits = lineage_limits_for(s->capacity);
	if (bpf_map__update_elem(s->proc->maps.lineage_limits, &zero, sizeof(zero), &s->limits, sizeof(s->limits),
				 BPF_ANY)) {
		log_warn("map lineage_limits: reserve %u, shared %u", s->limits.reserve, s->limits.shared_limit);
		return -1;
	}
	return 0;
}

/* Names the generation (pins.h) from the embedded objects and the choices that shape what is loaded. 0 or -1. */
static int name_gen(struct sensor *s, bool lsm, unsigned without, const char *cgroup2)
{
	const void *elf[4];
	size_t sz[4];
	char choices[PATH_MAX + 128];

	elf[0] = proc_bpf__elf_bytes(&sz[0]);
	elf[1] = net_bpf__elf_bytes(&sz[1]);
	elf[2] = stdout_bpf__elf_bytes(&sz[2]);
	elf[3] = enforce_bpf__elf_bytes(&sz[3]);
	snprintf(choices, sizeof(choices), "ev=%d lsm=%d without=%u capacity=%u prealloc=%d cgroup2=%s", EV_VERSION,
		 lsm, without, s->capacity, s->prealloc, cgroup2);
	return pins_gen(s->pins, elf, sz, 4, choices);
}

/* Carries the state of the older generation at `dir` into the loaded maps (migrate.h). 0 or -1 (logged). */
static int carry(struct sensor *s, const char *dir, bool again)
{
	struct bpf_object *objs[] = { s->proc->obj, s->net->obj, s->out->obj, s->enf->obj };
	char why[800];

	if (!migrate_maps(objs, 4, dir, again, why, sizeof(why)))
		return 0;
	log_warnx("upgrade from the pinned generation %s refused: %s. That generation stays in force; to replace it, "
		  "run daemon --stop-enforcement (its sandbox leaves the kernel) or the build that made it",
		  s->pins->previous, why);
	return -1;
}

/* The records an older generation's ring buffer can hold at once: a drain reads no more (drain_one). */
#define DRAIN_MAX	((unsigned)((8u << 20) / (sizeof(struct ev_hdr) + 8)))

struct drain {
	ring_buffer_sample_fn fn;
	void *ctx;
	unsigned left;
};

static int drain_one(void *ctx, void *data, size_t size)
{
	struct drain *dr = ctx;

	dr->fn(dr->ctx, data, size);	/* its own stop (a slice's end) does not apply to a drain */
	return --dr->left ? 0 : SENSOR_CONSUME_STOP;
}

int sensor_drain_pinned(struct sensor *s, const char *dir)
{
	struct drain dr = { .fn = s->fn, .ctx = s->ctx, .left = DRAIN_MAX };
	char path[PATH_MAX];
	struct ring_buffer *rb;
	int fd, err;

	snprintf(path, sizeof(path), "%s/maps/events", dir);
	if ((fd = bpf_obj_get(path)) < 0) {
		log_warn("ring buffer %s", path);
		return -1;
	}
	rb = ring_buffer__new(fd, drain_one, &dr, NULL);
	close(fd);
	if (!rb) {
		log_warn("ring buffer %s", path);
		return -1;
	}
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	/* The old programs run until the generation goes, and may fill the ring as fast as it is read: past what it
	 * held at once, its records were made after this generation's programs attached, which saw the same. */
	if (err == SENSOR_CONSUME_STOP)
		log_warnx("ring buffer %s: read %u records, as many as it holds; the rest are this generation's too",
			  path, DRAIN_MAX);
	else if (err < 0) {
		log_warnx("ring buffer %s: consume: %s", path, strerror(-err));
		return -1;
	}
	return 0;
}

int sensor_open(struct sensor *s, struct pins *pins, ring_buffer_sample_fn fn, void *ctx, bool lsm,
		unsigned without, const char *cgroup2, uint32_t capacity)
{
	char prev[PATH_MAX];
	struct kernel_btf k;
	bool unix_hooks;
	int inherit;

	memset(s, 0, sizeof(*s));
	s->pins = pins;
	s->fn = fn;
	s->ctx = ctx;
	s->capacity = capacity;
	libbpf_set_print(libbpf_log);
	if (kernel_btf_probe(&k))
		return -1;
	s->exit_group_dead = k.exit_group_dead && !(without & SENSOR_WITHOUT_GROUP_DEAD);
	/* Before 6.1 the per-process maps are allocated whole at load: their size is then memory held. */
	if ((s->prealloc = !k.mem_alloc) && s->capacity > PREALLOC_MAX_CAPACITY) {
		log_warnx("no BPF memory allocator (Linux 6.1 and later have it): room for %u tracked processes, not %u",
			  PREALLOC_MAX_CAPACITY, s->capacity);
		s->capacity = PREALLOC_MAX_CAPACITY;
	}
	if (name_gen(s, lsm, without, cgroup2))
		return -1;
	unix_hooks = unix_probe(s->unix_why, sizeof(s->unix_why));
	if (!unix_hooks && !lsm)
		log_warnx("network.unix rules unavailable (%s; no BPF LSM either): a policy with them is refused",
			  s->unix_why);
	/* The limits go in before anything is attached: a fork that finds none is refused its lineage. */
	if (proc_choose(s, k.signal_task && !(without & SENSOR_WITHOUT_SIGNAL_TASK)) || share_lineage(s))
		goto fail;
	s->net = net_bpf__open();
	if (!s->net) {
		log_warn("open net.bpf.o");
		goto fail;
	}
	if (load_shared(s, s->net->skeleton, "net.bpf.o"))
		goto fail;
	s->out = stdout_bpf__open();
	if (!s->out) {
		log_warn("open stdout.bpf.o");
		goto fail;
	}
	if (load_shared(s, s->out->skeleton, "stdout.bpf.o"))
		goto fail;
	if (enforce_load(s, lsm, unix_hooks ? UNIX_CGROUP : lsm ? UNIX_LSM : UNIX_NONE)) {
		if (s->unix_mode == UNIX_NONE)
			goto fail;
		/* A verifier that rejects the unix programs costs the unix rules, not the daemon. */
		enforce_bpf__destroy(s->enf);
		s->enf = NULL;
		snprintf(s->unix_why, sizeof(s->unix_why), "the kernel has the %s hooks but refused the programs "
			 "(the daemon's log has the verifier's words)", s->unix_mode == UNIX_LSM ? "LSM" : "cgroup unix");
		log_warnx("network.unix rules unavailable (%s): a policy with them is refused", s->unix_why);
		if (enforce_load(s, lsm, UNIX_NONE))
			goto fail;
	} else if (s->unix_mode == UNIX_LSM) {
		snprintf(s->unix_why, sizeof(s->unix_why), "ok: BPF LSM socket_connect and socket_sendmsg (no cgroup "
			 "connect_unix hook: Linux 6.7 and later have it)");
		log_warnx("network.unix rules enforced by BPF LSM (no cgroup connect_unix hook here)");
	}
	/* An upgrade: the older generation's state goes into these maps before these programs run, and what its
	 * programs made meanwhile once they do; it stays attached until the daemon is ready (handover.h). */
	if ((inherit = pins_inherit(s->pins, prev, sizeof(prev))) < 0 || (inherit && carry(s, prev, false)))
		goto fail;
	if (attach_all(s))
		goto fail;
	s->exec_lsm = lsm;
	if (cgroup2[0] && enforce_attach_cgroup(s, cgroup2))
		goto fail;
	if (inherit && carry(s, prev, true))
		goto fail;
	if (!cgroup2[0] && s->unix_mode == UNIX_CGROUP)
		s->unix_mode = UNIX_NONE;	/* loaded, but there is no cgroup v2 root to attach them to */
	s->rb = ring_buffer__new(bpf_map__fd(s->proc->maps.events), fn, ctx, NULL);
	if (!s->rb) {
		log_warn("ring buffer on map events");
		goto fail;
	}
	return 0;
fail:
	sensor_close(s);
	return -1;
}

int sensor_pin(struct sensor *s)
{
	struct bpf_object_skeleton *skels[] = { s->proc->skeleton, s->net->skeleton, s->out->skeleton,
						s->enf->skeleton };
	struct bpf_program *cg[SENSOR_SOCK_LINKS] = {
		s->enf->progs.enforce_connect4, s->enf->progs.enforce_connect6,
		s->enf->progs.enforce_sendmsg4, s->enf->progs.enforce_sendmsg6,
		s->enf->progs.enforce_connect_unix, s->enf->progs.enforce_sendmsg_unix,
	};

	for (size_t i = 0; i < sizeof(skels) / sizeof(skels[0]); i++) {
		if (pins_keep_maps(s->pins, *skels[i]->obj))
			return -1;
		for (int j = 0; j < skels[i]->prog_cnt; j++) {
			struct bpf_link *l = *skels[i]->progs[j].link;

			if (l && l != s->proc->links.seed_tasks &&
			    pins_keep_link(s->pins, *skels[i]->progs[j].prog, l))
				return -1;
		}
	}
	for (int i = 0; i < SENSOR_SOCK_LINKS; i++)
		if (s->sock_links[i] && pins_keep_link(s->pins, cg[i], s->sock_links[i]))
			return -1;
	return 0;
}

void sensor_close(struct sensor *s)
{
	ring_buffer__free(s->rb);
	for (int i = 0; i < SENSOR_SOCK_LINKS; i++)
		bpf_link__destroy(s->sock_links[i]);
	enforce_bpf__destroy(s->enf);
	stdout_bpf__destroy(s->out);
	net_bpf__destroy(s->net);
	proc_bpf__destroy(s->proc);
	memset(s, 0, sizeof(*s));
}

int sensor_consume(struct sensor *s)
{
	int err = ring_buffer__consume(s->rb);

	if (err < 0 && err != SENSOR_CONSUME_STOP) {
		log_warnx("ring buffer: consume: %s", strerror(-err));
		return -1;
	}
	return err < 0;
}

int sensor_set_flags(struct sensor *s, __u32 flags)
{
	__u32 zero = 0;

	if (s->unborn == UNBORN_FIRST_RUN)
		flags |= CFG_UNBORN_RUN;	/* attached by now: marks will be consumed */
	if (s->unborn != UNBORN_TASK_SIGNAL)
		flags |= CFG_NO_SIGNAL_TASK;	/* absent, or left unused by --without signal-task */

	if (bpf_map__update_elem(s->proc->maps.sensor_config, &zero, sizeof(zero), &flags, sizeof(flags), BPF_ANY)) {
		log_warn("map sensor_config: set flags %#x", flags);
		return -1;
	}
	return 0;
}

int64_t sensor_lineage_shared(struct sensor *s)
{
	__u32 zero = 0;
	__s64 n;

	if (bpf_map__lookup_elem(s->proc->maps.lineage_shared, &zero, sizeof(zero), &n, sizeof(n), 0)) {
		log_warn("map lineage_shared: read");
		return -1;
	}
	return n;
}

int sensor_reserve_tidy(struct sensor *s)
{
	struct bpf_map *m = s->proc->maps.server_reserve;
	__u32 key, next, gone[LINEAGE_RESERVED_SERVERS];
	unsigned n = 0;
	void *prev = NULL;
	__s64 held;

	/* A small map (LINEAGE_RESERVED_SERVERS), and nothing else removes from it: a get_next_key walk is safe. */
	while (n < LINEAGE_RESERVED_SERVERS && !bpf_map__get_next_key(m, prev, &next, sizeof(next))) {
		key = next;
		prev = &key;
		if (!bpf_map__lookup_elem(m, &key, sizeof(key), &held, sizeof(held), 0) && held <= 0)
			gone[n++] = key;
	}
	for (unsigned i = 0; i < n; i++)
		if (bpf_map__delete_elem(m, &gone[i], sizeof(gone[i]), 0) && errno != ENOENT) {
			log_warn("map server_reserve: remove server %u", gone[i]);
			return -1;
		}
	return 0;
}

int sensor_track(struct sensor *s, __u32 pid, const struct tracked *t, __u64 flags)
{
	if (bpf_map__update_elem(s->proc->maps.tracked, &pid, sizeof(pid), t, sizeof(*t), flags)) {
		if (!(flags == BPF_EXIST && errno == ENOENT))
			log_warn("map tracked: add pid %u (server %u)", pid, t->server_id);
		return -1;
	}
	return 0;
}

int sensor_tracked_update(struct sensor *s, __u32 pid, const struct tracked *t)
{
	if (bpf_map__update_elem(s->proc->maps.tracked, &pid, sizeof(pid), t, sizeof(*t), BPF_EXIST)) {
		if (errno != ENOENT)
			log_warn("map tracked: update pid %u (server %u)", pid, t->server_id);
		return -1;
	}
	return 0;
}

int sensor_tracked_get(struct sensor *s, __u32 pid, struct tracked *t)
{
	if (bpf_map__lookup_elem(s->proc->maps.tracked, &pid, sizeof(pid), t, sizeof(*t), 0)) {
		if (errno != ENOENT)
			log_warn("map tracked: read pid %u", pid);
		return -1;
	}
	return 0;
}

int sensor_cgroup_set(struct sensor *s, __u64 cgid, __u32 server_id)
{
	if (bpf_map__update_elem(s->proc->maps.server_cgroups, &cgid, sizeof(cgid), &server_id,
				 sizeof(server_id), BPF_ANY)) {
		log_warn("map server_cgroups: add cgroup %llu (server %u)", (unsigned long long)cgid, server_id);
		return -1;
	}
	return 0;
}

int sensor_cgroup_del(struct sensor *s, __u64 cgid)
{
	if (bpf_map__delete_elem(s->proc->maps.server_cgroups, &cgid, sizeof(cgid), 0) && errno != ENOENT) {
		log_warn("map server_cgroups: remove cgroup %llu", (unsigned long long)cgid);
		return -1;
	}
	return 0;
}

/* Sums `n` per-CPU u64 counters of `map` into out[0..n). */
static int sum_percpu(struct bpf_map *map, uint64_t *out, __u32 n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *percpu;

	if (ncpu < 0) {
		log_warnx("possible CPUs: %s", strerror(-ncpu));
		return -1;
	}
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu) {
		log_warn("map %s: %d CPUs", bpf_map__name(map), ncpu);
		return -1;
	}
	for (__u32 i = 0; i < n; i++) {
		out[i] = 0;
		if (bpf_map__lookup_elem(map, &i, sizeof(i), percpu, ncpu * sizeof(*percpu), 0)) {
			log_warn("map %s: read index %u", bpf_map__name(map), i);
			free(percpu);
			return -1;
		}
		for (int cpu = 0; cpu < ncpu; cpu++)
			out[i] += percpu[cpu];
	}
	free(percpu);
	return 0;
}

int sensor_drops(struct sensor *s, uint64_t out[EV_TYPE_MAX])
{
	return sum_percpu(s->proc->maps.drops, out, EV_TYPE_MAX);
}

int sensor_errors(struct sensor *s, uint64_t out[SERR_MAX])
{
	return sum_percpu(s->proc->maps.sensor_errors, out, SERR_MAX);
}

/* Entries read per batch: a hash map's batch is whole buckets, and no bucket holds this many. */
#define TRACKED_BATCH	1024

int sensor_tracked_each(struct sensor *s, void (*fn)(void *ctx, __u32 pid, const struct tracked *t), void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(s->proc->maps.tracked), err;
	__u32 *keys = calloc(TRACKED_BATCH, sizeof(*keys)), in, out, n;
	struct tracked *vals = calloc(TRACKED_BATCH, sizeof(*vals));
	void *from = NULL;

	if (!keys || !vals) {
		log_warn("map tracked: walk %d entries at a time", TRACKED_BATCH);
		err = -1;
		goto out;
	}
	/* The batch is a bucket position, not a key: entries deleted meanwhile (exits during a kill) never send it
	 * back to the start, as a get_next_key walk is sent whenever its last key goes. */
	do {
		n = TRACKED_BATCH;
		err = bpf_map_lookup_batch(fd, from, &out, keys, vals, &n, &opts);
		if (err && errno != ENOENT) {
			log_warn("map tracked: walk entries");
			goto out;
		}
		for (__u32 i = 0; i < n; i++)
			fn(ctx, keys[i], &vals[i]);
		in = out;
		from = &in;
	} while (!err);
	err = 0;	/* ENOENT: the last batch */
out:
	free(keys);
	free(vals);
	return err;
}

static void count_one(void *ctx, __u32 pid, const struct tracked *t)
{
	(void)pid;
	(void)t;
	++*(long *)ctx;
}

long sensor_tracked_count(struct sensor *s)
{
	long n = 0;

	return sensor_tracked_each(s, count_one, &n) ? -1 : n;
}

/* Reads the EV_SEED headers of a run of the task iterator `link`, passing each whole one to `fn`. 0, or -1
 * (errno set; `what` names the run in the log). */
static int iter_read(struct bpf_link *link, void (*fn)(const struct ev_hdr *h, void *ctx), void *ctx,
		     const char *what)
{
	struct ev_hdr h;
	size_t have = 0;
	ssize_t n;
	int fd = bpf_iter_create(bpf_link__fd(link)), err;

	if (fd < 0) {
		log_warn("task iterator seed_tasks (%s)", what);
		return -1;
	}
	/* read() may split records; gather whole headers. */
	while ((n = read(fd, (char *)&h + have, sizeof(h) - have)) > 0) {
		have += n;
		if (have == sizeof(h)) {
			fn(&h, ctx);
			have = 0;
		}
	}
	err = errno;
	if (n < 0)
		log_warn("task iterator seed_tasks (%s): read", what);
	close(fd);
	errno = err;
	return n < 0 ? -1 : 0;
}

int sensor_seed(struct sensor *s, void (*fn)(const struct ev_hdr *h, void *ctx), void *ctx)
{
	return iter_read(s->proc->links.seed_tasks, fn, ctx, "every process");
}

static void take_hdr(const struct ev_hdr *h, void *ctx)
{
	*(struct ev_hdr *)ctx = *h;
}

int sensor_task(struct sensor *s, pid_t pid, struct ev_hdr *h)
{
	union bpf_iter_link_info info = { 0 };
	LIBBPF_OPTS(bpf_iter_attach_opts, o, .link_info = &info, .link_info_len = sizeof(info));
	struct bpf_link *link;
	char what[32];
	int fd, r, err;

	/* The process, pinned by a pidfd: if its pid is reused meanwhile, the iterator finds none, not the next. */
	snprintf(what, sizeof(what), "pid %d", (int)pid);
	if ((fd = pidfd_open(pid, 0)) < 0) {
		if (errno != ESRCH && errno != EINVAL)
			log_warn("task iterator seed_tasks (%s): pidfd_open", what);
		return -1;
	}
	info.task.pid_fd = fd;
	link = bpf_program__attach_iter(s->proc->progs.seed_tasks, &o);
	err = errno;
	close(fd);
	if (!link) {
		log_warnx("task iterator seed_tasks (%s): attach: %s", what, strerror(err));
		errno = err;
		return -1;
	}
	h->pid = 0;
	r = iter_read(link, take_hdr, h, what);
	err = errno;
	bpf_link__destroy(link);
	if (!r && h->pid != (uint32_t)pid) {	/* its leader exits, or is a zombie: the iterator skips it */
		err = ESRCH;
		r = -1;
	}
	errno = err;
	return r;
}
