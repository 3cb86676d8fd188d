# SPDX-License-Identifier: GPL-2.0
#
#   make            build the BPF object, its skeleton and the tools (build/bin/)
#   make test       host unit tests, host checks, then the VM test suite
#   make demo       boot the demo VM: a protected privileged container vs. the host
#                   (KERNEL=6.1|6.12 picks the VM's Debian kernel, default 6.12)
#   make bench      the enforcer's cost: hot paths, mounts (vs. a seccomp trap), container
#                   start, trap events; mounts and start under docker (build/bench.txt)
#   make bench-exact  the same under QEMU instruction counting, twice: each hot path's
#                   ratios from both runs and how far apart (build/bench-exact.txt)
#   make soak       the churn soak: ECI_SOAK_COUNT (default 2000) docker containers with
#                   registrations and settings applies racing them (tests/vm-docker/89-soak.sh)
#   make vm         the VM test bed only (kernel, initramfs, disk)
#   make test-vm-systemd  the systemd VM: Debian 12 with systemd, docker.io and
#                   the eci .deb (KERNEL=6.1 in CI, as the other suites)
#   make SANITIZE=1 user space built with ASan/UBSan (build/asan/)
#   make fuzz       each parser under libFuzzer for FUZZ_SECONDS (default 300) seconds
#   make ARCH=arm64 the same for arm64 (build/arm64/): the BPF object for arm64, user space
#                   cross-built with Debian's aarch64-linux-gnu toolchain and arm64 libraries;
#                   `make test ARCH=arm64` / `make demo ARCH=arm64` boot Debian's arm64 kernel
#                   under qemu-system-aarch64 (TCG) and run the arm64 subset (tests/run-arm64.sh)
#
# On a fresh machine the first `make` installs the Debian packages it needs
# (scripts/deps.sh).

ARCH ?= x86
export ARCH
# The Debian kernel the test VM boots (scripts/vm/kernel.sh): 6.12 (Debian 13)
# or 6.1 (Debian 12). `make test` runs both whatever this says.
KERNEL ?= 6.12
export KERNEL
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc

ifeq ($(ARCH)-$(shell uname -m),arm64-aarch64)
# Native on an arm64 machine (the Debian package's build there).
BUILD := build
PKG_CONFIG := pkg-config
DEPS_OPTS :=
else ifeq ($(ARCH),arm64)
# Cross-built: the arm64 VM runs these; the x86 build under build/ stays as it is.
BUILD := build/arm64
CC := aarch64-linux-gnu-gcc
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig pkg-config
DEPS_OPTS := --arm64
else ifeq ($(ARCH),x86)
BUILD := build
PKG_CONFIG := pkg-config
DEPS_OPTS :=
else
$(error ARCH=$(ARCH): choose x86 or arm64)
endif
ifeq ($(SANITIZE),1)
OUT := $(BUILD)/asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
OUT := $(BUILD)
endif

BPF_SRCS := bpf/maps.bpf.c $(filter-out bpf/maps.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS := $(wildcard bpf/*.h) vmlinux/$(ARCH)/vmlinux.h

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 $(SANFLAGS)
CPPFLAGS += -Ibpf -Iuser -I$(BUILD)
# ecictl --version, ecitop --version: the tree built, or "unknown" outside git.
ECI_VERSION ?= $(or $(shell git describe --always --dirty 2>/dev/null),unknown)
CPPFLAGS += -DECI_VERSION='"$(ECI_VERSION)"'
# libnl: the loader resolves generic netlink family names (user/net.c).
LDLIBS_BPF := -lbpf -lelf -lz $(shell $(PKG_CONFIG) --libs libnl-genl-3.0)
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags-only-I libnl-genl-3.0)
# http_parser by its soname: libhttp-parser-dev (the header, arch-independent)
# is not co-installable across architectures, so the arm64 cross build links
# the arm64 runtime package's library (scripts/deps.sh --arm64).
LDLIBS_HTTP := -l:libhttp_parser.so.2.9 -lpthread

ECILIB_SRCS := user/loader.c user/container.c user/cgroup.c user/device.c user/events.c \
	user/util.c user/stats.c user/metrics.c user/txn.c user/maps.c user/bind.c user/hooks.c user/image.c \
	user/settings.c user/settings_apply.c user/ocihook.c user/stream.c user/capops.c \
	user/net.c
ECICTL_SRCS := user/ecictl.c user/daemon.c user/proxy.c $(ECILIB_SRCS)
ECITOP_SRCS := user/ecitop.c user/ecitop_model.c $(ECILIB_SRCS)
TESTS_BIN_SRCS := $(wildcard tests/helpers/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)

DEPS_STAMP := $(BUILD)/.deps

# A failed bpftool or compiler run must not leave a target that looks done.
.DELETE_ON_ERROR:

.PHONY: all deps vm test test-unit fuzz fuzz-build test-host vm-images vm-docker-images vm-podman-images test-vm test-vm-docker test-vm-podman test-eci-vm test-vm-systemd soak demo bench bench-exact clean format format-check

all: $(OUT)/bin/ecictl $(OUT)/bin/ecitop $(patsubst tests/helpers/%.c,$(BUILD)/tests-bin/%,$(TESTS_BIN_SRCS))

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@scripts/deps.sh $(DEPS_OPTS)
	@mkdir -p $(@D) && touch $@

# Each policy is its own BPF translation unit; `bpftool gen object` links them
# into one object, so they share the maps defined in maps.bpf.c (linked first)
# and the loader handles a single skeleton.
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf -c $< -o $@

$(BUILD)/eci.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/eci.skel.h: $(BUILD)/eci.bpf.o
	$(BPFTOOL) gen skeleton $< name eci_bpf > $@

# The version is compiled into util.o: rebuilt when the version changes (the
# stamp is rewritten only then).
$(BUILD)/.version: FORCE
	@mkdir -p $(@D)
	@echo '$(ECI_VERSION)' | cmp -s - $@ || echo '$(ECI_VERSION)' > $@
$(OUT)/obj/util.o: $(BUILD)/.version
.PHONY: FORCE

$(OUT)/obj/%.o: user/%.c $(wildcard user/*.h) bpf/eci.h $(BUILD)/eci.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/bin/ecictl: $(patsubst user/%.c,$(OUT)/obj/%.o,$(ECICTL_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS_BPF) -ljson-c $(LDLIBS_HTTP) -o $@

$(OUT)/bin/ecitop: $(patsubst user/%.c,$(OUT)/obj/%.o,$(ECITOP_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS_BPF) -ljson-c $(shell $(PKG_CONFIG) --libs ncursesw) -o $@

# Test helpers run inside minimal containers: static, no library needed there.
$(BUILD)/tests-bin/%: tests/helpers/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -static $< -o $@

# Unit tests: host-only code, built with the sanitizers always.
$(BUILD)/unit/test_cgroup: tests/unit/test_cgroup.c user/cgroup.c user/util.c user/cgroup.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_cgroup.c user/cgroup.c user/util.c -o $@

$(BUILD)/unit/test_device: tests/unit/test_device.c user/device.c user/device.h bpf/eci.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_device.c user/device.c -o $@

# The renderers need the hook names (loader.c, so the skeleton) and libbpf.
$(BUILD)/unit/test_metrics: tests/unit/test_metrics.c $(ECILIB_SRCS) $(wildcard user/*.h) $(BUILD)/eci.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_metrics.c $(ECILIB_SRCS) \
		$(LDLIBS_BPF) -ljson-c -o $@

# The event decoder and the OCI hook sit on the loader (the skeleton) and libbpf.
$(BUILD)/unit/test_events: tests/unit/test_events.c $(ECILIB_SRCS) $(wildcard user/*.h) $(BUILD)/eci.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_events.c $(ECILIB_SRCS) \
		$(LDLIBS_BPF) -ljson-c -o $@

$(BUILD)/unit/test_oci: tests/unit/test_oci.c $(ECILIB_SRCS) $(wildcard user/*.h) $(BUILD)/eci.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_oci.c $(ECILIB_SRCS) \
		$(LDLIBS_BPF) -ljson-c -o $@

# ecitop's model without its screen: no ncurses; stats and events need libbpf.
$(BUILD)/unit/test_ecitop: tests/unit/test_ecitop.c user/ecitop_model.c $(ECILIB_SRCS) \
		$(wildcard user/*.h) $(BUILD)/eci.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_ecitop.c user/ecitop_model.c \
		$(ECILIB_SRCS) $(LDLIBS_BPF) -ljson-c -o $@

# Path normalization lives with the bind sources (bind.c), on the maps layer.
TEST_SETTINGS_SRCS := user/settings.c user/image.c user/device.c user/bind.c user/maps.c \
	user/txn.c user/util.c
$(BUILD)/unit/test_settings: tests/unit/test_settings.c $(TEST_SETTINGS_SRCS) $(wildcard user/*.h) \
		bpf/eci.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_settings.c $(TEST_SETTINGS_SRCS) \
		$(LDLIBS_BPF) -ljson-c -o $@

# The API proxy's decisions and its connection loop (socketpairs, no engine).
TEST_PROXY_SRCS := user/proxy.c $(TEST_SETTINGS_SRCS)
$(BUILD)/unit/test_proxy: tests/unit/test_proxy.c $(TEST_PROXY_SRCS) $(wildcard user/*.h) bpf/eci.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
		-fno-sanitize-recover=all tests/unit/test_proxy.c $(TEST_PROXY_SRCS) \
		$(LDLIBS_BPF) -ljson-c $(LDLIBS_HTTP) -o $@

test-unit: $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
	@tests/run-unit.sh $^

# Fuzzing: each parser of text others write, under libFuzzer with ASan and
# UBSan (clang only). The seeds and every crash's reproducer are in
# tests/fuzz/corpus/<target>/; what a run finds is in build/fuzz/.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := settings oci image device events
FUZZ_CFLAGS := -std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/bin/fuzz_%,$(FUZZ_TARGETS))
FUZZ_LIB_settings := settings image device bind maps txn util
FUZZ_LIB_image := image
FUZZ_LIB_device := device
# The hook and the event decoder sit on the loader's library, skeleton and all.
FUZZ_LIB_oci := $(patsubst user/%.c,%,$(ECILIB_SRCS))
FUZZ_LIB_events := $(FUZZ_LIB_oci)
FUZZ_LIBS_settings := $(LDLIBS_BPF) -ljson-c
FUZZ_LIBS_oci := $(LDLIBS_BPF) -ljson-c
FUZZ_LIBS_events := $(LDLIBS_BPF) -ljson-c

$(BUILD)/fuzz/obj/%.o: user/%.c $(wildcard user/*.h) bpf/eci.h $(BUILD)/eci.skel.h
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/obj/fuzz_%.o: tests/fuzz/fuzz_%.c $(wildcard user/*.h) bpf/eci.h
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# Kept, so a rebuild compiles only what changed.
.PRECIOUS: $(BUILD)/fuzz/obj/%.o $(BUILD)/fuzz/obj/fuzz_%.o

.SECONDEXPANSION:
$(BUILD)/fuzz/bin/fuzz_%: $(BUILD)/fuzz/obj/fuzz_%.o $$(addprefix $(BUILD)/fuzz/obj/,$$(addsuffix .o,$$(FUZZ_LIB_$$*)))
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(FUZZ_LIBS_$*) -o $@

fuzz-build: $(FUZZ_BINS)

# One target at a time, niced: the machine is shared. One PASS/FAIL line each.
fuzz: $(FUZZ_BINS)
	@rc=0; for t in $(FUZZ_TARGETS); do \
		tests/fuzz/run.sh $$t $(FUZZ_SECONDS) || rc=1; \
	done; exit $$rc

test-host: all
	@$(MAKE) --no-print-directory SANITIZE=1 $(BUILD)/asan/bin/ecictl $(BUILD)/asan/bin/ecitop
	@tests/host/run.sh $(BUILD)/asan/bin/ecictl
	@tests/host/stats.sh $(BUILD)/asan/bin/ecictl
	@tests/host/ecitop-tmux.sh $(BUILD)/asan/bin/ecitop
	@tests/host/bench-tools.sh $(BUILD)/tests-bin

vm: all
	@scripts/vm/kernel.sh $(KERNEL) >/dev/null
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL)

# The images alone, so that two kernels' suites can then run side by side
# without two makes building the same files (tests/run-all.sh).
vm-images: vm

vm-docker-images: vm
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL) --docker >/dev/null

vm-podman-images: vm
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL) --podman >/dev/null

test-vm: vm
	@tests/run-vm.sh --kernel $(KERNEL)

test-vm-docker: vm
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL) --docker >/dev/null
	@tests/run-vm.sh --kernel $(KERNEL) --docker

test-vm-podman: vm
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL) --podman >/dev/null
	@tests/run-vm.sh --kernel $(KERNEL) --podman

# The churn soak alone, long: make test runs it shortened (its default count).
ECI_SOAK_COUNT ?= 2000
soak: vm
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL) --docker >/dev/null
	@ECI_SOAK_COUNT=$(ECI_SOAK_COUNT) ECI_TESTS=89-soak ECI_TEST_TIMEOUT=$$(($(ECI_SOAK_COUNT) * 30 + 900)) \
		tests/run-vm.sh --kernel $(KERNEL) --docker --timeout $$(($(ECI_SOAK_COUNT) * 30 + 1200))

test-eci-vm: vm
	@tests/host/eci-vm.sh

# The systemd VM: Debian 12 (debootstrap, cached by its package list's hash)
# booting systemd with docker.io and the eci .deb (tests/run-vm-systemd.sh).
test-vm-systemd: all
	@tests/run-vm-systemd.sh --kernel $(KERNEL)

ifeq ($(ARCH),arm64)
# The arm64 subset: host-side tests are the x86 build's; the VM's are these.
test: all
	@tests/run-arm64.sh
else
# One summary for all three parts, so CI reads one "N passed, N failed".
test: all
	@tests/run-all.sh
endif

demo: vm
	@scripts/demo.sh

bench: vm
	@scripts/bench.sh

bench-exact: vm
	@scripts/vm/mkinitramfs.sh --kernel $(KERNEL) --docker >/dev/null
	@scripts/bench-exact.sh

C_SOURCES = bpf/*.c bpf/*.h user/*.c user/*.h tests/unit/*.c tests/unit/*.h tests/helpers/*.c \
	tests/fuzz/*.c

format:
	clang-format -i $(C_SOURCES)

# One PASS/FAIL line for tests/run-all.sh: the tree is as clang-format writes it.
format-check:
	@if clang-format --dry-run --Werror $(C_SOURCES) 2>/dev/null; then \
		echo "PASS style: clang-format (.clang-format, kernel style at 100 columns) is clean"; \
	else \
		echo "FAIL style: clang-format would change: $$(clang-format --dry-run $(C_SOURCES) 2>&1 | grep -o '^[^:]*' | sort -u | tr '\n' ' ')"; \
		exit 1; \
	fi

clean:
	rm -rf $(BUILD)/bpf $(BUILD)/obj $(BUILD)/bin $(BUILD)/asan $(BUILD)/unit \
		$(BUILD)/tests-bin $(BUILD)/eci.bpf.o $(BUILD)/eci.skel.h $(BUILD)/fuzz

# ---- install ---------------------------------------------------------------
#   make install [PREFIX=/usr/local] [DESTDIR=...]   binaries, units, init script,
#                   OCI hook, man pages; the Debian package uses PREFIX=/usr
#   make man        the man pages (scdoc) in build/man/
#
# Paths follow PREFIX except what other programs look for in fixed places:
# /etc (init script, settings), the OCI hooks directory (/usr/share/... for a
# package, /etc/containers/... for a local install), and systemd units
# (PREFIX/lib/systemd/system; the Debian package sets /lib/systemd/system).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/eci
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
HOOKSDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/share,$(SYSCONFDIR))/containers/oci/hooks.d
INSTALL ?= install

MAN_SRCS := $(wildcard docs/man/*.scd)
MANS := $(patsubst docs/man/%.scd,$(BUILD)/man/%,$(MAN_SRCS))

# The installed files name each other by absolute path.
SUBST := sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: man install

man: $(MANS)

$(BUILD)/man/%: docs/man/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@

install: $(BUILD)/bin/ecictl $(BUILD)/bin/ecitop $(MANS)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR)/docker.service.d $(DESTDIR)$(SYSTEMDUNITDIR)/containerd.service.d \
		$(DESTDIR)$(SYSCONFDIR)/init.d $(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 755 $(BUILD)/bin/ecictl $(BUILD)/bin/ecitop $(DESTDIR)$(SBINDIR)/
	sed 's|^ECICTL=ecictl$$|ECICTL=$(SBINDIR)/ecictl|' scripts/eci-runc >$(BUILD)/eci-runc.inst
	$(INSTALL) -m 755 $(BUILD)/eci-runc.inst $(DESTDIR)$(SBINDIR)/eci-runc
	sed 's|^ECICTL=$${ECICTL:-ecictl}$$|ECICTL=$${ECICTL:-$(SBINDIR)/ecictl}|' scripts/init.d/eci \
		>$(BUILD)/eci.init.inst
	$(INSTALL) -m 755 $(BUILD)/eci.init.inst $(DESTDIR)$(SYSCONFDIR)/init.d/eci
	for u in eci.service eci-daemon.service eci-proxy.service eci-podman-proxy.service docker.service.d/eci.conf containerd.service.d/eci.conf; do \
		$(SUBST) scripts/systemd/$$u >$(BUILD)/unit.inst && \
		$(INSTALL) -m 644 $(BUILD)/unit.inst $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	$(SUBST) scripts/oci/eci-hook.json >$(BUILD)/eci-hook.json.inst
	$(INSTALL) -m 644 $(BUILD)/eci-hook.json.inst $(DESTDIR)$(HOOKSDIR)/eci-hook.json
	$(INSTALL) -m 644 scripts/admin-settings.json $(DESTDIR)$(DOCDIR)/examples/
	$(INSTALL) -m 644 $(filter %.5,$(MANS)) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 644 $(filter %.8,$(MANS)) $(DESTDIR)$(MANDIR)/man8/
	@rm -f $(BUILD)/eci-runc.inst $(BUILD)/eci.init.inst $(BUILD)/unit.inst $(BUILD)/eci-hook.json.inst

# Removes the files, not the enforcer: `ecictl unload` first to stop enforcing.
.PHONY: uninstall
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ecictl $(DESTDIR)$(SBINDIR)/ecitop $(DESTDIR)$(SBINDIR)/eci-runc \
		$(DESTDIR)$(SYSCONFDIR)/init.d/eci $(DESTDIR)$(SYSTEMDUNITDIR)/eci.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/eci-daemon.service $(DESTDIR)$(SYSTEMDUNITDIR)/eci-proxy.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/eci-podman-proxy.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/docker.service.d/eci.conf \
		$(DESTDIR)$(SYSTEMDUNITDIR)/containerd.service.d/eci.conf \
		$(DESTDIR)$(HOOKSDIR)/eci-hook.json $(DESTDIR)$(DOCDIR)/examples/admin-settings.json \
		$(patsubst $(BUILD)/man/%,$(DESTDIR)$(MANDIR)/man5/%,$(filter %.5,$(MANS))) \
		$(patsubst $(BUILD)/man/%,$(DESTDIR)$(MANDIR)/man8/%,$(filter %.8,$(MANS)))

# make install, the man pages and the Debian package (dpkg-buildpackage on a
# copy of the tree, lintian), with no VM.
.PHONY: test-package
test-package: $(BUILD)/bin/ecictl $(BUILD)/bin/ecitop
	@tests/host/package.sh $(BUILD)/bin/ecictl $(BUILD)/bin/ecitop
