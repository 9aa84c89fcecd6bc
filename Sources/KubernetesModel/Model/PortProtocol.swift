/// The transport protocol of a port; the API server fills in TCP when a manifest leaves it out.
public enum PortProtocol: String, KubernetesEnum {
    /// TCP.
    case tcp = "TCP"
    /// UDP.
    case udp = "UDP"
    /// SCTP.
    case sctp = "SCTP"
}
