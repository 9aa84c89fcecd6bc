import Addresses

/// The conflist Rudder hands the container runtime: the reference `bridge` plugin on the pod
/// bridge with `host-local` addresses from this node's pod CIDRs, and `portmap` for hostPorts.
/// Pure; rendered byte for byte the same for the same input, so an unchanged file is never rewritten.
public struct CNIConfiguration: Hashable, Sendable {
    /// The CNI spec version the list declares; 0.4.0 is the oldest with CHECK, and every runtime
    /// and plugin release of the last years speaks it.
    public static let specVersion = "0.4.0"

    /// The network's name.
    public var networkName: String
    /// The bridge the plugin attaches pods to.
    public var bridgeName: String
    /// One IPAM range per pod CIDR (dual-stack: one per family).
    public var podCIDRs: [IPPrefix]
    /// The pods' MTU.
    public var mtu: UInt32
    /// Whether pods' bridge ports are in hairpin mode.
    public var hairpinMode: Bool

    /// The configuration for `state` under `settings`.
    public init(settings: PodNetworkSettings, state: PodNetworkState) {
        networkName = settings.networkName
        bridgeName = settings.bridgeName
        podCIDRs = state.podCIDRs
        mtu = state.mtu
        hairpinMode = settings.hairpinMode
    }

    /// The conflist as JSON text, keys in a fixed order, ending in a newline.
    public var rendered: String {
        let ranges = podCIDRs.map { cidr in
            let gateway = PodNetworkState.firstHost(of: cidr)
            return
                "          [{ \"subnet\": \(Self.string("\(cidr.network)")), \"gateway\": \(Self.string("\(gateway)")) }]"
        }
        return """
            {
              "cniVersion": \(Self.string(Self.specVersion)),
              "name": \(Self.string(networkName)),
              "plugins": [
                {
                  "type": "bridge",
                  "bridge": \(Self.string(bridgeName)),
                  "isDefaultGateway": true,
                  "hairpinMode": \(hairpinMode),
                  "mtu": \(mtu),
                  "ipam": {
                    "type": "host-local",
                    "ranges": [
            \(ranges.joined(separator: ",\n"))
                    ]
                  }
                },
                {
                  "type": "portmap",
                  "capabilities": { "portMappings": true },
                  "snat": true
                }
              ]
            }

            """
    }

    /// A JSON string of a name: the configuration admits only letters, digits, '-', '_' and '.'
    /// in the names (the CNI spec's rule for a network name), so nothing needs escaping.
    static func string(_ text: String) -> String { "\"" + text + "\"" }
}
