import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct ResourceDecodingTests {
    func decode<R: Decodable>(_ type: R.Type, _ json: String) throws -> R {
        try JSONDecoder().decode(R.self, from: Data(json.utf8))
    }

    @Test func service() throws {
        let service = try decode(Service.self, Fixtures.service(name: "web", namespace: "shop", resourceVersion: "42"))
        #expect(service.key == ObjectKey(namespace: "shop", name: "web"))
        #expect(service.metadata.uid == "6a1f7c2e-web")
        #expect(service.metadata.resourceVersion == "42")
        #expect(service.metadata.labels == ["app": "web"])
        #expect(service.metadata.annotations["kube-router.io/service.scheduler"] == "mh")
        #expect(service.spec.type == .clusterIP)
        #expect(service.spec.clusterIPs == ["10.96.0.10"])
        #expect(service.spec.ipFamilies == [.ipv4])
        #expect(service.spec.ipFamilyPolicy == .singleStack)
        #expect(service.spec.internalTrafficPolicy == .cluster)
        #expect(service.spec.sessionAffinity == SessionAffinity.none)
        #expect(
            service.spec.ports == [
                ServicePort(name: "http", protocol: .tcp, port: 80, targetPort: 8080),
                ServicePort(name: "metrics", protocol: .tcp, port: 9100, targetPort: "metrics"),
            ])
        #expect(service.spec.selector == ["app": "web"])
        #expect(service.status.loadBalancer.ingress.isEmpty)
    }

    @Test func loadBalancerServiceWithEverySpecField() throws {
        let json = """
            {"apiVersion":"v1","kind":"Service",
             "metadata":{"name":"edge","namespace":"ingress","resourceVersion":"7",
                         "deletionTimestamp":"2024-05-01T12:30:00Z",
                         "ownerReferences":[{"apiVersion":"v1","kind":"Foo","name":"o","uid":"u","controller":true}]},
             "spec":{"type":"LoadBalancer","clusterIP":"10.96.5.5","clusterIPs":["10.96.5.5","fd00::5"],
                     "ipFamilies":["IPv4","IPv6"],"ipFamilyPolicy":"PreferDualStack",
                     "ports":[{"name":"https","protocol":"TCP","port":443,"targetPort":8443,"nodePort":31443},
                              {"name":"quic","protocol":"UDP","port":443,"nodePort":31444}],
                     "externalIPs":["192.0.2.50"],"loadBalancerIP":"203.0.113.9",
                     "loadBalancerSourceRanges":["198.51.100.0/24"],
                     "sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":600}},
                     "externalTrafficPolicy":"Local","healthCheckNodePort":32000,"publishNotReadyAddresses":true,
                     "allocateLoadBalancerNodePorts":true},
             "status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.9","ipMode":"VIP"},{"hostname":"lb.example"}]}}}
            """
        let service = try decode(Service.self, json)
        #expect(service.spec.type == .loadBalancer)
        #expect(service.spec.ipFamilies == [.ipv4, .ipv6])
        #expect(service.spec.ipFamilyPolicy == .preferDualStack)
        #expect(service.spec.ports[1] == ServicePort(name: "quic", protocol: .udp, port: 443, nodePort: 31444))
        #expect(service.spec.ports[0].nodePort == 31443)
        #expect(service.spec.externalIPs == ["192.0.2.50"])
        #expect(service.spec.loadBalancerIP == "203.0.113.9")
        #expect(service.spec.loadBalancerSourceRanges == ["198.51.100.0/24"])
        #expect(service.spec.sessionAffinity == .clientIP)
        #expect(service.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == 600)
        #expect(service.spec.externalTrafficPolicy == .local)
        #expect(service.spec.healthCheckNodePort == 32000)
        #expect(service.spec.publishNotReadyAddresses)
        #expect(
            service.status.loadBalancer.ingress == [
                LoadBalancerIngress(ip: "203.0.113.9", ipMode: "VIP"), LoadBalancerIngress(hostname: "lb.example"),
            ])
        #expect(service.metadata.deletionTimestamp == Date(timeIntervalSince1970: 1_714_566_600))
        #expect(service.metadata.ownerReferences.first?.controller == true)
    }

    @Test func minimalServiceTakesTheAPIDefaults() throws {
        let service = try decode(
            Service.self, #"{"metadata":{"name":"m","namespace":"d"},"spec":{"ports":[{"port":53}]}}"#)
        #expect(service.spec.type == .clusterIP)
        #expect(service.spec.ports == [ServicePort(port: 53)])
        #expect(service.spec.ports[0].protocol == .tcp)
        #expect(service.spec.clusterIPs.isEmpty && service.spec.selector.isEmpty)
        #expect(service.spec.sessionAffinity == SessionAffinity.none)
        #expect(service.metadata.resourceVersion == nil)
    }

    @Test func serviceErrorsNameTheField() throws {
        let cases: [(String, String)] = [
            (
                #"{"metadata":{"name":"a"},"spec":{"ports":[{"port":"eighty"}]}}"#,
                "spec.ports[0].port: expected a number, found a string"
            ),
            (
                #"{"metadata":{"name":"a"},"spec":{"ports":[{"name":"x"}]}}"#,
                "spec.ports[0].port: required field is missing"
            ),
            (#"{"metadata":{"name":"a"}}"#, "spec: required field is missing"),
            (#"{"metadata":{"namespace":"a"},"spec":{}}"#, "metadata.name: required field is missing"),
            (
                #"{"metadata":{"name":"a"},"spec":{"type":"Magic"}}"#,
                #"spec.type: unknown value "Magic" (expected one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName")"#
            ),
            (
                #"{"metadata":{"name":"a"},"spec":{"ports":[{"port":1,"protocol":"ICMP"}]}}"#,
                #"spec.ports[0].protocol: unknown value "ICMP" (expected one of "TCP", "UDP", "SCTP")"#
            ),
            (
                #"{"metadata":{"name":"a"},"spec":{"clusterIPs":"10.0.0.1"}}"#,
                "spec.clusterIPs: expected a list, found a string"
            ),
            (
                #"{"metadata":{"name":"a"},"spec":{"selector":["app"]}}"#,
                "spec.selector: expected an object, found a list"
            ),
            (
                #"{"metadata":{"name":"a"},"spec":{"ports":[{"port":null}]}}"#,
                "spec.ports[0].port: expected a number, found null"
            ),
            (
                #"{"metadata":{"name":"a","deletionTimestamp":"yesterday"},"spec":{}}"#,
                #"metadata.deletionTimestamp: expected an RFC 3339 time, found "yesterday""#
            ),
        ]
        for (json, expected) in cases {
            let error = #expect(throws: DecodingError.self) { try decode(Service.self, json) }
            #expect(error.map { DecodingProblem($0).description } == expected, "\(json)")
        }
    }

    @Test func endpointSlice() throws {
        let slice = try decode(
            EndpointSlice.self, Fixtures.endpointSlice(name: "web-abc12", service: "web", resourceVersion: "77"))
        #expect(slice.key == ObjectKey(namespace: "default", name: "web-abc12"))
        #expect(slice.serviceName == "web")
        #expect(slice.addressType == .ipv4)
        #expect(slice.metadata.generation == 4)
        #expect(slice.endpoints.count == 3)
        #expect(
            slice.endpoints[1]
                == EndpointSliceEndpoint(
                    addresses: ["10.1.0.1"],
                    conditions: EndpointConditions(ready: true, serving: true, terminating: false),
                    nodeName: "node-1", zone: "rack-1",
                    targetRef: ObjectReference(kind: "Pod", namespace: "default", name: "web-1", uid: "c0ffee-1")))
        #expect(
            slice.ports == [
                EndpointPort(name: "http", protocol: .tcp, port: 8080),
                EndpointPort(name: "metrics", protocol: .tcp, port: 9100, appProtocol: "http"),
            ])
    }

    /// The endpoint's compact layout (first address inline, rare fields boxed) must not show.
    @Test func endpointKeepsEveryAddressAndItsRareFieldsThroughChanges() throws {
        var endpoint = try decode(
            EndpointSliceEndpoint.self,
            #"{"addresses":["10.1.0.1","10.1.0.2"],"hostname":"web-1","zone":"rack-1","nodeName":"n"}"#)
        #expect(endpoint.address == "10.1.0.1")
        #expect(endpoint.addresses == ["10.1.0.1", "10.1.0.2"])
        #expect(endpoint.hostname == "web-1" && endpoint.zone == "rack-1" && endpoint.targetRef == nil)
        let original = endpoint
        endpoint.targetRef = ObjectReference(kind: "Pod", name: "web-1")
        // A copy does not see the change: the box is replaced, never written through.
        #expect(original.targetRef == nil && endpoint.targetRef?.name == "web-1")
        #expect(endpoint.hostname == "web-1" && endpoint.zone == "rack-1")
        #expect(endpoint != original)
        endpoint.hostname = nil
        endpoint.zone = nil
        endpoint.targetRef = nil
        #expect(endpoint == EndpointSliceEndpoint(addresses: ["10.1.0.1", "10.1.0.2"], nodeName: "n"))
        #expect(Set([endpoint, EndpointSliceEndpoint(addresses: ["10.1.0.1", "10.1.0.2"], nodeName: "n")]).count == 1)
        endpoint.addresses = []
        #expect(endpoint.address == nil && endpoint.addresses.isEmpty)
        let encoded = try JSONEncoder().encode(original)
        #expect(try JSONDecoder().decode(EndpointSliceEndpoint.self, from: encoded) == original)
    }

    @Test func endpointSliceWithNullListsAndUnknownConditions() throws {
        let slice = try decode(
            EndpointSlice.self,
            #"""
            {"addressType":"IPv6","endpoints":[{"addresses":["fd00::1"]}],"ports":null,
             "metadata":{"name":"s","namespace":"n","labels":{"kubernetes.io/service-name":"svc"}}}
            """#)
        #expect(slice.addressType == .ipv6)
        #expect(slice.endpoints[0].conditions == EndpointConditions())
        #expect(slice.ports.isEmpty)
        let empty = try decode(EndpointSlice.self, #"{"addressType":"IPv4","endpoints":null,"metadata":{"name":"e"}}"#)
        #expect(empty.endpoints.isEmpty)
    }

    @Test func fqdnSlicesDecodeAndUnknownAddressTypesAreRejected() throws {
        let fqdn = try decode(
            EndpointSlice.self, Fixtures.endpointSlice(name: "f", service: "ext", addressType: "FQDN"))
        #expect(fqdn.addressType == .fqdn)
        let error = #expect(throws: DecodingError.self) {
            try decode(EndpointSlice.self, Fixtures.endpointSlice(name: "x", service: "ext", addressType: "IPv5"))
        }
        #expect(
            error.map { DecodingProblem($0).description }
                == #"addressType: unknown value "IPv5" (expected one of "IPv4", "IPv6", "FQDN")"#)
    }

    @Test func node() throws {
        let node = try decode(Node.self, Fixtures.node)
        #expect(node.key == ObjectKey(namespace: nil, name: "worker-1"))
        #expect(node.spec.podCIDR == "10.244.1.0/24")
        #expect(node.spec.podCIDRs == ["10.244.1.0/24", "fd00:10:244:1::/64"])
        #expect(node.spec.unschedulable == false)
        #expect(node.spec.taints == [Taint(key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule")])
        #expect(node.address(ofType: "InternalIP") == "192.0.2.11")
        #expect(node.address(ofType: "ExternalIP") == nil)
        #expect(node.metadata.annotations["kube-router.io/bgp-local-addresses"] == "192.0.2.11")
        let bare = try decode(Node.self, #"{"metadata":{"name":"n"}}"#)
        #expect(bare.spec == NodeSpec() && bare.status == NodeStatus())
    }

    @Test func pod() throws {
        let pod = try decode(Pod.self, Fixtures.pod)
        #expect(pod.key == ObjectKey(namespace: "payments", name: "billing-7d4b9c-x2k8q"))
        #expect(pod.spec.nodeName == "worker-1")
        #expect(pod.spec.hostNetwork == false)
        #expect(
            pod.spec.containers == [
                Container(
                    name: "app", image: "registry.local/billing:4.2.1",
                    resources: ResourceRequirements(
                        limits: ["memory": "1280Mi", "cpu": "2"], requests: ["memory": "1280Mi", "cpu": "500m"])),
                Container(name: "sidecar", image: "registry.local/envoy:1.29"),
            ])
        #expect(pod.status.phase == .running)
        #expect(pod.status.podIP == "10.244.1.17")
        #expect(pod.status.podIPs == [PodIP(ip: "10.244.1.17"), PodIP(ip: "fd00:10:244:1::11")])
        #expect(pod.status.qosClass == "Burstable")
        #expect(
            pod.status.containerStatuses == [
                ContainerStatus(name: "app", containerID: "containerd://4f1e2d", ready: true, restartCount: 3),
                ContainerStatus(name: "sidecar", containerID: "containerd://9a8b7c", ready: false, restartCount: 0),
            ])
        let error = #expect(throws: DecodingError.self) {
            try decode(Pod.self, #"{"metadata":{"name":"p"},"spec":{"nodeName":"n"}}"#)
        }
        #expect(error.map { DecodingProblem($0).description } == "spec.containers: required field is missing")
    }

    @Test func encodingRoundTripsWithAPIVersionAndKind() throws {
        let service = try decode(Service.self, Fixtures.service(name: "web"))
        let slice = try decode(EndpointSlice.self, Fixtures.endpointSlice(name: "w", service: "web"))
        let node = try decode(Node.self, Fixtures.node)
        let pod = try decode(Pod.self, Fixtures.pod)
        let encoder = JSONEncoder()
        #expect(try decode(Service.self, String(decoding: encoder.encode(service), as: UTF8.self)) == service)
        #expect(try decode(EndpointSlice.self, String(decoding: encoder.encode(slice), as: UTF8.self)) == slice)
        #expect(try decode(Node.self, String(decoding: encoder.encode(node), as: UTF8.self)) == node)
        #expect(try decode(Pod.self, String(decoding: encoder.encode(pod), as: UTF8.self)) == pod)
        let text = String(decoding: try encoder.encode(slice), as: UTF8.self)
        #expect(text.contains(#""apiVersion":"discovery.k8s.io\/v1""#) && text.contains(#""kind":"EndpointSlice""#))
    }

    @Test func resourcePaths() {
        #expect(Service.collectionPath() == "/api/v1/services")
        #expect(Service.collectionPath(namespace: "kube-system") == "/api/v1/namespaces/kube-system/services")
        #expect(EndpointSlice.collectionPath() == "/apis/discovery.k8s.io/v1/endpointslices")
        #expect(Node.collectionPath(namespace: "ignored") == "/api/v1/nodes")
        #expect(Node.objectPath(namespace: nil, name: "worker-1") == "/api/v1/nodes/worker-1")
        #expect(Pod.objectPath(namespace: "a", name: "b") == "/api/v1/namespaces/a/pods/b")
    }
}
