/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine API proxy (`ecictl proxy`): what a container allowed the engine
 * socket is given instead of it. The decisions (commandList, request bodies)
 * are plain functions of the settings, so the unit tests run them on any
 * host; the server is eci_proxy_serve() and eci_proxy_conn().
 */
#ifndef ECI_PROXY_H
#define ECI_PROXY_H

#include <stddef.h>

#include "settings.h"

/* The socket the proxy listens on, bound into containers in place of the
 * engine's (the OCI hook rewrites the mount's source). */
#define ECI_PROXY_SOCK "/run/eci/docker-proxy.sock"
/* Where it forwards to when not told: dockerd's default socket (-H
 * unix:///var/run/docker.sock; /var/run is /run on Debian, not everywhere). */
#define ECI_PROXY_ENGINE "/var/run/docker.sock"
/* Podman's: the same proxy, run a second time against Podman's API socket
 * (podman system service, Debian's podman.socket). Podman answers Docker's
 * API there, judged as dockerd's is, and its own (/libpod/...), which the
 * proxy does not serve. */
#define ECI_PODMAN_PROXY_SOCK "/run/eci/podman-proxy.sock"
#define ECI_PODMAN_ENGINE "/run/podman/podman.sock"
/* A body the proxy must read before deciding (container and volume
 * create) larger than this is refused: dockerd's own are a few KiB. */
#define ECI_PROXY_MAX_BODY (1 << 20)
/* Connections served at once; more are refused, so a container can't
 * exhaust the proxy's threads. */
#define ECI_PROXY_MAX_CONNS 256
#define ECI_PROXY_MAX_LIST 8

/* What the proxy must read of a request before forwarding it. */
enum eci_proxy_inspect {
	ECI_PROXY_HEADERS, /* the request line decides */
	ECI_PROXY_CREATE, /* POST /containers/create: HostConfig */
	ECI_PROXY_VOLUME, /* POST /volumes/create: DriverOpts */
};

/* What the admin tells `ecictl proxy` beyond the settings file. */
struct eci_proxy_opts {
	/* Runtimes a container may ask for by name (--runtime); none: only
	 * the engine's default. */
	const char *runtimes[ECI_PROXY_MAX_LIST];
	size_t nruntimes;
	/* Cgroup parents (--cgroup-parent) that are protected subtrees. */
	const char *cgroup_parents[ECI_PROXY_MAX_LIST];
	size_t ncgroup_parents;
};

/*
 * The command names of the API call METHOD URL (Docker's CLI names: "push",
 * "image push"...), '|'-separated, in *names. Returns 1 for a known
 * endpoint, 0 for one every client needs and no command names (/_ping),
 * -EINVAL for a path eci won't judge (not clean, bad escapes), -ENOENT for
 * an endpoint it does not serve (swarm, plugins, unknown: deny by default).
 */
int eci_proxy_command(const char *method, const char *url, const char **names,
		      enum eci_proxy_inspect *inspect);

/* Does commandList let a call with these names through? 1 or 0. */
int eci_proxy_command_allowed(const struct eci_settings *s, const char *names);

/*
 * The decision on a request line: 0 to forward (*inspect says whether the
 * body must be read first), or -EACCES with one sentence in why.
 */
int eci_proxy_decide(const struct eci_settings *s, const char *method, const char *url,
		     enum eci_proxy_inspect *inspect, char *why, size_t whylen);

/*
 * The decision on a body (JSON, len bytes) of a request that needs one:
 * 0 to forward, -EACCES with one sentence in why.
 */
int eci_proxy_check_body(const struct eci_settings *s, const struct eci_proxy_opts *o,
			 enum eci_proxy_inspect kind, const char *body, size_t len, char *why,
			 size_t whylen);

/*
 * Serve one client connection cfd, forwarding to the engine at upstream
 * (an open connection): returns when both directions are done. Closes
 * neither descriptor. settings: the file to read the admin settings from
 * (re-read when it changes; NULL: defaults only).
 */
void eci_proxy_conn(int cfd, int ufd, const char *settings, const struct eci_proxy_opts *o);

/* `ecictl proxy`: listen on sock, forward to engine. Returns only on error. */
int eci_proxy_serve(const char *sock, const char *engine, const struct eci_proxy_opts *o);
/* `ecictl proxy ARGS` (argv[0] is "proxy"). */
int eci_cmd_proxy(int argc, char **argv);

#endif /* ECI_PROXY_H */
