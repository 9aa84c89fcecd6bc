import Addresses
import IPVS
import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The real kernel: IPVS over generic netlink, VIPs on a dummy link over rtnetlink.
public final class NetlinkServiceKernel: ServiceKernel {
    private let ipvs: IPVSClient
    private let rtnetlink: Rtnetlink
    private let executor = NetlinkExecutor(label: "rudder.serviceproxy.netlink")
    /// The dummy link that holds the VIPs.
    public let dummyInterface: String
    /// The namespace the proxy works in.
    public let namespace: NetworkNamespace
    /// The node's addresses: the first of each family is the source of the node's own traffic to a VIP.
    public let nodeAddresses: [IPAddress]
    /// Which iptables the masquerade rules go through (nil: the system's default).
    public let iptablesVariant: String?
    private let netfilterController = Mutex<NetfilterController?>(nil)
    /// The node addresses that are local here, read once: only those can be a local route's source.
    private let localSources = Mutex<[IPAddress]?>(nil)

    /// Opens IPVS and rtnetlink sockets in `namespace`.
    public init(
        namespace: NetworkNamespace = .current, dummyInterface: String = ProxySettings.defaultDummyInterface,
        nodeAddresses: [IPAddress] = [], iptablesVariant: String? = nil
    ) throws {
        self.nodeAddresses = nodeAddresses
        self.iptablesVariant = iptablesVariant
        ipvs = try IPVSClient(namespace: namespace)
        rtnetlink = try Rtnetlink(namespace: namespace)
        self.dummyInterface = dummyInterface
        self.namespace = namespace
    }

    /// IPVS settings of the namespace, as kube-proxy and kube-router set them.
    ///
    /// expire_quiescent_template: a ClientIP persistence template pointing at a weight-0 (drained)
    /// real server expires, so sticky clients move on and the server can drain. expire_nodest_conn:
    /// connections to a deleted real server are dropped instead of black-holed.
    static let sysctls = [
        "/proc/sys/net/ipv4/vs/expire_quiescent_template": "1",
        "/proc/sys/net/ipv4/vs/expire_nodest_conn": "1",
    ]

    public func prepare() async throws {
        try await executor.run { [namespace] in
            // /proc/sys/net shows the namespace of the thread that opens the file.
            try namespace.run {
                for (path, value) in Self.sysctls {
                    let descriptor = open(path, O_WRONLY | O_CLOEXEC)
                    guard descriptor >= 0 else { throw NetlinkError(operation: "open \(path)", errno: errno) }
                    defer { close(descriptor) }
                    let written = value.withCString { write(descriptor, $0, strlen($0)) }
                    if written < 0 { throw NetlinkError(operation: "write \(value) to \(path)", errno: errno) }
                }
            }
        }
    }

    public func virtualServices() async throws -> [IPVSServiceKey: ObservedVirtualService] {
        try await executor.run { [ipvs] in try ipvs.snapshot() }
    }

    public func virtualServices(_ keys: [IPVSServiceKey]) async throws -> [IPVSServiceKey: ObservedVirtualService] {
        try await executor.run { [ipvs] in
            var result: [IPVSServiceKey: ObservedVirtualService] = [:]
            for key in keys {
                guard let service = try ipvs.service(key) else { continue }
                result[key] = ObservedVirtualService(service: service, realServers: try ipvs.realServers(of: key))
            }
            return result
        }
    }

    public func apply(_ operations: [IPVSOperation]) async throws -> [Int: NetlinkError] {
        try await executor.run { [ipvs] in
            let result = ipvs.apply(operations)
            if result.reportsLost {
                throw NetlinkError(operation: "apply \(operations.count) IPVS operations", errno: ENOBUFS)
            }
            return result.failures
        }
    }

    public func boundVIPs() async throws -> Set<IPAddress> {
        try await executor.run { [rtnetlink, dummyInterface] in
            guard let link = try rtnetlink.link(named: dummyInterface) else { return [] }
            return Set(try rtnetlink.addresses().filter { $0.linkIndex == link.index }.map(\.address.address))
        }
    }

    public func bindVIPs(adding: Set<IPAddress>, removing: Set<IPAddress>) async throws {
        try await executor.run { [self, rtnetlink, dummyInterface] in
            var link: Link?
            do {
                link = try rtnetlink.link(named: dummyInterface)
                if link == nil {
                    try rtnetlink.addDummy(name: dummyInterface)
                    link = try rtnetlink.link(named: dummyInterface)
                }
            } catch var error as NetlinkError {
                // Seen in a kernel without the dummy module: the lookup itself fails with EOPNOTSUPP.
                error.operation = "prepare the dummy link \(dummyInterface) for service VIPs (\(error.operation))"
                error.message += "; is the kernel's dummy module available?"
                throw error
            }
            guard let link else { throw NetlinkError(operation: "find link \(dummyInterface)", errno: ENODEV) }
            if !link.isUp { try rtnetlink.setLink(named: dummyInterface, up: true) }
            var localRoutes: [RouteOperation] = []
            for address in adding.sorted() {
                let vip = InterfaceAddress(
                    linkIndex: link.index, address: IPPrefix(address: address, length: address.family.bitWidth))
                try rtnetlink.addAddress(vip, skipDAD: true)
                // The kernel's local route for the VIP has the VIP as source; like kube-router, make
                // it the node's address, so the node's own connections to a service leave from an
                // address the endpoints can answer.
                if let source = try sources().first(where: { $0.family == address.family }) {
                    localRoutes.append(
                        .replace(
                            Route(
                                destination: vip.address, table: Route.localTable, protocolNumber: 2,
                                scope: Route.scopeHost, type: Route.typeLocal,
                                nextHops: [NextHop(gateway: nil, linkIndex: link.index)], preferredSource: source)))
                }
            }
            try rtnetlink.apply(localRoutes).throwFirst()
            for address in removing.sorted() {
                let vip = InterfaceAddress(
                    linkIndex: link.index, address: IPPrefix(address: address, length: address.family.bitWidth))
                try rtnetlink.deleteAddress(vip)
            }
        }
    }

    public var ipvsWritesSent: Int { ipvs.writesSent }

    /// The node addresses configured that this namespace holds, in their order.
    ///
    /// The kernel refuses a preferred source that is not a local address, and a configured address
    /// may be one the node does not have (a typo, or an address that moved): such a VIP keeps the
    /// kernel's own local route instead of failing to bind.
    private func sources() throws -> [IPAddress] {
        try localSources.withLock { cached in
            if let cached { return cached }
            let local = Set(try rtnetlink.addresses().map(\.address.address))
            let usable = nodeAddresses.filter { local.contains($0) }
            cached = usable
            return usable
        }
    }

    public func syncMasquerade(_ state: MasqueradeState) async throws -> Int {
        try await netfilter().apply(state)
    }

    public func updateMasquerade(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) async throws -> Int {
        try await netfilter().applyChange(adding: adding, removing: removing)
    }

    /// The netfilter controller, made on first use: a proxy with masquerade off and no
    /// load-balancer source ranges never needs iptables or the ipset modules.
    private func netfilter() throws -> NetfilterController {
        try netfilterController.withLock { controller in
            if let controller { return controller }
            let made = try NetfilterController(namespace: namespace, iptablesVariant: iptablesVariant)
            controller = made
            return made
        }
    }
}
