import Foundation

/// One event of a watch stream (one JSON line).
public enum WatchEvent<R: KubernetesResource>: Sendable {
    /// ADDED.
    case added(R)
    /// MODIFIED.
    case modified(R)
    /// DELETED, with the object's last state.
    case deleted(R)
    /// BOOKMARK: the watch has caught up to this resource version.
    case bookmark(resourceVersion: String)
    /// ERROR: the watch ended; 410 means the resource version is too old.
    case error(KubernetesStatus)
    /// An ADDED, MODIFIED or DELETED event whose object did not decode: what can be said of it, and why.
    case rejected(type: WatchEventType, object: RejectedObject)

    /// The resource version the event moves the watch to, if it carries one.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object.metadata.resourceVersion
        case .bookmark(let resourceVersion): resourceVersion
        case .error: nil
        case .rejected(_, let object): object.resourceVersion
        }
    }

    /// The same event with its object passed through `transform`.
    public func map(_ transform: (R) -> R) -> WatchEvent<R> {
        switch self {
        case .added(let object): .added(transform(object))
        case .modified(let object): .modified(transform(object))
        case .deleted(let object): .deleted(transform(object))
        case .bookmark, .error, .rejected: self
        }
    }

    /// Decodes one line of a watch stream. Throws only when the line is not a watch event at all; a malformed
    /// object inside a well-formed event comes back as `.rejected`.
    public static func decode(_ line: [UInt8]) throws(KubernetesError) -> WatchEvent<R> {
        do {
            return try KubernetesJSONDecoder.decode(Envelope.self, from: line).event
        } catch let error as DecodingError {
            let problem = DecodingProblem(error)
            throw .decoding(kind: "watch event", object: nil, path: problem.path, problem: problem.problem)
        } catch {
            throw .decoding(kind: "watch event", object: nil, path: "", problem: "\(error)")
        }
    }

    private struct Envelope: Decodable {
        var event: WatchEvent<R>

        private enum CodingKeys: String, CodingKey {
            case type, object
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(WatchEventType.self, forKey: .type)
            switch type {
            case .bookmark:
                let identity = try container.decode(ObjectIdentity.self, forKey: .object)
                guard let resourceVersion = identity.resourceVersion else {
                    throw DecodingError.keyNotFound(
                        MetadataKey.resourceVersion,
                        .init(codingPath: [CodingKeys.object, MetadataKey.metadata], debugDescription: ""))
                }
                event = .bookmark(resourceVersion: resourceVersion)
            case .error:
                event = .error(try container.decode(KubernetesStatus.self, forKey: .object))
            case .added, .modified, .deleted:
                do {
                    let object = try container.decode(R.self, forKey: .object)
                    event = type == .added ? .added(object) : type == .modified ? .modified(object) : .deleted(object)
                } catch let failure as DecodingError {
                    let identity = try? container.decode(ObjectIdentity.self, forKey: .object)
                    let prefix = decoder.codingPath.count + 1
                    event = .rejected(
                        type: type,
                        object: RejectedObject(
                            kind: R.kind, identity: identity, failure: failure, droppingPrefix: prefix))
                }
            }
        }
    }

    private enum MetadataKey: String, CodingKey {
        case metadata, resourceVersion
    }
}
