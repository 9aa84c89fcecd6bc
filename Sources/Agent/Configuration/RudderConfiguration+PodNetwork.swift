import PodNetwork

extension RudderConfiguration {
    /// The `podNetwork` section: Rudder as the node's CNI (kube-router's `--enable-cni`,
    /// `--enable-pod-egress`, `--enable-overlay`, `--overlay-type`).
    public struct PodNetwork: Sendable, Equatable, Section {
        /// Whether the agent gives pods their network: bridge, conflist, egress, overlay.
        public var enabled: Bool
        /// The layout.
        public var settings: PodNetworkSettings

        /// The section; off unless the file turns it on, since a node whose pods use another CNI
        /// must not get a second conflist.
        public init(enabled: Bool = false, settings: PodNetworkSettings = PodNetworkSettings()) {
            self.enabled = enabled
            self.settings = settings
        }

        static let key = "podNetwork"
        static let keys = [
            "enabled", "bridge", "cniNetworkName", "cniConfigDirectory", "cniConfigFile", "hairpinMode", "mtu",
            "egressMasquerade", "nonMasqueradeCIDRs", "overlay", "overlayEncap", "overlayEncapPort",
            "iptables",
        ]

        init(reading mapping: YAMLReader.Mapping, over defaults: PodNetwork, with reader: inout YAMLReader) {
            self = defaults
            enabled = reader.bool("enabled", in: mapping) ?? enabled
            // The kernel's IFNAMSIZ is 16 with the terminating zero; 253 is a DNS name's length.
            settings.bridgeName = reader.name("bridge", in: mapping, maximumLength: 15) ?? settings.bridgeName
            settings.networkName =
                reader.name("cniNetworkName", in: mapping, maximumLength: 253) ?? settings.networkName
            settings.configDirectory = reader.string("cniConfigDirectory", in: mapping) ?? settings.configDirectory
            if let file = reader.string("cniConfigFile", in: mapping), let node = mapping["cniConfigFile"] {
                if file.contains("/") || !(file.hasSuffix(".conflist")) {
                    reader.report(
                        "\(mapping.path(of: "cniConfigFile")): '\(file)' must be a file name ending in .conflist "
                            + "(the directory is cniConfigDirectory)", at: node)
                } else {
                    settings.configFileName = file
                }
            }
            settings.hairpinMode = reader.bool("hairpinMode", in: mapping) ?? settings.hairpinMode
            // 1280 is IPv6's minimum link MTU; a jumbo frame stops at 9216 on most switches, 65535 is IP's own limit.
            settings.mtu = reader.integer("mtu", in: mapping, range: 1280...65535) ?? settings.mtu
            settings.egressMasquerade = reader.bool("egressMasquerade", in: mapping) ?? settings.egressMasquerade
            if let prefixes = ServicesFile.readPrefixes("nonMasqueradeCIDRs", in: mapping, with: &reader) {
                settings.nonMasqueradeCIDRs = prefixes
            }
            if let mode = reader.choice("overlay", in: mapping, from: OverlayMode.allCases.map(\.rawValue)) {
                settings.overlay = OverlayMode(rawValue: mode) ?? settings.overlay
            }
            // kube-router's `fou` is GUE inside foo-over-UDP: the same on the wire, for mixed clusters.
            let port: UInt16 =
                reader.integer("overlayEncapPort", in: mapping, range: 1...65535)
                ?? settings.overlayEncapsulation.port ?? OverlayEncapsulation.defaultPort
            switch reader.choice("overlayEncap", in: mapping, from: ["ipip", "fou"]) {
            case "ipip": settings.overlayEncapsulation = .ipip
            case "fou": settings.overlayEncapsulation = .gue(port: port)
            default: if case .gue = settings.overlayEncapsulation { settings.overlayEncapsulation = .gue(port: port) }
            }
            settings.iptablesVariant =
                reader.choice("iptables", in: mapping, from: ["nft", "legacy"]) ?? settings.iptablesVariant
        }
    }
}

extension YAMLReader {
    /// A link or CNI network name that `PodNetworkSettings.nameProblem` accepts.
    mutating func name(_ key: String, in mapping: Mapping, maximumLength: Int) -> String? {
        guard let name = string(key, in: mapping), let node = mapping[key] else { return nil }
        if let problem = PodNetworkSettings.nameProblem(name, maximumLength: maximumLength) {
            report("\(mapping.path(of: key)): '\(name)' \(problem)", at: node)
            return nil
        }
        return name
    }
}
