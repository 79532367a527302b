/* Graphics Output Protocol: choose a mode and describe the linear framebuffer. */
#include "efi/efi.h"

static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

static bool gop_usable(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *m)
{
	return m->PixelFormat != PixelBltOnly && m->PixelFormat < PixelFormatMax;
}

/* Mode order: at least 1024x768 and as small as possible beyond that
 * (a larger screen costs console redraw time, and text stays readable). */
static bool gop_better(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *a,
		       const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *b)
{
	bool abig = a->HorizontalResolution >= 1024 && a->VerticalResolution >= 768;
	bool bbig = b->HorizontalResolution >= 1024 && b->VerticalResolution >= 768;
	uint64_t aa = (uint64_t)a->HorizontalResolution * a->VerticalResolution;
	uint64_t ba = (uint64_t)b->HorizontalResolution * b->VerticalResolution;
	if (abig != bbig)
		return abig;
	return abig ? aa < ba : aa > ba;
}

void gop_init(struct boot_fb *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info, *best_info = NULL;
	UINTN size;
	uint32_t best = 0;

	fb->format = BOOT_FB_NONE;
	if (efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS || !gop ||
	    !gop->Mode)
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
