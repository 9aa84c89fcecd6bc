/// The path attribute type codes this codec knows; each one's flags, decoder and encoder are its `codec`.
enum PathAttributeType: UInt8, CaseIterable, CustomStringConvertible {
    case origin = 1
    case asPath = 2
    case nextHop = 3
    case multiExitDiscriminator = 4
    case localPreference = 5
    case atomicAggregate = 6
    case aggregator = 7
    case communities = 8
    case originatorID = 9
    case clusterList = 10
    case multiprotocolReach = 14
    case multiprotocolUnreach = 15
    case as4Path = 17
    case as4Aggregator = 18
    case largeCommunities = 32

    /// The attribute flag bits (RFC 4271 §4.3).
    enum Flags {
        static let optional: UInt8 = 0x80
        static let transitive: UInt8 = 0x40
        static let partial: UInt8 = 0x20
        static let extendedLength: UInt8 = 0x10
    }

    /// The RFC's name.
    var description: String {
        switch self {
        case .origin: "ORIGIN"
        case .asPath: "AS_PATH"
        case .nextHop: "NEXT_HOP"
        case .multiExitDiscriminator: "MULTI_EXIT_DISC"
        case .localPreference: "LOCAL_PREF"
        case .atomicAggregate: "ATOMIC_AGGREGATE"
        case .aggregator: "AGGREGATOR"
        case .communities: "COMMUNITIES"
        case .originatorID: "ORIGINATOR_ID"
        case .clusterList: "CLUSTER_LIST"
        case .multiprotocolReach: "MP_REACH_NLRI"
        case .multiprotocolUnreach: "MP_UNREACH_NLRI"
        case .as4Path: "AS4_PATH"
        case .as4Aggregator: "AS4_AGGREGATOR"
        case .largeCommunities: "LARGE_COMMUNITIES"
        }
    }

    /// The name of any type code: the RFC's, or "attribute 99".
    static func name(_ code: UInt8) -> String {
        PathAttributeType(rawValue: code).map(\.description) ?? "attribute \(code)"
    }
}
