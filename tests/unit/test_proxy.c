// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the engine API proxy (user/proxy.c): Docker's command names
 * for API paths, commandList allow/deny with wildcards, the body checks of
 * container and volume create (read as Go's encoding/json reads them), and
 * the connection loop between two socketpairs standing for the docker CLI
 * and dockerd: bytes forwarded unchanged (keep-alive, chunked), refusals as
 * one 403 with a JSON message, a hijacked stream raw both ways.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"
#include "unit.h"

static void command(const char *method, const char *url, int want, const char *want_first,
		    enum eci_proxy_inspect want_inspect)
{
	const char *names = NULL;
	enum eci_proxy_inspect in;
	char name[512];
	int got = eci_proxy_command(method, url, &names, &in);
	size_t fl = want_first ? strlen(want_first) : 0;

	snprintf(name, sizeof(name), "proxy: %s %s is %s", method, url,
		 want == 1	 ? want_first :
		 want == 0	 ? "always served" :
		 want == -EINVAL ? "not judged (unclean)" :
				   "not served");
	CHECK(name,
	      got == want &&
		      (want != 1 || (!strncmp(names, want_first, fl) &&
				     (names[fl] == '|' || !names[fl]) && in == want_inspect)),
	      "got %d '%s' inspect %d", got, names ? names : "", in);
}

static struct eci_settings settings(const char *json)
{
	struct eci_settings s = { 0 };
	char err[256];

	if (eci_settings_parse(json, strlen(json), &s, err, sizeof(err)))
		printf("FAIL proxy: settings %s: %s\n", json, err);
	return s;
}

static void cmdlist(const char *type, const char *list, const char *method, const char *url,
		    int want)
{
	char json[512], name[600], why[512] = "";
	enum eci_proxy_inspect in;
	struct eci_settings s;
	int got;

	snprintf(json, sizeof(json),
		 "{\"enhancedContainerIsolation\":{\"dockerSocketMount\":{\"commandList\":"
		 "{\"type\":\"%s\",\"commands\":[%s]}}}}",
		 type, list);
	s = settings(json);
	got = eci_proxy_decide(&s, method, url, &in, why, sizeof(why));
	snprintf(name, sizeof(name), "proxy: commandList %s [%s]: %s %s %s", type, list, method,
		 url, want ? "allowed" : "refused");
	CHECK(name, (got == 0) == want, "got %d (%s)", got, why);
	eci_settings_free(&s);
}

static const struct eci_proxy_opts opts = {
	.runtimes = { "eci" },
	.nruntimes = 1,
	.cgroup_parents = { "/docker" },
	.ncgroup_parents = 1,
};

static void body(const char *what, enum eci_proxy_inspect kind, const char *json, int want_ok,
		 const char *want_why)
{
	struct eci_settings s =
		settings("{\"filesharingAllowedDirectories\":[{\"path\":\"$HOME\"}]}");
	char name[600], why[512] = "";
	int got = eci_proxy_check_body(&s, &opts, kind, json, strlen(json), why, sizeof(why));

	snprintf(name, sizeof(name), "proxy: %s %s", what, want_ok ? "passes" : "is refused");
	CHECK(name, want_ok ? got == 0 : got == -EACCES && strstr(why, want_why), "got %d (%s)",
	      got, why);
	eci_settings_free(&s);
}

/* --- the connection loop --------------------------------------------------- */

static char settings_file[] = "/tmp/eci-test-proxy-XXXXXX";
static int cli, proxy_c, proxy_u, engine;

static void *run_conn(void *arg)
{
	(void)arg;
	eci_proxy_conn(proxy_c, proxy_u, settings_file, &opts);
	close(proxy_c);
	close(proxy_u);
	return NULL;
}

/* Read exactly n bytes (or until EOF) from fd into buf. */
static size_t read_n(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

/* Read until EOF. */
static size_t read_all(int fd, char *buf, size_t max)
{
	return read_n(fd, buf, max - 1);
}

static void send_str(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		printf("FAIL proxy: a test write failed\n");
}

/* Client sends req; the engine must receive exactly fwd. */
static void forwards(const char *what, const char *req, const char *fwd)
{
	char buf[8192], name[256];
	size_t got;

	send_str(cli, req);
	got = read_n(engine, buf, strlen(fwd));
	snprintf(name, sizeof(name), "proxy: %s reaches the engine unchanged", what);
	CHECK(name, got == strlen(fwd) && !memcmp(buf, fwd, got), "engine got %zu bytes: '%.200s'",
	      got, buf);
}

static void responds(const char *what, const char *resp)
{
	char buf[8192], name[256];
	size_t got;

	send_str(engine, resp);
	got = read_n(cli, buf, strlen(resp));
	snprintf(name, sizeof(name), "proxy: %s comes back unchanged", what);
	CHECK(name, got == strlen(resp) && !strcmp(buf, resp), "client got '%.200s'", buf);
}

static void start_conn(pthread_t *t)
{
	int a[2], b[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) || socketpair(AF_UNIX, SOCK_STREAM, 0, b)) {
		printf("FAIL proxy: socketpair: %s\n", strerror(errno));
		exit(1);
	}
	cli = a[0];
	proxy_c = a[1];
	proxy_u = b[0];
	engine = b[1];
	pthread_create(t, NULL, run_conn, NULL);
}

static void conn_tests(void)
{
	const char *ping = "HEAD /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n";
	const char *pong = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 0\r\n\r\n";
	const char *ps = "GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n\r\n";
	const char *create = "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n"
			     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "f\r\n{\"Image\":\"busyb\r\n"
			     "1e\r\nox\",\"HostConfig\":{\"Binds\":[]}}\r\n0\r\n\r\n";
	const char *bad_create =
		"POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n"
		"Content-Type: application/json\r\nContent-Length: 72\r\n\r\n"
		"{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/";
	const char *bad_rest = ":/host\"]}}";
	const char *exec = "POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: docker\r\n"
			   "Connection: Upgrade\r\nUpgrade: tcp\r\n"
			   "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n"
			   "{\"Detach\":false,\"Tty\":true}";
	const char *upgraded =
		"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
	char buf[8192];
	pthread_t t;
	FILE *f;
	int fd = mkstemp(settings_file);

	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		printf("FAIL proxy: a settings file: %s\n", strerror(errno));
		return;
	}
	fputs("{\"enhancedContainerIsolation\":{\"dockerSocketMount\":{\"commandList\":"
	      "{\"type\":\"deny\",\"commands\":[\"push\"]}}}}",
	      f);
	fclose(f);

	/* One keep-alive connection: ping, ps, a chunked create, then a refusal. */
	start_conn(&t);
	forwards("HEAD /_ping", ping, ping);
	responds("the ping's answer", pong);
	/* Pipelined: two requests in one write. */
	{
		char two[512];

		snprintf(two, sizeof(two), "%s%s", ps, ps);
		forwards("two pipelined GET /containers/json", two, two);
	}
	forwards("a chunked POST /containers/create (body split across chunks)", create, create);
	responds(
		"a chunked answer",
		"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
	send_str(cli, "POST /v1.41/images/x/y:1/push HTTP/1.1\r\nHost: docker\r\n"
		      "Content-Length: 2\r\n\r\n{}");
	read_all(cli, buf, sizeof(buf));
	CHECK("proxy: a denied command is answered 403 with eci's JSON message",
	      strstr(buf, "HTTP/1.1 403 Forbidden\r\n") &&
		      strstr(buf, "{\"message\":\"eci: 'docker push' is not allowed"),
	      "client got '%.300s'", buf);
	CHECK("proxy: the denied request never reaches the engine",
	      read_all(engine, buf, sizeof(buf)) == 0, "engine got '%.200s'", buf);
	pthread_join(t, NULL);
	close(cli);
	close(engine);

	/* A body that breaks the VM policy, sent in two writes. */
	start_conn(&t);
	send_str(cli, bad_create);
	usleep(10000);
	send_str(cli, bad_rest);
	read_all(cli, buf, sizeof(buf));
	CHECK("proxy: docker run --privileged -v /:/host is refused in one line",
	      strstr(buf, "403 Forbidden") &&
		      strstr(buf, "eci: a bind of the VM's / is not allowed"),
	      "client got '%.300s'", buf);
	CHECK("proxy: the refused create never reaches the engine",
	      read_all(engine, buf, sizeof(buf)) == 0, "engine got '%.200s'", buf);
	pthread_join(t, NULL);
	close(cli);
	close(engine);

	/* exec start hijacks the connection: raw both ways after the request. */
	start_conn(&t);
	forwards("POST /exec/ID/start with Upgrade: tcp", exec, exec);
	responds("101 UPGRADED", upgraded);
	forwards("the exec's stdin after the upgrade (not HTTP)", "\x01\x02ls -l\r\n\x04",
		 "\x01\x02ls -l\r\n\x04");
	responds("the exec's output", "\x01\x00\x00\x00\x00\x00\x00\x03out");
	shutdown(cli, SHUT_WR);
	CHECK("proxy: the client's half-close reaches the engine",
	      read_all(engine, buf, sizeof(buf)) == 0, "engine got '%.200s'", buf);
	close(engine);
	pthread_join(t, NULL);
	close(cli);

	/* Garbage is refused, not forwarded. */
	start_conn(&t);
	send_str(cli, "GET /containers/json HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
		      "chunked\r\n\r\n");
	read_all(cli, buf, sizeof(buf));
	CHECK("proxy: Content-Length with chunked (request smuggling) is refused",
	      strstr(buf, "403 Forbidden") && strstr(buf, "malformed HTTP request"),
	      "client got '%.300s'", buf);
	CHECK("proxy: the smuggling attempt never reaches the engine",
	      read_all(engine, buf, sizeof(buf)) == 0, "engine got '%.200s'", buf);
	pthread_join(t, NULL);
	close(cli);
	close(engine);
	unlink(settings_file);
}

int main(void)
{
	/* A test's write racing the proxy's close must fail, not end the run. */
	signal(SIGPIPE, SIG_IGN);
	command("GET", "/v1.41/containers/json?all=1", 1, "ps", ECI_PROXY_HEADERS);
	command("GET", "/containers/json", 1, "ps", ECI_PROXY_HEADERS);
	command("POST", "/v1.43/containers/create?name=x", 1, "create", ECI_PROXY_CREATE);
	command("POST", "/v1.41/containers/cre%61te", 1, "create", ECI_PROXY_CREATE);
	command("POST", "/v1.41/containers/create/", 1, "create", ECI_PROXY_CREATE);
	command("POST", "/v1.41/images/registry:5000/team/app:1/push", 1, "push",
		ECI_PROXY_HEADERS);
	command("DELETE", "/v1.41/images/team/app:1", 1, "rmi", ECI_PROXY_HEADERS);
	command("GET", "/v1.41/images/team/app/json", 1, "inspect", ECI_PROXY_HEADERS);
	command("POST", "/v1.41/containers/abc/attach?stream=1", 1, "attach", ECI_PROXY_HEADERS);
	command("POST", "/v1.41/exec/abc/start", 1, "exec", ECI_PROXY_HEADERS);
	command("GET", "/v1.41/containers/abc/logs?follow=1", 1, "logs", ECI_PROXY_HEADERS);
	command("POST", "/v1.41/volumes/create", 1, "volume create", ECI_PROXY_VOLUME);
	command("POST", "/v1.41/build?t=x", 1, "build", ECI_PROXY_HEADERS);
	command("HEAD", "/_ping", 0, NULL, ECI_PROXY_HEADERS);
	command("GET", "/v1.41/_ping", 0, NULL, ECI_PROXY_HEADERS);
	command("POST", "/v1.41/containers//create", -EINVAL, NULL, ECI_PROXY_HEADERS);
	command("POST", "/v1.41/containers/x/../create", -EINVAL, NULL, ECI_PROXY_HEADERS);
	command("POST", "/v1.41/containers/x/%2e%2e/create", -EINVAL, NULL, ECI_PROXY_HEADERS);
	command("POST", "/v1.41/containers/%zz", -EINVAL, NULL, ECI_PROXY_HEADERS);
	command("POST", "/v1.41/swarm/init", -ENOENT, NULL, ECI_PROXY_HEADERS);
	command("POST", "/v1.41/plugins/pull", -ENOENT, NULL, ECI_PROXY_HEADERS);
	command("GET", "/v1.41/nothing", -ENOENT, NULL, ECI_PROXY_HEADERS);
	command("PATCH", "/v1.41/containers/json", -ENOENT, NULL, ECI_PROXY_HEADERS);

	cmdlist("deny", "\"push\"", "POST", "/v1.41/images/a/b/push", 0);
	cmdlist("deny", "\"push\"", "GET", "/v1.41/containers/json", 1);
	cmdlist("deny", "\"image push\"", "POST", "/v1.41/images/a/push", 0);
	cmdlist("deny", "\"docker push\"", "POST", "/v1.41/images/a/push", 0);
	cmdlist("deny", "\"image*\"", "POST", "/v1.41/images/create?fromImage=busybox", 0);
	cmdlist("deny", "\"image*\"", "GET", "/v1.41/containers/json", 1);
	cmdlist("deny", "\"container*\"", "GET", "/v1.41/containers/json", 0);
	cmdlist("deny", "\"container*\"", "POST", "/v1.41/exec/x/start", 0);
	cmdlist("deny", "\"build\"", "POST", "/v1.41/build", 0);
	cmdlist("deny", "\"build\"", "POST", "/session", 0);
	cmdlist("deny", "\"run\"", "POST", "/v1.41/containers/create", 0);
	cmdlist("deny", "\"run\"", "POST", "/v1.41/containers/x/start", 0);
	cmdlist("deny", "\"run\"", "GET", "/v1.41/containers/json", 1);
	cmdlist("deny", "\"*\"", "GET", "/v1.41/containers/json", 0);
	cmdlist("deny", "\"*\"", "HEAD", "/_ping", 1);
	cmdlist("deny", "\"system*\"", "GET", "/v1.41/events", 0);
	cmdlist("deny", "\"volume*\"", "POST", "/v1.41/volumes/prune", 0);
	cmdlist("deny", "\"network*\"", "GET", "/v1.41/networks", 0);
	cmdlist("allow", "\"ps\"", "GET", "/v1.41/containers/json", 1);
	cmdlist("allow", "\"ps\"", "HEAD", "/_ping", 1);
	cmdlist("allow", "\"ps\"", "POST", "/v1.41/containers/create", 0);
	cmdlist("allow", "\"ps\", \"run\"", "POST", "/v1.41/containers/create", 1);
	cmdlist("allow", "\"container*\"", "POST", "/v1.41/containers/x/wait", 1);
	cmdlist("allow", "\"container*\"", "POST", "/v1.41/images/a/push", 0);
	cmdlist("allow", "\"*\"", "POST", "/v1.41/images/a/push", 1);
	cmdlist("allow", "\"*\"", "POST", "/v1.41/swarm/init", 0);

	body("a plain create", ECI_PROXY_CREATE, "{\"Image\":\"busybox\",\"HostConfig\":{}}", 1,
	     NULL);
	body("--privileged -v /:/host", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/:/host\"]}}", 0,
	     "a bind of the VM's / is not allowed");
	body("-v /etc:/x:ro", ECI_PROXY_CREATE, "{\"HostConfig\":{\"Binds\":[\"/etc:/x:ro\"]}}", 0,
	     "/etc");
	body("-v /home/u/src:/src (a file-sharing directory)", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Binds\":[\"/home/u/src:/src\"]}}", 1, NULL);
	body("-v /home/../etc:/x", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Binds\":[\"/home/../etc:/x\"]}}", 0, "not allowed");
	body("-v /homeless:/x", ECI_PROXY_CREATE, "{\"HostConfig\":{\"Binds\":[\"/homeless:/x\"]}}",
	     0, "not allowed");
	body("-v /var/run/docker.sock (the hook judges the image)", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Binds\":[\"/var/run/docker.sock:/var/run/docker.sock\"]}}", 1,
	     NULL);
	body("-v myvol:/data (a named volume)", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Binds\":[\"myvol:/data\"]}}", 1, NULL);
	body("--mount type=bind,src=/", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/h\"}]}}",
	     0, "a bind of the VM's /");
	body("--mount volume-opt=o=bind,volume-opt=device=/srv", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/b\","
	     "\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\",\"Options\":{\"type\":\"none\","
	     "\"o\":\"ro,bind\",\"device\":\"/srv\"}}}}]}}",
	     0, "o=ro,bind");
	body("--mount a tmpfs-backed volume", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/b\","
	     "\"VolumeOptions\":{\"DriverConfig\":{\"Options\":{\"type\":\"tmpfs\","
	     "\"o\":\"size=10m\",\"device\":\"tmpfs\"}}}}]}}",
	     1, NULL);
	body("--runtime=runc", ECI_PROXY_CREATE, "{\"HostConfig\":{\"Runtime\":\"runc\"}}", 0,
	     "--runtime=runc");
	body("--runtime=eci", ECI_PROXY_CREATE, "{\"HostConfig\":{\"Runtime\":\"eci\"}}", 1, NULL);
	body("--cgroup-parent=/x", ECI_PROXY_CREATE, "{\"HostConfig\":{\"CgroupParent\":\"/x\"}}",
	     0, "outside the protected");
	body("--cgroup-parent=/dockerx", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"CgroupParent\":\"/dockerx\"}}", 0, "outside the protected");
	body("--cgroup-parent=/docker/../x", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"CgroupParent\":\"/docker/../x\"}}", 0, "outside the protected");
	body("--cgroup-parent=/docker/team", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"CgroupParent\":\"/docker/team\"}}", 1, NULL);
	body("--device /dev/null (not assignable by default)", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":"
	     "\"/dev/x\",\"CgroupPermissions\":\"rwm\"}]}}",
	     0, "eci.assignableDevices");
	body("--device-cgroup-rule 'a *:* rwm'", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"DeviceCgroupRules\":[\"a *:* rwm\"]}}", 0, "--device-cgroup-rule");
	body("--gpus all", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"DeviceRequests\":[{\"Count\":-1}]}}", 0, "--gpus");
	/* Go's encoding/json: any case, Unicode simple folding. */
	body("hostconfig/binds in lower case", ECI_PROXY_CREATE,
	     "{\"hostconfig\":{\"binds\":[\"/:/host\"]}}", 0, "a bind of the VM's /");
	body("Bind\xc5\xbf (long s folds to s)", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Bind\xc5\xbf\":[\"/:/host\"]}}", 0, "a bind of the VM's /");
	body("Binds and binds both given", ECI_PROXY_CREATE,
	     "{\"HostConfig\":{\"Binds\":[],\"binds\":[\"/:/host\"]}}", 0, "twice");
	body("a body that is not JSON", ECI_PROXY_CREATE, "{\"HostConfig\":", 0, "not a JSON");
	body("a body with trailing bytes", ECI_PROXY_CREATE, "{} {\"HostConfig\":{}}", 0,
	     "not a JSON");
	body("docker volume create -o o=bind -o device=/", ECI_PROXY_VOLUME,
	     "{\"Name\":\"v\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}}",
	     0, "o=bind");
	body("docker volume create (plain)", ECI_PROXY_VOLUME, "{\"Name\":\"v\"}", 1, NULL);

	conn_tests();
	return unit_failures != 0;
}
