#!/bin/sh
# Runs inside a User-Mode Linux guest: the test API server (Tests/TestAPIServer, a faithful
# kube-apiserver double, since no real one can be installed here) on the guest's loopback, and
# `rudder run` following it. Two backends and a client in network namespaces; the guest's own
# namespace is the node.
set -e
rudder=$1
dir=/run/rudder-agent-demo
mkdir -p "$dir"
. "$(dirname "$0")/lab.sh"

# A CA, a server certificate for 127.0.0.1, a token: what a real cluster hands a node agent.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=demo-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=kube-apiserver \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$dir/san"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 1 \
    -extfile "$dir/san" -out "$dir/server.crt" 2>/dev/null
echo demo-token > "$dir/token"
mkfifo "$dir/control"
python3 Tests/TestAPIServer/kube-apiserver-double.py --listen 127.0.0.1:6443 --tls-cert "$dir/server.crt" \
    --tls-key "$dir/server.key" --token-file "$dir/token" < "$dir/control" > "$dir/replies" 2>/dev/null &
apiserver=$!
exec 3> "$dir/control"
control() { echo "$1" >&3; }
cat > "$dir/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: demo, cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}}]
users: [{name: rudder, user: {tokenFile: token}}]
contexts: [{name: demo, context: {cluster: demo, user: rudder}}]
current-context: demo
YAML
cat > "$dir/rudder.yaml" <<YAML
nodeName: node-a
kubernetes:
  kubeconfig: $dir/kubeconfig
podRouting:
  enabled: false
serviceProxy:
  podSubnets: [10.200.0.0/16]
  iptables: legacy             # this guest kernel has no nf_tables; Debian 12 nodes use nft
  ownershipRecord: $dir/ipvs-services
http:
  host: 127.0.0.1
YAML
node='{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-a"},"spec":{"podCIDR":"10.200.0.0/24"},"status":{"addresses":[{"type":"InternalIP","address":"10.201.0.1"}]}}'
service='{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"type":"NodePort","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"ports":[{"name":"http","port":80,"targetPort":"http","nodePort":30080,"protocol":"TCP"}],"selector":{"app":"web"}}}'
slice() { # addresses as a JSON list
    echo '{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abcde","namespace":"default","labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":['"$1"'],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}'
}
one='{"addresses":["10.200.1.2"],"conditions":{"ready":true}}'
two='{"addresses":["10.200.2.2"],"conditions":{"ready":true}}'
control '{"op":"load","objects":['"$node"','"$service"','"$(slice "$one")"']}'
sleep 1

echo '$ rudder run --config rudder.yaml &        # the API server holds Service default/web, one endpoint'
"$rudder" run --config "$dir/rudder.yaml" 2> "$dir/agent.log" &
agent=$!
for _ in $(seq 100); do curl -sf localhost:20244/readyz > /dev/null && break; sleep 0.1; done
echo '$ curl localhost:20244/readyz'
curl -s localhost:20244/readyz
echo '$ rudder proxy list'
"$rudder" proxy list --record "$dir/ipvs-services"
echo '# a client connects twice to the ClusterIP and once to the NodePort:'
for i in 1 2; do ask 10.96.0.10 80; done
ask 10.201.0.1 30080

echo; echo '# scale web to two endpoints, through the API server:'
control '{"op":"put","object":'"$(slice "$one,$two")"'}'
sleep 1
"$rudder" proxy list --record "$dir/ipvs-services"
for i in 1 2 3 4; do ask 10.96.0.10 80; done

echo; echo '# the API server dies: the dataplane stays, and so does liveness'
kill -9 "$apiserver"
sleep 2
for i in 1 2; do ask 10.96.0.10 80; done
echo '$ curl -w "HTTP %{http_code}" localhost:20244/healthz'
curl -s -w 'HTTP %{http_code}\n' localhost:20244/healthz
grep -m1 'watch failed' "$dir/agent.log" | sed 's/^/agent log: /' || true

kill "$agent"; wait "$agent" 2>/dev/null || true
echo; echo '# stopped with SIGTERM: the IPVS services stay for the next agent to adopt'
ipvsadm -Ln | head -4
exec 3>&-
kill $(jobs -p) 2>/dev/null || true
