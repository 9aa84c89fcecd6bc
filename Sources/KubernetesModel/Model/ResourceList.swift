import Foundation

/// One page of a LIST: the objects that decoded, the ones that did not, and where the next page starts.
///
/// A malformed object never fails the page: `items` are decoded one by one through an unkeyed container; when one
/// fails, the same element is decoded again as its bare metadata to name it in `rejected` and to move past it.
public struct ResourceList<R: KubernetesResource>: Sendable, Decodable {
    /// The objects that decoded.
    public var items: [R]
    /// The objects that did not, each with its error.
    public var rejected: [RejectedObject]
    /// The list's resource version: a WATCH from it sees every later change.
    public var resourceVersion: String
    /// The continue token of the next page, nil on the last page.
    public var continueToken: String?

    /// A page built in code.
    public init(items: [R], rejected: [RejectedObject] = [], resourceVersion: String, continueToken: String? = nil) {
        self.items = items
        self.rejected = rejected
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }

    /// Decodes a LIST response body.
    public static func decode(_ body: [UInt8]) throws(KubernetesError) -> ResourceList<R> {
        do {
            return try KubernetesJSONDecoder.decode(ResourceList<R>.self, from: body)
        } catch let error as DecodingError {
            let problem = DecodingProblem(error)
            throw .decoding(kind: R.kind + "List", object: nil, path: problem.path, problem: problem.problem)
        } catch {
            throw .decoding(kind: R.kind + "List", object: nil, path: "", problem: "\(error)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case metadata, items
    }

    private enum MetadataKeys: String, CodingKey {
        case resourceVersion
        case continueToken = "continue"
    }

    /// Decodes a list, keeping the good items and naming the bad ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let metadata = try container.nestedContainer(keyedBy: MetadataKeys.self, forKey: .metadata)
        resourceVersion = try metadata.decode(String.self, forKey: .resourceVersion)
        continueToken = try metadata.decodeIfPresent(String.self, forKey: .continueToken).flatMap {
            $0.isEmpty ? nil : $0
        }
        items = []
        rejected = []
        guard try container.contains(.items) && !container.decodeNil(forKey: .items) else { return }
        var elements = try container.nestedUnkeyedContainer(forKey: .items)
        if let count = elements.count { items.reserveCapacity(count) }
        // The element's own coding path starts after [items, index].
        let prefix = decoder.codingPath.count + 2
        while !elements.isAtEnd {
            do {
                items.append(try elements.decode(R.self))
            } catch let failure as DecodingError {
                // The failed decode left the container on the same element: read it again as bare metadata.
                let identity = try? elements.decode(ObjectIdentity.self)
                if identity == nil { _ = try elements.decode(SkippedValue.self) }
                rejected.append(
                    RejectedObject(kind: R.kind, identity: identity, failure: failure, droppingPrefix: prefix))
            }
        }
    }
}
