/* 16550 UARTs on COM1-COM4 or the SPCR's port, polled (see core/serial.h). */
#include "core/serial.h"

#include "core/boot_info.h"
#include "core/kprintf.h"
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

static const uint16_t com_ports[4] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };

static uint16_t ports[SERIAL_MAX_PORTS];
static int n_ports;
static uint32_t speed;
static bool auto_mode, baud_given;
static const char *how = "none";
static int next_in; /* round-robin start for input */

/* The scratch register keeps what is written: a UART is there. */
static bool uart_answers(uint16_t p)
{
	outb(p + UART_SCR, 0x5a);
	if (inb(p + UART_SCR) != 0x5a)
		return false;
	outb(p + UART_SCR, 0xa5);
	return inb(p + UART_SCR) == 0xa5;
}

static void uart_setup(uint16_t p, uint32_t baud)
{
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
}

static void use_port(uint16_t p)
{
	for (int i = 0; i < n_ports; i++)
		if (ports[i] == p)
			return;
	if (n_ports < SERIAL_MAX_PORTS) {
		uart_setup(p, speed);
		ports[n_ports++] = p;
	}
}

void serial_init(uint32_t baud, uint16_t port)
{
	baud_given = baud != 0;
	speed = baud ? baud : 115200;
	n_ports = 0;
	if (port == BOOT_SERIAL_OFF) {
		how = "serial=off";
		return;
	}
	if (port) {
		use_port(port);
		how = "serial=";
		return;
	}
	auto_mode = true;
	for (int i = 0; i < 4; i++)
		if (uart_answers(com_ports[i]))
			use_port(com_ports[i]);
	how = "COM ports that answer";
}

void serial_apply_acpi(const struct acpi_info *ai)
{
	static const uint32_t ok_baud[] = { 9600, 19200, 57600, 115200 };
	const struct acpi_gas *g = &ai->spcr_port;

	if (!auto_mode || !ai->have_spcr)
		return;
	/* 16550 or 16450 (types 0, 1, 0x12) on an I/O port; an MMIO UART is
	 * not driven (reported by `info`) */
	if ((ai->spcr_type != 0 && ai->spcr_type != 1 && ai->spcr_type != 0x12) ||
	    g->space != ACPI_GAS_IO || !g->addr || g->addr > 0xFFF8) {
		how = "COM ports that answer (SPCR names a UART we cannot drive)";
		return;
	}
	if (!baud_given)
		for (int i = 0; i < 4; i++)
			if (ai->spcr_baud == ok_baud[i])
				speed = ai->spcr_baud;
	n_ports = 0;
	use_port((uint16_t)g->addr);
	how = "ACPI SPCR";
}

bool serial_present(void)
{
	return n_ports > 0;
}

static void raw_putc(uint16_t p, char c)
{
	/* bounded wait: a wedged UART must not hang the kernel */
	for (int i = 0; i < 1000000 && !(inb(p + UART_LSR) & LSR_THR_EMPTY); i++)
		cpu_pause();
	outb(p + UART_DATA, (uint8_t)c);
}

void serial_putc(char c)
{
	for (int i = 0; i < n_ports; i++) {
		if (c == '\n')
			raw_putc(ports[i], '\r');
		raw_putc(ports[i], c);
	}
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

int serial_getc(void)
{
	for (int k = 0; k < n_ports; k++) {
		int i = (next_in + k) % n_ports;
		uint16_t p = ports[i];
		uint8_t lsr = inb(p + UART_LSR);
		/* 0xFF: nothing decodes the port (a UART that went away) */
		if (lsr != 0xFF && (lsr & LSR_DATA_READY)) {
			next_in = i;
			return inb(p + UART_DATA);
		}
	}
	return -1;
}

void serial_print_info(void)
{
	if (!n_ports) {
		kprintf("serial: none (%s)\n", how);
		return;
	}
	kprintf("serial:");
	for (int i = 0; i < n_ports; i++) {
		int com = 0;
		for (int k = 0; k < 4; k++)
			if (ports[i] == com_ports[k])
				com = k + 1;
		if (com)
			kprintf(" COM%d (0x%x)", com, ports[i]);
		else
			kprintf(" 0x%x", ports[i]);
	}
	kprintf(" at %u baud (%s)\n", speed, how);
}
