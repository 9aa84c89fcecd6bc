extension MasqueradeRules {
    /// Rudder's part of one `iptables-save -t nat` output.
    public struct Observed: Hashable, Sendable {
        /// Each of Rudder's chains that exists, with its rules in order and single spaces.
        public var chains: [String: [String]]
        /// For each built-in chain, the specifications of its rules that jump to one of Rudder's chains, in order.
        public var jumps: [String: [String]]

        /// An observation; by default, nothing of Rudder's is there.
        public init(chains: [String: [String]] = [:], jumps: [String: [String]] = [:]) {
            self.chains = chains
            self.jumps = jumps
        }
    }
}
