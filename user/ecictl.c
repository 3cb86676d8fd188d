// SPDX-License-Identifier: GPL-2.0
/* ecictl: the admin and runtime command of the eci enforcer. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "daemon.h"
#include "proxy.h"
#include "events.h"
#include "eci.h"
#include "loader.h"
#include "settings.h"
#include "stream.h"
#include "ocihook.h"
#include "settings_apply.h"
#include "util.h"

#define ECI_MAX_CMD_RULES 64
#define ECI_MAX_CMD_BINDS 64

static const char usage[] =
	"usage: ecictl [-v] COMMAND [ARGS]\n"
	"\n"
	"Enhanced Container Isolation for any Linux VM, enforced by BPF LSM programs.\n"
	"\n"
	"commands:\n"
	"  load [--replace]           load and attach the enforcer; pin it under " ECI_PIN_DIR "\n"
	"                             so it keeps running after ecictl exits (idempotent);\n"
	"                             --replace: a loaded one is replaced by this build\n"
	"                             with no gap, keeping its maps and registrations\n"
	"  unload                     detach the enforcer and remove its pins\n"
	"  status [--json]            what is attached, the version stamp, the kernel, the\n"
	"                             protected containers (exit status 3 when not loaded)\n"
	"  container add CGROUP [--name NAME] [--audit] [--setup] [--device RULE]...\n"
	"                [--bind PATH]... [--image REF] [--socket]\n"
	"                             protect a container's cgroup and every cgroup below it\n"
	"  container rm CGROUP        stop protecting it\n"
	"  container ls [--json]      list the protected containers\n"
	"  container show CGROUP [--json]\n"
	"                             one container: mode, sub-cgroups, device rules\n"
	"  subtree add CGROUP [--audit]\n"
	"                             every cgroup created below CGROUP (/docker, /kubepods)\n"
	"                             is a protected container from its creation; the ones\n"
	"                             already there are protected now\n"
	"  subtree rm CGROUP          stop protecting new cgroups there\n"
	"  subtree ls                 list the protected subtrees\n"
	"  exempt add CGROUP [--tree] a VM service that mounts in a namespace of its own: not\n"
	"                             a container (with --tree, nor is any cgroup below it)\n"
	"  exempt rm CGROUP | ls      remove an exemption, list them\n"
	"  settings apply FILE        apply Docker's admin-settings.json (and its \"eci\" section):\n"
	"                             all of it or nothing; a copy goes to /run/eci/settings.json\n"
	"  settings check FILE        check FILE as apply would, without the enforcer\n"
	"                             (exit status 1 on an error)\n"
	"  settings show [--json]     the applied settings\n"
	"  oci-hook [STAGE]           as an OCI hook (state JSON on stdin): createRuntime registers\n"
	"                             the container's cgroup, poststop removes it\n"
	"  events [--follow | --all] [--count N]\n"
	"                             trap events as JSON lines, from the daemon (ecictl\n"
	"                             daemon, the one reader of the kernel's buffer): those\n"
	"                             no 'ecictl events' printed yet; --all: all it holds;\n"
	"                             --follow: the unprinted ones, then new ones as they come\n"
	"  stats [--format prometheus|json|table] [-o FILE]\n"
	"                             every counter once: per hook, per container and class,\n"
	"                             events dropped/throttled, map fill, BPF run time;\n"
	"                             -o writes FILE atomically (textfile collectors)\n"
	"  daemon [--listen ADDR:PORT] [--log FILE] [--syslog] [--bpf-stats]\n"
	"         [--events-socket PATH]\n"
	"                             serve Prometheus metrics on GET /metrics (default\n"
	"                             127.0.0.1:9568); the one reader of the trap events,\n"
	"                             served to 'ecictl events' and ecitop on PATH (default\n"
	"                             " ECI_EVENTS_SOCK "); append them to FILE as JSON\n"
	"                             lines (reopened on SIGHUP) and/or to syslog;\n"
	"                             --bpf-stats keeps the kernel's BPF run-time stats on\n"
	"  proxy [--socket PATH] [--engine PATH] [--runtime NAME]... [--cgroup-parent CGROUP]...\n"
	"                             the engine API proxy containers get instead of the engine\n"
	"                             socket (default " ECI_PROXY_SOCK " to " ECI_PROXY_ENGINE
	"):\n"
	"                             commandList, and no VM binds, volume-opt binds, other\n"
	"                             runtimes (default allowed: eci), cgroup parents outside\n"
	"                             CGROUP (default /docker) or unassignable devices\n"
	"\n"
	"CGROUP is a cgroup v2 path (/eci/c1), its directory (/sys/fs/cgroup/eci/c1) or its id.\n"
	"--audit reports what would be denied and denies nothing.\n"
	"--setup: the container has not started yet; its runtime may create device nodes\n"
	"in it (a privileged /dev) until the first execve in the container.\n"
	"RULE assigns a device, as in OCI/cgroup rules: 'c 1:3 rwm', 'b 8:* r', 'c 10:200 rw'\n"
	"(r read, w write, m mknod; * any number); repeat --device for more. Every\n"
	"protected container has the defaults: null, zero, full, random, urandom, tty,\n"
	"console, ptmx and pts.\n"
	"--bind PATH allows one more bind-mount source (a directory and what is below it);\n"
	"--image REF: if the settings' imageList has the image, it may use the engine socket;\n"
	"--socket allows the engine socket whatever the image.\n"
	"\n"
	"options:\n"
	"  -v, --verbose              show libbpf's messages (verifier log on failure)\n"
	"  -h, --help                 this text; after a command, that command's usage\n"
	"  -j, --json                 after status, container ls/show, settings show: one\n"
	"                             JSON document on stdout\n"
	"  --version                  the version of this build\n";

#define CONTAINER_USAGE                                                                             \
	"usage: ecictl container add CGROUP [--name NAME] [--audit] [--setup] [--device RULE]...\n" \
	"                            [--bind PATH]... [--image REF] [--socket]\n"                   \
	"       ecictl container rm CGROUP | ls [-j|--json] | show CGROUP [-j|--json]"
#define SUBTREE_USAGE "usage: ecictl subtree add CGROUP [--audit] | rm CGROUP | ls"
#define SETTINGS_USAGE "usage: ecictl settings apply FILE | check FILE | show [-j|--json]"
#define OCI_HOOK_USAGE "usage: ecictl oci-hook [createRuntime|poststop] < STATE"
#define EVENTS_USAGE "usage: ecictl events [--follow | --all] [--count N]"

/* Before a command's getopt_long: argv[0] is the command's word, and getopt's
 * own messages name argv[0]. */
static void opt_reset(char **argv)
{
	/* 0, not 1: glibc then forgets the "+" mode main() parsed with. */
	optind = 0;
	argv[0] = program_invocation_short_name;
}

/*
 * Interrupted writes. `settings apply` and `container add` write several map
 * entries and undo them if a later one fails; a kill -9 leaves no one to
 * undo. So each runs under a note, /run/eci/op-PID ("settings apply FILE"),
 * removed when it returns either way. The next ecictl finds a dead one's
 * note: an interrupted apply is repaired by applying the last applied
 * settings again (the copy is written last, so it is the old settings, or the
 * new ones whole); an interrupted add is reported, naming the cgroup, since
 * only the caller knows whether it meant it.
 */
#define OP_DIR "/run/eci"
static char op_note[64];

static void op_begin(const char *op, const char *arg)
{
	FILE *f;

	snprintf(op_note, sizeof(op_note), OP_DIR "/op-%d", (int)getpid());
	mkdir(OP_DIR, 0755);
	f = fopen(op_note, "we");
	if (!f) {
		op_note[0] = '\0';
		return;
	}
	fprintf(f, "%s\n%s\n", op, arg);
	fclose(f);
}

static int guarded_end(int ret)
{
	if (op_note[0])
		unlink(op_note);
	return ret;
}

#define guarded(op, arg, call) (op_begin(op, arg), guarded_end(call))

static void op_recover(void)
{
	struct dirent *de;
	DIR *d;

	d = opendir(OP_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX], op[64] = "", arg[PATH_MAX] = "";
		long pid;
		char *end;
		FILE *f;

		if (strncmp(de->d_name, "op-", 3))
			continue;
		pid = strtol(de->d_name + 3, &end, 10);
		if (*end || pid <= 0 || !kill((pid_t)pid, 0) || errno == EPERM)
			continue;
		snprintf(path, sizeof(path), OP_DIR "/%s", de->d_name);
		f = fopen(path, "re");
		if (f) {
			if (fgets(op, sizeof(op), f))
				op[strcspn(op, "\n")] = '\0';
			if (fgets(arg, sizeof(arg), f))
				arg[strcspn(arg, "\n")] = '\0';
			fclose(f);
		}
		if (!strcmp(op, "settings apply") && !access(ECI_SETTINGS_COPY, F_OK)) {
			fprintf(stderr,
				"ecictl: 'settings apply %s' was interrupted (pid %ld): applying the last applied settings (%s) again, so that none is half in force\n",
				arg, pid, ECI_SETTINGS_COPY);
			if (eci_settings_apply(ECI_SETTINGS_COPY))
				continue; /* the note stays: the next ecictl tries again */
		} else if (!strcmp(op, "settings apply")) {
			eci_warn(
				"'settings apply %s' was interrupted (pid %ld) before any settings were applied: part of it may be in force; run it again",
				arg, pid);
		} else {
			eci_warn(
				"'%s %s' was interrupted (pid %ld): it may be half done; run it again, or 'ecictl container rm %s'",
				op, arg, pid, arg);
		}
		unlink(path);
	}
	closedir(d);
}

static int help(const char *text)
{
	puts(text);
	return 0;
}

/*
 * The options of a command that has none but -h/--help (argv[0]: the
 * command). Returns -1 to go on, optind at the first operand; else the exit
 * status.
 */
static int help_only(int argc, char **argv, const char *usage_text)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	opt_reset(argv);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		return opt == 'h' ? help(usage_text) : eci_usage_err("%s", usage_text);
	return -1;
}

static int cmd_container(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "audit", no_argument, NULL, 'a' },
		{ "device", required_argument, NULL, 'd' },
		{ "setup", no_argument, NULL, 's' },
		{ "bind", required_argument, NULL, 'b' },
		{ "image", required_argument, NULL, 'i' },
		{ "socket", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct eci_dev_rule rules[ECI_MAX_CMD_RULES];
	char *binds[ECI_MAX_CMD_BINDS];
	size_t nrules = 0, nbinds = 0;
	const char *image = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *name = NULL;
	uint32_t flags = 0;
	bool json = false;
	int opt;

	if (!sub)
		return eci_usage_err("container needs a subcommand: add, rm, ls or show");
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
		return help(CONTAINER_USAGE);
	argc--;
	argv++;
	opt_reset(argv);
	/* Options may come before or after CGROUP, as runtimes write them. */
	while ((opt = getopt_long(argc, argv, "hj", opts, NULL)) != -1) {
		if (opt == 'h')
			return help(CONTAINER_USAGE);
		if (opt == 'j')
			json = true;
		else if (opt == 'n')
			name = optarg;
		else if (opt == 'a')
			flags |= ECI_CF_AUDIT;
		else if (opt == 's')
			flags |= ECI_CF_SETUP;
		else if (opt == 'S')
			flags |= ECI_CF_SOCKET;
		else if (opt == 'i')
			image = optarg;
		else if (opt == 'b') {
			if (nbinds == ECI_MAX_CMD_BINDS)
				return eci_usage_err("at most %d --bind paths", ECI_MAX_CMD_BINDS);
			binds[nbinds++] = optarg;
		} else if (opt == 'd') {
			int n;

			if (nrules + 2 > ECI_MAX_CMD_RULES)
				return eci_usage_err("at most %d --device rules",
						     ECI_MAX_CMD_RULES);
			n = eci_dev_rule_parse(optarg, rules + nrules);
			if (n < 0) {
				eci_err("bad device rule '%s': expected 'TYPE MAJOR:MINOR ACCESS' like 'c 1:3 rwm' or 'b 8:* r', or 'a'",
					optarg);
				return EXIT_USAGE;
			}
			nrules += n;
		} else {
			return eci_usage_err("bad option for container %s", sub);
		}
	}
	argc -= optind;
	argv += optind;

	if (strcmp(sub, "add") && nrules)
		return eci_usage_err("--device goes with container add");
	if (strcmp(sub, "add") && (nbinds || image))
		return eci_usage_err("--bind and --image go with container add");
	if (json && strcmp(sub, "ls") && strcmp(sub, "show"))
		return eci_usage_err("--json goes with container ls and show");
	if (!strcmp(sub, "ls")) {
		if (argc || name || flags)
			return eci_usage_err("container ls takes no arguments");
		return eci_container_ls(json);
	}
	if (!strcmp(sub, "add") || !strcmp(sub, "rm") || !strcmp(sub, "show")) {
		if (argc != 1)
			return eci_usage_err("container %s takes one CGROUP", sub);
		if (!strcmp(sub, "add")) {
			struct eci_container_opts o = {
				.name = name,
				.flags = flags,
				.rules = rules,
				.nrules = nrules,
				.binds = binds,
				.nbinds = nbinds,
				.image = image,
			};

			return guarded("container add", argv[0], eci_container_add(argv[0], &o));
		}
		if (name || flags)
			return eci_usage_err("container %s takes no options", sub);
		if (!strcmp(sub, "show"))
			return eci_container_show(argv[0], json);
		return eci_container_rm(argv[0]);
	}
	return eci_usage_err("unknown container subcommand '%s'", sub);
}

static int cmd_subtree(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "audit", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *sub = argc > 1 ? argv[1] : "";
	bool audit = false;
	int opt;

	if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
		return help(SUBTREE_USAGE);
	if (argc < 2)
		return eci_usage_err("%s", SUBTREE_USAGE);
	argc--;
	argv++;
	opt_reset(argv);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return help(SUBTREE_USAGE);
		if (opt != 'a')
			return eci_usage_err("%s", SUBTREE_USAGE);
		audit = true;
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(sub, "ls") && !argc && !audit)
		return eci_subtree_ls();
	if (!strcmp(sub, "add") && argc == 1)
		return eci_subtree_add(argv[0], audit ? ECI_CF_AUDIT : 0);
	if (!strcmp(sub, "rm") && argc == 1 && !audit)
		return eci_subtree_rm(argv[0]);
	return eci_usage_err("%s", SUBTREE_USAGE);
}

#define EXEMPT_USAGE "usage: ecictl exempt add CGROUP [--tree] | rm CGROUP | ls"

static int cmd_exempt(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
		return help(EXEMPT_USAGE);
	if (!strcmp(sub, "ls") && argc == 2)
		return eci_exempt_ls();
	if (!strcmp(sub, "add") && argc == 3)
		return eci_exempt_add(argv[2], false);
	if (!strcmp(sub, "add") && argc == 4 && !strcmp(argv[2], "--tree"))
		return eci_exempt_add(argv[3], true);
	if (!strcmp(sub, "add") && argc == 4 && !strcmp(argv[3], "--tree"))
		return eci_exempt_add(argv[2], true);
	if (!strcmp(sub, "rm") && argc == 3)
		return eci_exempt_rm(argv[2]);
	return eci_usage_err("%s", EXEMPT_USAGE);
}

static int cmd_settings(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *sub = argc > 1 ? argv[1] : "";
	bool json = false;
	int opt;

	if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
		return help(SETTINGS_USAGE);
	if (argc < 2)
		return eci_usage_err("%s", SETTINGS_USAGE);
	argc--;
	argv++;
	opt_reset(argv);
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (opt == 'h')
			return help(SETTINGS_USAGE);
		if (opt != 'j')
			return eci_usage_err("%s", SETTINGS_USAGE);
		json = true;
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(sub, "apply") && argc == 1 && !json)
		return guarded("settings apply", argv[0], eci_settings_apply(argv[0]));
	if (!strcmp(sub, "check") && argc == 1 && !json)
		return eci_settings_check(argv[0]);
	if (!strcmp(sub, "show") && !argc)
		return eci_settings_show(json);
	return eci_usage_err("%s", SETTINGS_USAGE);
}

static int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'A' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long count = 0;
	bool follow = false, all = false;
	char *end;
	int opt;

	opt_reset(argv);
	while ((opt = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		if (opt == 'h')
			return help(EVENTS_USAGE);
		if (opt == 'f') {
			follow = true;
		} else if (opt == 'A') {
			all = true;
		} else if (opt == 'c') {
			count = strtoul(optarg, &end, 10);
			if (*end || !count)
				return eci_usage_err("--count takes a positive number");
		} else {
			return eci_usage_err("%s", EVENTS_USAGE);
		}
	}
	if (optind != argc)
		return eci_usage_err("%s", EVENTS_USAGE);
	if (follow && all)
		return eci_usage_err("--follow and --all don't go together");
	return eci_events(follow, all, count);
}

#define LOAD_USAGE "usage: ecictl load [-r|--replace]"

static int cmd_load(int argc, char **argv, bool verbose)
{
	static const struct option opts[] = {
		{ "replace", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool replace = false;
	int opt;

	opt_reset(argv);
	while ((opt = getopt_long(argc, argv, "rh", opts, NULL)) != -1) {
		if (opt == 'r')
			replace = true;
		else if (opt == 'h')
			return help(LOAD_USAGE);
		else
			return eci_usage_err("%s", LOAD_USAGE);
	}
	if (optind != argc)
		return eci_usage_err("%s", LOAD_USAGE);
	return eci_load(verbose, replace);
}

#define STATUS_USAGE "usage: ecictl status [-j|--json]"

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool json = false;
	int opt;

	opt_reset(argv);
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (opt == 'j')
			json = true;
		else if (opt == 'h')
			return help(STATUS_USAGE);
		else
			return eci_usage_err("%s", STATUS_USAGE);
	}
	if (optind != argc)
		return eci_usage_err("%s", STATUS_USAGE);
	return eci_status(json);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	bool verbose = false;
	const char *cmd;
	char line[64];
	int opt, st;

	/* '+': options after the command belong to the command. */
	while ((opt = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			return eci_print_version();
		default:
			fprintf(stderr, "Try 'ecictl --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return eci_usage_err("no command given");
	cmd = argv[optind];
	if (!geteuid() && strcmp(cmd, "help"))
		op_recover();
	argc -= optind;
	argv += optind;

	if (!strcmp(cmd, "container"))
		return cmd_container(argc, argv);
	if (!strcmp(cmd, "subtree"))
		return cmd_subtree(argc, argv);
	if (!strcmp(cmd, "exempt"))
		return cmd_exempt(argc, argv);
	if (!strcmp(cmd, "stats"))
		return eci_cmd_stats(argc, argv);
	if (!strcmp(cmd, "daemon"))
		return eci_cmd_daemon(argc, argv);
	if (!strcmp(cmd, "proxy"))
		return eci_cmd_proxy(argc, argv);
	if (!strcmp(cmd, "settings"))
		return cmd_settings(argc, argv);
	if (!strcmp(cmd, "events"))
		return cmd_events(argc, argv);
	if (!strcmp(cmd, "oci-hook")) {
		if ((st = help_only(argc, argv, OCI_HOOK_USAGE)) >= 0)
			return st;
		if (argc - optind > 1)
			return eci_usage_err("%s", OCI_HOOK_USAGE);
		return eci_oci_hook(optind < argc ? argv[optind] : NULL);
	}
	if (!strcmp(cmd, "help"))
		return fputs(usage, stdout), 0;
	if (!strcmp(cmd, "load"))
		return cmd_load(argc, argv, verbose);
	snprintf(line, sizeof(line), "usage: ecictl %s", cmd);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc, argv);
	if (strcmp(cmd, "load") && strcmp(cmd, "unload"))
		return eci_usage_err("unknown command '%s'", cmd);
	if ((st = help_only(argc, argv, line)) >= 0)
		return st;
	if (optind != argc)
		return eci_usage_err("%s takes no arguments", cmd);
	return eci_unload();
}
