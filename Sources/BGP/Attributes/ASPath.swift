/// An AS_PATH (RFC 4271 §5.1.2, confederation segments of RFC 5065), always in 4-octet AS numbers.
public struct ASPath: Hashable, Sendable, CustomStringConvertible {
    /// One path segment.
    public struct Segment: Hashable, Sendable {
        /// The segment type.
        public enum Kind: UInt8, Hashable, Sendable {
            case set = 1
            case sequence = 2
            case confedSequence = 3
            case confedSet = 4
        }

        /// The segment type.
        public var kind: Kind
        /// The AS numbers, in order.
        public var asNumbers: [UInt32]

        /// A segment from its parts.
        public init(_ kind: Kind, _ asNumbers: [UInt32]) {
            self.kind = kind
            self.asNumbers = asNumbers
        }

        /// What the segment adds to the path length (RFC 4271 §9.1.2.2; confederations RFC 5065 §5.3).
        var pathLength: Int {
            switch kind {
            case .sequence: asNumbers.count
            case .set: 1
            case .confedSequence, .confedSet: 0
            }
        }
    }

    /// The segments, in order.
    public var segments: [Segment]

    /// A path from its segments.
    public init(_ segments: [Segment] = []) {
        self.segments = segments
    }

    /// A path of one AS_SEQUENCE.
    public init(sequence: [UInt32]) {
        self.segments = sequence.isEmpty ? [] : [Segment(.sequence, sequence)]
    }

    /// The length used in route selection: a set counts once, confederation segments not at all.
    public var length: Int { segments.reduce(0) { $0 + $1.pathLength } }

    /// "65001 65002 {65003 65004} (65005)".
    public var description: String {
        segments.map { segment in
            let numbers = segment.asNumbers.map(String.init).joined(separator: " ")
            switch segment.kind {
            case .sequence: return numbers
            case .set: return "{\(numbers)}"
            case .confedSequence: return "(\(numbers))"
            case .confedSet: return "[\(numbers)]"
            }
        }.joined(separator: " ")
    }

    /// Whether an AS number does not fit in 2 octets anywhere in the path.
    var needsFourOctets: Bool {
        segments.contains { $0.asNumbers.contains { $0 > 0xffff } }
    }

    /// Writes the path with 2- or 4-octet AS numbers (a 4-octet AS becomes AS_TRANS in a
    /// 2-octet path); segments longer than 255 are split, empty ones left out.
    func write(into writer: inout ByteWriter, fourOctet: Bool) {
        for segment in segments {
            var start = 0
            while start < segment.asNumbers.count {
                let chunk = segment.asNumbers[start..<min(start + 255, segment.asNumbers.count)]
                writer.writeUInt8(segment.kind.rawValue)
                writer.writeUInt8(UInt8(chunk.count))
                for asNumber in chunk {
                    if fourOctet {
                        writer.writeUInt32(asNumber)
                    } else {
                        writer.writeUInt16(asNumber > 0xffff ? BGPOpen.asTrans : UInt16(asNumber))
                    }
                }
                start += chunk.count
            }
        }
    }

    /// Reads an AS_PATH or AS4_PATH value. Per RFC 7606 §7.2 a path is malformed when a segment
    /// type is unknown, a segment length is zero, or a segment overruns the attribute; per RFC
    /// 7607, when it holds AS 0.
    static func read(_ value: ArraySlice<UInt8>, fourOctet: Bool) -> Result<ASPath, PathProblem> {
        var reader = ByteReader(value)
        var segments: [Segment] = []
        let width = fourOctet ? 4 : 2
        while !reader.isAtEnd {
            guard let rawKind = try? reader.readUInt8(), let count = try? reader.readUInt8() else {
                return .failure(.truncatedHeader)
            }
            guard let kind = Segment.Kind(rawValue: rawKind) else { return .failure(.unknownSegmentType(rawKind)) }
            guard count > 0 else { return .failure(.emptySegment) }
            guard let numbersBytes = try? reader.read(Int(count) * width) else {
                return .failure(.overrun(count: Int(count), remaining: reader.remaining))
            }
            var numbers = ByteReader(numbersBytes)
            var asNumbers: [UInt32] = []
            asNumbers.reserveCapacity(Int(count))
            for _ in 0..<count {
                let asNumber = fourOctet ? (try? numbers.readUInt32()) : (try? numbers.readUInt16()).map(UInt32.init)
                guard let asNumber else { return .failure(.truncatedHeader) }
                guard asNumber != 0 else { return .failure(.zeroAS) }
                asNumbers.append(asNumber)
            }
            segments.append(Segment(kind, asNumbers))
        }
        return .success(ASPath(segments))
    }

    /// Why an AS_PATH or AS4_PATH is malformed.
    enum PathProblem: Error {
        case truncatedHeader
        case unknownSegmentType(UInt8)
        case emptySegment
        case overrun(count: Int, remaining: Int)
        case zeroAS

        var text: String {
            switch self {
            case .truncatedHeader: "the attribute ends inside a segment header"
            case .unknownSegmentType(let type): "segment type \(type) is unknown"
            case .emptySegment: "a segment has length 0"
            case .overrun(let count, let remaining):
                "a segment of \(count) AS numbers overruns the \(remaining) bytes left"
            case .zeroAS: "it holds AS 0 (RFC 7607)"
            }
        }
    }

    /// The RFC 6793 §4.2.3 reconstruction of a 2-octet speaker's path: the leading AS_PATH
    /// entries that AS4_PATH does not cover, then AS4_PATH. Nil when AS4_PATH is the longer one,
    /// in which case it must be ignored.
    func merged(with as4Path: ASPath) -> ASPath? {
        let surplus = length - as4Path.length
        guard surplus >= 0 else { return nil }
        var leading: [Segment] = []
        var needed = surplus
        for segment in segments {
            switch segment.kind {
            case .confedSequence, .confedSet:
                // AS4_PATH never carries confederation segments, so they are kept from AS_PATH.
                leading.append(segment)
            case .set:
                guard needed >= 1 else { return ASPath(leading + as4Path.segments) }
                leading.append(segment)
                needed -= 1
            case .sequence:
                guard needed >= 1 else { return ASPath(leading + as4Path.segments) }
                let taken = Array(segment.asNumbers.prefix(needed))
                leading.append(Segment(.sequence, taken))
                needed -= taken.count
            }
        }
        return ASPath(leading + as4Path.segments)
    }
}
