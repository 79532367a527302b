/* The shell's SMP commands (shell/cmd_smp.c); shell/shell.c lists them. */
#ifndef SHELL_CMD_SMP_H
#define SHELL_CMD_SMP_H

int cmd_smp_cpus(int argc, char **argv);    /* the CPUs and the work each did */
int cmd_smp_smptest(int argc, char **argv); /* parallel self-test on all CPUs */
int cmd_smp_apfault(int argc, char **argv); /* debug: CPU 1 faults */

#endif
