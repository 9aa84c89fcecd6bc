import Addresses
import IPVS
import Netlink

/// What the service proxy needs from the kernel: IPVS, and the VIPs on the dummy link.
public protocol ServiceKernel: Sendable {
    /// Sets the IPVS behaviour graceful termination relies on; called before the first sync.
    func prepare() async throws
    /// Every IPVS virtual service with its real servers.
    func virtualServices() async throws -> [IPVSServiceKey: ObservedVirtualService]
    /// The real servers of some services only (for draining checks).
    func virtualServices(_ keys: [IPVSServiceKey]) async throws -> [IPVSServiceKey: ObservedVirtualService]
    /// Applies IPVS operations, pipelined; failures by index.
    func apply(_ operations: [IPVSOperation]) async throws -> [Int: NetlinkError]
    /// The addresses on the dummy link.
    func boundVIPs() async throws -> Set<IPAddress>
    /// Adds and removes addresses on the dummy link (creating it when needed).
    func bindVIPs(adding: Set<IPAddress>, removing: Set<IPAddress>) async throws
    /// Makes the masquerade, hairpin and firewall rules and sets match `state`; returns the writes made.
    func syncMasquerade(_ state: MasqueradeState) async throws -> Int
    /// Adds and removes set members after a `syncMasquerade`; returns the writes made.
    func updateMasquerade(adding: Set<NetfilterMember>, removing: Set<NetfilterMember>) async throws -> Int
    /// How many state-changing IPVS requests have been sent.
    var ipvsWritesSent: Int { get }
}
