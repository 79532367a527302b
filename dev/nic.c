/* The network cards found at boot (dev/nic.h). */
#include "dev/nic.h"

#include <string.h>

#include "core/kprintf.h"
#include "mm/pmm.h"

static const struct nic_driver *const drivers[] = { &virtio_net_driver, &e1000_driver };
static struct nic nics[NIC_MAX];
static int n_nics;

void *nic_dma_alloc(size_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	void *p = pmm_alloc_below(pages, 1ull << 32);
	if (p)
		memset(p, 0, pages * PAGE_SIZE);
	return p;
}

int nic_probe_all(void)
{
	for (int i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		for (size_t k = 0; k < sizeof drivers / sizeof drivers[0]; k++) {
			if (!drivers[k]->match(d))
				continue;
			char err[96] = "";
			if (n_nics == NIC_MAX) {
				kprintf("net: %02x:%02x.%u %04x:%04x: more than %d cards, ignored\n", d->bus,
					d->slot, d->fn, d->vendor, d->device, NIC_MAX);
				break;
			}
			struct nic *n = &nics[n_nics];
			memset(n, 0, sizeof *n);
			n->pci = d;
			if (!drivers[k]->probe(d, n, err, sizeof err)) {
				kprintf("net: %s at %02x:%02x.%u (%04x:%04x) not used: %s\n", drivers[k]->name,
					d->bus, d->slot, d->fn, d->vendor, d->device, err);
				break;
			}
			kprintf("net: %s %s at %02x:%02x.%u, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", n->driver,
				n->model, d->bus, d->slot, d->fn, n->mac[0], n->mac[1], n->mac[2], n->mac[3],
				n->mac[4], n->mac[5]);
			n_nics++;
			break;
		}
	}
	return n_nics;
}

int nic_count(void)
{
	return n_nics;
}

struct nic *nic_get(int i)
{
	return i >= 0 && i < n_nics ? &nics[i] : NULL;
}
