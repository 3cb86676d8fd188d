#!/bin/sh
echo "--- crun run"
podman run --name c1 eci-test sh -c 'cat /proc/self/mountinfo' 2>&1 | tail -5
ecictl events 2>&1 | tail -8
echo "--- config.json"
for f in /var/lib/containers/storage/overlay-containers/*/userdata/config.json; do
	echo "$f"; sed 's/,/,\n/g' "$f" | grep -n 'source\|destination\|Path\|hooks\|annotations\|io\.' | head -80
done
ls /run/containers/storage/overlay-containers/*/userdata/ 2>&1
cat /var/lib/containers/storage/overlay-containers/containers.json; echo
echo "--- runc run"
podman rm -f c1 >/dev/null 2>&1
podman run --runtime runc --rm eci-test sh -c 'cat /proc/self/mountinfo' 2>&1 | tail -30
ecictl events 2>&1 | tail -8
echo "--- no hook crun"
podman --hooks-dir /nonexistent run --rm eci-test sh -c 'cat /proc/self/mountinfo; insmod /dummy.ko && echo loaded' 2>&1 | tail -30
