/*
 * The chat page served at GET /: net/page.html, built into the binary as
 * a C array by tools/file2c.py (mk/api.mk). One file, no external assets;
 * it streams replies from /v1/chat/completions.
 */
#ifndef NET_PAGE_H
#define NET_PAGE_H

#include <stddef.h>

extern const char net_page_html[];
extern const size_t net_page_html_len;

#endif
