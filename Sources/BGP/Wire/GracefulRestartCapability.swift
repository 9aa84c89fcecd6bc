/// The graceful restart capability (RFC 4724, with the N bit of RFC 8538).
public struct GracefulRestartCapability: Hashable, Sendable {
    /// One address family the speaker can preserve forwarding state for.
    public struct Family: Hashable, Sendable {
        /// The address family.
        public var afiSafi: AFISAFI
        /// The F bit: forwarding state for this family was kept across the restart.
        public var forwardingStatePreserved: Bool

        /// A family entry from its parts.
        public init(afiSafi: AFISAFI, forwardingStatePreserved: Bool) {
            self.afiSafi = afiSafi
            self.forwardingStatePreserved = forwardingStatePreserved
        }
    }

    /// The R bit: the speaker has restarted (so the peer must not wait for its End-of-RIB to send).
    public var restarting: Bool
    /// The N bit (RFC 8538): graceful restart also covers NOTIFICATION messages.
    public var notificationSupported: Bool
    /// Seconds the peer should keep our routes after the session drops (12 bits, at most 4095).
    public var restartTime: UInt16
    /// The families covered.
    public var families: [Family]

    /// A capability from its parts; the restart time is cut to its 12 bits.
    public init(restarting: Bool, notificationSupported: Bool = false, restartTime: UInt16, families: [Family]) {
        self.restarting = restarting
        self.notificationSupported = notificationSupported
        self.restartTime = min(restartTime, 0xfff)
        self.families = families
    }

    func write(into writer: inout ByteWriter) {
        writer.writeUInt16((restarting ? 0x8000 : 0) | (notificationSupported ? 0x4000 : 0) | restartTime & 0xfff)
        for family in families {
            writer.writeUInt16(family.afiSafi.afi.rawValue)
            writer.writeUInt8(family.afiSafi.safi.rawValue)
            writer.writeUInt8(family.forwardingStatePreserved ? 0x80 : 0)
        }
    }

    /// Reads the capability value; nil when its length is not 2 + 4n.
    static func read(_ value: ArraySlice<UInt8>) -> GracefulRestartCapability? {
        guard value.count >= 2, (value.count - 2) % 4 == 0 else { return nil }
        var reader = ByteReader(value)
        guard let header = try? reader.readUInt16() else { return nil }
        var families: [Family] = []
        while !reader.isAtEnd {
            guard let afi = try? reader.readUInt16(), let safi = try? reader.readUInt8(),
                let flags = try? reader.readUInt8()
            else { return nil }
            families.append(
                Family(
                    afiSafi: AFISAFI(afi: AFI(rawValue: afi), safi: SAFI(rawValue: safi)),
                    forwardingStatePreserved: flags & 0x80 != 0))
        }
        return GracefulRestartCapability(
            restarting: header & 0x8000 != 0, notificationSupported: header & 0x4000 != 0,
            restartTime: header & 0xfff, families: families)
    }
}
