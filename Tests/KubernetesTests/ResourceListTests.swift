import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct ResourceListTests {
    @Test func oneMalformedServiceIsRejectedAndTheOthersKept() throws {
        let bad = Fixtures.service(name: "bad", port: #""eighty""#)
        let body = Fixtures.list(
            kind: "Service", resourceVersion: "500",
            items: [
                Fixtures.service(name: "a"), bad, Fixtures.service(name: "b"), "[1,2]", Fixtures.service(name: "c"),
            ],
            continue: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==")
        let list = try ResourceList<Service>.decode(Array(body.utf8))
        #expect(list.items.map(\.metadata.name) == ["a", "b", "c"])
        #expect(list.resourceVersion == "500")
        #expect(list.continueToken == "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==")
        #expect(list.rejected.count == 2)
        #expect(list.rejected[0].key == ObjectKey(namespace: "default", name: "bad"))
        #expect(list.rejected[0].resourceVersion == "1000")
        #expect(
            list.rejected[0].error
                == .decoding(
                    kind: "Service", object: ObjectKey(namespace: "default", name: "bad"), path: "spec.ports[0].port",
                    problem: "expected a number, found a string"))
        #expect(
            list.rejected[0].error.description
                == "Service default/bad: spec.ports[0].port: expected a number, found a string")
        #expect(list.rejected[1].key == nil)
        #expect(list.rejected[1].error.description == "Service: expected an object, found a list")
    }

    @Test func emptyAndNullItems() throws {
        let empty = try ResourceList<Node>.decode(Array(#"{"metadata":{"resourceVersion":"9"},"items":[]}"#.utf8))
        #expect(empty.items.isEmpty && empty.rejected.isEmpty && empty.continueToken == nil)
        let null = try ResourceList<Node>.decode(
            Array(#"{"metadata":{"resourceVersion":"9","continue":""},"items":null}"#.utf8))
        #expect(null.items.isEmpty && null.continueToken == nil)
    }

    @Test func aBodyThatIsNotAListIsOneError() throws {
        let error = #expect(throws: KubernetesError.self) {
            try ResourceList<Service>.decode(Array(#"{"items":[]}"#.utf8))
        }
        #expect(error?.description == "ServiceList: metadata: required field is missing")
        #expect(throws: KubernetesError.self) { try ResourceList<Service>.decode(Array("<html>".utf8)) }
    }

    @Test func watchEvents() throws {
        func event(_ line: String) throws -> WatchEvent<Service> { try WatchEvent<Service>.decode(Array(line.utf8)) }
        let service = Fixtures.service(name: "w", resourceVersion: "11").replacingOccurrences(of: "\n", with: " ")
        guard case .added(let added) = try event(#"{"type":"ADDED","object":\#(service)}"#) else {
            Issue.record("not ADDED")
            return
        }
        #expect(added.metadata.name == "w")
        guard case .modified = try event(#"{"type":"MODIFIED","object":\#(service)}"#),
            case .deleted = try event(#"{"type":"DELETED","object":\#(service)}"#)
        else {
            Issue.record("not MODIFIED/DELETED")
            return
        }
        let bookmark = try event(
            #"{"type":"BOOKMARK","object":{"kind":"Service","apiVersion":"v1","metadata":{"resourceVersion":"12345","annotations":{"k8s.io/initial-events-end":"true"}},"spec":{}}}"#
        )
        guard case .bookmark(let version) = bookmark else {
            Issue.record("not BOOKMARK")
            return
        }
        #expect(version == "12345" && bookmark.resourceVersion == "12345")
        let gone = try event(
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (60)","reason":"Expired","code":410}}"#
        )
        guard case .error(let status) = gone else {
            Issue.record("not ERROR")
            return
        }
        #expect(
            status
                == KubernetesStatus(
                    status: "Failure", message: "too old resource version: 5 (60)", reason: "Expired", code: 410))
    }

    @Test func aMalformedObjectInAWatchEventIsRejectedByName() throws {
        let bad = Fixtures.service(name: "bad", namespace: "prod", resourceVersion: "99", port: "true")
        let event = try WatchEvent<Service>.decode(Array(#"{"type":"MODIFIED","object":\#(bad)}"#.utf8))
        guard case .rejected(let type, let object) = event else {
            Issue.record("not rejected: \(event)")
            return
        }
        #expect(type == .modified)
        #expect(object.key == ObjectKey(namespace: "prod", name: "bad"))
        #expect(object.resourceVersion == "99" && event.resourceVersion == "99")
        #expect(object.error.description == "Service prod/bad: spec.ports[0].port: expected a number, found a boolean")
    }

    @Test func aLineThatIsNotAnEventThrows() {
        #expect(throws: KubernetesError.self) { try WatchEvent<Service>.decode(Array("not json".utf8)) }
        let error = #expect(throws: KubernetesError.self) {
            try WatchEvent<Service>.decode(Array(#"{"type":"RENAMED","object":{}}"#.utf8))
        }
        #expect(error?.description.hasPrefix(#"watch event: type: unknown value "RENAMED""#) == true)
    }

    @Test func statusBodiesBecomeTypedErrors() {
        let forbidden = KubernetesError.response(
            status: 403,
            body: Array(
                #"{"kind":"Status","status":"Failure","message":"services is forbidden: User \"system:serviceaccount:kube-system:rudder\" cannot list resource \"services\"","reason":"Forbidden","code":403}"#
                    .utf8), url: "https://api/api/v1/services")
        #expect(
            forbidden.description
                == #"https://api/api/v1/services: HTTP 403 Forbidden: services is forbidden: User "system:serviceaccount:kube-system:rudder" cannot list resource "services""#
        )
        #expect(KubernetesError.response(status: 410, body: [], url: "u") == .gone(message: nil, url: "u"))
        #expect(KubernetesError.response(status: 401, body: [], url: "u") == .unauthorized(message: nil, url: "u"))
        let proxy = KubernetesError.response(
            status: 502, body: Array("<html>\n<h1>Bad Gateway</h1>\n</html>".utf8), url: "u")
        #expect(proxy == .http(status: 502, reason: nil, message: "<html> <h1>Bad Gateway</h1> </html>", url: "u"))
        #expect(proxy.httpStatus == 502)
    }
}
