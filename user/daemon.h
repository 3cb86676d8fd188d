/* SPDX-License-Identifier: GPL-2.0 */
/* ecictl stats and ecictl daemon: the counters for scrapers, traps as a log. */
#ifndef ECI_DAEMON_H
#define ECI_DAEMON_H

/* argv[0] is the command name; each parses its own options. */
int eci_cmd_stats(int argc, char **argv);
int eci_cmd_daemon(int argc, char **argv);

#endif /* ECI_DAEMON_H */
