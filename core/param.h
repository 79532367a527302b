/* Tunable kernel limits, all in one place. */
#ifndef CORE_PARAM_H
#define CORE_PARAM_H

#define MAX_CPUS 256                  /* GDT has one TSS slot per CPU */
#define KSTACK_SIZE (1024 * 1024)     /* the BSP's kernel stack (guard page below) */
#define IST_STACK_SIZE (16 * 1024)    /* each of #DF, NMI, #MC per CPU */
#define SHELL_LINE_MAX 1024           /* one shell input line, bytes incl. NUL */
#define SHELL_ARGS_MAX 64             /* words per shell line */
#define SHELL_HISTORY 32              /* remembered shell lines */
#define INPUT_QUEUE 256               /* keys buffered between polls */
#define IDLE_HZ 100                   /* input polls per second while halted */
#define IDLE_HZ_SERIAL 1000           /* ... with a UART: its 16-byte FIFO fills in 1.4 ms at 115200 baud */
#define PMM_MAX_EXTENTS 1024          /* free physical ranges tracked */
#define HEAP_SMALL_MAX 32768          /* larger allocations take whole pages */

#endif
