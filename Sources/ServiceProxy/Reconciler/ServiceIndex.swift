import Addresses
import IPVS
import Netfilter

/// The desired Services, indexed so that changing one Service costs only that Service. Pure value.
///
/// Beside each Service's dataplane it keeps who claims each virtual service (the first by name
/// wins, as in a full rebuild), how many Services use each VIP, and how many use each masquerade
/// member, so an update never walks the other Services.
struct ServiceIndex: Sendable {
    /// What one `set` or `remove` changed.
    struct Change: Sendable {
        /// Virtual services whose desired state may differ: the Service's old and new keys.
        var keys: Set<IPVSServiceKey> = []
        /// Keys of this change that more than one Service claims, with the Service that keeps each.
        var conflicts: [(key: IPVSServiceKey, kept: ServiceName)] = []
        /// VIPs no Service used before.
        var vipsAdded: Set<IPAddress> = []
        /// VIPs no Service uses any more.
        var vipsRemoved: Set<IPAddress> = []
        /// Netfilter set members (hairpin, service, firewall) no Service needed before.
        var masqueradeAdded: Set<NetfilterMember> = []
        /// Netfilter set members no Service needs any more.
        var masqueradeRemoved: Set<NetfilterMember> = []
        /// Whether the union of any set's members changed.
        var masqueradeChanged: Bool { !masqueradeAdded.isEmpty || !masqueradeRemoved.isEmpty }
    }

    private(set) var planes: [ServiceName: ServiceDataplane] = [:]
    private var claimants: [IPVSServiceKey: [ServiceName]] = [:]
    private var vipUsers: [IPAddress: Int] = [:]
    private var masquerade: [ServiceName: Set<NetfilterMember>] = [:]
    private var masqueradeUsers: [NetfilterMember: Int] = [:]

    /// Adds or replaces a Service that has no problems.
    mutating func set(_ service: ProxiedService, settings: ProxySettings) -> Change {
        let plane = ServiceTranslator.dataplane(for: service, settings: settings)
        return replace(service.name, plane: plane, masquerade: MasqueradeState.members(of: service, dataplane: plane))
    }

    /// Forgets a Service.
    mutating func remove(_ name: ServiceName) -> Change {
        return replace(name, plane: nil, masquerade: [])
    }

    /// The Service that holds a virtual service.
    func owner(of key: IPVSServiceKey) -> ServiceName? { claimants[key]?.first }

    /// Every virtual service some Service wants.
    var keys: Dictionary<IPVSServiceKey, [ServiceName]>.Keys { claimants.keys }

    /// The desired state of `keys`, each from the Service that holds it.
    func desired(_ keys: some Sequence<IPVSServiceKey>) -> [IPVSServiceKey: DesiredVirtualService] {
        var result: [IPVSServiceKey: DesiredVirtualService] = [:]
        for key in keys {
            if let holder = owner(of: key), let wanted = planes[holder]?.virtualServices[key] { result[key] = wanted }
        }
        return result
    }

    /// Which Service holds each virtual service.
    var keyOwners: [IPVSServiceKey: ServiceName] {
        var result: [IPVSServiceKey: ServiceName] = [:]
        for (key, names) in claimants { result[key] = names.first }
        return result
    }

    /// Every key more than one Service claims, with the Service that keeps it.
    var conflicts: [(key: IPVSServiceKey, kept: ServiceName)] {
        var result: [(key: IPVSServiceKey, kept: ServiceName)] = []
        for (key, names) in claimants where names.count > 1 { result.append((key, names[0])) }
        return result
    }

    /// Every VIP some Service uses.
    var vips: Set<IPAddress> { Set(vipUsers.keys) }

    /// Every member of `set` some Service needs.
    func members(of set: NetfilterSet) -> Set<IPSetMember> {
        Set(masqueradeUsers.keys.lazy.filter { $0.set == set }.map(\.member))
    }

    /// Every hairpin member some Service needs.
    var hairpinMembers: Set<IPSetMember> { members(of: .loopback) }

    /// Every masqueraded virtual service some Service has.
    var serviceMembers: Set<IPSetMember> { members(of: .services) }

    private mutating func replace(
        _ name: ServiceName, plane: ServiceDataplane?, masquerade members: Set<NetfilterMember>
    )
        -> Change
    {
        var change = Change()
        let before = planes[name]
        planes[name] = plane
        let oldKeys = Set(before?.virtualServices.keys ?? [:].keys)
        let newKeys = Set(plane?.virtualServices.keys ?? [:].keys)
        change.keys = oldKeys.union(newKeys)
        for key in oldKeys.subtracting(newKeys) {
            claimants[key]?.removeAll { $0 == name }
            if claimants[key]?.isEmpty == true { claimants[key] = nil }
        }
        for key in newKeys.subtracting(oldKeys) {
            var names = claimants[key] ?? []
            names.insert(name, at: names.firstIndex { $0 > name } ?? names.endIndex)
            claimants[key] = names
        }
        for key in newKeys {
            if let names = claimants[key], names.count > 1 { change.conflicts.append((key, names[0])) }
        }

        let oldVIPs = before?.vips ?? []
        let newVIPs = plane?.vips ?? []
        for vip in oldVIPs.subtracting(newVIPs) where Self.release(vip, in: &vipUsers) {
            change.vipsRemoved.insert(vip)
        }
        for vip in newVIPs.subtracting(oldVIPs) where Self.retain(vip, in: &vipUsers) {
            change.vipsAdded.insert(vip)
        }

        let oldMembers = masquerade[name] ?? []
        masquerade[name] = members.isEmpty ? nil : members
        for member in oldMembers.subtracting(members) where Self.release(member, in: &masqueradeUsers) {
            change.masqueradeRemoved.insert(member)
        }
        for member in members.subtracting(oldMembers) where Self.retain(member, in: &masqueradeUsers) {
            change.masqueradeAdded.insert(member)
        }
        return change
    }

    /// Counts one more user; true when it is the first.
    private static func retain<Item: Hashable>(_ item: Item, in counts: inout [Item: Int]) -> Bool {
        counts[item, default: 0] += 1
        return counts[item] == 1
    }

    /// Counts one user less; true when it was the last.
    private static func release<Item: Hashable>(_ item: Item, in counts: inout [Item: Int]) -> Bool {
        guard let count = counts[item] else { return false }
        counts[item] = count > 1 ? count - 1 : nil
        return count == 1
    }
}
