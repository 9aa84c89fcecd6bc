/// A TCP MD5 password (RFC 2385). Its description and debug description are redacted, so printing a
/// configuration or logging a peer can never reveal it.
public struct BGPPassword: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key bytes as the kernel takes them (at most 80).
    public let bytes: [UInt8]

    /// The kernel's longest key (TCP_MD5SIG_MAXKEYLEN in linux/tcp.h).
    public static let maximumLength = 80

    /// A password from its text; nil when it is empty or longer than the kernel's 80 bytes.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maximumLength else { return nil }
        self.bytes = bytes
    }

    /// "<redacted>".
    public var description: String { "<redacted>" }

    /// "<redacted>".
    public var debugDescription: String { "<redacted>" }
}
