/* The framebuffer's status line: model, cores, context used, last speed,
 * the API's address.
 * Each setter redraws the line (top row; serial never sees it). */
#ifndef SHELL_STATUS_H
#define SHELL_STATUS_H

void status_set_model(const char *name); /* NULL or "": none */
void status_set_cpus(int n);
void status_set_ctx(int used, int max);  /* max 0: not shown */
void status_set_speed(double tok_per_s); /* < 0: not shown */
void status_set_api(const char *text);   /* the API's address and state; NULL or "": not shown */

#endif
