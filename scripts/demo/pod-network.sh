#!/usr/bin/env bash
# The pod-network scene of the quick start: two sandbox nodes (network namespaces on this host,
# joined by a veth pair: node-a 10.0.2.10, node-b 10.0.2.11) each run `rudder run` with
# podNetwork on, following the test API server; an "outside" namespace hangs off node-a
# (203.0.113.2). Pods are namespaces attached by the reference bridge plugin with the conflist
# Rudder wrote, as a container runtime would. Everything is removed at the end, also on failure.
set -euo pipefail
rudder=$1
nodes=("rudder-demo-a-$$" "rudder-demo-b-$$")
pods=("rudder-demo-pod-a-$$" "rudder-demo-pod-b-$$")
outside="rudder-demo-out-$$"
network="rudder-demo-$$"
dir=$(mktemp -d)
pids=()
cleanup() {
    set +e
    exec 3>&-
    for index in 0 1; do
        [ -f "$dir/pod$index.json" ] && cni DEL "$index" > /dev/null 2>&1
    done
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; done
    for ns in "${pods[@]}" "${nodes[@]}" "$outside"; do
        for pid in $(ip netns pids "$ns" 2> /dev/null); do kill -9 "$pid" 2> /dev/null; done
        ip netns del "$ns" 2> /dev/null
    done
    rm -rf "$dir" "/var/lib/cni/networks/$network"
}
trap cleanup EXIT INT TERM

for ns in "${nodes[@]}" "${pods[@]}" "$outside"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "${nodes[0]}" link add underlay type veth peer name underlay netns "${nodes[1]}"
ip -n "${nodes[0]}" address add 10.0.2.10/24 dev underlay
ip -n "${nodes[1]}" address add 10.0.2.11/24 dev underlay
ip -n "${nodes[0]}" link add uplink type veth peer name eth0 netns "$outside"
ip -n "${nodes[0]}" address add 203.0.113.1/24 dev uplink
ip -n "$outside" address add 203.0.113.2/24 dev eth0
for ns in "${nodes[@]}"; do ip -n "$ns" link set underlay up; done
ip -n "${nodes[0]}" link set uplink up
ip -n "$outside" link set eth0 up

# The cluster: the test API server with the two Nodes and their pod CIDRs.
. scripts/demo/apiserver.sh
start_apiserver "$(node_json node-a 10.244.1.0/24 10.0.2.10)" "$(node_json node-b 10.244.2.0/24 10.0.2.11)"
for index in 0 1; do
    name=node-$([ "$index" = 0 ] && echo a || echo b)
    mkdir -p "$dir/$name/cni" "$dir/$name/state"
    cat > "$dir/$name/rudder.yaml" << YAML
nodeName: $name
controlSocket: $dir/$name/control.sock
kubernetes:
  kubeconfig: $dir/kubeconfig
  allowInsecure: true           # plain http to the demo's API server
serviceProxy:
  enabled: false                # this kernel has no IPVS; the guest scenes show the proxy
  ownershipRecord: $dir/$name/state/ipvs-services
metrics:
  containers: false
http:
  host: 127.0.0.1
  port: $((20298 + index))
podNetwork:
  enabled: true
  cniNetworkName: $network
  cniConfigDirectory: $dir/$name/cni
YAML
    "$rudder" run --config "$dir/$name/rudder.yaml" --namespace "${nodes[$index]}" 2> "$dir/$name/agent.log" &
    pids+=($!)
done
echo '$ rudder run --config rudder.yaml --namespace NODE &     # on node-a and node-b: podNetwork: enabled'
for name in node-a node-b; do
    for _ in $(seq 150); do [ -f "$dir/$name/cni/10-rudder.conflist" ] && break; sleep 0.2; done
done
echo '$ rudder cni show                                        # on node-a'
"$rudder" cni show --socket "$dir/node-a/control.sock" --config "$dir/node-a/rudder.yaml" | sed -n '1,/^}/p'

# A runtime's ADD of the bridge plugin, with the conflist's first plugin as its configuration.
cni() {
    local command=$1 index=$2 name
    name=node-$([ "$index" = 0 ] && echo a || echo b)
    python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); p=l["plugins"][0]; p["name"]=l["name"]; p["cniVersion"]=l["cniVersion"]; print(json.dumps(p))' \
        "$dir/$name/cni/10-rudder.conflist" |
        CNI_COMMAND=$command CNI_CONTAINERID="demo-$index" CNI_NETNS="/run/netns/${pods[$index]}" CNI_IFNAME=eth0 \
            CNI_PATH=/usr/lib/cni nsenter --net="/run/netns/${nodes[$index]}" /usr/lib/cni/bridge
}
address() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0]["address"].split("/")[0])' "$1"; }
for index in 0 1; do cni ADD "$index" > "$dir/pod$index.json"; done
pod_a=$(address "$dir/pod0.json")
pod_b=$(address "$dir/pod1.json")
echo "# a pod on each node, attached by the bridge plugin: pod-a $pod_a on node-a, pod-b $pod_b on node-b"
echo '$ ip route show proto 44                                 # on node-a: node-b'"'"'s pod CIDR, from the Nodes'
ip -n "${nodes[0]}" route show proto 44
echo '$ ip -br address show kube-bridge                        # on node-a and node-b: Rudder made them'
for ns in "${nodes[@]}"; do ip -n "$ns" -br address show kube-bridge; done

# An outside web server that logs its client's address: the node's, thanks to egress masquerade.
ip netns exec "$outside" python3 -m http.server 8080 --bind 203.0.113.2 > /dev/null 2> "$dir/outside.log" &
pids+=($!)
ip netns exec "${pods[1]}" python3 -m http.server 8080 --bind "$pod_b" > /dev/null 2> "$dir/pod-b.log" &
pids+=($!)
for _ in $(seq 50); do ip netns exec "$outside" ss -Htln | grep -q 8080 && ip netns exec "${pods[1]}" ss -Htln | grep -q 8080 && break; sleep 0.1; done
echo '$ curl http://203.0.113.2:8080/                          # from pod-a: the outside sees node-a'"'"'s address'
ip netns exec "${pods[0]}" curl -s -o /dev/null -w '%{http_code}\n' http://203.0.113.2:8080/
sed -n 's/^\([0-9.]*\) .*"GET.*/outside server log: client \1/p' "$dir/outside.log"
echo "\$ curl http://$pod_b:8080/                          # from pod-a: pod-b sees pod-a's own address"
ip netns exec "${pods[0]}" curl -s -o /dev/null -w '%{http_code}\n' "http://$pod_b:8080/"
sed -n 's/^\([0-9.]*\) .*"GET.*/pod-b server log: client \1/p' "$dir/pod-b.log"
echo '$ iptables -t nat -S RUDDER-POD-EGRESS                   # on node-a'
ip netns exec "${nodes[0]}" iptables -t nat -S RUDDER-POD-EGRESS
