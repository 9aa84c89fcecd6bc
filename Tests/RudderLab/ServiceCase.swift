import Foundation

/// One case of the service proxy corpus in `Tests/TestAPIServer/fixtures/service-cases`: real-shaped
/// Kubernetes objects (as `kubectl get -o json` prints them) and the IPVS table kube-proxy's IPVS
/// mode programs for them on node-a, written from kube-proxy's code (the function is named in
/// `kubeProxy`), as `ipvsadm -Sn` lines.
///
/// node-a (`node-a.json`) has InternalIPs 10.201.0.1 and fd00:201::1 and is in zone-a; kube-proxy is
/// taken with `--nodeport-addresses=primary`, which is where Rudder puts NodePorts by default.
public struct ServiceCase: Sendable {
    /// The file's name without `.json`.
    public var name: String
    /// What the case shows.
    public var description: String
    /// The kube-proxy function that decides it.
    public var kubeProxy: String
    /// Each object as one JSON text.
    public var objects: [String]
    /// The `ipvsadm -Sn` lines, sorted.
    public var ipvs: [String]

    /// The corpus directory.
    public static let directory = TestAPIServer.fixturesDirectory + "/service-cases"

    /// The Node the cases are for, as JSON.
    public static func nodeJSON() throws -> String {
        try String(contentsOfFile: directory + "/node-a.json", encoding: .utf8)
    }

    /// Every case, by file name.
    public static func all() throws -> [ServiceCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.hasSuffix(".json") && $0 != "node-a.json"
        }
        return try files.sorted().map { file in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
            guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let objects = root["objects"] as? [Any], let ipvs = root["ipvs"] as? [String]
            else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file]) }
            return ServiceCase(
                name: String(file.dropLast(5)), description: root["description"] as? String ?? "",
                kubeProxy: root["kubeProxy"] as? String ?? "",
                objects: try objects.map {
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
                }, ipvs: ipvs.sorted())
        }
    }
}
