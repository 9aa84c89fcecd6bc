/// One named counter or string of a JVM's perf data, such as `sun.gc.generation.1.maxCapacity`.
public struct HSPerfEntry: Equatable, Sendable {
    /// An entry's value, by the data type the entry declares.
    public enum Value: Equatable, Sendable {
        /// A scalar 'J' (64-bit) or 'B' (8-bit) counter.
        case long(Int64)
        /// A 'B' vector whose unit is "string": the bytes up to the first NUL, decoded as UTF-8.
        case string(String)
        /// A 'B' vector of any other unit.
        case bytes([UInt8])
        /// A 'J' vector.
        case longs([Int64])
    }

    /// What an entry's figure measures (HotSpot's `PerfData::Units`).
    public enum Units: UInt8, Sendable {
        /// An unknown unit code.
        case unknown = 0
        /// No unit: a count or an identifier.
        case none = 1
        /// Bytes.
        case bytes = 2
        /// High-resolution timer ticks; see `sun.os.hrt.frequency`.
        case ticks = 3
        /// A count of events.
        case events = 4
        /// A string.
        case string = 5
        /// A frequency in hertz.
        case hertz = 6
    }

    /// How an entry's value changes (HotSpot's `PerfData::Variability`).
    public enum Variability: UInt8, Sendable {
        /// An unknown variability code.
        case unknown = 0
        /// Set once.
        case constant = 1
        /// Only grows.
        case monotonic = 2
        /// Goes up and down.
        case variable = 3
    }

    /// The entry's dotted name.
    public var name: String
    /// The entry's value when the file was read.
    public var value: Value
    /// The entry's unit.
    public var units: Units
    /// How the entry's value changes.
    public var variability: Variability

    /// An entry as decoded from a file.
    public init(name: String, value: Value, units: Units, variability: Variability) {
        self.name = name
        self.value = value
        self.units = units
        self.variability = variability
    }
}
