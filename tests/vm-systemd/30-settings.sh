#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# eci-stage: main
#
# Docker's sample admin-settings.json ($HOME, $TMP) applies under systemd,
# whose services have no HOME: on a VM the variables mean /home and /tmp
# unless the file's eci.variables says otherwise (eci-settings(5)).
. "$(dirname "$0")/lib.sh"

mkdir -p /etc/eci
cp /eci/docker-sample.json /etc/eci/admin-settings.json
r=
env=$(systemctl show -p Environment --value eci.service)
case " $env " in *" HOME="*) r="the unit sets HOME ($env): the check would prove nothing" ;; esac
if [ -z "$r" ]; then
	out=$(systemctl reload eci.service 2>&1) || r="reload failed: $out $(journalctl -b -u eci --no-pager | tail -n 2 | tr '\n' ' ')"
fi
if [ -z "$r" ]; then
	show=$(ecictl settings show 2>&1)
	printf '%s\n' "$show" | grep -qE ' /home/?$' || r="no /home in: $(printf '%s' "$show" | tr '\n' ' ' | cut -c1-300)"
fi
verdict "Docker's sample settings file applies under systemd (\$HOME is /home)" "$r"

r=
out=$(systemctl restart eci.service 2>&1) && active eci.service || r="restart with the sample file: $out"
verdict "eci.service (re)starts with Docker's sample settings file" "$r"

# eci.variables: the admin says where users' files are.
cat >/etc/eci/admin-settings.json <<'JSON'
{
  "configurationFileVersion": 2,
  "enhancedContainerIsolation": { "locked": true, "value": true },
  "filesharingAllowedDirectories": [ { "path": "$HOME", "sharedByDefault": true },
                                     { "path": "$TEMP", "sharedByDefault": false } ],
  "eci": { "variables": { "HOME": "/srv/users", "TEMP": "/var/tmp" } }
}
JSON
r=
out=$(systemctl reload eci.service 2>&1) || r="reload failed: $out"
show=$(ecictl settings show 2>&1)
printf '%s\n' "$show" | grep -qE ' /srv/users/?$' && printf '%s\n' "$show" | grep -qE ' /var/tmp/?$' ||
	r="$r; not /srv/users and /var/tmp: $(printf '%s' "$show" | tr '\n' ' ' | cut -c1-300)"
verdict "eci.variables sets what \$HOME and \$TEMP mean" "$r"
cp /eci/docker-sample.json /etc/eci/admin-settings.json
systemctl reload eci.service
exit 0
