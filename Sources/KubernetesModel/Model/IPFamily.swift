/// An IP family of a Service (`spec.ipFamilies`).
public enum IPFamily: String, KubernetesEnum {
    /// IPv4.
    case ipv4 = "IPv4"
    /// IPv6.
    case ipv6 = "IPv6"
}
