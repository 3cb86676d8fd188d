#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The capability audit's site list (docs/DESIGN.md, "Capability audit"):
# every capability check a protected container's call can reach in a Debian
# kernel, with file, line, function and capability, grouped by subsystem.
#
#   scripts/audit-caps.sh [VERSION]        regenerate docs/audit/caps-VERSION.txt
#                                          and docs/audit/ns-caps-VERSION.txt
#                                          (VERSION: 6.1 by default, 6.12...)
#   scripts/audit-caps.sh --diff OLD NEW   what changed between two lists,
#                                          line numbers left out
#
# The source is Debian's linux-source-VERSION package (installed with
# apt-get if missing), unpacked once under build/linux-source-VERSION/.
#
# caps-*.txt: checks against the initial user namespace whatever the caller:
# capable(), ns_capable*(&init_user_ns, ...), file_ns_capable(..,
# &init_user_ns, ..), has_capability*(), bpf_capable(), perfmon_capable(),
# capable_wrt_inode_uidgid() and the network wrappers that are capable() in
# disguise (sk_capable, netlink_capable, sockopt_capable).
# ns-caps-*.txt: checks against the user namespace that owns a namespace or
# superblock (ns_capable(net->user_ns, ...)). A protected container has no
# user namespace of its own, so these too are asked of init_user_ns and reach
# eci's capable program with ns->level == 0; a deny-by-default capable
# program must let through those whose target is the container's own.
#
# Only x86 and arm64 of arch/ (the VM's architectures); tools/, samples/,
# scripts/ and Documentation/ are not kernel code. The function is found by
# the nearest preceding definition at column 0 (kernel style), the capability
# by the call's arguments (up to 5 lines): a heuristic, good for kernel style.
set -eu
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
out_dir=$top/docs/audit

die() {
	echo "audit-caps: $*" >&2
	exit 1
}

if [ "${1:-}" = --diff ]; then
	[ $# -eq 3 ] || die "usage: $0 --diff OLD-VERSION NEW-VERSION"
	for v in "$2" "$3"; do
		[ -r "$out_dir/caps-$v.txt" ] || die "no list for $v: run $0 $v first"
	done
	# Sites keyed by file, function, capability and check: moving code
	# shows no change, a new or removed check does.
	key() { grep -v '^#' "$out_dir/caps-$1.txt" | grep . | sed 's/:[0-9]*\t/\t/' | sort; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	key "$2" >"$tmp/old"
	key "$3" >"$tmp/new"
	diff -u --label "caps-$2" --label "caps-$3" "$tmp/old" "$tmp/new" || true
	exit 0
fi

[ $# -le 1 ] || die "usage: $0 [VERSION] | --diff OLD NEW"
ver=${1:-6.1}
case $ver in
*[!0-9.]* | "") die "'$ver' is not a kernel version such as 6.1 or 6.12" ;;
esac
pkg=linux-source-$ver
tarball=/usr/src/$pkg.tar.xz
if [ ! -r "$tarball" ]; then
	[ "$(id -u)" = 0 ] || die "$tarball is missing; install $pkg (apt-get install $pkg) as root"
	echo "audit-caps: installing $pkg" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" >&2 ||
		die "failed to install $pkg: is it in the configured Debian suites?"
fi
pkg_ver=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || echo unknown)

# Unpack the C sources once per package version.
src_root=$top/build/$pkg
stamp=$src_root/.unpacked
if [ "$(cat "$stamp" 2>/dev/null)" != "$pkg_ver" ]; then
	echo "audit-caps: unpacking $tarball" >&2
	rm -rf "$src_root"
	mkdir -p "$src_root"
	tar -xJf "$tarball" -C "$src_root" --strip-components=1 --wildcards '*.c' '*.h' ||
		die "failed to unpack $tarball"
	echo "$pkg_ver" >"$stamp"
fi

mkdir -p "$out_dir"
rules=$out_dir/verdicts.txt
cd "$src_root"

# Every checking function and which argument holds the namespace (0: none,
# the check is against init_user_ns) and the capability.
checks='capable:0:1 ns_capable:1:2 ns_capable_noaudit:1:2 ns_capable_setid:1:2
file_ns_capable:2:3 has_capability:0:2 has_capability_noaudit:0:2 has_ns_capability:2:3
has_ns_capability_noaudit:2:3 bpf_capable:0:0 perfmon_capable:0:0
capable_wrt_inode_uidgid:0:3 sk_capable:0:2 netlink_capable:0:2 sockopt_capable:0:1
sk_ns_capable:2:3 netlink_ns_capable:2:3 sk_net_capable:N:2 netlink_net_capable:N:2
checkpoint_restore_ns_capable:1:0 sockopt_ns_capable:1:2'
# (N: the owner of the socket's network namespace, implied.)
names=$(echo "$checks" | tr ' ' '\n' | cut -d: -f1 | paste -sd'|')

files=$(grep -rlE "(^|[^A-Za-z0-9_.>])($names)\(" --include='*.[ch]' \
	--exclude-dir=tools --exclude-dir=samples --exclude-dir=scripts \
	--exclude-dir=Documentation . | sed 's|^\./||' |
	awk '!/^arch\// || /^arch\/(x86|arm64)\//' | sort)

# shellcheck disable=SC2086 # one file per word: kernel paths have no spaces
awk -v checks="$checks" -v names="$names" '
function flush(   i, s, p, m, name, pre, call, rest, args, ns, cap, j) {
	fn = ""
	macro = ""
	incomment = 0
	for (i = 1; i <= n; i++) {
		s = strip(L[i])
		L2[i] = s
	}
	for (i = 1; i <= n; i++) {
		s = L2[i]
		raw = L[i]
		if (macro != "" && !cont)
			macro = ""
		if (raw ~ /^#[ \t]*define[ \t]+[A-Za-z_]/) {
			m = raw
			sub(/^#[ \t]*define[ \t]+/, "", m)
			match(m, /^[A-Za-z0-9_]+/)
			macro = substr(m, 1, RLENGTH)
		}
		cont = (raw ~ /\\[ \t]*$/)
		if (raw ~ /^}/) {
			fn = ""
		} else if (raw ~ /^[A-Za-z_]/ && s ~ /\(/ && s !~ /;[ \t]*$/ && s !~ /^(typedef|extern)[ \t]/) {
			name = header(s)
			if (name != "")
				fn = name
		}
		# Every call on the line.
		p = s
		off = 0
		while (match(p, re)) {
			call = substr(p, RSTART, RLENGTH - 1)
			at = RSTART
			if (call ~ /^[^A-Za-z_]/) {
				call = substr(call, 2)
				at++
			}
			pre = substr(p, 1, at - 1)
			rest = substr(p, RSTART + RLENGTH)
			p = rest
			# A definition or a prototype, not a call.
			if (pre ~ /(^|[^A-Za-z0-9_])(bool|int|long|void)[ \t\*]*$/)
				continue
			for (j = 1; j <= 5 && i + j <= n; j++)
				rest = rest " " L2[i + j]
			nargs = split_args(rest)
			if (nsarg[call] == "N")
				ns = "sock_net(sk)->user_ns"
			else
				ns = nsarg[call] ? A[nsarg[call]] : "&init_user_ns"
			if (call == "bpf_capable")
				cap = "CAP_BPF|CAP_SYS_ADMIN"
			else if (call == "perfmon_capable")
				cap = "CAP_PERFMON|CAP_SYS_ADMIN"
			else if (call == "checkpoint_restore_ns_capable")
				cap = "CAP_CHECKPOINT_RESTORE|CAP_SYS_ADMIN"
			else
				cap = A[caparg[call]]
			if (length(cap) > 48)
				cap = substr(cap, 1, 45) "..."
			where = macro != "" ? "#define " macro : (fn != "" ? fn : "(file scope)")
			if (ns == "&init_user_ns")
				print "I\t" FILENAME_ "\t" i "\t" where "\t" cap "\t" call
			else
				print "N\t" FILENAME_ "\t" i "\t" where "\t" cap "\t" call "\t" ns
		}
	}
}
# Text of a line without comments (state carried across lines) or strings.
function strip(t,   out, a, b) {
	out = ""
	gsub(/"([^"\\]|\\.)*"/, "\"\"", t)
	while (t != "") {
		if (incomment) {
			b = index(t, "*/")
			if (!b)
				return out
			t = substr(t, b + 2)
			incomment = 0
			continue
		}
		a = index(t, "/*")
		b = index(t, "//")
		if (b && (!a || b < a))
			return out substr(t, 1, b - 1)
		if (!a)
			return out t
		out = out substr(t, 1, a - 1) " "
		t = substr(t, a + 2)
		incomment = 1
	}
	return out
}
# The name a definition line defines: the identifier before its first "(";
# SYSCALL_DEFINEn(name, ...) is sys_name, other macros MACRO(first-arg).
function header(t,   a, id, arg) {
	a = index(t, "(")
	id = substr(t, 1, a - 1)
	sub(/[ \t\*]+$/, "", id)
	if (!match(id, /[A-Za-z_][A-Za-z0-9_]*$/))
		return ""
	id = substr(id, RSTART)
	if (id ~ /^(if|for|while|switch|return|sizeof)$/)
		return ""
	if (id ~ /^[A-Z0-9_]+$/) {
		arg = substr(t, a + 1)
		if (!match(arg, /^[ \t]*[A-Za-z_][A-Za-z0-9_]*/))
			return id
		arg = substr(arg, RSTART, RLENGTH)
		gsub(/[ \t]/, "", arg)
		if (id ~ /^COMPAT_SYSCALL_DEFINE[0-9]$/)
			return "compat_sys_" arg
		if (id ~ /^SYSCALL_DEFINE[0-9]$/)
			return "sys_" arg
		return id "(" arg ")"
	}
	return id
}
# Split the arguments of the call whose "(" was just consumed into A[1..].
function split_args(t,   k, c, depth, cur, na) {
	depth = 0
	cur = ""
	na = 0
	for (k = 1; k <= length(t); k++) {
		c = substr(t, k, 1)
		if (c == "(" || c == "[" || c == "{")
			depth++
		else if ((c == ")" || c == "]" || c == "}") && depth > 0)
			depth--
		else if (c == ")" || (c == "," && depth == 0)) {
			A[++na] = trim(cur)
			cur = ""
			if (c == ")")
				break
			continue
		}
		cur = cur c
	}
	for (k = na + 1; k <= 4; k++)
		A[k] = ""
	return na
}
function trim(t) {
	gsub(/[ \t]+/, " ", t)
	sub(/^ /, "", t)
	sub(/ $/, "", t)
	return t
}
BEGIN {
	nc = split(checks, C, /[ \n]+/)
	for (k = 1; k <= nc; k++) {
		split(C[k], f, ":")
		nsarg[f[1]] = f[2] == "N" ? "N" : f[2] + 0
		caparg[f[1]] = f[3] + 0
	}
	re = "(^|[^A-Za-z0-9_.>])(" names ")\\("
}
FNR == 1 && NR > 1 {
	flush()
	n = 0
}
FNR == 1 {
	FILENAME_ = FILENAME
}
{
	L[++n] = $0
}
END {
	if (n)
		flush()
}' $files >"$top/build/audit-caps-$ver.raw"

# Subsystem: the first two directories of the path (one for a file directly
# in a top directory: kernel/sys.c is "kernel").
report() { # TAG FILE TITLE...
	tag=$1
	file=$2
	shift 2
	{
		echo "# $*"
		echo "# $pkg $pkg_ver (Debian), by scripts/audit-caps.sh $ver; do not edit."
		if [ "$tag" = I ]; then
			echo "# Columns, tab-separated: file:line, function, capability, check, row and verdict"
			echo "# (the rows of docs/DESIGN.md \"Capability audit\", by docs/audit/verdicts.txt)."
		else
			echo "# Columns, tab-separated: file:line, function, capability, check, user namespace."
		fi
		echo "# Sites per subsystem in the '##' lines; compare kernels with scripts/audit-caps.sh --diff OLD NEW."
		awk -F'\t' -v tag="$tag" -v rules="$rules" '
		BEGIN {
			while (tag == "I" && (getline r <rules) > 0) {
				if (r ~ /^#/ || r !~ /\t/)
					continue
				split(r, f, "\t")
				nr++
				row[nr] = f[1]
				verdict[nr] = f[2]
				re[nr] = f[3]
			}
		}
		$1 == tag {
			d = $2
			sub(/\/[^\/]*$/, "", d)
			if (d == $2)
				d = "."
			k = split(d, p, "/")
			g = k >= 2 ? p[1] "/" p[2] : p[1]
			line = $2 ":" $3 "\t" $4 "\t" $5 "\t" $6
			if (tag == "N") {
				line = line "\t" $7
			} else {
				v = "-\tUNREVIEWED"
				key = $2 "|" $4 "|" $5 "|" $6
				for (k = 1; k <= nr; k++)
					if (key ~ re[k]) {
						v = row[k] "\t" verdict[k]
						break
					}
				line = line "\t" v
			}
			printf "%s\t%s\t%08d\t%s\n", g, $2, $3, line
		}' "$top/build/audit-caps-$ver.raw" | sort -t'	' -k1,1 -k2,2 -k3,3 | awk -F'\t' '
		{
			if ($1 != g) {
				flushg()
				g = $1
			}
			buf[++nb] = $4 "\t" $5 "\t" $6 "\t" $7 ($8 != "" ? "\t" $8 : "") ($9 != "" ? "\t" $9 : "")
			total++
			if ($9 != "")
				per[$9]++
		}
		function flushg(   k) {
			if (!nb)
				return
			printf "\n## %s (%d)\n", g, nb
			for (k = 1; k <= nb; k++)
				print buf[k]
			nb = 0
		}
		END {
			flushg()
			printf "\n# total: %d sites", total
			nv = split("allowed refused unreachable OPEN UNREVIEWED", order, " ")
			for (k = 1; k <= nv; k++)
				if (per[order[k]])
					verdicts = verdicts sprintf(", %s %d", order[k], per[order[k]])
			printf "%s\n", verdicts
		}'
	} >"$file"
	echo "audit-caps: ${file#"$top"/}: $(tail -n1 "$file" | cut -c3-)" >&2
}
report I "$out_dir/caps-$ver.txt" \
	"Capability checks against the initial user namespace in Linux $ver"
report N "$out_dir/ns-caps-$ver.txt" \
	"Capability checks against an owning user namespace in Linux $ver (init_user_ns for a container without one)"
