/* Fatal errors: panic() prints to serial and screen, stops every CPU. */
#ifndef CORE_PANIC_H
#define CORE_PANIC_H

#include <stdbool.h>
#include <stdint.h>

/* Prints "*** PANIC on CPU N: message" and a stack walk, halts all CPUs. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* True once some CPU has entered panic (the NMI handler uses it). */
bool panic_in_progress(void);

/* The pieces of panic() the exception path (core/trap.c) reuses:
 * panic_begin stops the other CPUs and returns true for the first CPU to
 * panic (false: halt quietly); panic_end prints the trailer and halts. */
bool panic_begin(void);
void panic_end(void) __attribute__((noreturn));
void panic_stack_walk(uint64_t rbp);
/* Prints " (image+0xOFF ...)" when rip lies in our .text. */
void panic_print_location(uint64_t rip);

#define ASSERT(x) ((x) ? (void)0 : panic("assertion failed: %s (%s:%d)", #x, __FILE__, __LINE__))

#endif
