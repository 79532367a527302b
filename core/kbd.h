/* PS/2 keyboard on the i8042 controller, polled, scancode set 1 as the
 * firmware leaves it (translation on), US layout. */
#ifndef CORE_KBD_H
#define CORE_KBD_H

#include <stdbool.h>

void kbd_init(void);
bool kbd_present(void);
/* Reads any waiting scancodes and pushes the resulting keys with
 * input_push. */
void kbd_poll(void);

#endif
