# SPDX-License-Identifier: GPL-2.0
#
# dm-stablepi top-level Makefile.
#
#   make                 build the kernel modules (against KDIR) and the tools
#   make check [T=PAT]   host unit tests, then in-VM integration tests
#   make check KERNEL=debug  the same on the debug kernel (KASAN, lockdep,
#                        kmemleak, ...), built first if it is not in the cache
#   make debug-kernel    build the debug kernel only (tools/kernel/build-debug)
#   make demo            the main job: every mode against the positive controls
#   make bench           throughput ratios, measured side by side in the VM
#   make lint            checkpatch --strict and sparse on the kernel code
#   make selftest        show that the test runner reports failures
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

.PHONY: all deps modules tools check demo bench lint selftest clean kdir-check \
	debug-kernel

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

debug-kernel: deps
	@tools/kernel/build-debug

demo: all
	@tools/demo

bench: all
	@tools/bench/vm-bench

lint: kdir-check
	@tools/lint

selftest:
	@tests/run --selftest

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C tools clean
	rm -rf .build results
