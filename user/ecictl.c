// SPDX-License-Identifier: GPL-2.0
/* ecictl: the admin and runtime command of the eci enforcer. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "daemon.h"
#include "events.h"
#include "eci.h"
#include "loader.h"
#include "ocihook.h"
#include "settings_apply.h"
#include "util.h"

#define EXIT_USAGE 2
#define ECI_MAX_CMD_RULES 64
#define ECI_MAX_CMD_BINDS 64

static const char usage[] =
	"usage: ecictl [-v] COMMAND [ARGS]\n"
	"\n"
	"Enhanced Container Isolation for any Linux VM, enforced by BPF LSM programs.\n"
	"\n"
	"commands:\n"
	"  load                       load and attach the enforcer; pin it under " ECI_PIN_DIR "\n"
	"                             so it keeps running after ecictl exits (idempotent)\n"
	"  unload                     detach the enforcer and remove its pins\n"
	"  status                     what is attached, the kernel, the protected containers\n"
	"                             (exit status 3 when not loaded)\n"
	"  container add CGROUP [--name NAME] [--audit] [--setup] [--device RULE]...\n"
	"                [--bind PATH]... [--image REF] [--socket]\n"
	"                             protect a container's cgroup and every cgroup below it\n"
	"  container rm CGROUP        stop protecting it\n"
	"  container ls               list the protected containers\n"
	"  container show CGROUP      one container: mode, sub-cgroups, device rules\n"
	"  subtree add CGROUP [--audit]\n"
	"                             every cgroup created below CGROUP (/docker, /kubepods)\n"
	"                             is a protected container from its creation; the ones\n"
	"                             already there are protected now\n"
	"  subtree rm CGROUP          stop protecting new cgroups there\n"
	"  subtree ls                 list the protected subtrees\n"
	"  settings apply FILE        apply Docker's admin-settings.json (and its \"eci\" section):\n"
	"                             all of it or nothing; a copy goes to /run/eci/settings.json\n"
	"  settings show              the applied settings\n"
	"  oci-hook [STAGE]           as an OCI hook (state JSON on stdin): createRuntime registers\n"
	"                             the container's cgroup, poststop removes it\n"
	"  events [--follow] [--count N]\n"
	"                             trap events as JSON lines: those waiting, then (with\n"
	"                             --follow) new ones as they come\n"
	"  stats [--format prometheus|json|table] [-o FILE]\n"
	"                             every counter once: per hook, per container and class,\n"
	"                             events dropped/throttled, map fill, BPF run time;\n"
	"                             -o writes FILE atomically (textfile collectors)\n"
	"  daemon [--listen ADDR:PORT] [--log FILE] [--syslog] [--bpf-stats]\n"
	"                             serve Prometheus metrics on GET /metrics (default\n"
	"                             127.0.0.1:9568); append trap events to FILE as JSON\n"
	"                             lines (reopened on SIGHUP) and/or to syslog;\n"
	"                             --bpf-stats keeps the kernel's BPF run-time stats on\n"
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
	"  -h, --help                 this text\n";

static __attribute__((format(printf, 1, 2))) int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ecictl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ecictl --help'.\n");
	return EXIT_USAGE;
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
		{},
	};
	struct eci_dev_rule rules[ECI_MAX_CMD_RULES];
	char *binds[ECI_MAX_CMD_BINDS];
	size_t nrules = 0, nbinds = 0;
	const char *image = NULL;
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char *name = NULL;
	uint32_t flags = 0;
	int opt;

	if (!sub)
		return bad_usage("container needs a subcommand: add, rm, ls or show");
	argc--;
	argv++;
	/* 0, not 1: glibc then forgets the "+" mode main() parsed with. */
	optind = 0;
	/* Options may come before or after CGROUP, as runtimes write them. */
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
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
				return bad_usage("at most %d --bind paths", ECI_MAX_CMD_BINDS);
			binds[nbinds++] = optarg;
		} else if (opt == 'd') {
			int n;

			if (nrules + 2 > ECI_MAX_CMD_RULES)
				return bad_usage("at most %d --device rules", ECI_MAX_CMD_RULES);
			n = eci_dev_rule_parse(optarg, rules + nrules);
			if (n < 0) {
				eci_err("bad device rule '%s': expected 'TYPE MAJOR:MINOR ACCESS' like 'c 1:3 rwm' or 'b 8:* r', or 'a'",
					optarg);
				return EXIT_USAGE;
			}
			nrules += n;
		} else
			return bad_usage("bad option for container %s", sub);
	}
	argc -= optind;
	argv += optind;

	if (strcmp(sub, "add") && nrules)
		return bad_usage("--device goes with container add");
	if (strcmp(sub, "add") && (nbinds || image))
		return bad_usage("--bind and --image go with container add");
	if (!strcmp(sub, "ls")) {
		if (argc || name || flags)
			return bad_usage("container ls takes no arguments");
		return eci_container_ls();
	}
	if (!strcmp(sub, "add") || !strcmp(sub, "rm") || !strcmp(sub, "show")) {
		if (argc != 1)
			return bad_usage("container %s takes one CGROUP", sub);
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

			return eci_container_add(argv[0], &o);
		}
		if (name || flags)
			return bad_usage("container %s takes no options", sub);
		if (!strcmp(sub, "show"))
			return eci_container_show(argv[0]);
		return eci_container_rm(argv[0]);
	}
	return bad_usage("unknown container subcommand '%s'", sub);
}

static int cmd_subtree(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	bool audit = argc == 4 && !strcmp(argv[3], "--audit");

	if (!strcmp(sub, "ls") && argc == 2)
		return eci_subtree_ls();
	if (!strcmp(sub, "add") && (argc == 3 || audit))
		return eci_subtree_add(argv[2], audit ? ECI_CF_AUDIT : 0);
	if (!strcmp(sub, "rm") && argc == 3)
		return eci_subtree_rm(argv[2]);
	return bad_usage("usage: ecictl subtree add CGROUP [--audit] | rm CGROUP | ls");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool verbose = false;
	const char *cmd;
	int opt;

	/* '+': options after the command belong to the command. */
	while ((opt = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'ecictl --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return bad_usage("no command given");
	cmd = argv[optind];
	argc -= optind;
	argv += optind;

	if (!strcmp(cmd, "container"))
		return cmd_container(argc, argv);
	if (!strcmp(cmd, "subtree"))
		return cmd_subtree(argc, argv);
	if (!strcmp(cmd, "stats"))
		return eci_cmd_stats(argc, argv);
	if (!strcmp(cmd, "daemon"))
		return eci_cmd_daemon(argc, argv);
	if (!strcmp(cmd, "settings")) {
		if (argc == 3 && !strcmp(argv[1], "apply"))
			return eci_settings_apply(argv[2]);
		if (argc == 2 && !strcmp(argv[1], "show"))
			return eci_settings_show();
		return bad_usage("usage: ecictl settings apply FILE | show");
	}
	if (!strcmp(cmd, "oci-hook")) {
		if (argc > 2)
			return bad_usage("usage: ecictl oci-hook [createRuntime|poststop] < STATE");
		return eci_oci_hook(argc == 2 ? argv[1] : NULL);
	}
	if (!strcmp(cmd, "events")) {
		bool follow = false;
		unsigned long count = 0;

		for (int i = 1; i < argc; i++) {
			char *end;

			if (!strcmp(argv[i], "--follow") || !strcmp(argv[i], "-f")) {
				follow = true;
			} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
				count = strtoul(argv[++i], &end, 10);
				if (*end || !count)
					return bad_usage("--count takes a positive number");
			} else {
				return bad_usage("usage: ecictl events [--follow] [--count N]");
			}
		}
		return eci_events(follow, count);
	}
	if (argc > 1)
		return bad_usage("%s takes no arguments", cmd);
	if (!strcmp(cmd, "load"))
		return eci_load(verbose);
	if (!strcmp(cmd, "unload"))
		return eci_unload();
	if (!strcmp(cmd, "status"))
		return eci_status();
	if (!strcmp(cmd, "help"))
		return fputs(usage, stdout), 0;
	return bad_usage("unknown command '%s'", cmd);
}
