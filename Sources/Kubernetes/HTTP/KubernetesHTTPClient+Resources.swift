import Foundation
import KubernetesModel

extension KubernetesHTTPClient {
    /// One page of a LIST. Decoding happens on the transfer's thread; malformed objects land in `rejected`.
    public func list<R: KubernetesResource>(
        _ type: R.Type, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        limit: Int? = nil, continueToken: String? = nil
    ) async throws -> ResourceList<R> {
        var query = Self.selectors(labelSelector: labelSelector, fieldSelector: fieldSelector)
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken { query.append(("continue", continueToken)) }
        let path = R.collectionPath(namespace: namespace)
        let url = url(path: path, query: query)
        return try await perform(path: path, query: query) { status, body in
            guard (200..<300).contains(status) else {
                throw KubernetesError.response(status: status, body: body, url: url)
            }
            return try ResourceList<R>.decode(body)
        }
    }

    /// One object by name (e.g. the agent's own Node at start-up).
    public func get<R: KubernetesResource>(_ type: R.Type, namespace: String? = nil, name: String) async throws -> R {
        let path = R.objectPath(namespace: namespace, name: name)
        let url = url(path: path, query: [])
        return try await perform(path: path, query: []) { status, body in
            guard (200..<300).contains(status) else {
                throw KubernetesError.response(status: status, body: body, url: url)
            }
            do {
                return try KubernetesJSONDecoder.decode(R.self, from: body)
            } catch let error as DecodingError {
                let problem = DecodingProblem(error)
                throw KubernetesError.decoding(
                    kind: R.kind, object: ObjectKey(namespace: R.namespaced ? namespace : nil, name: name),
                    path: problem.path, problem: problem.problem)
            }
        }
    }

    /// A WATCH from `resourceVersion`, decoded on the transfer's thread.
    ///
    /// The server ends the watch after `timeoutSeconds`; the transfer itself is bounded a little later in case the
    /// server does not. A line that is not a watch event ends the stream with a decoding error; a malformed object in
    /// a well-formed event is a `.rejected` event.
    public func watch<R: KubernetesResource>(
        _ type: R.Type, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        resourceVersion: String, timeoutSeconds: Int, allowBookmarks: Bool = true
    ) -> AsyncThrowingStream<WatchEvent<R>, any Error> {
        var query: [(String, String)] = [("watch", "true")]
        query += Self.selectors(labelSelector: labelSelector, fieldSelector: fieldSelector)
        query.append(("resourceVersion", resourceVersion))
        if allowBookmarks { query.append(("allowWatchBookmarks", "true")) }
        query.append(("timeoutSeconds", String(timeoutSeconds)))
        return lines(
            path: R.collectionPath(namespace: namespace), query: query,
            timeout: .seconds(timeoutSeconds) + .seconds(30)
        ) { line in
            try WatchEvent<R>.decode(line)
        }
    }

    private static func selectors(labelSelector: String?, fieldSelector: String?) -> [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        return query
    }
}
