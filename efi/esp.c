/* The boot volume: find it, list the models on it, read small files. */
#include "efi/efi.h"
#include "ai/gguf_split.h"

static EFI_GUID esp_li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID esp_sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;

EFI_FILE_HANDLE esp_open_root(void)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs = NULL;
	EFI_FILE_HANDLE root = NULL;

	if (efi_bs->HandleProtocol(efi_image, &esp_li_guid, (void **)&li) != EFI_SUCCESS || !li)
		return NULL;
	if (efi_bs->HandleProtocol(li->DeviceHandle, &esp_sfs_guid, (void **)&sfs) != EFI_SUCCESS ||
	    !sfs)
		return NULL;
	if (sfs->OpenVolume(sfs, &root) != EFI_SUCCESS)
		return NULL;
	return root;
}

static char esp_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII-only names ending in ".gguf" (any case), not macOS "._" droppings. */
static bool esp_is_model(const CHAR16 *name)
{
	size_t n = 0;
	while (name[n]) {
		if (name[n] < 0x20 || name[n] > 0x7e)
			return false;
		n++;
	}
	if (n < 6 || (name[0] == '.' && name[1] == '_'))
		return false;
	const char *ext = ".gguf";
	for (size_t i = 0; i < 5; i++)
		if (esp_lower((char)name[n - 5 + i]) != ext[i])
			return false;
	return true;
}

static int esp_cmp(const char *a, const char *b)
{
	while (*a && esp_lower(*a) == esp_lower(*b)) {
		a++;
		b++;
	}
	return (unsigned char)esp_lower(*a) - (unsigned char)esp_lower(*b);
}

/* Appends the models of directory dir (prefix "\" or "\models\") to out. */
static int esp_scan_dir(EFI_FILE_HANDLE dir, const char *prefix, struct esp_entry *out, int n,
			int max)
{
	UINT64 buf[160]; /* EFI_FILE_INFO + a 255-character name, 8-byte aligned */
	int first = n;

	for (;;) {
		UINTN size = sizeof buf;
		EFI_FILE_INFO *fi = (EFI_FILE_INFO *)buf;
		if (dir->Read(dir, &size, buf) != EFI_SUCCESS || size == 0)
			break;
		if ((fi->Attribute & EFI_FILE_DIRECTORY) || !esp_is_model(fi->FileName))
			continue;
		if (n == max) {
			fwcon_printf("warning: more than %d models, the rest are ignored\n", max);
			break;
		}
		struct esp_entry *e = &out[n];
		size_t k = 0;
		for (const char *p = prefix; *p; p++)
			e->path[k++] = *p;
		for (size_t i = 0; fi->FileName[i] && k + 1 < BOOT_NAME_MAX; i++)
			e->path[k++] = (char)fi->FileName[i];
		e->path[k] = 0;
		for (size_t i = 0; i <= k; i++)
			e->wpath[i] = (CHAR16)(unsigned char)e->path[i];
		e->size = fi->FileSize;
		n++;
	}
	/* insertion sort by name within this directory */
	for (int i = first + 1; i < n; i++)
		for (int j = i; j > first && esp_cmp(out[j - 1].path, out[j].path) > 0; j--) {
			struct esp_entry t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

int esp_list_models(EFI_FILE_HANDLE root, struct esp_entry *out, int max)
{
	EFI_FILE_HANDLE dir;
	int n = 0;

	if (root->Open(root, &dir, L"\\", EFI_FILE_MODE_READ, 0) == EFI_SUCCESS) {
		n = esp_scan_dir(dir, "\\", out, n, max);
		dir->Close(dir);
	}
	if (root->Open(root, &dir, L"\\models", EFI_FILE_MODE_READ, 0) == EFI_SUCCESS) {
		n = esp_scan_dir(dir, "\\models\\", out, n, max);
		dir->Close(dir);
	}
	return n;
}

int esp_menu_models(const struct esp_entry *files, int n, struct esp_entry *menu)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		size_t pl;
		int no, count, lead = i;
		uint64_t size = 0;
		bool split = gguf_split_parse_name(files[i].path, &pl, &no, &count) && count > 1;
		for (int j = 0; split && j < n; j++) {
			size_t pl2;
			int no2, count2;
			if (!gguf_split_same_set(files[j].path, files[i].path))
				continue;
			gguf_split_parse_name(files[j].path, &pl2, &no2, &count2);
			if (no2 < no) {
				no = no2;
				lead = j;
			}
			size += files[j].size;
		}
		if (lead != i)
			continue;
		menu[m] = files[i];
		menu[m].file = i;
		menu[m].n_parts = split ? (uint32_t)count : 1;
		if (split)
			menu[m].size = size;
		m++;
	}
	return m;
}

int64_t esp_read_small(EFI_FILE_HANDLE root, const CHAR16 *path, char *buf, size_t max)
{
	EFI_FILE_HANDLE f;
	UINTN n = max - 1;

	if (root->Open(root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return -1;
	EFI_STATUS st = f->Read(f, &n, buf);
	f->Close(f);
	if (st != EFI_SUCCESS)
		return -1;
	buf[n] = 0;
	return (int64_t)n;
}
