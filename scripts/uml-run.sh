#!/usr/bin/env bash
# Runs a script inside a User-Mode Linux guest whose root is this machine's filesystem, with the
# given kernel modules loaded: uml-run.sh "ip_vs ip_vs_rr" SCRIPT [ARGS...]. The guest's output
# is printed; the exit status is the script's. (The Swift tests use Tests/RudderLab/UserModeLinux.swift.)
set -euo pipefail
modules=$1
shift
scratch=$(mktemp -d /tmp/rudder-uml.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cat > "$scratch/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
# Private /run: ip netns and Rudder's ownership record must not land on the host.
mount -t tmpfs tmpfs /run
mkdir -p /run/modules/lib/modules
ln -s /usr/lib/uml/modules/\$(uname -r) /run/modules/lib/modules/\$(uname -r)
for module in $modules; do modprobe -d /run/modules \$module || echo "cannot load \$module"; done
ip link set lo up
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd "$PWD"
$(printf '%q ' "$@") > "$scratch/output" 2>&1
echo \$? > "$scratch/status"
sync
halt -f
INIT
chmod +x "$scratch/init"
linux.uml mem=1024M root=/dev/root rootfstype=hostfs rootflags=/ rw quiet init="$scratch/init" \
    con=null con0=fd:0,fd:1 < /dev/null > "$scratch/console" 2>&1 || true
cat "$scratch/output" 2>/dev/null || { echo "the guest produced no output; console:"; tail -20 "$scratch/console"; }
exit "$(cat "$scratch/status" 2>/dev/null || echo 1)"
