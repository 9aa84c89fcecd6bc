/// An object of a LIST or watch that did not decode: who it is (when its metadata could be read) and why.
public struct RejectedObject: Sendable, Equatable {
    /// The object's namespace and name, when its metadata could be read.
    public var key: ObjectKey?
    /// The object's resource version, when readable.
    public var resourceVersion: String?
    /// The decoding error, naming the object and the offending field.
    public var error: KubernetesError

    /// A rejected object.
    public init(key: ObjectKey?, resourceVersion: String?, error: KubernetesError) {
        self.key = key
        self.resourceVersion = resourceVersion
        self.error = error
    }

    /// A rejection built from the failure to decode `kind` and what could still be read of the object.
    init(kind: String, identity: ObjectIdentity?, failure: DecodingError, droppingPrefix: Int) {
        let problem = DecodingProblem(failure, droppingPrefix: droppingPrefix)
        key = identity?.key
        resourceVersion = identity?.resourceVersion
        error = .decoding(kind: kind, object: key, path: problem.path, problem: problem.problem)
    }
}
