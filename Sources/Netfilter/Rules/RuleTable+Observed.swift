extension RuleTable {
    /// The owned part of one `iptables-save -t TABLE` output.
    public struct Observed: Hashable, Sendable {
        /// Each owned chain that exists, with its rules in order and single spaces.
        public var chains: [String: [String]]
        /// For each built-in chain, the specifications of its rules that jump to an owned chain, in order.
        public var jumps: [String: [String]]

        /// An observation; by default, nothing owned is there.
        public init(chains: [String: [String]] = [:], jumps: [String: [String]] = [:]) {
            self.chains = chains
            self.jumps = jumps
        }
    }
}
