import Netlink

/// What the masquerade rules and their ipsets should hold on this node. Pure value.
///
/// Two kinds of traffic to a VIP need their source rewritten to the node's address:
/// - a pod that reaches itself through its own Service (hairpin): without SNAT the pod would
///   answer itself directly and drop the reply as coming from the wrong address;
/// - a client outside the pod network: the backend's replies must come back through this node
///   for IPVS to undo its NAT, which the node's own source address ensures.
public struct MasqueradeState: Hashable, Sendable {
    /// Whether Rudder's rules should exist at all; when false, its chain and jump are removed.
    public var enabled: Bool
    /// The pod network: traffic from inside it keeps its source address.
    public var podSubnets: Set<IPPrefix>
    /// One `ENDPOINT,PROTO:PORT,ENDPOINT` member per local endpoint of a virtual service: hairpin traffic.
    public var loopback: Set<IPSetMember>
    /// One `VIP,PROTO:PORT` member per virtual service whose outside traffic is masqueraded.
    ///
    /// Only Rudder's own virtual services are in it, so traffic to an IPVS service someone else
    /// made is never rewritten; nor is traffic to an external address of a Service with
    /// externalTrafficPolicy Local, whose backends must see the client's address.
    public var services: Set<IPSetMember>

    /// A state; by default enabled and empty.
    public init(
        enabled: Bool = true, podSubnets: Set<IPPrefix> = [], loopback: Set<IPSetMember> = [],
        services: Set<IPSetMember> = []
    ) {
        self.enabled = enabled
        self.podSubnets = podSubnets
        self.loopback = loopback
        self.services = services
    }

    /// The state that the `services` need, as `ServiceTranslator` programs them with `settings`.
    ///
    /// Only real servers of virtual services that are actually programmed count, so an excluded
    /// VIP or an endpoint the traffic policy leaves out adds no hairpin member. Invalid services
    /// are skipped, as the reconciler refuses them.
    public init(services: [ProxiedService], settings: ProxySettings, podSubnets: Set<IPPrefix>, enabled: Bool = true) {
        var loopback = Set<IPSetMember>()
        var masqueraded = Set<IPSetMember>()
        for service in services where service.problems.isEmpty {
            let dataplane = ServiceTranslator.dataplane(for: service, settings: settings)
            loopback.formUnion(Self.hairpinMembers(of: service, dataplane: dataplane))
            masqueraded.formUnion(Self.serviceMembers(of: dataplane))
        }
        self.init(
            enabled: enabled, podSubnets: Set(podSubnets.map(\.network)), loopback: loopback, services: masqueraded)
    }

    /// The hairpin members one Service needs: one per local endpoint of each programmed virtual service.
    static func hairpinMembers(of service: ProxiedService, dataplane: ServiceDataplane) -> Set<IPSetMember> {
        let local = Set(ServiceTranslator.usableEndpoints(service.endpoints).filter(\.isLocal).map(\.address))
        guard !local.isEmpty else { return [] }
        var members = Set<IPSetMember>()
        for (key, desired) in dataplane.virtualServices {
            guard case .address(let transport, _, _) = key else { continue }
            for server in desired.realServers where local.contains(server.address) {
                members.insert(
                    .ipPortIP(server.address, protocol: Self.setProtocol(transport), port: server.port, server.address))
            }
        }
        return members
    }

    /// The `VIP,PROTO:PORT` members of a dataplane's masqueraded virtual services.
    static func serviceMembers(of dataplane: ServiceDataplane) -> Set<IPSetMember> {
        var members = Set<IPSetMember>()
        for key in dataplane.masqueraded {
            guard case .address(let transport, let address, let port) = key else { continue }
            members.insert(.ipPort(address, protocol: setProtocol(transport), port: port))
        }
        return members
    }

    /// The masqueraded virtual services of one family.
    public func serviceMembers(_ family: AddressFamily) -> Set<IPSetMember> {
        services.filter { $0.family == family }
    }

    /// The pod subnets of one family, as `hash:net` members.
    public func podSubnetMembers(_ family: AddressFamily) -> Set<IPSetMember> {
        Set(podSubnets.filter { $0.family == family }.map { .net($0.network) })
    }

    /// The hairpin members of one family.
    public func loopbackMembers(_ family: AddressFamily) -> Set<IPSetMember> {
        loopback.filter { $0.family == family }
    }

    /// ipset's name for an IPVS protocol.
    static func setProtocol(_ transport: IPVSProtocol) -> IPSetMember.TransportProtocol {
        switch transport {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        }
    }
}
