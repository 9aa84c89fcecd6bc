extension ASPath {
    /// This path with `asNumber` put in front `count` times, in the leading AS_SEQUENCE when there
    /// is one with room (RFC 4271 §5.1.2), else in a new one.
    public func prepending(_ asNumber: UInt32, count: Int = 1) -> ASPath {
        guard count > 0 else { return self }
        var segments = self.segments
        let added = [UInt32](repeating: asNumber, count: count)
        if let first = segments.first, first.kind == .sequence {
            segments[0].asNumbers = added + first.asNumbers
        } else {
            segments.insert(Segment(.sequence, added), at: 0)
        }
        return ASPath(segments)
    }

    /// Whether `asNumber` appears anywhere in the path, confederation segments included.
    public func contains(_ asNumber: UInt32) -> Bool {
        segments.contains { $0.asNumbers.contains(asNumber) }
    }

    /// The AS the route came from: the first AS of a leading AS_SEQUENCE, else nil (RFC 4271
    /// §9.1.2.2 c compares MED only between routes with the same such AS).
    public var neighborAS: UInt32? {
        guard let first = segments.first(where: { $0.kind == .sequence || $0.kind == .set }),
            first.kind == .sequence
        else { return nil }
        return first.asNumbers.first
    }
}
