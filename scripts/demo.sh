#!/usr/bin/env bash
# The quick start: Rudder at work on this machine, in a sandbox it creates and removes.
# It shows pod routing (routes applied from a file, one deleted behind Rudder's back and put
# back), the service proxy (IPVS programmed from a services file, real traffic through a
# ClusterIP and a NodePort), the agent (`rudder run` following an API server, and riding out
# its loss), BGP (a session with a BIRD ToR, routes both ways), the pod network (two nodes'
# pods talking, one reaching the outside through egress masquerade) and JVM headroom (`rudder jvm`
# on real JVMs in memory cgroups). Each capability
# added to Rudder adds a scene here.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the demo creates a network namespace" >&2; exit 1; }
./scripts/install-deps.sh
echo "== building rudder (release: about 8 minutes on a cold 2-core machine; then about 2.5 minutes of scenes)"
# One line per module as the build reaches it, so a long first build shows it is moving.
swift build -c release --product rudder 2>&1 | awk '
    /^\[[0-9]+\/[0-9]+\] Compiling / { if ($3 != last) { print "   " $1 " " $3; last = $3; fflush() } next }
    /error:|Build complete|Build of product/ { print; fflush() }'
[ -x .build/release/rudder ] || { echo "the build failed" >&2; exit 1; }
rudder=.build/release/rudder

ns="rudder-demo-$$"
watcher=""
cleanup() {
    # The watcher dies by signal, so its status is not 0: nothing here may stop the cleanup.
    set +e
    if [ -n "$watcher" ]; then kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; fi
    ip netns del "$ns" 2>/dev/null
    rm -f "/tmp/rudder-demo-$$.log" "/tmp/rudder-demo-$$-bad-routes.yaml"
}
trap cleanup EXIT INT TERM
scene() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

scene "a sandbox node: network namespace $ns, link rd0 with 192.168.1.10/24 and fd00:1::10/64"
ip netns add "$ns"
ip -n "$ns" link add rd0 type veth peer name rd1
ip -n "$ns" link set rd0 up
ip -n "$ns" link set rd1 up
ip -n "$ns" address add 192.168.1.10/24 dev rd0
ip -n "$ns" address add fd00:1::10/64 dev rd0 nodad

bad="/tmp/rudder-demo-$$-bad-routes.yaml"
scene "pod routes: check a bad file first ($bad: a prefix with host bits, an IPv6 next hop for an IPv4 prefix, a misspelt key); nothing of it is applied"
printf 'routes:\n  - prefix: 10.244.1.1/24\n    via: 192.168.1.11\n  - prefix: 10.244.3.0/24\n    via: fd00:1::11\n    wieght: 2\n' > "$bad"
show cat "$bad"
show "$rudder" routes apply --file "$bad" --namespace "$ns" || true
rm -f "$bad"

scene "pod routes: apply docs/examples/routes.yaml and keep it applied (--watch)"
"$rudder" routes apply --file docs/examples/routes.yaml --namespace "$ns" --watch 2>/tmp/rudder-demo-$$.log &
watcher=$!
for _ in $(seq 50); do
    [ "$(ip -n "$ns" route show proto 44 | wc -l)" -gt 0 ] && break
    sleep 0.1
done
show "$rudder" routes list --namespace "$ns"
show ip -n "$ns" route show proto 44
show ip -n "$ns" -6 route show proto 44

scene "someone deletes a pod route behind Rudder's back"
show ip -n "$ns" route del 10.244.1.0/24
sleep 0.5
scene "half a second later"
show ip -n "$ns" route show 10.244.1.0/24
grep -h "repairing" /tmp/rudder-demo-$$.log || true
rm -f /tmp/rudder-demo-$$.log

scene "the service proxy: this kernel has no IPVS, so it runs in a User-Mode Linux guest"
./scripts/uml-run.sh "ip_vs ip_vs_rr veth dummy nf_conntrack nf_nat iptable_nat ip6table_nat xt_mark xt_set \
    xt_MASQUERADE xt_comment ip_set ip_set_hash_ip ip_set_hash_net ip_set_hash_ipport ip_set_hash_ipportip" \
    scripts/demo/proxy-in-guest.sh "$PWD/$rudder"

scene "the agent: rudder run follows an API server (the test double) and programs IPVS, in a guest"
./scripts/uml-run.sh "ip_vs ip_vs_rr veth dummy nf_conntrack nf_nat iptable_nat ip6table_nat xt_mark xt_set \
    xt_MASQUERADE xt_comment ip_set ip_set_hash_ip ip_set_hash_net ip_set_hash_ipport ip_set_hash_ipportip" \
    scripts/demo/agent-in-guest.sh "$PWD/$rudder"

scene "BGP: rudder run peers with a BIRD ToR (the shipped bird-configs/tor.conf)"
./scripts/demo/bgp-tor.sh "$PWD/$rudder"

scene "the pod network: two sandbox nodes run rudder run as their CNI; a pod on each, one reaching an outside host"
./scripts/demo/pod-network.sh "$PWD/$rudder"

scene "JVM headroom: real JVMs in memory cgroups, judged by rudder jvm"
./scripts/demo/jvm-headroom.sh "$PWD/$rudder"

scene "done: the sandboxes are removed on exit"
