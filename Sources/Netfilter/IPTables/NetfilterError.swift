/// A netfilter tool (`iptables-restore`, `iptables-save`) that could not run or exited with an error.
public struct NetfilterError: Error, Sendable, CustomStringConvertible {
    /// The command line.
    public var command: [String]
    /// The exit status, or nil when the tool never ran or died of a signal.
    public var status: Int32?
    /// What the tool printed on stderr, or why it could not run.
    public var message: String

    /// An error.
    public init(command: [String], status: Int32?, message: String) {
        self.command = command
        self.status = status
        self.message = message
    }

    /// One line: the command, how it ended and its message.
    public var description: String {
        let ending = status.map { "exited with \($0)" } ?? "failed"
        let text = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
        return "\(command.joined(separator: " ")) \(ending): \(text)"
    }
}
