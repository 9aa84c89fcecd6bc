/// The kernel's IPVS generic netlink numbers, from include/uapi/linux/ip_vs.h.
///
/// IPVS_CMD_FLUSH is deliberately absent: Rudder never removes what it does not own.
enum IPVSNetlink {
    /// genlmsghdr.cmd values (IPVS_CMD_*).
    enum Command {
        static let newService: UInt8 = 1
        static let setService: UInt8 = 2
        static let deleteService: UInt8 = 3
        static let getService: UInt8 = 4
        static let newDestination: UInt8 = 5
        static let setDestination: UInt8 = 6
        static let deleteDestination: UInt8 = 7
        static let getDestination: UInt8 = 8
        static let setConfig: UInt8 = 12
        static let getConfig: UInt8 = 13
    }

    /// Top-level attributes (IPVS_CMD_ATTR_*).
    enum CommandAttribute {
        static let service: UInt16 = 1
        static let destination: UInt16 = 2
        static let timeoutTCP: UInt16 = 4
        static let timeoutTCPFin: UInt16 = 5
        static let timeoutUDP: UInt16 = 6
        static let max: UInt16 = 6
    }

    /// Attributes inside IPVS_CMD_ATTR_SERVICE (IPVS_SVC_ATTR_*).
    enum ServiceAttribute {
        static let addressFamily: UInt16 = 1
        static let proto: UInt16 = 2
        static let address: UInt16 = 3
        static let port: UInt16 = 4
        static let firewallMark: UInt16 = 5
        static let schedulerName: UInt16 = 6
        static let flags: UInt16 = 7
        static let timeout: UInt16 = 8
        static let netmask: UInt16 = 9
        static let statistics: UInt16 = 10
        static let persistenceEngine: UInt16 = 11
        static let statistics64: UInt16 = 12
        static let max: UInt16 = 12
    }

    /// Attributes inside IPVS_CMD_ATTR_DEST (IPVS_DEST_ATTR_*).
    enum DestinationAttribute {
        static let address: UInt16 = 1
        static let port: UInt16 = 2
        static let forwardingMethod: UInt16 = 3
        static let weight: UInt16 = 4
        static let upperThreshold: UInt16 = 5
        static let lowerThreshold: UInt16 = 6
        static let activeConnections: UInt16 = 7
        static let inactiveConnections: UInt16 = 8
        static let persistentConnections: UInt16 = 9
        static let statistics: UInt16 = 10
        static let addressFamily: UInt16 = 11
        static let statistics64: UInt16 = 12
        static let tunnelType: UInt16 = 13
        static let tunnelPort: UInt16 = 14
        static let tunnelFlags: UInt16 = 15
        static let max: UInt16 = 15
    }

    /// Attributes inside the statistics nests (IPVS_STATS_ATTR_*).
    enum StatisticsAttribute {
        static let connections: UInt16 = 1
        static let incomingPackets: UInt16 = 2
        static let outgoingPackets: UInt16 = 3
        static let incomingBytes: UInt16 = 4
        static let outgoingBytes: UInt16 = 5
        static let connectionsPerSecond: UInt16 = 6
        static let incomingPacketsPerSecond: UInt16 = 7
        static let outgoingPacketsPerSecond: UInt16 = 8
        static let incomingBytesPerSecond: UInt16 = 9
        static let outgoingBytesPerSecond: UInt16 = 10
        static let max: UInt16 = 11
    }

    /// The size of union nf_inet_addr, which carries both IPv4 and IPv6 addresses.
    static let addressSize = 16
    /// The size of struct ip_vs_flags { u32 flags; u32 mask; }.
    static let flagsSize = 8
    /// The size of struct genlmsghdr.
    static let genericHeaderSize = 4
}
