/* panic(): the report on serial + screen, then every CPU stops. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/console.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/x86.h"
#include "mm/vmm.h"
#include "smp/smp.h"

extern char ImageBase[], _text[], _etext[];

static volatile int panic_owner; /* 0: none, else CPU index + 1 */

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_owner, __ATOMIC_ACQUIRE) != 0;
}

bool panic_begin(void)
{
	cli();
	int me = smp_cpu_index() + 1, none = 0;
	if (!__atomic_compare_exchange_n(&panic_owner, &none, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (none == me) {
			/* fault inside the report itself: say so once, stop */
			console_panic_mode();
			static const char msg[] = "\n*** nested fault while panicking: halting\n";
			console_write(msg, sizeof msg - 1);
		}
		return false;
	}
	console_panic_mode();
	smp_halt_others();
	return true;
}

void panic_end(void)
{
	kprintf("*** system halted\n");
	cpu_halt_forever();
}

void panic_print_location(uint64_t rip)
{
	uint64_t t = (uint64_t)(uintptr_t)_text, e = (uint64_t)(uintptr_t)_etext;
	if (rip >= t && rip < e)
		kprintf(" (image+0x%lx: addr2line -e bootx64.so 0x%lx)",
			(unsigned long)(rip - (uint64_t)(uintptr_t)ImageBase),
			(unsigned long)(rip - (uint64_t)(uintptr_t)ImageBase));
}

static bool readable(uint64_t va)
{
	uint64_t phys, flags;
	return va && !(va & 7) && vmm_query(va, &phys, &flags) && vmm_query(va + 15, &phys, &flags);
}

void panic_stack_walk(uint64_t rbp)
{
	kprintf("stack walk (RBP chain):\n");
	for (int i = 0; i < 12; i++) {
		if (!readable(rbp)) {
			if (i == 0)
				kprintf("  (no frame pointer at 0x%lx)\n", (unsigned long)rbp);
			break;
		}
		uint64_t ret = ((uint64_t *)(uintptr_t)rbp)[1];
		uint64_t next = ((uint64_t *)(uintptr_t)rbp)[0];
		if (!ret)
			break;
		kprintf("  #%d 0x%016lx", i, (unsigned long)ret);
		panic_print_location(ret);
		kprintf("\n");
		if (next <= rbp)
			break;
		rbp = next;
	}
}

void panic(const char *fmt, ...)
{
	if (!panic_begin())
		cpu_halt_forever();
	kprintf("\n*** PANIC on CPU %d: ", smp_cpu_index());
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	panic_stack_walk(read_rbp());
	panic_end();
}

void abort(void)
{
	panic("abort() called");
}

void lib_assert_fail(const char *expr, const char *file, int line)
{
	panic("assert(%s) failed at %s:%d", expr, file, line);
}
