import KubernetesModel

/// Percent-encoding for URL path segments and query components (RFC 3986 unreserved characters pass as they are).
///
/// Label selectors carry `=`, `!`, `,`, spaces and parentheses, and continue tokens carry base64 `+`, `/` and `=`,
/// all of which would change meaning if sent raw; everything but the unreserved set is encoded.
enum PathEscaping {
    /// `value` with every byte outside `A-Z a-z 0-9 - . _ ~` percent-encoded.
    static func component(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        let hex: [Character] = Array("0123456789ABCDEF")
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result.append("%")
                result.append(hex[Int(byte >> 4)])
                result.append(hex[Int(byte & 0x0F)])
            }
        }
        return result
    }

    /// `path` with each segment encoded and its slashes kept.
    static func path(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { component(String($0)) }
            .joined(separator: "/")
    }

    /// `?a=b&c=d`, or "" when there is nothing to send.
    static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(component($0.0))=\(component($0.1))" }.joined(separator: "&")
    }
}
