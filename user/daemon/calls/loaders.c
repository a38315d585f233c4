/* loaders.c: where this host's dynamic loaders are: ld.so runs any program it is handed, and that program is never exec'd itself. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/calls/loaders.h"

const char *const loader_globs[] = {
	"/lib/ld-*.so*", "/lib64/ld-*.so*", "/lib32/ld-*.so*", "/libx32/ld-*.so*",
	"/usr/lib/ld-*.so*", "/usr/lib64/ld-*.so*", "/usr/lib32/ld-*.so*", "/usr/libx32/ld-*.so*",
	"/lib/*-linux-*/ld-*.so*", "/usr/lib/*-linux-*/ld-*.so*",	/* Debian's multiarch directories */
	NULL,
};

/* The PT_INTERP of open ELF file e into out: 1, 0 (none) or -1 (why set). */
static int interp(Elf *e, const char *program, char *out, size_t size, char *why, size_t whysize)
{
	size_t n;

	if (elf_getphdrnum(e, &n)) {
		snprintf(why, whysize, "%s: no ELF program headers: %s", program, elf_errmsg(-1));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
		if (!d || !d->d_size || d->d_size > size || ((const char *)d->d_buf)[d->d_size - 1] ||
		    ((const char *)d->d_buf)[0] != '/') {
			snprintf(why, whysize, "%s: PT_INTERP is not an absolute path of fewer than %zu bytes", program,
				 size);
			return -1;
		}
		memcpy(out, d->d_buf, d->d_size);
		return 1;
	}
	return 0;
}

int loader_of(const char *program, char *out, size_t size, char *why, size_t whysize)
{
	int fd = open(program, O_RDONLY | O_CLOEXEC), r;
	Elf *e;

	if (fd < 0) {
		snprintf(why, whysize, "%s: %s", program, strerror(errno));
		return -1;
	}
	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL))) {
		snprintf(why, whysize, "%s: libelf: %s", program, elf_errmsg(-1));
		close(fd);
		return -1;
	}
	r = interp(e, program, out, size, why, whysize);
	elf_end(e);
	close(fd);
	return r;
}
