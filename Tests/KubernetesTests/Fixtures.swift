/// JSON in the shapes `kubectl get -o json` prints, built as text so that tests see exactly what the API sends.
enum Fixtures {
    static func service(
        name: String, namespace: String = "default", resourceVersion: String = "1000", clusterIP: String = "10.96.0.10",
        port: String = "80", type: String = "ClusterIP"
    ) -> String {
        """
        {
          "apiVersion": "v1",
          "kind": "Service",
          "metadata": {
            "annotations": {
              "kube-router.io/service.scheduler": "mh",
              "kubectl.kubernetes.io/last-applied-configuration": "{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Service\\"}\\n"
            },
            "creationTimestamp": "2024-03-01T10:00:00Z",
            "labels": { "app": "\(name)" },
            "name": "\(name)",
            "namespace": "\(namespace)",
            "resourceVersion": "\(resourceVersion)",
            "uid": "6a1f7c2e-\(name)"
          },
          "spec": {
            "clusterIP": "\(clusterIP)",
            "clusterIPs": ["\(clusterIP)"],
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [
              { "name": "http", "port": \(port), "protocol": "TCP", "targetPort": 8080 },
              { "name": "metrics", "port": 9100, "protocol": "TCP", "targetPort": "metrics" }
            ],
            "selector": { "app": "\(name)" },
            "sessionAffinity": "None",
            "type": "\(type)"
          },
          "status": { "loadBalancer": {} }
        }
        """
    }

    static func endpointSlice(
        name: String, service: String, namespace: String = "default", resourceVersion: String = "2000",
        addressType: String = "IPv4", endpoints: Int = 3, base: Int = 0
    ) -> String {
        let endpointJSON = (0..<endpoints).map { index in
            let address = base + index
            return """
                {
                  "addresses": ["10.\(1 + address / 65536 % 200).\(address / 256 % 256).\(address % 256)"],
                  "conditions": { "ready": true, "serving": true, "terminating": false },
                  "nodeName": "node-\(index % 5)",
                  "targetRef": { "kind": "Pod", "name": "\(service)-\(index)", "namespace": "\(namespace)",
                                 "uid": "c0ffee-\(index)" },
                  "zone": "rack-\(index % 3)"
                }
                """
        }.joined(separator: ",\n")
        return """
            {
              "addressType": "\(addressType)",
              "apiVersion": "discovery.k8s.io/v1",
              "endpoints": [\(endpointJSON)],
              "kind": "EndpointSlice",
              "metadata": {
                "creationTimestamp": "2024-03-01T10:00:01Z",
                "generateName": "\(service)-",
                "generation": 4,
                "labels": {
                  "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                  "kubernetes.io/service-name": "\(service)"
                },
                "name": "\(name)",
                "namespace": "\(namespace)",
                "ownerReferences": [
                  { "apiVersion": "v1", "blockOwnerDeletion": true, "controller": true, "kind": "Service",
                    "name": "\(service)", "uid": "6a1f7c2e-\(service)" }
                ],
                "resourceVersion": "\(resourceVersion)",
                "uid": "9e8d-\(name)"
              },
              "ports": [
                { "name": "http", "port": 8080, "protocol": "TCP" },
                { "name": "metrics", "port": 9100, "protocol": "TCP", "appProtocol": "http" }
              ]
            }
            """
    }

    static let node = """
        {
          "apiVersion": "v1",
          "kind": "Node",
          "metadata": {
            "annotations": { "kube-router.io/bgp-local-addresses": "192.0.2.11" },
            "labels": { "kubernetes.io/hostname": "worker-1", "node-role.kubernetes.io/worker": "" },
            "name": "worker-1",
            "resourceVersion": "58231",
            "uid": "0d9c6f3a-1111"
          },
          "spec": {
            "podCIDR": "10.244.1.0/24",
            "podCIDRs": ["10.244.1.0/24", "fd00:10:244:1::/64"],
            "taints": [ { "effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure",
                          "timeAdded": "2024-03-01T10:00:00Z" } ]
          },
          "status": {
            "addresses": [
              { "address": "192.0.2.11", "type": "InternalIP" },
              { "address": "worker-1", "type": "Hostname" }
            ],
            "allocatable": { "cpu": "16", "memory": "65584508Ki", "pods": "110" },
            "conditions": [ { "status": "True", "type": "Ready", "reason": "KubeletReady" } ],
            "nodeInfo": { "kubeletVersion": "v1.29.3" }
          }
        }
        """

    static let pod = """
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "labels": { "app": "billing" },
            "name": "billing-7d4b9c-x2k8q",
            "namespace": "payments",
            "ownerReferences": [
              { "apiVersion": "apps/v1", "controller": true, "kind": "ReplicaSet", "name": "billing-7d4b9c",
                "uid": "aa11" }
            ],
            "resourceVersion": "99120",
            "uid": "f00d-1"
          },
          "spec": {
            "containers": [
              { "image": "registry.local/billing:4.2.1", "name": "app",
                "env": [ { "name": "JAVA_TOOL_OPTIONS", "value": "-Xmx1g" } ],
                "resources": { "limits": { "memory": "1280Mi", "cpu": "2" },
                               "requests": { "memory": "1280Mi", "cpu": "500m" } } },
              { "image": "registry.local/envoy:1.29", "name": "sidecar" }
            ],
            "nodeName": "worker-1",
            "restartPolicy": "Always"
          },
          "status": {
            "containerStatuses": [
              { "containerID": "containerd://4f1e2d", "image": "registry.local/billing:4.2.1", "name": "app",
                "ready": true, "restartCount": 3, "started": true, "state": { "running": {} } },
              { "containerID": "containerd://9a8b7c", "name": "sidecar", "ready": false, "restartCount": 0 }
            ],
            "phase": "Running",
            "podIP": "10.244.1.17",
            "podIPs": [ { "ip": "10.244.1.17" }, { "ip": "fd00:10:244:1::11" } ],
            "qosClass": "Burstable"
          }
        }
        """

    /// A LIST response around `items` (already JSON objects).
    static func list(
        kind: String, apiVersion: String = "v1", resourceVersion: String, items: [String], continue token: String? = nil
    ) -> String {
        let continueField = token.map { ", \"continue\": \"\($0)\"" } ?? ""
        return """
            {"apiVersion":"\(apiVersion)","kind":"\(kind)List","metadata":{"resourceVersion":"\(resourceVersion)"\(continueField)},
            "items":[\(items.joined(separator: ","))]}
            """
    }
}
