/// The kind of addresses an EndpointSlice holds; any other value fails decoding, so the slice is rejected.
///
/// FQDN slices decode (the API allows them) but carry names, not addresses: a service proxy skips them.
public enum AddressType: String, KubernetesEnum {
    /// IPv4 addresses.
    case ipv4 = "IPv4"
    /// IPv6 addresses.
    case ipv6 = "IPv6"
    /// Fully qualified domain names.
    case fqdn = "FQDN"
}
