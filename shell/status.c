/* The status line's fields and their rendering (shell/status.h). */
#include <stdio.h>
#include <string.h>

#include "core/fbcon.h"
#include "shell/status.h"

static char model[96];
static int cpus = 1, ctx_used, ctx_max;
static double speed = -1;
static char api[96];

static void redraw(void)
{
	char line[256];
	int n = snprintf(line, sizeof line, " llm-os | model: %s | cpus: %d", model[0] ? model : "none", cpus);
	if (ctx_max > 0 && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - n, " | ctx: %d/%d", ctx_used, ctx_max);
	if (speed >= 0 && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - n, " | %.1f tok/s", speed);
	if (api[0] && n < (int)sizeof line)
		snprintf(line + n, sizeof line - n, " | API %s", api);
	fbcon_set_status(line);
}

void status_set_model(const char *name)
{
	const char *base = name ? name : "";
	/* show the file name, not the path */
	for (const char *p = base; *p; p++)
		if (*p == '\\' || *p == '/')
			base = p + 1;
	strncpy(model, base, sizeof model - 1);
	model[sizeof model - 1] = 0;
	redraw();
}

void status_set_cpus(int n)
{
	cpus = n;
	redraw();
}

void status_set_ctx(int used, int max)
{
	ctx_used = used;
	ctx_max = max;
	redraw();
}

void status_set_speed(double tok_per_s)
{
	speed = tok_per_s;
	redraw();
}

void status_set_api(const char *text)
{
	strncpy(api, text ? text : "", sizeof api - 1);
	api[sizeof api - 1] = 0;
	redraw();
}
