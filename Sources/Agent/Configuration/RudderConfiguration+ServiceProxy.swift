import ServiceProxy

extension RudderConfiguration {
    /// The `serviceProxy` section: the node-level proxy settings and how often the agent re-checks IPVS.
    public struct ServiceProxy: Sendable, Equatable, Section {
        /// Whether the agent proxies Services at all.
        public var enabled: Bool
        /// The node-level settings; empty `nodeAddresses` means the Node object's InternalIPs.
        public var settings: ProxySettings
        /// How often IPVS, the VIPs and the masquerade rules are read back and repaired.
        public var resyncInterval: Duration
        /// How long an endpoint that went away may keep its open connections.
        public var gracePeriod: Duration
        /// Where the IPVS services Rudder created are recorded, so a restart adopts them.
        public var ownershipRecord: String

        /// The section; every argument defaults to what an empty section gives.
        public init(
            enabled: Bool = true, settings: ProxySettings = ProxySettings(), resyncInterval: Duration = .seconds(300),
            gracePeriod: Duration = .seconds(30), ownershipRecord: String = OwnershipRecord.defaultPath
        ) {
            self.enabled = enabled
            self.settings = settings
            self.resyncInterval = resyncInterval
            self.gracePeriod = gracePeriod
            self.ownershipRecord = ownershipRecord
        }

        static let key = "serviceProxy"
        static let keys = ["enabled", "resyncInterval", "gracePeriod", "ownershipRecord"] + ServicesFile.nodeKeys

        /// Below this a resync, which reads every IPVS service, would run too often to be a safety net.
        static let minimumResyncInterval = Duration.seconds(10)

        init(reading mapping: YAMLReader.Mapping, over defaults: ServiceProxy, with reader: inout YAMLReader) {
            self = defaults
            enabled = reader.bool("enabled", in: mapping) ?? enabled
            settings = ServicesFile.readSettings(mapping, with: &reader)
            resyncInterval =
                reader.duration(
                    "resyncInterval", in: mapping, minimum: Self.minimumResyncInterval,
                    reason: "each resync reads every IPVS service") ?? resyncInterval
            gracePeriod =
                reader.duration(
                    "gracePeriod", in: mapping, minimum: .zero, reason: "a grace period cannot be negative")
                ?? gracePeriod
            ownershipRecord = reader.string("ownershipRecord", in: mapping) ?? ownershipRecord
        }
    }
}
