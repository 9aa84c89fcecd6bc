import Foundation
import Kubernetes
import KubernetesModel
import Testing

/// Decodes LISTs of many objects and prints how long it took; there is no timing assertion (the machines are
/// shared). The size is kept at 1,000 of each: the debug build's decoder is slow, and a test that holds one of the
/// two cooperative threads for half a minute starves the suite's async tests. The 10,000 + 10,000 figures come from
/// release builds (docs/benchmarks.md).
@Suite struct DecodingPerformanceTests {
    @Test func aThousandServicesAndSlicesDecode() throws {
        let services = (0..<1_000).map { index in
            Fixtures.service(
                name: "svc-\(index)", namespace: "ns-\(index % 50)", resourceVersion: "\(index + 1)",
                clusterIP: "10.96.\(index / 256).\(index % 256)")
        }
        let slices = (0..<1_000).map { index in
            Fixtures.endpointSlice(
                name: "svc-\(index)-abcde", service: "svc-\(index)", namespace: "ns-\(index % 50)",
                resourceVersion: "\(20_000 + index)", endpoints: 10, base: index * 10)
        }
        let serviceBody = Array(Fixtures.list(kind: "Service", resourceVersion: "50000", items: services).utf8)
        let sliceBody = Array(
            Fixtures.list(
                kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1", resourceVersion: "50000", items: slices
            ).utf8)

        let clock = ContinuousClock()
        var decodedServices: ResourceList<Service>?
        var decodedSlices: ResourceList<EndpointSlice>?
        let serviceTime = try clock.measure { decodedServices = try ResourceList<Service>.decode(serviceBody) }
        let sliceTime = try clock.measure { decodedSlices = try ResourceList<EndpointSlice>.decode(sliceBody) }

        // The same lists through Foundation's decoder, for comparison (same Decodable types, same machine, same run).
        let foundationTime = try clock.measure {
            _ = try JSONDecoder().decode(ResourceList<Service>.self, from: Data(serviceBody))
            _ = try JSONDecoder().decode(ResourceList<EndpointSlice>.self, from: Data(sliceBody))
        }

        #expect(decodedServices?.items.count == 1_000)
        #expect(decodedSlices?.items.count == 1_000)
        #expect(decodedSlices?.items.last?.endpoints.count == 10)
        let megabytes = Double(serviceBody.count + sliceBody.count) / 1_048_576
        print(
            "decoded 1,000 Services in \(serviceTime) and 1,000 EndpointSlices (10 endpoints each) in "
                + "\(sliceTime); \(String(format: "%.1f", megabytes)) MiB of JSON; Foundation's JSONDecoder: \(foundationTime)"
        )
    }
}
