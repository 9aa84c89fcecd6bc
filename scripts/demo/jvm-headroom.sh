#!/usr/bin/env bash
# The JVM headroom scene of the quick start: two real JVMs in memory cgroups of their own, one
# whose limit is only 17% above -Xmx and one with 33%, and `rudder jvm` judging them. Works on
# cgroup v1 (the memory controller's hierarchy) and v2; removes what it made, also on failure.
set -euo pipefail
rudder=$1
name="rudder-demo-jvm-$$"
scratch=$(mktemp -d)
if [ -d /sys/fs/cgroup/memory ]; then
    parent=/sys/fs/cgroup/memory/$name
    limit_file=memory.limit_in_bytes
else
    parent=/sys/fs/cgroup/$name
    limit_file=memory.max
fi
cleanup() {
    set +e
    for dir in "$parent"/*/; do
        [ -f "$dir/cgroup.procs" ] || continue
        for pid in $(cat "$dir/cgroup.procs"); do kill -9 "$pid" 2> /dev/null; done
    done
    sleep 0.5
    for dir in "$parent"/*/; do rmdir "$dir" 2> /dev/null; done
    rmdir "$parent" 2> /dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

mkdir "$parent"
[ "$limit_file" = memory.max ] && echo +memory > "$parent/cgroup.subtree_control"
printf 'public class Idle { public static void main(String[] a) throws Exception { Thread.sleep(600000L); } }\n' \
    > "$scratch/Idle.java"
javac -d "$scratch" "$scratch/Idle.java"
start() { # name, limit in MiB, java options...
    local dir=$parent/$1 limit=$2
    shift 2
    mkdir "$dir"
    echo $((limit << 20)) > "$dir/$limit_file"
    sh -c "echo \$\$ > $dir/cgroup.procs && exec java $* -cp $scratch Idle" > /dev/null 2>&1 &
    disown
    printf '  %-8s limit %d MiB, java %s\n' "$(basename "$dir")" "$limit" "$*"
}
echo "two JVMs, each in a memory cgroup of its own under /$name:"
start billing 300 -Xmx256m -XX:+UseSerialGC
start catalog 400 -Xmx300m -XX:+UseG1GC
for _ in $(seq 100); do
    [ "$("$rudder" jvm --plain-parent "/$name" | grep -c perfData)" -eq 2 ] && break
    sleep 0.1
done
printf '$ rudder jvm --plain-parent /%s\n' "$name"
"$rudder" jvm --plain-parent "/$name"
echo "billing's limit leaves 44 MiB for metaspace, thread stacks, code cache and direct buffers:"
echo "below the 20% margin a JVM needs, so the kernel will OOM-kill it before Java runs out of heap."
echo "The agent serves the same figures on /metrics (rudder_container_jvm_*), with Pod names."
