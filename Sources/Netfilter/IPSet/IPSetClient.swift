import Addresses
import CIPSet
import Netlink
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Creates, fills, swaps and destroys ipsets in one network namespace, through libipset.
///
/// Every call blocks on netlink round trips: run it on a `NetlinkExecutor` (or another thread
/// of its own), never directly on Swift's cooperative pool. Calls are serialised, across all
/// clients of the process, because libipset keeps unlocked global state.
///
/// Ownership: only sets whose names start with `ownedPrefix` are ever changed. Every mutating
/// call on another name throws an `IPSetError` of kind `.notOwned` before anything reaches the
/// kernel, so foreign sets are never touched by construction. Reading works on any set.
public final class IPSetClient: Sendable {
    /// The namespace whose sets this client reads and changes.
    public let namespace: NetworkNamespace
    /// The prefix of the names of the sets this client may change ("RUDDER-").
    public let ownedPrefix: String
    /// The session, opened again after a failure (see `IPSetHandle`).
    private let handle = Mutex<IPSetHandle?>(nil)

    /// The kernel's limit on a set name, in bytes.
    public static let maximumNameLength = 31
    /// What `temporaryName(for:)` appends to the owned prefix: "TMP-" and eight hex digits.
    private static let temporarySuffixLength = 12

    /// Opens a libipset session in `namespace`; it fails when the kernel has no ipset support.
    ///
    /// `ownedPrefix` must leave room for temporary names: at most 19 characters.
    public init(namespace: NetworkNamespace = .current, ownedPrefix: String = "RUDDER-") throws(IPSetError) {
        self.namespace = namespace
        self.ownedPrefix = ownedPrefix
        if let problem = Self.nameProblem(ownedPrefix) {
            throw IPSetError(
                setName: nil, operation: .open(namespace), kind: .invalidArgument,
                message: "owned prefix \(ownedPrefix.debugDescription): \(problem)")
        }
        let room = Self.maximumNameLength - Self.temporarySuffixLength
        guard ownedPrefix.utf8.count <= room else {
            throw IPSetError(
                setName: nil, operation: .open(namespace), kind: .invalidArgument,
                message: "owned prefix \(ownedPrefix) is longer than \(room) characters")
        }
        try perform(.open(namespace), set: nil) { _ throws(IPSetHandle.Failure) in }
    }

    deinit {
        handle.withLock { handle in
            IPSetLibrary.withLock { handle?.close() }
            handle = nil
        }
    }

    /// Whether this client may change the set called `name`.
    public func isOwned(_ name: String) -> Bool {
        name.hasPrefix(ownedPrefix) && name.utf8.count > ownedPrefix.utf8.count
    }

    /// The name of the set that `replaceMembers(of:)` fills before swapping it with `name`.
    ///
    /// It is derived from `name` (the owned prefix, "TMP-" and a hash), so a temporary set that
    /// a crash left behind is found and removed by the next replacement of the same set.
    public func temporaryName(for name: String) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let digits = String(hash, radix: 16, uppercase: true)
        return "\(ownedPrefix)TMP-\(String(repeating: "0", count: 8 - digits.count))\(digits)"
    }

    /// The names of all sets in the namespace, owned or not.
    public func names() throws(IPSetError) -> [String] {
        try perform(.listNames, set: nil) { handle throws(IPSetHandle.Failure) in try Self.names(handle) }
    }

    /// The members of the set `name` (owned or not), in the kernel's order.
    public func members(of name: String) throws(IPSetError) -> [IPSetMember] {
        try requireValidName(name, for: .list)
        let output = try perform(.list, set: name) { handle throws(IPSetHandle.Failure) in
            try handle.command("save \(name)", output: IPSET_LIST_SAVE)
        }
        var typeName: String?
        var elements: [Substring] = []
        for line in output.split(separator: "\n") {
            // "create NAME TYPE family inet ..." then "add NAME MEMBER [options]".
            let fields = line.split(separator: " ")
            guard fields.count >= 3, fields[1] == name else { continue }
            if fields[0] == "create" { typeName = String(fields[2]) }
            if fields[0] == "add" { elements.append(fields[2]) }
        }
        guard let typeName, let type = IPSetType(rawValue: typeName) else {
            throw IPSetError(
                setName: name, operation: .list, kind: .unsupported,
                message: "sets of type \(typeName ?? "(none listed)") are not supported")
        }
        var members: [IPSetMember] = []
        members.reserveCapacity(elements.count)
        for element in elements {
            guard let member = IPSetMember(parsing: element, as: type) else {
                throw IPSetError(
                    setName: name, operation: .list, kind: .unsupported,
                    message: "cannot read member '\(element)' of a \(type) set")
            }
            members.append(member)
        }
        return members
    }

    /// Creates the set `name`; it fails if a set of that name exists.
    public func create(
        name: String, type: IPSetType, family: AddressFamily, options: IPSetOptions = IPSetOptions()
    ) throws(IPSetError) {
        try requireOwned(name, for: .create)
        try perform(.create, set: name) { handle throws(IPSetHandle.Failure) in
            try Self.create(handle, name: name, type: type, family: family, options: options)
        }
    }

    /// Destroys the set `name`; it fails if the set does not exist or a firewall rule uses it.
    public func destroy(name: String) throws(IPSetError) {
        try requireOwned(name, for: .destroy)
        try perform(.destroy, set: name) { handle throws(IPSetHandle.Failure) in
            handle.forgetCachedType(of: name)
            _ = try handle.command("destroy \(name)")
        }
    }

    /// Adds `member` to the set `name`; adding a member that is already there changes nothing.
    ///
    /// A member that does not fit the set's type or family is refused with the set named.
    public func add(_ member: IPSetMember, to name: String) throws(IPSetError) {
        try modify(IPSET_CMD_ADD, member, name, operation: .add(member))
    }

    /// Deletes `member` from the set `name`; deleting a member that is not there changes nothing.
    public func delete(_ member: IPSetMember, from name: String) throws(IPSetError) {
        try modify(IPSET_CMD_DEL, member, name, operation: .delete(member))
    }

    /// Exchanges the contents (and types and options) of two sets, atomically for packet matching.
    public func swap(_ first: String, _ second: String) throws(IPSetError) {
        try requireOwned(first, for: .swap(with: second))
        try requireOwned(second, for: .swap(with: first))
        try perform(.swap(with: second), set: first) { handle throws(IPSetHandle.Failure) in
            try Self.retryingWhileBusy { () throws(IPSetHandle.Failure) in
                _ = try handle.command("swap \(first) \(second)")
            }
        }
    }

    /// Makes `members` the exact contents of the set `name`, atomically for packet matching.
    ///
    /// It fills the temporary set `temporaryName(for: name)`, swaps it with `name` and destroys
    /// it, so that no packet ever sees a half-filled set. The set is created first if it does not
    /// exist; afterwards it has `type`, `family` and `options`, with room for every member.
    /// An existing set of another type or family is refused by the kernel's swap and kept as it is.
    public func replaceMembers(
        of name: String, with members: Set<IPSetMember>, type: IPSetType, family: AddressFamily,
        options: IPSetOptions = IPSetOptions()
    ) throws(IPSetError) {
        try requireOwned(name, for: .replaceMembers)
        let ordered = Array(members)
        let problems = ordered.compactMap { member in
            Self.problem(with: member, type: type, family: family).map { (member.description, $0) }
        }
        if let first = problems.min(by: { $0.0 < $1.0 }) {
            throw IPSetError(setName: name, operation: .replaceMembers, kind: .invalidArgument, message: first.1)
        }
        var sized = options
        sized.maxElements = max(options.maxElements, UInt32(clamping: ordered.count))
        let temporary = temporaryName(for: name)
        do throws(IPSetError) {
            try perform(.replaceMembers, set: name) { handle throws(IPSetHandle.Failure) in
                let existing = Set(try Self.names(handle))
                if existing.contains(temporary) {
                    handle.forgetCachedType(of: temporary)
                    _ = try handle.command("destroy \(temporary)")
                }
                if !existing.contains(name) {
                    try Self.create(handle, name: name, type: type, family: family, options: sized)
                }
                try Self.create(handle, name: temporary, type: type, family: family, options: sized)
                do throws(IPSetHandle.Failure) {
                    try handle.modify(
                        IPSET_CMD_ADD, set: temporary, elements: ordered.map(\.description), ignoreExisting: true)
                } catch {
                    var failure = error
                    if let line = error.line, ordered.indices.contains(line - 1) {
                        failure.message = "member \(ordered[line - 1]): \(error.message)"
                    }
                    throw failure
                }
                try Self.retryingWhileBusy { () throws(IPSetHandle.Failure) in
                    _ = try handle.command("swap \(name) \(temporary)")
                }
                handle.forgetCachedType(of: temporary)
                try Self.retryingWhileBusy { () throws(IPSetHandle.Failure) in
                    _ = try handle.command("destroy \(temporary)")
                }
            }
        } catch {
            // The failed session was closed; a fresh one removes the temporary set if it was made.
            try? perform(.destroy, set: temporary) { handle throws(IPSetHandle.Failure) in
                if try Self.names(handle).contains(temporary) { _ = try handle.command("destroy \(temporary)") }
            }
            throw error
        }
    }

    /// Adds or deletes one member after checking it against the set's type and family.
    private func modify(
        _ command: ipset_cmd, _ member: IPSetMember, _ name: String, operation: IPSetError.Operation
    ) throws(IPSetError) {
        try requireOwned(name, for: operation)
        try perform(operation, set: name) { handle throws(IPSetHandle.Failure) in
            // The cache is per process, not per namespace, and may be stale: ask this kernel.
            handle.forgetCachedType(of: name)
            try handle.modify(command, set: name, elements: [member.description], ignoreExisting: true) {
                header throws(IPSetHandle.Failure) in
                guard let type = IPSetType(rawValue: header.typeName) else {
                    throw IPSetHandle.Failure(
                        message: "sets of type \(header.typeName) are not supported", refusal: .unsupported)
                }
                if let problem = Self.problem(with: member, type: type, family: header.family) {
                    throw IPSetHandle.Failure(message: problem, refusal: .invalidArgument)
                }
            }
        }
    }

    /// Runs `body` with this client's session, opening one if needed and closing it after a failure.
    private func perform<Result: Sendable>(
        _ operation: IPSetError.Operation, set: String?,
        _ body: (IPSetHandle) throws(IPSetHandle.Failure) -> Result
    ) throws(IPSetError) -> Result {
        try handle.withLock { (current: inout IPSetHandle?) throws(IPSetError) -> Result in
            try IPSetLibrary.withLock { () throws(IPSetError) -> Result in
                let session: IPSetHandle
                if let current {
                    session = current
                } else {
                    do throws(IPSetHandle.Failure) {
                        session = try IPSetHandle.open(in: namespace)
                    } catch {
                        throw IPSetError(
                            setName: nil, operation: .open(namespace), kind: .failed, message: error.message)
                    }
                    current = session
                }
                do throws(IPSetHandle.Failure) {
                    return try body(session)
                } catch {
                    if error.refusal == nil {
                        session.close()
                        current = nil
                    }
                    throw IPSetError(
                        setName: set, operation: operation, kind: error.refusal ?? .failed,
                        message: error.message)
                }
            }
        }
    }

    /// Throws unless `name` is a valid set name that this client owns.
    private func requireOwned(_ name: String, for operation: IPSetError.Operation) throws(IPSetError) {
        try requireValidName(name, for: operation)
        guard isOwned(name) else {
            throw IPSetError(
                setName: name, operation: operation, kind: .notOwned,
                message: "\(name) is not owned by Rudder: only sets named \(ownedPrefix)* are changed")
        }
    }

    /// Throws unless `name` can be passed to libipset as one word.
    private func requireValidName(_ name: String, for operation: IPSetError.Operation) throws(IPSetError) {
        if let problem = Self.nameProblem(name) {
            throw IPSetError(setName: name, operation: operation, kind: .invalidArgument, message: problem)
        }
    }

    /// Why `name` cannot be a set name, or nil.
    private static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "a set name cannot be empty" }
        if name.utf8.count > maximumNameLength {
            return "a set name has at most \(maximumNameLength) characters (this one has \(name.utf8.count))"
        }
        // Names travel inside command lines, so nothing may split or quote them.
        let printable = name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" }
        if !printable || name.hasPrefix("-") {
            return "a set name must be printable ASCII without spaces or quotes, not starting with '-'"
        }
        return nil
    }

    /// Why `member` cannot go into a set of `type` and `family`, or nil.
    private static func problem(with member: IPSetMember, type: IPSetType, family: AddressFamily?) -> String? {
        if !type.accepts(member) {
            let expected =
                switch type {
                case .hashIP: "an address"
                case .hashNet: "a prefix"
                case .hashIPPort: "ADDRESS,PROTOCOL:PORT"
                case .hashIPPortIP: "ADDRESS,PROTOCOL:PORT,ADDRESS"
                case .hashIPPortNet: "ADDRESS,PROTOCOL:PORT,PREFIX"
                }
            return "member \(member) does not fit a \(type) set, which holds \(expected)"
        }
        if let family, member.family != family {
            return "member \(member) is \(familyName(member.family)) but the set is family \(familyName(family))"
        }
        if case .net(let prefix) = member, prefix.network != prefix {
            return "member \(member) has host bits set (the kernel would store \(prefix.network))"
        }
        if case .ipPortNet(_, _, _, let prefix) = member, prefix.network != prefix {
            return "member \(member) has host bits set (the kernel would store \(prefix.network))"
        }
        return nil
    }

    /// ipset's name of an address family.
    private static func familyName(_ family: AddressFamily) -> String {
        family == .ipv4 ? "inet" : "inet6"
    }

    /// Runs `body` again while the kernel says a set is busy, for at most about a second.
    ///
    /// The kernel refuses to swap or destroy a set while anyone (`ipset list`, another agent) is
    /// dumping it; such a dump ends quickly, so the refusal is transient.
    private static func retryingWhileBusy(_ body: () throws(IPSetHandle.Failure) -> Void) throws(IPSetHandle.Failure) {
        let busy = [String(cString: strerror(EBUSY)), "Set cannot be destroyed: it is in use by a kernel component"]
        var attempt = 0
        while true {
            do throws(IPSetHandle.Failure) {
                return try body()
            } catch {
                attempt += 1
                guard attempt < 200, busy.contains(where: error.message.contains) else { throw error }
                usleep(5_000)
            }
        }
    }

    /// The names of all sets, as `ipset list -name` prints them.
    private static func names(_ handle: IPSetHandle) throws(IPSetHandle.Failure) -> [String] {
        try handle.command("list", options: [IPSET_ENV_LIST_SETNAME], output: IPSET_LIST_PLAIN)
            .split(separator: "\n").map(String.init)
    }

    /// Creates a set with `ipset create`'s syntax; entries never time out.
    private static func create(
        _ handle: IPSetHandle, name: String, type: IPSetType, family: AddressFamily, options: IPSetOptions
    ) throws(IPSetHandle.Failure) {
        // A cached entry of the same name blocks libipset from caching the new set's type.
        handle.forgetCachedType(of: name)
        _ = try handle.command(
            "create \(name) \(type) family \(familyName(family)) hashsize \(options.hashSize) "
                + "maxelem \(options.maxElements)")
    }
}
