# Sourced by the demo scenes: starts the test API server (Tests/TestAPIServer) on this host's
# loopback with the Nodes given as JSON, and writes "$dir/kubeconfig" for it (plain http, a
# token file). Needs $dir and the array pids from the caller, which kill what it starts; file
# descriptor 3 stays open on the server's control pipe, so the server lives until the caller
# closes it.
start_apiserver() {
    echo demo-token > "$dir/token"
    mkfifo "$dir/control"
    python3 Tests/TestAPIServer/kube-apiserver-double.py --listen 127.0.0.1:0 --token-file "$dir/token" \
        < "$dir/control" > "$dir/replies" 2> "$dir/apiserver.log" &
    pids+=($!)
    exec 3> "$dir/control"
    for _ in $(seq 50); do grep -q LISTENING "$dir/replies" 2> /dev/null && break; sleep 0.1; done
    local port objects
    port=$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$dir/replies")
    objects=$(IFS=,; echo "$*")
    echo '{"op":"load","objects":['"$objects"']}' >&3
    cat > "$dir/kubeconfig" << YAML
apiVersion: v1
kind: Config
clusters: [{name: demo, cluster: {server: "http://127.0.0.1:$port"}}]
users: [{name: rudder, user: {tokenFile: token}}]
contexts: [{name: demo, context: {cluster: demo, user: rudder}}]
current-context: demo
YAML
}

# A Node object: name, pod CIDR, InternalIP.
node_json() {
    echo '{"apiVersion":"v1","kind":"Node","metadata":{"name":"'"$1"'"},"spec":{"podCIDR":"'"$2"'"},"status":{"addresses":[{"type":"InternalIP","address":"'"$3"'"}]}}'
}
