#!/bin/sh
# Runs inside a User-Mode Linux guest (the host kernel has no IPVS): two backends and a client
# in network namespaces around the guest's own namespace, which plays the node.
set -e
rudder=$1
record=/run/rudder/ipvs-services
echo 1 > /proc/sys/net/ipv4/ip_forward
serve='import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen()
while True:
    c,_=s.accept(); c.sendall(("hello from " + sys.argv[1] + "\n").encode()); c.close()'
ask='import socket,sys
c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); print(c.recv(100).decode().strip())'
link() { # namespace, node-side address, namespace address (both /24)
    ip netns add "$1"
    ip link add "n-$1" type veth peer name eth0 netns "$1"
    ip address add "$2/24" dev "n-$1"; ip link set "n-$1" up
    ip -n "$1" address add "$3/24" dev eth0; ip -n "$1" link set eth0 up; ip -n "$1" link set lo up
    ip -n "$1" route add default via "$2"
}
link be1 10.200.1.1 10.200.1.2
link be2 10.200.2.1 10.200.2.2
link client 10.201.0.1 10.201.0.2
ip netns exec be1 python3 -c "$serve" be1 & ip netns exec be2 python3 -c "$serve" be2 &
cat > /run/services.yaml <<YAML
node:
  addresses: [10.201.0.1]
  podSubnets: [10.200.0.0/16]   # traffic to a VIP from elsewhere is masqueraded
  iptables: legacy              # this guest kernel has no nf_tables; Debian 12 nodes use nft
services:
  - name: default/web
    clusterIPs: [10.96.0.10]
    ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
    endpoints: [{address: 10.200.1.2}, {address: 10.200.2.2}]
YAML
sleep 0.5
echo '$ rudder proxy apply --file services.yaml'
"$rudder" proxy apply --file /run/services.yaml --record "$record"
echo '$ rudder proxy list'
"$rudder" proxy list --record "$record"
echo '$ ip address show kube-dummy-if'
ip -brief address show kube-dummy-if
echo; echo '# a client connects four times to the ClusterIP 10.96.0.10:80 (rr spreads them):'
for i in 1 2 3 4; do ip netns exec client python3 -c "$ask" 10.96.0.10 80; done
echo '# and twice to the NodePort 10.201.0.1:30080:'
for i in 1 2; do ip netns exec client python3 -c "$ask" 10.201.0.1 30080; done
echo '$ iptables -t nat -S RUDDER-SERVICES; iptables -t nat -S RUDDER-POSTROUTING'
echo '# connections to Rudder'"'"'s own services from outside the pod network are marked, then masqueraded;'
echo '# hairpin connections (a pod reaching itself through its service) are masqueraded too'
iptables-legacy -t nat -S RUDDER-SERVICES
iptables-legacy -t nat -S RUDDER-POSTROUTING
echo; echo '# applying the same file again changes nothing:'
"$rudder" proxy apply --file /run/services.yaml --record "$record"
kill $(jobs -p) 2>/dev/null || true
