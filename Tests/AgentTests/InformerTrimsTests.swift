import Foundation
import Kubernetes
import KubernetesModel
import RudderLab
import Testing

@testable import Agent

/// The trimmed objects the informers cache translate exactly as the full ones do.
@Suite struct InformerTrimsTests {
    func decode<R: Decodable>(_ type: R.Type, _ json: String) throws -> R {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func trimmingChangesNoTranslation() throws {
        let translator = KubernetesServiceTranslator(nodeName: "node-a")
        let services = try [
            TestAPIServer.serviceJSON(
                name: "web", clusterIP: "10.96.0.10",
                ports: [.init(name: "http", port: 80, targetPort: "http", nodePort: 30080)], type: "NodePort",
                labels: ["app": "web"],
                annotations: [
                    "kube-router.io/service.scheduler": "sh", "kube-router.io/service.schedflags": "flag-1",
                    "kubectl.kubernetes.io/last-applied-configuration": String(repeating: "x", count: 4096),
                ], sessionAffinity: "ClientIP", externalIPs: ["203.0.113.7"], externalTrafficPolicy: "Local"),
            TestAPIServer.serviceJSON(
                name: "mesh", clusterIP: "10.96.0.11", labels: ["service.kubernetes.io/service-proxy-name": "other"]),
        ].map { try decode(KubernetesModel.Service.self, $0) }
        let slices = try [
            TestAPIServer.endpointSliceJSON(
                name: "web-1", service: "web", addresses: ["10.244.1.5", "10.244.2.5"], port: 8080, nodeName: "node-a",
                zone: "rack-1"),
            TestAPIServer.endpointSliceJSON(
                name: "web-2", service: "web", addresses: ["10.244.3.5"], port: 8080, ready: false, serving: true,
                terminating: true),
        ].map { try decode(EndpointSlice.self, $0) }
        for service in services {
            let full = translator.translate(service, slices: slices)
            let trimmed = translator.translate(
                InformerTrims.service(service), slices: slices.map(InformerTrims.endpointSlice))
            #expect(full == trimmed)
        }
        let trimmed = InformerTrims.service(services[0])
        #expect(
            trimmed.metadata.annotations.keys.sorted() == [
                "kube-router.io/service.schedflags", "kube-router.io/service.scheduler",
            ])
        #expect(trimmed.metadata.resourceVersion == services[0].metadata.resourceVersion)
        let slice = InformerTrims.endpointSlice(slices[0])
        #expect(slice.endpoints.allSatisfy { $0.targetRef == nil && $0.zone == nil })
        #expect(slice.serviceName == "web")
    }
}
