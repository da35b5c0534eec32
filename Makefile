# SPDX-License-Identifier: GPL-2.0
#
# dm-stablepi top-level Makefile.
#
#   make                 build the kernel modules (against KDIR) and the tools
#   make check [T=PAT]   host unit tests, then in-VM integration tests
#   make check KERNEL=debug  the same on the debug kernel (KASAN, lockdep,
#                        kmemleak, ...), built first if it is not in the cache
#   make check-long      the long lane: tests too slow for make check
#   make fstests [FS=ext4] [TESTS="-g quick"] [OPTS="mode:detect stable_writes:1"]
#                        fstests over stablepi in the VM (tools/fstests)
#   make report [FS="ext4 xfs btrfs f2fs"] [SECONDS=20]
#                        the stable-page report card of each filesystem
#                        (tools/report, docs/report.rst)
#   make debug-kernel    build the debug kernel only (tools/kernel/build-debug)
#   make demo            the main job: every mode against the positive controls
#   make bench           throughput ratios, measured side by side in the VM
#   make soak            an hour (SOAK_MINUTES) of mixed load, reloads and
#                        suspends in the VM; not part of make check
#   make lint            checkpatch --strict and sparse on the kernel code
#   make selftest        show that the test runner reports failures
#   make install         modules, stablepi, wac, docs and man page (after make);
#                        install-modules and install-programs do each half
#   make uninstall       remove what make install installed (also in halves)
#   make clean
#
# KDIR defaults to the newest Debian -amd64 kernel headers under /usr/src;
# that kernel is also the one the test VM boots.  On a real machine use
# make KDIR=/lib/modules/$(uname -r)/build.  W=1 and C=1 are passed to kbuild.

# The default (tools/lib/kdir) is evaluated when used, not when this file is
# read: "make check" on a fresh machine installs the headers after make has
# started.  Only a KDIR given by the user reaches the scripts' environment
# (make exports command-line and environment variables); the scripts ask
# tools/lib/kdir for the same default.
ifeq ($(origin KDIR),undefined)
KDIR = $(shell $(CURDIR)/tools/lib/kdir)
endif

DEPS := tools/deps

.PHONY: all deps modules tools check check-long fstests report demo bench soak lint selftest clean \
	kdir-check \
	install install-modules install-programs \
	uninstall uninstall-modules uninstall-programs debug-kernel

all: modules tools

deps:
	@$(DEPS)

kdir-check: deps
	@if [ -z "$(KDIR)" ] || [ ! -f "$(KDIR)/Makefile" ] || \
	    [ ! -f "$(KDIR)/include/generated/utsrelease.h" ]; then \
		echo "error: KDIR='$(KDIR)' is not a configured kernel build tree;" \
		     "install linux-headers-amd64 (apt-get install linux-headers-amd64)" \
		     "or pass KDIR=/lib/modules/\$$(uname -r)/build" >&2; \
		exit 1; \
	fi

modules: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools: deps
	$(MAKE) -C tools

# tests/run installs dependencies and builds first, timing each phase.
check:
	@tests/run $(T)

check-long:
	@tests/run --long $(T)

FS ?= ext4
TESTS ?= -g quick
OPTS ?= mode:detect stable_writes:1
fstests: all
	@tools/fstests --fs $(FS) --table-opts "$(OPTS)" $(TESTS)

# make report measures every filesystem unless FS is given.
REPORT_FS = $(if $(filter command line environment,$(origin FS)),$(FS),ext4 xfs btrfs f2fs)
SECONDS ?= 20

report: all
	@tools/report --fs "$(REPORT_FS)" --seconds $(SECONDS)

debug-kernel: deps
	@tools/kernel/build-debug

demo: all
	@tools/demo

bench: all
	@tools/bench/vm-bench

soak: all
	@tools/soak

lint: kdir-check
	@tools/lint

selftest:
	@tests/run --selftest

# --- make install / make uninstall ------------------------------------------
#
# Installs what "make" built; it builds nothing itself, so that "sudo make
# install" after "make" writes no root-owned files into the tree (and works
# on a read-only tree).  DESTDIR and PREFIX are honoured.  The modules go to
# /lib/modules/KVER/updates (not under PREFIX: the kernel looks there
# only), where KVER is the release they were built for (their vermagic), and
# depmod runs so that "modprobe dm-stablepi" finds them; with DESTDIR set,
# depmod is left to the system the tree is for.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/dm-stablepi
KVER	?= $(shell modinfo -F vermagic dm-stablepi/dm-stablepi.ko 2>/dev/null | cut -d' ' -f1)
MODDIR	?= /lib/modules/$(KVER)/updates
DEPMOD	?= depmod
RST2MAN	?= $(shell command -v rst2man || command -v rst2man.py)
INSTALL	?= install

INSTALL_MODULES	:= dm-stablepi/dm-stablepi.ko scsi_debug_ext/scsi_debug_ext.ko
INSTALL_DOCS	:= README.md docs/dm-stablepi.rst docs/scsi_debug_ext.rst \
		   docs/wac.rst docs/stablepi.8.rst

# make install = install-modules + install-programs (stablepi, wac, docs,
# man page); with DKMS installing the modules, install-programs alone.
install: install-modules install-programs

install-modules:
	@for f in $(INSTALL_MODULES); do \
		[ -f "$$f" ] || { echo "make install: $$f is not built: run make first" >&2; exit 1; }; \
	done
	@[ -n "$(KVER)" ] || { echo "make install: cannot read the kernel release of dm-stablepi.ko (modinfo); give KVER=" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(MODDIR)
	$(INSTALL) -m 0644 $(INSTALL_MODULES) $(DESTDIR)$(MODDIR)/
	@if [ -z "$(DESTDIR)" ]; then \
		echo "$(DEPMOD) -a $(KVER)"; $(DEPMOD) -a $(KVER); \
	else \
		echo "make install: DESTDIR is set: run '$(DEPMOD) -a $(KVER)' on the system it is for"; \
	fi
	@running=$$(uname -r); [ "$$running" = "$(KVER)" ] || \
		echo "make install: the modules are for kernel $(KVER), not the running $$running"

install-programs:
	@for f in tools/stablepi/stablepi tools/wac/wac; do \
		[ -f "$$f" ] || { echo "make install: $$f is not built: run make (or make tools) first" >&2; exit 1; }; \
	done
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0755 tools/stablepi/stablepi $(DESTDIR)$(SBINDIR)/stablepi
	$(INSTALL) -m 0755 tools/wac/wac $(DESTDIR)$(BINDIR)/wac
	$(INSTALL) -m 0644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	@if [ -n "$(RST2MAN)" ]; then \
		echo "$(RST2MAN) docs/stablepi.8.rst > $(DESTDIR)$(MANDIR)/man8/stablepi.8"; \
		$(RST2MAN) --exit-status=2 docs/stablepi.8.rst > $(DESTDIR)$(MANDIR)/man8/stablepi.8.tmp && \
		mv $(DESTDIR)$(MANDIR)/man8/stablepi.8.tmp $(DESTDIR)$(MANDIR)/man8/stablepi.8; \
	else \
		echo "make install: rst2man not found (apt-get install python3-docutils):" \
		     "no man page, docs/stablepi.8.rst is in $(DOCDIR)" >&2; \
	fi

uninstall: uninstall-modules uninstall-programs

uninstall-modules:
	@[ -n "$(KVER)" ] || { echo "make uninstall: cannot read the kernel release of dm-stablepi.ko (modinfo); give KVER=" >&2; exit 1; }
	rm -f $(addprefix $(DESTDIR)$(MODDIR)/,$(notdir $(INSTALL_MODULES)))
	@if [ -z "$(DESTDIR)" ]; then \
		echo "$(DEPMOD) -a $(KVER)"; $(DEPMOD) -a $(KVER); \
	fi

uninstall-programs:
	rm -f $(DESTDIR)$(SBINDIR)/stablepi $(DESTDIR)$(BINDIR)/wac \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS))) \
		$(DESTDIR)$(MANDIR)/man8/stablepi.8
	@rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools clean
	rm -rf .build results
