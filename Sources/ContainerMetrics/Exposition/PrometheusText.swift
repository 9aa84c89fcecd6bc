/// Writes the Prometheus text exposition format (version 0.0.4) into a byte buffer.
///
/// Container series are computed at scrape time, so they are written straight into the
/// response instead of being registered as long-lived metric objects that would have to be
/// removed when a container goes away.
public struct PrometheusText: Sendable {
    /// A metric family's type, as the `# TYPE` line names it.
    public enum Kind: String, Sendable {
        case counter, gauge, untyped
    }

    /// The text so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty text; `capacity` reserves room for a typical scrape.
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The text as a string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Starts a metric family: its `# HELP` and `# TYPE` lines. Write each family once, with all
    /// of its samples after it.
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        append("# HELP ")
        append(name)
        bytes.append(0x20)
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\n"): append("\\n")
            default: bytes.append(byte)
            }
        }
        append("\n# TYPE ")
        append(name)
        bytes.append(0x20)
        append(kind.rawValue)
        bytes.append(0x0A)
    }

    /// One sample with an integer value.
    public mutating func sample(_ name: String, _ labels: Labels, _ value: UInt64) {
        start(name, labels)
        append(String(value))
        bytes.append(0x0A)
    }

    /// One sample with an integer value that may be negative.
    public mutating func sample(_ name: String, _ labels: Labels, _ value: Int64) {
        start(name, labels)
        append(String(value))
        bytes.append(0x0A)
    }

    /// One sample with a floating-point value (`+Inf`, `-Inf` and `NaN` as Prometheus spells them).
    public mutating func sample(_ name: String, _ labels: Labels, _ value: Double) {
        start(name, labels)
        if value.isNaN {
            append("NaN")
        } else if value.isInfinite {
            append(value > 0 ? "+Inf" : "-Inf")
        } else {
            append("\(value)")
        }
        bytes.append(0x0A)
    }

    /// Appends text that is already in the exposition format (another registry's output).
    public mutating func append(exposition: [UInt8]) {
        bytes += exposition
    }

    private mutating func start(_ name: String, _ labels: Labels) {
        append(name)
        guard !labels.pairs.isEmpty else {
            bytes.append(0x20)
            return
        }
        bytes.append(UInt8(ascii: "{"))
        for (index, pair) in labels.pairs.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(pair.name)
            append("=\"")
            for byte in pair.value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): append("\\\\")
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\n"): append("\\n")
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        append("} ")
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A sample's labels, in the order written.
    public struct Labels: Sendable, Equatable, ExpressibleByDictionaryLiteral {
        /// Name and value pairs.
        public var pairs: [(name: String, value: String)]

        /// Labels from pairs, in order.
        public init(_ pairs: [(name: String, value: String)]) {
            self.pairs = pairs
        }

        /// Labels from a literal, in order.
        public init(dictionaryLiteral elements: (String, String)...) {
            pairs = elements.map { (name: $0.0, value: $0.1) }
        }

        /// These labels and one more.
        public func adding(_ name: String, _ value: String) -> Labels {
            Labels(pairs + [(name: name, value: value)])
        }

        public static func == (lhs: Labels, rhs: Labels) -> Bool {
            lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
        }
    }
}
