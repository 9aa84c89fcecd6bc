@testable import BGP

/// Sources, attributes and RIBs for the RIB tests.
enum RIBFixtures {
    static let localAS: UInt32 = 65000
    static let routerID: UInt32 = 0x0a00_0001

    static func prefix(_ text: String) -> BGPPrefix { BGPPrefix(text)! }
    static func address(_ text: String) -> BGPAddress { BGPAddress(text)! }

    static func external(_ address: String, as asNumber: UInt32 = 65001, id: UInt32 = 0x0a00_0002) -> BGPRouteSource {
        BGPRouteSource(kind: .external, address: BGPAddress(address)!, identifier: id, autonomousSystem: asNumber)
    }

    static func `internal`(_ address: String, id: UInt32 = 0x0a00_0003, client: Bool = false) -> BGPRouteSource {
        BGPRouteSource(
            kind: .internal, address: BGPAddress(address)!, identifier: id, autonomousSystem: localAS,
            routeReflectorClient: client)
    }

    static func attributes(
        path: [UInt32] = [65001], nextHop: String = "10.0.0.2", localPreference: UInt32? = nil, med: UInt32? = nil,
        origin: Origin = .igp, communities: [BGPCommunity] = [], originatorID: UInt32? = nil, clusterList: [UInt32] = []
    ) -> PathAttributes {
        PathAttributes(
            origin: origin, asPath: ASPath(sequence: path), nextHop: BGPAddress(nextHop)!, multiExitDiscriminator: med,
            localPreference: localPreference, communities: communities, originatorID: originatorID,
            clusterList: clusterList)
    }

    static func rib(alwaysCompareMED: Bool = false) -> LocRIB {
        LocRIB(options: LocRIB.Options(localAS: localAS, routerID: routerID, alwaysCompareMED: alwaysCompareMED))
    }

    /// A route for the decision process tests, interned in `table`.
    static func route(
        _ table: inout AttributeTable, _ source: BGPRouteSource, _ attributes: PathAttributes,
        prefix: String = "10.1.0.0/24"
    ) -> BGPRoute {
        BGPRoute(prefix: BGPPrefix(prefix)!, source: source, attributes: table.intern(attributes))
    }
}
