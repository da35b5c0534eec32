// SPDX-License-Identifier: GPL-2.0
/*
 * wac: surviving SIGBUS on stores into the shared mapping.
 *
 * A store into a MAP_SHARED page faults the page in first.  When reading it
 * fails (an I/O or protection error from the device) or the page lies past
 * the end of a file someone truncated, the kernel sends SIGBUS.  For wac that
 * is a measurement, like EIO from pwrite(): the store is counted as failed
 * and the writer goes on.  Only stores made through wac_store_guarded() are
 * caught; a SIGBUS anywhere else still kills the process.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "fault.h"

static _Thread_local sigjmp_buf *volatile wac_fault_jmp;

static void wac_sigbus_handler(int sig, siginfo_t *info, void *uctx)
{
	sigjmp_buf *jmp = wac_fault_jmp;

	(void)info;
	(void)uctx;
	if (jmp)
		siglongjmp(*jmp, 1);
	signal(sig, SIG_DFL);	/* not ours: die as we would have */
	raise(sig);
}

int wac_fault_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = wac_sigbus_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/* memcpy() into the mapping; returns -1 instead of dying on SIGBUS. */
int wac_store_guarded(void *dst, const void *src, size_t len)
{
	sigjmp_buf jmp;

	if (sigsetjmp(jmp, 1)) {
		wac_fault_jmp = NULL;
		return -1;
	}
	wac_fault_jmp = &jmp;
	__asm__ __volatile__("" ::: "memory");
	memcpy(dst, src, len);
	__asm__ __volatile__("" ::: "memory");
	wac_fault_jmp = NULL;
	return 0;
}
