import Addresses
import IPVS
import Netfilter

/// What Rudder's netfilter rules and their ipsets should hold on this node. Pure value.
///
/// Two kinds of traffic to a VIP need their source rewritten to the node's address:
/// - a pod that reaches itself through its own Service (hairpin): without SNAT the pod would
///   answer itself directly and drop the reply as coming from the wrong address;
/// - a client outside the pod network: the backend's replies must come back through this node
///   for IPVS to undo its NAT, which the node's own source address ensures.
///
/// And one kind must be dropped: a connection to a load-balancer IP of a Service with
/// `loadBalancerSourceRanges`, from a source outside those ranges (the firewall).
public struct MasqueradeState: Hashable, Sendable {
    /// Whether Rudder's masquerade rules should exist; when false, its nat chains are removed.
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
    /// One `LBIP,PROTO:PORT` member per load-balancer virtual service with source ranges: only
    /// the sources in `allowedSources` may reach it. The firewall's rules exist while it is not empty.
    public var firewall: Set<IPSetMember>
    /// One `LBIP,PROTO:PORT,RANGE` member per allowed source range of a firewalled virtual service.
    public var allowedSources: Set<IPSetMember>
    /// `VIP,PROTO:PORT` of virtual services whose Service is refused: the firewall members the
    /// kernel has for them stay as they are, as the rest of their dataplane does.
    public var frozenServices: Set<IPSetMember>

    /// A state; by default enabled and empty.
    public init(
        enabled: Bool = true, podSubnets: Set<IPPrefix> = [], loopback: Set<IPSetMember> = [],
        services: Set<IPSetMember> = [], firewall: Set<IPSetMember> = [], allowedSources: Set<IPSetMember> = [],
        frozenServices: Set<IPSetMember> = []
    ) {
        self.enabled = enabled
        self.podSubnets = podSubnets
        self.loopback = loopback
        self.services = services
        self.firewall = firewall
        self.allowedSources = allowedSources
        self.frozenServices = frozenServices
    }

    /// The state that the `services` need, as `ServiceTranslator` programs them with `settings`.
    ///
    /// Only real servers of virtual services that are actually programmed count, so an excluded
    /// VIP or an endpoint the traffic policy leaves out adds no hairpin member. Invalid services
    /// are skipped, as the reconciler refuses them.
    public init(services: [ProxiedService], settings: ProxySettings, podSubnets: Set<IPPrefix>, enabled: Bool = true) {
        self.init(enabled: enabled, podSubnets: Set(podSubnets.map(\.network)))
        var members = Set<NetfilterMember>()
        for service in services where service.problems.isEmpty {
            let dataplane = ServiceTranslator.dataplane(for: service, settings: settings)
            members.formUnion(Self.members(of: service, dataplane: dataplane))
        }
        apply(adding: members, removing: [])
    }

    /// Every set member one Service needs: hairpin, masqueraded services, firewall.
    static func members(of service: ProxiedService, dataplane: ServiceDataplane) -> Set<NetfilterMember> {
        var members = Set<NetfilterMember>()
        for member in hairpinMembers(of: service, dataplane: dataplane) { members.insert(.init(.loopback, member)) }
        for member in serviceMembers(of: dataplane) { members.insert(.init(.services, member)) }
        for (key, ranges) in dataplane.sourceRanges {
            guard case .address(let transport, let address, let port) = key else { continue }
            let proto = setProtocol(transport)
            members.insert(.init(.firewall, .ipPort(address, protocol: proto, port: port)))
            for range in ranges where range.family == address.family {
                members.insert(.init(.allowedSources, .ipPortNet(address, protocol: proto, port: port, range.network)))
            }
        }
        return members
    }

    /// The hairpin members one Service needs: one per local endpoint of each programmed virtual service.
    static func hairpinMembers(of service: ProxiedService, dataplane: ServiceDataplane) -> Set<IPSetMember> {
        let local = Set(service.endpoints.filter(\.isLocal).map(\.address))
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
        Set(dataplane.masqueraded.compactMap(member(of:)))
    }

    /// The `VIP,PROTO:PORT` member of a virtual service kept by address.
    static func member(of key: IPVSServiceKey) -> IPSetMember? {
        guard case .address(let transport, let address, let port) = key else { return nil }
        return .ipPort(address, protocol: setProtocol(transport), port: port)
    }

    /// The members `set` should hold.
    public func members(of set: NetfilterSet) -> Set<IPSetMember> {
        switch set {
        case .podSubnets: Set(podSubnets.map { .net($0.network) })
        case .loopback: loopback
        case .services: services
        case .firewall: firewall
        case .allowedSources: allowedSources
        }
    }

    /// The members of `set` of one family.
    public func members(of set: NetfilterSet, _ family: AddressFamily) -> Set<IPSetMember> {
        members(of: set).filter { $0.family == family }
    }

    /// Applies one change of members; pod subnets are node settings and not changed this way.
    public mutating func apply(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) {
        for entry in removing { update(entry) { $0.remove(entry.member) } }
        for entry in adding { update(entry) { $0.insert(entry.member) } }
    }

    /// How many firewall members there would be after a change, counted in the change's size.
    public func firewallCount(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) -> Int {
        let removed = removing.count { $0.set == .firewall && firewall.contains($0.member) }
        let added = adding.count { $0.set == .firewall && !firewall.contains($0.member) && !removing.contains($0) }
        return firewall.count - removed + added
    }

    private mutating func update(_ entry: NetfilterMember, _ change: (inout Set<IPSetMember>) -> Void) {
        switch entry.set {
        case .podSubnets: return
        case .loopback: change(&loopback)
        case .services: change(&services)
        case .firewall: change(&firewall)
        case .allowedSources: change(&allowedSources)
        }
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
