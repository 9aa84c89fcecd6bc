import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

/// A failed netlink operation: what was attempted, the errno, and the kernel's or libnl's words.
public struct NetlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, naming the object ("add route 10.1.0.0/24 table 254").
    public var operation: String
    /// The positive errno value (EEXIST, ESRCH, ...); 0 when only libnl knows the cause.
    public var errno: Int32
    /// libnl's own error code (NLE_*), when the error came through libnl.
    public var libnlCode: Int32?
    /// A human-readable reason: the kernel's extended ack message, libnl's, or strerror.
    public var message: String

    /// Builds an error from a kernel errno, preferring the extended-ack message when there is one.
    public init(operation: String, errno: Int32, kernelMessage: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.libnlCode = nil
        let reason = String(cString: strerror(errno))
        if let kernelMessage, !kernelMessage.isEmpty {
            self.message = "\(kernelMessage) (\(reason))"
        } else {
            self.message = reason
        }
    }

    /// Builds an error from a negative or positive libnl return code.
    public init(operation: String, libnlCode code: Int32) {
        let positive = code < 0 ? -code : code
        self.operation = operation
        self.libnlCode = positive
        self.errno = NetlinkError.errnoForLibnl(positive)
        self.message = String(cString: nl_geterror(positive))
    }

    public var description: String { "\(operation): \(message)" }

    /// libnl folds kernel errnos into its own codes; this maps back the ones callers test for.
    static func errnoForLibnl(_ code: Int32) -> Int32 {
        switch code {
        case NLE_EXIST: EEXIST
        case NLE_OBJ_NOTFOUND: ESRCH
        case NLE_NODEV: ENODEV
        case NLE_NOADDR: EADDRNOTAVAIL
        case NLE_PERM: EPERM
        case NLE_NOACCESS: EACCES
        case NLE_INVAL: EINVAL
        case NLE_RANGE: ERANGE
        case NLE_BUSY: EBUSY
        case NLE_AGAIN: EAGAIN
        case NLE_NOMEM: ENOMEM
        case NLE_OPNOTSUPP: EOPNOTSUPP
        case NLE_AF_NOSUPPORT: EAFNOSUPPORT
        case NLE_MSGSIZE: EMSGSIZE
        case NLE_BAD_SOCK: EBADF
        case NLE_INTR: EINTR
        default: 0
        }
    }

    /// Throws when a libnl call returned a negative code.
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        if code < 0 { throw NetlinkError(operation: operation(), libnlCode: code) }
    }
}
