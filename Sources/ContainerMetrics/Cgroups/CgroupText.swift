/// Parsing helpers over the raw bytes of cgroup files, so a scrape allocates no strings per value.
enum CgroupText {
    /// Whether `byte` is a space, tab, newline or carriage return.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// `range` of `bytes` without leading and trailing white space.
    static func trim(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// A decimal unsigned number filling `range` exactly; nil on any other byte, on no digits, or on overflow.
    static func unsigned(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// Whether the bytes in `range` spell `word` exactly.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let start = word.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] != start[offset] { return false }
        return true
    }

    /// A short printable rendering of untrusted bytes for an error message.
    static func quoted(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, limit: Int = 40) -> String {
        let shown = range.lowerBound..<min(range.upperBound, range.lowerBound + limit)
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[shown]), as: UTF8.self)
        return (text + (shown.count < range.count ? "…" : "")).debugDescription
    }

    /// Calls `body` with each line's range (without its newline), skipping empty lines.
    static func forEachLine(
        _ bytes: UnsafeRawBufferPointer, _ body: (Range<Int>) throws(CgroupReadError) -> Void
    ) throws(CgroupReadError) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            if end > start { try body(start..<end) }
            start = end + 1
        }
    }

    /// Splits a "key value" line at its first space: the key's range and the value's trimmed range.
    static func keyValue(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> (key: Range<Int>, value: Range<Int>)? {
        var split = line.lowerBound
        while split < line.upperBound, bytes[split] != 0x20 { split += 1 }
        guard split > line.lowerBound, split < line.upperBound else { return nil }
        return (line.lowerBound..<split, trim(bytes, (split + 1)..<line.upperBound))
    }
}
