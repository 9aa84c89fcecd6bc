#!/bin/sh
# Runs inside a User-Mode Linux guest (the host kernel has no IPVS): two backends and a client
# in network namespaces around the guest's own namespace, which plays the node.
set -e
rudder=$1
record=/run/rudder/ipvs-services
. "$(dirname "$0")/lab.sh"
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
for i in 1 2 3 4; do ask 10.96.0.10 80; done
echo '# and twice to the NodePort 10.201.0.1:30080:'
for i in 1 2; do ask 10.201.0.1 30080; done
echo '$ iptables -t nat -S RUDDER-SERVICES; iptables -t nat -S RUDDER-POSTROUTING'
echo '# connections to Rudder'"'"'s own services from outside the pod network are marked, then masqueraded;'
echo '# hairpin connections (a pod reaching itself through its service) are masqueraded too'
iptables-legacy -t nat -S RUDDER-SERVICES
iptables-legacy -t nat -S RUDDER-POSTROUTING
echo; echo '# applying the same file again changes nothing:'
"$rudder" proxy apply --file /run/services.yaml --record "$record"
kill $(jobs -p) 2>/dev/null || true
