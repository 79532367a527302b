/* Boot menu on the firmware console: arrows or a number, Enter, timeout. */
#include "efi/efi.h"

#define MENU_SCAN_UP 0x01
#define MENU_SCAN_DOWN 0x02
#define MENU_SCAN_ESC 0x17

/* Prints the list; redraws it in place (row >= 0: its first line) when the
 * console can position the cursor. Returns the row of its first line. */
static int menu_show(const struct esp_entry *e, int n, int sel, int row)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = efi_st->ConOut;

	if (row >= 0 && out->SetCursorPosition(out, 0, (UINTN)row) == EFI_SUCCESS)
		fwcon_printf("Models on this volume:\n");
	else
		fwcon_printf("\nModels on this volume:\n");
	int first = out->Mode ? out->Mode->CursorRow - 1 : -1;
	for (int i = 0; i < n; i++) {
		if (i == sel)
			out->SetAttribute(out, EFI_TEXT_ATTR(EFI_BLACK, EFI_LIGHTGRAY));
		fwcon_printf(" %c %2d  %-40s %6u.%u MiB ", i == sel ? '>' : ' ', i + 1, e[i].path,
			     (unsigned)(e[i].size >> 20), (unsigned)((e[i].size * 10 >> 20) % 10));
		if (e[i].n_parts > 1)
			fwcon_printf("(%u files) ", e[i].n_parts);
		out->SetAttribute(out, EFI_TEXT_ATTR(EFI_LIGHTGRAY, EFI_BLACK));
		fwcon_printf("\n");
	}
	fwcon_printf("Up/Down or 1-%d, Enter to boot, Esc for no model.\n", n);
	return first;
}

int menu_choose(const struct esp_entry *e, int n, int def, int timeout_s)
{
	int sel = def;
	uint16_t scan, ch;

	int row = menu_show(e, n, sel, -1);
	if (timeout_s <= 0)
		return def;
	/* countdown; the first key stops it and is handled below */
	bool have = false;
	for (int left = timeout_s; left > 0 && !have; left--) {
		if (sel >= 0)
			fwcon_printf("\rBooting %s in %d s... ", e[sel].path, left);
		else
			fwcon_printf("\rContinuing without a model in %d s... ", left);
		have = fwcon_getkey(1000, &scan, &ch);
	}
	if (!have) {
		fwcon_printf("\n");
		return sel;
	}
	for (;; have = false) {
		if (!have && !fwcon_getkey(-1, &scan, &ch))
			return sel;
		if ((ch == '\r' || ch == '\n') && sel >= 0)
			break;
		if (ch == '\r' || ch == '\n' || scan == MENU_SCAN_ESC) {
			fwcon_printf("\nBooting without a model.\n");
			return -1;
		}
		if (ch >= '1' && ch <= '9' && ch - '1' < n) {
			sel = ch - '1';
			break;
		}
		if (scan == MENU_SCAN_UP || scan == MENU_SCAN_DOWN) {
			sel = sel < 0 ? 0 : (sel + (scan == MENU_SCAN_UP ? n - 1 : 1)) % n;
			row = menu_show(e, n, sel, row);
		}
	}
	fwcon_printf("\nBooting %s.\n", e[sel].path);
	return sel;
}
