extension MasqueradeRules {
    /// Rudder's part of one `iptables-save -t nat` output.
    public struct Observed: Hashable, Sendable {
        /// Whether Rudder's chain exists.
        public var chainExists: Bool
        /// The rules of Rudder's chain, in order, with single spaces.
        public var rules: [String]
        /// The specifications of POSTROUTING's rules that jump to Rudder's chain, in order.
        public var jumps: [String]

        /// An observation; by default, nothing of Rudder's is there.
        public init(chainExists: Bool = false, rules: [String] = [], jumps: [String] = []) {
            self.chainExists = chainExists
            self.rules = rules
            self.jumps = jumps
        }
    }
}
