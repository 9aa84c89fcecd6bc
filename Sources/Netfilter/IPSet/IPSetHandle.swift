import Addresses
import CIPSet
import Netlink

#if canImport(Glibc)
    import Glibc
#endif

/// One libipset handle (`struct ipset`) with the capture its callbacks write into.
///
/// Use it only with `IPSetLibrary`'s lock held. After a failure libipset's session can be left
/// inconsistent (a failed dump leaves a reply unread, and every later request then fails with
/// "Internal protocol error"), so the owner closes a handle that failed and opens a new one.
final class IPSetHandle {
    /// A failure in libipset's words; `line` is the 1-based element of a batch it concerns.
    struct Failure: Error {
        var message: String
        var line: Int?
        /// Set when Rudder refused the request before sending it, so the session is still sound.
        var refusal: IPSetError.Kind?
    }

    /// A set's type and family as libipset resolved them for an add or delete.
    struct Header {
        var typeName: String
        var family: AddressFamily?
    }

    private let ipset: OpaquePointer
    private let capture: UnsafeMutablePointer<rudder_ipset_capture>
    private var isOpen = true

    private init(ipset: OpaquePointer) {
        self.ipset = ipset
        capture = .allocate(capacity: 1)
        capture.initialize(to: rudder_ipset_capture(output: nil, output_length: 0, output_capacity: 0, error: nil))
        _ = rudder_ipset_capture_install(ipset, capture)
    }

    deinit {
        assert(!isOpen, "IPSetHandle dropped without close()")
    }

    /// Opens a handle whose netlink socket lives in `namespace`.
    static func open(in namespace: NetworkNamespace) throws(Failure) -> IPSetHandle {
        do {
            return try namespace.run { () throws(Failure) -> IPSetHandle in
                guard let ipset = ipset_init() else { throw Failure(message: "cannot initialise libipset") }
                let handle = IPSetHandle(ipset: ipset)
                // libipset opens its socket at the first command, so one runs here, inside the namespace.
                do throws(Failure) {
                    _ = try handle.command("list", options: [IPSET_ENV_LIST_SETNAME], output: IPSET_LIST_PLAIN)
                } catch {
                    handle.close()
                    throw error
                }
                return handle
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "\(error)")
        }
    }

    /// Frees libipset's handle (closing its socket) and the capture.
    func close() {
        guard isOpen else { return }
        isOpen = false
        ipset_fini(ipset)
        free(capture.pointee.output)
        free(capture.pointee.error)
        capture.deinitialize(count: 1)
        capture.deallocate()
    }

    /// Runs one command line as `ipset` would ("create NAME hash:ip ...") and returns its output.
    ///
    /// Environment options and the output mode persist in a libipset session, so each command
    /// sets exactly the ones it needs.
    func command(
        _ line: String, options: [ipset_envopt] = [], output: ipset_output_mode = IPSET_LIST_NONE
    ) throws(Failure) -> String {
        let session = prepare(options: options)
        _ = ipset_session_output(session, output)
        var buffer = Array(line.utf8CString)
        let status = buffer.withUnsafeMutableBufferPointer { ipset_parse_line(ipset, $0.baseAddress) }
        // libipset's return codes are not reliable after a custom error callback: trust the capture.
        try check(status)
        return takeOutput()
    }

    /// Adds (or deletes) `elements`, in ipset syntax, to `set` in restore mode: libipset packs
    /// many elements into each netlink message instead of one round trip per element.
    ///
    /// `validate` sees the set's type and family before the first element is sent.
    func modify(
        _ command: ipset_cmd, set: String, elements: [String], ignoreExisting: Bool,
        validate: (Header) throws(Failure) -> Void = { _ in }
    ) throws(Failure) {
        let session = prepare(options: ignoreExisting ? [IPSET_ENV_EXIST] : [])
        let data = ipset_session_data(session)
        for (index, element) in elements.enumerated() {
            _ = ipset_parse_setname(session, IPSET_SETNAME, set)
            try check(0)
            guard let type = ipset_type_get(session, command) else { throw failure(status: -1)! }
            if index == 0 {
                let family: AddressFamily? =
                    switch ipset_data_family(data) {
                    case UInt8(NFPROTO_IPV4): .ipv4
                    case UInt8(NFPROTO_IPV6): .ipv6
                    default: nil
                    }
                try validate(Header(typeName: String(cString: rudder_ipset_type_name(type)), family: family))
            }
            _ = ipset_parse_elem(session, rudder_ipset_type_last_elem_optional(type), element)
            try check(0)
            // A non-zero line number puts libipset in restore mode, which aggregates until the commit.
            try check(ipset_cmd(session, command, UInt32(index + 1)))
        }
        try check(ipset_commit(session))
    }

    /// Forgets libipset's cached type of `set`, so that the next add or delete asks this handle's kernel.
    func forgetCachedType(of set: String) {
        _ = ipset_cache_del(set)
    }

    /// Clears what the previous command left: data, options, output mode, report and capture.
    private func prepare(options: [ipset_envopt]) -> OpaquePointer {
        let session = ipset_session(ipset)!
        ipset_data_reset(ipset_session_data(session))
        let all = [
            IPSET_ENV_SORTED, IPSET_ENV_QUIET, IPSET_ENV_RESOLVE, IPSET_ENV_EXIST, IPSET_ENV_LIST_SETNAME,
            IPSET_ENV_LIST_HEADER,
        ]
        for option in all { ipset_envopt_unset(session, option) }
        for option in options { ipset_envopt_set(session, option) }
        _ = ipset_session_output(session, IPSET_LIST_NONE)
        ipset_session_report_reset(session)
        capture.pointee.output_length = 0
        free(capture.pointee.error)
        capture.pointee.error = nil
        return session
    }

    /// Throws the first error libipset reported, or a generic one when it failed without words.
    private func check(_ status: Int32) throws(Failure) {
        if let failure = failure(status: status) { throw failure }
    }

    /// The first error libipset reported, if any.
    private func failure(status: Int32) -> Failure? {
        let session = ipset_session(ipset)!
        var message: String?
        if let error = capture.pointee.error {
            message = String(cString: error)
        } else if ipset_session_report_type(session) == IPSET_ERROR, let report = ipset_session_report_msg(session) {
            message = String(cString: report)
        } else if status < 0 {
            message = "libipset failed without a message (status \(status))"
        }
        guard var message else { return nil }
        var line: Int?
        // Restore mode prefixes "Error in line N: "; the caller names the element instead.
        if let match = message.firstMatch(of: #/^Error in line (\d+): /#) {
            line = Int(match.output.1)
            message.removeSubrange(match.range)
        }
        return Failure(message: message, line: line)
    }

    /// What the last command printed.
    private func takeOutput() -> String {
        guard let output = capture.pointee.output else { return "" }
        let bytes = UnsafeRawBufferPointer(start: output, count: capture.pointee.output_length)
        return String(decoding: bytes, as: UTF8.self)
    }
}
