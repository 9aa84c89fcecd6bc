/// One garbage collector of a JVM (such as "G1 young collection pauses") and its work so far.
public struct JVMCollector: Equatable, Sendable {
    /// The collector's name as the JVM reports it.
    public var name: String
    /// How many collections it has run.
    public var invocations: UInt64
    /// Time spent in them, in seconds.
    public var seconds: Double

    /// A collector's figures.
    public init(name: String, invocations: UInt64, seconds: Double) {
        self.name = name
        self.invocations = invocations
        self.seconds = seconds
    }
}
