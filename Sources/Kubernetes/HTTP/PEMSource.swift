import KubernetesModel

/// Where PEM material comes from: bytes embedded in a kubeconfig, or a file that libcurl re-reads per connection.
///
/// Files stay files so that a rotated certificate or CA is picked up by the next connection.
public enum PEMSource: Sendable, Equatable {
    /// PEM bytes, as decoded from a `*-data` kubeconfig field.
    case data([UInt8])
    /// An absolute path to a PEM file.
    case file(String)
}
