import Addresses
import Netfilter
import Testing

@testable import IPVS
@testable import ServiceProxy

/// The incremental index must always equal what a full rebuild from the same Services gives.
@Suite struct ServiceIndexTests {
    let settings = ProxySettings(nodeAddresses: [IPAddress("192.168.1.10")!])

    func service(_ name: String, vip: String, endpoints: [String], local: Bool = false) -> ProxiedService {
        ProxiedService(
            name: ServiceName(namespace: "default", name: name), clusterIPs: [IPAddress(vip)!],
            ports: [ServicePort(name: "http", port: 80, targetPort: 8080)],
            endpoints: endpoints.map { ServiceEndpoint(address: IPAddress($0)!, isLocal: local) })
    }

    func rebuilt(_ services: [ProxiedService]) -> ServiceIndex {
        var index = ServiceIndex()
        for service in services { _ = index.set(service, settings: settings) }
        return index
    }

    func expectSame(_ index: ServiceIndex, _ services: [ProxiedService]) {
        let full = rebuilt(services)
        #expect(index.keyOwners == full.keyOwners)
        #expect(index.desired(full.keys) == full.desired(full.keys))
        #expect(index.vips == full.vips)
        #expect(index.hairpinMembers == full.hairpinMembers)
        let state = MasqueradeState(services: services, settings: settings, podSubnets: [])
        #expect(index.hairpinMembers == state.loopback)
        #expect(index.serviceMembers == state.services)
    }

    @Test func sharedVIPStaysWhileAnyServiceUsesIt() {
        var index = ServiceIndex()
        let a = service("a", vip: "10.96.0.1", endpoints: ["10.244.0.1"])
        var b = service("b", vip: "10.96.0.1", endpoints: ["10.244.0.2"])
        b.ports = [ServicePort(name: "dns", transport: .udp, port: 53, targetPort: 53)]
        #expect(index.set(a, settings: settings).vipsAdded == [IPAddress("10.96.0.1")!])
        #expect(index.set(b, settings: settings).vipsAdded.isEmpty)
        #expect(index.remove(a.name).vipsRemoved.isEmpty)
        #expect(index.remove(b.name).vipsRemoved == [IPAddress("10.96.0.1")!])
        #expect(index.vips.isEmpty)
    }

    @Test func firstServiceByNameKeepsAContestedKeyAndTheOtherTakesOverWhenItGoes() {
        var index = ServiceIndex()
        let key = IPVSServiceKey.address(.tcp, IPAddress("10.96.0.9")!, port: 80)
        let later = service("zeta", vip: "10.96.0.9", endpoints: ["10.244.0.2"])
        let earlier = service("alpha", vip: "10.96.0.9", endpoints: ["10.244.0.1"])
        _ = index.set(later, settings: settings)
        let change = index.set(earlier, settings: settings)
        #expect(change.conflicts.map(\.kept) == [earlier.name])
        #expect(index.owner(of: key) == earlier.name)
        let removal = index.remove(earlier.name)
        #expect(removal.keys.contains(key))
        #expect(index.owner(of: key) == later.name)
        #expect(index.desired([key])[key]?.realServers.map(\.address) == [IPAddress("10.244.0.2")!])
    }

    @Test func masqueradeMembersChangeOnlyWhenTheUnionChanges() {
        var index = ServiceIndex()
        let web = service("web", vip: "10.96.0.1", endpoints: ["10.244.0.5"], local: true)
        let pod = IPAddress("10.244.0.5")!
        let webMember = IPSetMember.ipPort(IPAddress("10.96.0.1")!, protocol: .tcp, port: 80)
        let hairpin = NetfilterMember(.loopback, .ipPortIP(pod, protocol: .tcp, port: 8080, pod))
        let first = index.set(web, settings: settings)
        #expect(first.masqueradeAdded == [hairpin, NetfilterMember(.services, webMember)])
        #expect(!index.set(web, settings: settings).masqueradeChanged)
        // Same VIP and port from another Service: the member is shared, so nothing changes.
        let twin = service("twin", vip: "10.96.0.1", endpoints: ["10.244.9.5"])
        #expect(!index.set(twin, settings: settings).masqueradeChanged)
        let removal = index.remove(web.name)
        #expect(removal.masqueradeRemoved == [hairpin])
        #expect(index.hairpinMembers.isEmpty)
        #expect(index.serviceMembers == [webMember])
        #expect(index.remove(twin.name).masqueradeRemoved == [NetfilterMember(.services, webMember)])
    }

    /// A long random sequence of sets and removes, checked against a full rebuild after each step.
    @Test func randomChangesMatchAFullRebuild() {
        var generator = SeededGenerator(seed: 7)
        var index = ServiceIndex()
        var current: [ServiceName: ProxiedService] = [:]
        for _ in 0..<400 {
            let name = "s\(Int.random(in: 0..<12, using: &generator))"
            if Int.random(in: 0..<4, using: &generator) == 0 {
                _ = index.remove(ServiceName(namespace: "default", name: name))
                current[ServiceName(namespace: "default", name: name)] = nil
            } else {
                let vip = "10.96.0.\(Int.random(in: 1...6, using: &generator))"
                let endpoints = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    "10.244.0.\(Int.random(in: 1...8, using: &generator))"
                }
                let next = service(
                    name, vip: vip, endpoints: Array(Set(endpoints)).sorted(), local: Bool.random(using: &generator))
                _ = index.set(next, settings: settings)
                current[next.name] = next
            }
            expectSame(index, current.values.sorted { $0.name < $1.name })
        }
    }
}

/// A small deterministic generator (SplitMix64) so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
