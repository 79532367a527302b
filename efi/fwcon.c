/* Firmware console output (printf to ConOut) and key input with a timeout. */
#include "efi/efi.h"

/* "\n" becomes "\r\n"; non-ASCII bytes become '?'. */
void fwcon_printf(const char *fmt, ...)
{
	char buf[512];
	CHAR16 w[2 * sizeof buf + 1];
	size_t k = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
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
