/* Firmware console output (printf to ConOut) and key input with a timeout. */
#include "efi/efi.h"

struct fmt_out {
	char *buf;
	size_t size, len;
};

static void fmt_put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_num(struct fmt_out *o, uint64_t v, unsigned base, bool upper, bool neg,
		    int width, char pad, bool left)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	int fill = width > n ? width - n : 0;
	if (!left && pad == '0' && neg) {
		fmt_put(o, '-');
		n--;
	}
	if (!left)
		while (fill--)
			fmt_put(o, pad);
	while (n)
		fmt_put(o, tmp[--n]);
	if (left)
		while (fill-- > 0)
			fmt_put(o, ' ');
}

int fwcon_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			fmt_put(&o, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		int width = 0, lng = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			fmt_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, v < 0, width,
				pad, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			fmt_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width, pad, left);
			break;
		}
		case 'p':
			fmt_put(&o, '0');
			fmt_put(&o, 'x');
			fmt_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, false, width,
				pad, left);
			break;
		case 'c':
			fmt_put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = 0;
			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			if (!left)
				for (int i = n; i < width; i++)
					fmt_put(&o, ' ');
			for (int i = 0; i < n; i++)
				fmt_put(&o, s[i]);
			if (left)
				for (int i = n; i < width; i++)
					fmt_put(&o, ' ');
			break;
		}
		case '%':
			fmt_put(&o, '%');
			break;
		default: /* unknown or truncated conversion: print it verbatim */
			fmt_put(&o, '%');
			if (!*fmt)
				goto done;
			fmt_put(&o, *fmt);
		}
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int fwcon_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fwcon_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* "\n" becomes "\r\n"; non-ASCII bytes become '?'. */
void fwcon_printf(const char *fmt, ...)
{
	char buf[512];
	CHAR16 w[2 * sizeof buf + 1];
	size_t k = 0;
	va_list ap;

	va_start(ap, fmt);
	fwcon_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (size_t i = 0; buf[i]; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n')
			w[k++] = L'\r';
		w[k++] = (c < 0x80) ? c : L'?';
	}
	w[k] = 0;
	efi_st->ConOut->OutputString(efi_st->ConOut, w);
}

uint64_t fwcon_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

bool fwcon_getkey(int64_t ms, uint16_t *scan, uint16_t *ch)
{
	EFI_INPUT_KEY key;
	EFI_EVENT ev[2], timer = NULL;
	UINTN n = 1, idx;
	bool got = false;

	ev[0] = efi_st->ConIn->WaitForKey;
	if (ms >= 0) {
		if (efi_bs->CreateEvent(EVT_TIMER, 0, NULL, NULL, &timer) != EFI_SUCCESS)
			return false;
		/* relative trigger time in 100 ns units */
		efi_bs->SetTimer(timer, TimerRelative, (uint64_t)ms * 10000);
		ev[1] = timer;
		n = 2;
	}
	for (;;) {
		if (efi_st->ConIn->ReadKeyStroke(efi_st->ConIn, &key) == EFI_SUCCESS) {
			*scan = key.ScanCode;
			*ch = key.UnicodeChar;
			got = true;
			break;
		}
		if (efi_bs->WaitForEvent(n, ev, &idx) != EFI_SUCCESS || idx == 1)
			break;
	}
	if (timer)
		efi_bs->CloseEvent(timer);
	return got;
}
