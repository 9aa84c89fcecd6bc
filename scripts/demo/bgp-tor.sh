#!/usr/bin/env bash
# The BGP scene of the quick start: a top-of-rack router running BIRD 2 with the shipped
# bird-configs/tor.conf (neighbor range, filters, MD5, graceful restart, BFD), and a node whose
# `rudder run` follows the test API server and peers with it. Both are network namespaces on
# this host, linked by a veth pair: ToR 10.0.1.1, node 10.0.1.10 (the ranges in
# rudder-params.conf). Everything is removed at the end, also on failure.
set -euo pipefail
rudder=$1
tor="rudder-demo-tor-$$"
node="rudder-demo-node-$$"
dir=$(mktemp -d)
pids=()
cleanup() {
    set +e
    exec 3>&-
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; done
    for ns in "$tor" "$node"; do
        for pid in $(ip netns pids "$ns" 2> /dev/null); do kill -9 "$pid" 2> /dev/null; done
        ip netns del "$ns" 2> /dev/null
    done
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ip netns add "$tor"
ip netns add "$node"
ip -n "$tor" link add tor0 type veth peer name node0 netns "$node"
ip -n "$tor" address add 10.0.1.1/24 dev tor0
ip -n "$node" address add 10.0.1.10/24 dev node0
for ns in "$tor" "$node"; do ip -n "$ns" link set lo up; done
ip -n "$tor" link set tor0 up
ip -n "$node" link set node0 up

# The ToR: the shipped config as it is, plus another rack's pod CIDR for the node to learn.
cp bird-configs/*.conf "$dir/"
printf 'include "tor.conf";\nprotocol static other_rack { ipv4; route 10.244.9.0/24 blackhole; }\n' > "$dir/demo.conf"
ip netns exec "$tor" bird -f -c "$dir/demo.conf" -s "$dir/bird.ctl" > "$dir/bird.log" 2>&1 &
pids+=($!)
birdc() { command birdc -s "$dir/bird.ctl" "$@"; }

# The cluster: the test API server (Tests/TestAPIServer) with one Node, node-a, on this host's
# loopback; the agent reaches it from the host namespace and does its kernel and BGP work in the
# node's namespace (--namespace).
. scripts/demo/apiserver.sh
start_apiserver "$(node_json node-a 10.244.1.0/24 10.0.1.10)"
echo change-me > "$dir/tor-password"
mkdir -p "$dir/state"
cat > "$dir/rudder.yaml" <<YAML
nodeName: node-a
controlSocket: $dir/control.sock
kubernetes:
  kubeconfig: $dir/kubeconfig
  allowInsecure: true           # plain http to the demo's API server; the agent scene uses TLS
serviceProxy:
  enabled: false                # this kernel has no IPVS; the guest scenes show the proxy
  ownershipRecord: $dir/state/ipvs-services
metrics:
  containers: false
http:
  host: 127.0.0.1
  port: 20297
bgp:
  enabled: true
  nodeMesh: false
  peers:
    - address: 10.0.1.1
      remoteAS: 65000
      passwordFile: $dir/tor-password
YAML
echo '$ rudder run --config rudder.yaml --namespace NODE &     # bgp: enabled, peer 10.0.1.1 AS 65000 (MD5)'
"$rudder" run --config "$dir/rudder.yaml" --namespace "$node" 2> "$dir/agent.log" &
pids+=($!)
for _ in $(seq 150); do
    birdc show protocols 2> /dev/null | grep -q "rack_v4_.*Established" && break
    sleep 0.2
done
echo '$ birdc show protocols                                   # on the ToR'
birdc show protocols | grep -E "^Name|rack_v4"
echo '$ birdc show route protocol rack_v4_1                    # what the node advertises'
birdc show route protocol rack_v4_1
for _ in $(seq 50); do ip -n "$node" route show proto 44 | grep -q 10.244.9.0 && break; sleep 0.1; done
echo '$ rudder bgp peers                                       # on the node'
"$rudder" bgp peers --socket "$dir/control.sock"
echo '$ rudder bgp routes'
"$rudder" bgp routes --socket "$dir/control.sock"
echo '$ ip route show proto 44                                 # the ToR'"'"'s route, in the node'"'"'s kernel'
ip -n "$node" route show proto 44
