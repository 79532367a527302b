/*
 * The shell's line editor, on both consoles at once: insert anywhere,
 * Backspace/Delete, Left/Right/Home/End, history with Up/Down, Ctrl-C
 * (abandon the line), Ctrl-L (clear the screen). Cursor movement inside
 * the line uses ANSI escapes; plain typing and Backspace at the end of
 * the line emit only the characters and "\b \b".
 */
#ifndef SHELL_LINE_H
#define SHELL_LINE_H

#include <stddef.h>

/* Prints prompt, reads one line into buf (NUL-terminated, at most
 * size-1 bytes). Returns its length, or -1 when Ctrl-C abandoned it.
 * Non-empty lines are added to the history. */
int line_read(const char *prompt, char *buf, size_t size);
/* The same, calling idle() (when not NULL) whenever no key is waiting. */
int line_read_idle(const char *prompt, char *buf, size_t size, void (*idle)(void));

#endif
