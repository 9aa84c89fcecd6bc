import Foundation
import RudderLab
import Testing
import Yams

/// `manifests/rbac.yaml` grants exactly what the agent asks the API server for. What it asks for
/// is not a list kept beside the role: the agent runs against the test API server with every
/// feature that reads the API on (Services, EndpointSlices, Nodes for routes and BGP, Pods for
/// container names), and each request the server recorded becomes the verb and resource that
/// Kubernetes' authorizer would check (a GET of a collection is list, with watch=true watch).
@Suite(.serialized) struct RBACTests {
    /// "group/resource verb", as the authorizer sees one request.
    static func permission(method: String, path: String, query: [String: String]) -> String? {
        var parts = path.split(separator: "/").map(String.init)
        let group: String
        switch parts.first {
        case "api":
            guard parts.count >= 3 else { return nil }
            group = ""
            parts.removeFirst(2)
        case "apis":
            guard parts.count >= 4 else { return nil }
            group = parts[1]
            parts.removeFirst(3)
        default:
            return nil
        }
        if parts.first == "namespaces", parts.count >= 3 { parts.removeFirst(2) }
        guard let resource = parts.first else { return nil }
        let named = parts.count >= 2
        let verb: String
        switch method {
        case "GET":
            verb = ["true", "1"].contains(query["watch"] ?? "") ? "watch" : named ? "get" : "list"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = named ? "delete" : "deletecollection"
        default: verb = method.lowercased()
        }
        return "\(group)/\(resource) \(verb)"
    }

    /// What the ClusterRole in rbac.yaml grants, in the same form.
    static func granted() throws -> Set<String> {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("manifests/rbac.yaml").path
        let documents = try Yams.load_all(yaml: try String(contentsOfFile: path, encoding: .utf8))
        let role = try #require(
            documents.compactMap { $0 as? [String: Any] }.first { $0["kind"] as? String == "ClusterRole" })
        var granted: Set<String> = []
        for rule in try #require(role["rules"] as? [[String: Any]]) {
            for group in rule["apiGroups"] as? [String] ?? [] {
                for resource in rule["resources"] as? [String] ?? [] {
                    for verb in rule["verbs"] as? [String] ?? [] { granted.insert("\(group)/\(resource) \(verb)") }
                }
            }
        }
        return granted
    }

    @Test func theRoleGrantsExactlyWhatTheAgentAsksFor() async throws {
        try await AgentLab.with { lab in
            try await lab.waitUntil("ready with every watch open") {
                lab.agent.health.isReady && (try? lab.server.watchers()) ?? 0 >= 4
            }
            let asked = Set(
                try lab.server.requests().compactMap {
                    Self.permission(method: $0.method, path: $0.path, query: $0.query)
                })
            let granted = try Self.granted()
            #expect(asked.subtracting(granted).isEmpty, "asked for but not granted: \(asked.subtracting(granted))")
            #expect(granted.subtracting(asked).isEmpty, "granted but never asked for: \(granted.subtracting(asked))")
        }
    }

    @Test func requestsMapToTheAuthorizersVerbs() {
        #expect(Self.permission(method: "GET", path: "/api/v1/services", query: [:]) == "/services list")
        #expect(
            Self.permission(method: "GET", path: "/api/v1/pods", query: ["watch": "true"]) == "/pods watch")
        #expect(
            Self.permission(method: "GET", path: "/apis/discovery.k8s.io/v1/endpointslices", query: ["watch": "1"])
                == "discovery.k8s.io/endpointslices watch")
        #expect(
            Self.permission(method: "GET", path: "/api/v1/namespaces/kube-system/services/web", query: [:])
                == "/services get")
        #expect(
            Self.permission(method: "POST", path: "/apis/events.k8s.io/v1/namespaces/default/events", query: [:])
                == "events.k8s.io/events create")
        #expect(Self.permission(method: "GET", path: "/version", query: [:]) == nil)
    }
}
