/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wac: surviving SIGBUS on stores into the shared mapping.
 */
#ifndef WAC_FAULT_H
#define WAC_FAULT_H

#include <stddef.h>

int wac_fault_install(void);
int wac_store_guarded(void *dst, const void *src, size_t len);

#endif /* WAC_FAULT_H */
