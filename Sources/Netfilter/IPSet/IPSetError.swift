import Netlink

/// A failed ipset operation: the set, what was attempted, and why, in one line.
///
/// For kernel and parser failures `message` is libipset's own text (as `ipset` would print it).
public struct IPSetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was attempted.
    public enum Operation: Sendable, Equatable, CustomStringConvertible {
        /// Opening the libipset session in a network namespace.
        case open(NetworkNamespace)
        /// Listing the names of all sets.
        case listNames
        /// Creating a set.
        case create
        /// Destroying a set.
        case destroy
        /// Listing a set's members.
        case list
        /// Adding a member.
        case add(IPSetMember)
        /// Deleting a member.
        case delete(IPSetMember)
        /// Swapping a set's contents with another set's.
        case swap(with: String)
        /// Replacing a set's contents (fill a temporary set, swap, destroy it).
        case replaceMembers

        /// The operation as a phrase, without the set's name.
        public var description: String {
            switch self {
            case .open(let namespace): "open session in network namespace \(namespace)"
            case .listNames: "list set names"
            case .create: "create"
            case .destroy: "destroy"
            case .list: "list"
            case .add(let member): "add \(member) to"
            case .delete(let member): "delete \(member) from"
            case .swap: "swap"
            case .replaceMembers: "replace members of"
            }
        }
    }

    /// Why the operation did not happen.
    public enum Kind: Sendable, Equatable {
        /// The set's name lacks the owned prefix: Rudder never changes such a set.
        case notOwned
        /// The request was refused before reaching the kernel (a bad name, a member that does not fit).
        case invalidArgument
        /// libipset or the kernel refused it.
        case failed
        /// The kernel holds something Rudder does not read: a set type or member it does not model.
        case unsupported
    }

    /// The set concerned; nil for operations on no single set.
    public var setName: String?
    /// What was attempted.
    public var operation: Operation
    /// Why it did not happen.
    public var kind: Kind
    /// The reason, in libipset's words where it gave them.
    public var message: String

    /// An error about `setName`; the message is trimmed and folded onto one line.
    public init(setName: String?, operation: Operation, kind: Kind, message: String) {
        self.setName = setName
        self.operation = operation
        self.kind = kind
        self.message = message.split(whereSeparator: \.isNewline)
            .map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
    }

    /// "ipset add 10.0.0.1 to RUDDER-X: The set with the given name does not exist".
    public var description: String {
        var subject = "ipset \(operation)"
        if let setName {
            subject += " \(setName)"
            if case .swap(let other) = operation { subject += " with \(other)" }
        }
        return "\(subject): \(message)"
    }
}
