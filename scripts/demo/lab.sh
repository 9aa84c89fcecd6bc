# Sourced by the demo's guest scripts: the guest's own namespace is the node, with two backends
# (be1 10.200.1.2, be2 10.200.2.2, each answering "hello from NAME" on TCP 8080) and a client
# (10.201.0.2) in network namespaces, each linked to the node by a veth pair. `ask ADDRESS PORT`
# connects from the client and prints the answer.
echo 1 > /proc/sys/net/ipv4/ip_forward
serve='import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen()
while True:
    c,_=s.accept(); c.sendall(("hello from " + sys.argv[1] + "\n").encode()); c.close()'
connect='import socket,sys
c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); print(c.recv(100).decode().strip())'
ask() { ip netns exec client python3 -c "$connect" "$1" "$2"; }
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
