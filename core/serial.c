/* COM1 16550 driver, polled (see core/serial.h). */
#include "core/serial.h"
#include "core/x86.h"

#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static bool present;

void serial_init(uint32_t baud)
{
	uint16_t p = SERIAL_COM1;
	if (!baud)
		baud = 115200;
	outb(p + UART_SCR, 0x5a);
	if (inb(p + UART_SCR) != 0x5a)
		return;
	uint32_t div = 115200 / baud;
	if (!div)
		div = 1;
	outb(p + UART_IER, 0x00);        /* no interrupts: we poll */
	outb(p + UART_LCR, 0x80);        /* DLAB on */
	outb(p + UART_DATA, div & 0xff);
	outb(p + UART_IER, (div >> 8) & 0xff);
	outb(p + UART_LCR, 0x03);        /* 8N1, DLAB off */
	outb(p + UART_FCR, 0xc7);        /* FIFOs on, cleared, 14-byte threshold */
	outb(p + UART_MCR, 0x03);        /* DTR + RTS */
	present = true;
}

bool serial_present(void)
{
	return present;
}

static void raw_putc(char c)
{
	/* bounded wait: a wedged UART must not hang the kernel */
	for (int i = 0; i < 1000000 && !(inb(SERIAL_COM1 + UART_LSR) & LSR_THR_EMPTY); i++)
		cpu_pause();
	outb(SERIAL_COM1 + UART_DATA, (uint8_t)c);
}

void serial_putc(char c)
{
	if (!present)
		return;
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

int serial_getc(void)
{
	if (!present || !(inb(SERIAL_COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(SERIAL_COM1 + UART_DATA);
}
