import Foundation
import RudderLab
import Testing

@testable import Kubernetes
@testable import KubernetesModel

/// The fixtures of the test API server, copied from `kubectl get -o json`, decode without loss of what matters.
@Suite struct FixtureFileDecodingTests {
    func load<R: KubernetesResource>(_ type: R.Type, _ file: String) throws -> R {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestAPIServer.fixturesDirectory + "/" + file)))
        return try KubernetesJSONDecoder.decode(R.self, from: bytes)
    }

    @Test func everyFixtureDecodes() throws {
        let clusterIP = try load(Service.self, "service-clusterip.json")
        #expect(clusterIP.spec.type == .clusterIP && !clusterIP.spec.ports.isEmpty)
        let nodePort = try load(Service.self, "service-nodeport.json")
        #expect(nodePort.spec.type == .nodePort)
        #expect(nodePort.spec.ports.allSatisfy { $0.nodePort != nil })
        #expect(nodePort.spec.externalIPs == ["192.0.2.10"])
        let slice = try load(EndpointSlice.self, "endpointslice.json")
        #expect(slice.serviceName != nil && !slice.endpoints.isEmpty && !slice.ports.isEmpty)
        let node = try load(Node.self, "node.json")
        #expect(node.spec.podCIDR != nil && node.address(ofType: "InternalIP") != nil)
        let pod = try load(Pod.self, "pod.json")
        #expect(pod.spec.nodeName != nil && !pod.spec.containers.isEmpty && pod.status.phase != nil)
    }
}
