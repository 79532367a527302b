/* Graphics Output Protocol: choose a GOP and a mode, describe the linear framebuffer. */
#include "efi/efi.h"

static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
/* on the handles of the devices the firmware's console is drawn on */
static EFI_GUID gop_conout_guid = { 0xd3b36f2c, 0xd551, 0x11d4,
				    { 0x9a, 0x46, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } };

/* Bits per pixel of a mode: 32 for the two 8-bit-per-colour layouts, else
 * from the bit masks (16 for 5:6:5 and 5:5:5; 24 is not drawn). */
static uint32_t gop_bpp(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m)
{
	if (m->PixelFormat != PixelBitMask)
		return 32;
	uint32_t all = m->PixelInformation.RedMask | m->PixelInformation.GreenMask |
		       m->PixelInformation.BlueMask | m->PixelInformation.ReservedMask;
	uint32_t bits = 0;
	while (bits < 32 && (all >> bits))
		bits++;
	return bits <= 16 ? 16 : bits <= 24 ? 24 : 32;
}

static bool gop_usable(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m)
{
	return m->PixelFormat != PixelBltOnly && m->PixelFormat < PixelFormatMax &&
	       gop_bpp(m) != 24;
}

/* Mode order: at least 1024x768 and as small as possible beyond that
 * (a larger screen costs console redraw time, and text stays readable);
 * among equals 32 bits per pixel before 16. */
static bool gop_better(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *a,
		       const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *b)
{
	bool abig = a->HorizontalResolution >= 1024 && a->VerticalResolution >= 768;
	bool bbig = b->HorizontalResolution >= 1024 && b->VerticalResolution >= 768;
	uint64_t aa = (uint64_t)a->HorizontalResolution * a->VerticalResolution;
	uint64_t ba = (uint64_t)b->HorizontalResolution * b->VerticalResolution;
	if (abig != bbig)
		return abig;
	if (aa != ba)
		return abig ? aa < ba : aa > ba;
	return gop_bpp(a) > gop_bpp(b);
}

/* The GOP to draw on: several GPUs, or a console splitter, offer several;
 * the one on a handle that also carries the console output is the screen
 * the user looks at (as Linux's EFI stub picks it), else the first with a
 * linear framebuffer. NULL when there is none. */
static EFI_GRAPHICS_OUTPUT_PROTOCOL *gop_find(void)
{
	EFI_HANDLE *h = NULL;
	UINTN n = 0;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *first = NULL, *conout = NULL;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &gop_guid, NULL, &n, &h) != EFI_SUCCESS || !h) {
		EFI_GRAPHICS_OUTPUT_PROTOCOL *g = NULL;
		if (efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&g) != EFI_SUCCESS)
			return NULL;
		return g;
	}
	for (UINTN i = 0; i < n && !conout; i++) {
		EFI_GRAPHICS_OUTPUT_PROTOCOL *g = NULL;
		void *co = NULL;
		if (efi_bs->HandleProtocol(h[i], &gop_guid, (void **)&g) != EFI_SUCCESS || !g ||
		    !g->Mode || !g->Mode->Info || g->Mode->Info->PixelFormat == PixelBltOnly)
			continue;
		if (efi_bs->HandleProtocol(h[i], &gop_conout_guid, &co) == EFI_SUCCESS)
			conout = g;
		else if (!first)
			first = g;
	}
	efi_bs->FreePool(h);
	return conout ? conout : first;
}

void gop_init(struct boot_fb *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = gop_find();
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info, *best_info = NULL;
	UINTN size;
	uint32_t best = 0;

	fb->format = BOOT_FB_NONE;
	if (!gop || !gop->Mode)
		return;
	info = gop->Mode->Info;
	bool cur_ok = info && gop_usable(info) && info->HorizontalResolution >= 1024 &&
		      info->VerticalResolution >= 768;
	if (!cur_ok) {
		for (uint32_t m = 0; m < gop->Mode->MaxMode; m++) {
			if (gop->QueryMode(gop, m, &size, &info) != EFI_SUCCESS)
				continue;
			if (gop_usable(info) && (!best_info || gop_better(info, best_info))) {
				if (best_info)
					efi_bs->FreePool(best_info);
				best_info = info;
				best = m;
			} else {
				efi_bs->FreePool(info);
			}
		}
		if (best_info) {
			if (best != gop->Mode->Mode)
				gop->SetMode(gop, best);
			efi_bs->FreePool(best_info);
		}
	}
	info = gop->Mode->Info;
	if (!info || !gop_usable(info) || !gop->Mode->FrameBufferBase)
		return;
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine;
	fb->bpp = gop_bpp(info);
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->format = BOOT_FB_RGBX;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->format = BOOT_FB_BGRX;
		break;
	default:
		fb->format = BOOT_FB_BITMASK;
		fb->red_mask = info->PixelInformation.RedMask;
		fb->green_mask = info->PixelInformation.GreenMask;
		fb->blue_mask = info->PixelInformation.BlueMask;
		break;
	}
}
