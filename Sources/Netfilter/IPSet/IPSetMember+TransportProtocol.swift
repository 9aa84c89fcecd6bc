extension IPSetMember {
    /// The protocols a `hash:ip,port` member can name, spelled as ipset spells them.
    public enum TransportProtocol: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// TCP.
        case tcp
        /// UDP.
        case udp
        /// SCTP.
        case sctp

        /// The name in ipset's syntax ("tcp").
        public var description: String { rawValue }
    }
}
