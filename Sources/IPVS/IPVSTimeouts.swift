/// IPVS connection timeouts of a network namespace, in seconds (`ipvsadm --set`).
public struct IPVSTimeouts: Hashable, Sendable, CustomStringConvertible {
    /// Idle timeout of an established TCP connection.
    public var tcp: UInt32
    /// Timeout of a TCP connection after a FIN.
    public var tcpFin: UInt32
    /// Idle timeout of a UDP flow.
    public var udp: UInt32

    /// Timeouts; when setting, 0 leaves that timeout as it is (the kernel's rule).
    public init(tcp: UInt32, tcpFin: UInt32, udp: UInt32) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }

    /// "900 120 300", the order of `ipvsadm -Ln --timeout`.
    public var description: String { "\(tcp) \(tcpFin) \(udp)" }
}
