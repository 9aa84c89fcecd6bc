// libFuzzer entry point for the Kubernetes JSON decoding path: the tape parser, the Decoder over it, per-object
// rejection in LISTs and watch-event decoding, for every resource type the agent reads.

@testable import KubernetesModel

@_cdecl("LLVMFuzzerTestOneInput")
public func kubernetesJSONFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ResourceList<Service>.decode(bytes)
    _ = try? ResourceList<EndpointSlice>.decode(bytes)
    _ = try? ResourceList<Node>.decode(bytes)
    _ = try? ResourceList<Pod>.decode(bytes)
    _ = try? WatchEvent<Service>.decode(bytes)
    _ = try? WatchEvent<EndpointSlice>.decode(bytes)
    _ = try? KubernetesJSONDecoder.decode(KubernetesStatus.self, from: bytes)
    if let error = try? KubernetesJSONDecoder.decode([String: IntOrString].self, from: bytes) { _ = error.count }
    return 0
}
