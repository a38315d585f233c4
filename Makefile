# Builds mcpwarden (one binary, BPF skeletons embedded), its tests, fuzzers and benchmarks.
BUILD    ?= build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
CFLAGS   ?= -O2 -g
PKGS     := libbpf libcjson yaml-0.1 libcrypto zlib libelf libseccomp libcap
# Recursive (=) on purpose: pkg-config is asked when a recipe first needs the flags (then the
# answer is kept), never while make reads this file, which on a fresh machine happens before
# tools/install-deps.sh has run.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $$(PKGS)))$(PKG_LIBS)
# Simply expanded, so the environment can't name another script for `make test` to run as root.
DEPS     := tools/install-deps.sh
WARN     := -Wall -Wextra -Werror
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) \
	     $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS) -lm
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
USER_SRCS := $(sort $(shell find user -name '*.c' ! -path user/main.c))
USER_OBJS := $(USER_SRCS:%.c=$(BUILD)/%.o)
BPF_SRCS  := $(sort $(wildcard bpf/*.bpf.c))
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HELPER_SRCS := $(sort $(wildcard tests/integration/helpers/*.c))
HELPER32_SRCS := $(sort $(wildcard tests/integration/helpers/*32.S))
HELPERS   := $(HELPER_SRCS:tests/integration/helpers/%.c=$(BUILD)/tests/helpers/%) \
	     $(HELPER32_SRCS:tests/integration/helpers/%.S=$(BUILD)/tests/helpers/%)

.PHONY: all run test test-kernels bench clean deps san fuzz install
.SECONDARY:	# keep generated skeletons and BPF objects between builds
all: $(BUILD)/mcpwarden $(HELPERS)

deps:
	bash $(DEPS)

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BUILD)/vmlinux.h $(wildcard include/*.h bpf/*.h)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		-Iinclude -I$(BUILD) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c | $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libmcpwarden.a: $(USER_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/mcpwarden: $(BUILD)/user/main.o $(BUILD)/libmcpwarden.a
	$(CC) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmcpwarden.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS) -lcmocka

# Programs the integration tests run (build/tests/helpers/*): evasion tricks, a cgroup-passing test shim.
$(BUILD)/tests/helpers/%: tests/integration/helpers/%.c $(BUILD)/libmcpwarden.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS)

# A 32-bit (i386) program, in assembly so that no 32-bit libc is needed: how a compat process's syscalls look.
$(BUILD)/tests/helpers/%32: tests/integration/helpers/%32.S
	@mkdir -p $(@D)
	$(CC) -m32 -nostdlib -static -o $@ $<

# Sanitizer build used by the tests: build/san/mcpwarden and build/san/tests/*.
san:
	$(MAKE) BUILD=$(BUILD)/san SANFLAGS="$(SAN)" $(BUILD)/san/mcpwarden \
		$(UNIT_SRCS:tests/unit/%.c=$(BUILD)/san/tests/%)

# libFuzzer harnesses, one per parser, built from the parsers' sources only.
FUZZED_SRCS := $(sort $(wildcard user/jsonrpc/*.c user/policy/*.c)) user/shim/linebuf.c user/common/log.c \
	       $(addprefix user/discover/,config_doc.c jsonc.c textbuf.c toml_servers.c wrap_text.c wrapper.c) \
	       $(addprefix user/audit/,verify.c segments.c kinds.c record_num.c syslog_target.c syslog_msg.c seal.c head.c) \
	       user/common/sha256.c user/common/names.c
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZED_SRCS)
	@mkdir -p $(@D)
	$(CLANG) -std=gnu11 $(WARN) -g -O1 -D_GNU_SOURCE -Iinclude -Iuser $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZED_SRCS) $(LDLIBS)

# Installs the binary, the systemd unit and the shipped policies (DESTDIR for staging), and the group
# mcpwarden, whose members' shims may use the daemon's control socket (not for a staged install: the group
# is the host's, not the stage's).
PREFIX ?= /usr/local
install: $(BUILD)/mcpwarden
	install -D -m 0755 $(BUILD)/mcpwarden $(DESTDIR)$(PREFIX)/bin/mcpwarden
	install -D -m 0644 tools/mcpwarden.service $(DESTDIR)/etc/systemd/system/mcpwarden.service
	install -d $(DESTDIR)$(PREFIX)/share/mcpwarden/policies
	install -m 0644 policies/*.yaml $(DESTDIR)$(PREFIX)/share/mcpwarden/policies/
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/mcpwarden/README.md
	if [ -z "$(DESTDIR)" ]; then getent group mcpwarden >/dev/null || groupadd --system mcpwarden; fi

fuzz: $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# The README's commands install the dependencies first, then build in a sub-make: only a make
# started after the install finds bpftool, clang and the pkg-config files (tests/build checks this).
run:
	bash $(DEPS)
	$(MAKE) all
	bash tools/demo.sh

test:
	bash $(DEPS)
	$(MAKE) all san fuzz
	bash tests/run.sh

# The kernel matrix (tools/kernels/matrix.sh): Debian's kernels under qemu, and this one. On demand, not in `test`.
test-kernels:
	bash $(DEPS) kernels
	$(MAKE) all
	bash tools/kernels/matrix.sh

bench:
	bash $(DEPS)
	$(MAKE) all $(BUILD)/bench $(BUILD)/loadgen $(BUILD)/hardened
	bash tools/bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(BUILD)/bench: tools/bench/bench.c $(BUILD)/libmcpwarden.a
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS) -lpthread

$(BUILD)/hardened: tools/bench/hardened.c $(BUILD)/libmcpwarden.a
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

$(BUILD)/loadgen: tools/bench/loadgen.c
	$(CC) $(ALL_CFLAGS) -o $@ $<
