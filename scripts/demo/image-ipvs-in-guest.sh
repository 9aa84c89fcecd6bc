#!/bin/sh
# Runs inside a User-Mode Linux guest (the host kernel has no IPVS): the image's own rudder,
# with the image's own libraries and iptables, programs IPVS from a services file, chrooted
# into the image's root filesystem ($1, exported by the caller). Used by ImageTests.
set -e
root=$1
mount -t proc proc "$root/proc"
mkdir -p /run/image-test "$root/run"
mount --bind /run/image-test "$root/run"
cat > /run/image-test/services.yaml <<YAML
node:
  addresses: [10.201.0.1]
  podSubnets: [10.200.0.0/16]
  iptables: legacy              # this guest kernel has no nf_tables
services:
  - name: default/web
    clusterIPs: [10.96.0.10]
    ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
    endpoints: [{address: 10.200.1.2}, {address: 10.200.2.2}]
YAML
chroot "$root" /usr/local/bin/rudder proxy apply --file /run/services.yaml --record /run/ipvs-services
echo "== ipvsadm -Ln (the guest's)"
ipvsadm -Ln
echo "== iptables-legacy -t nat -S RUDDER-POSTROUTING (the guest's)"
iptables-legacy -t nat -S RUDDER-POSTROUTING
umount "$root/run" "$root/proc"
