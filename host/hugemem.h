/* hugemem: large anonymous buffers on huge pages where the kernel gives
 * them (a hint, not a requirement), for weights and bandwidth probes. */
#ifndef HOST_HUGEMEM_H
#define HOST_HUGEMEM_H

#include <stddef.h>

/* len bytes, zero-filled, 2 MiB aligned (the mapping is); NULL if refused. */
void *huge_alloc(size_t len);
void huge_free(void *p, size_t len);

#endif
