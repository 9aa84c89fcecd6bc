/// A received message that cannot be accepted: what was wrong, in which object, and the
/// NOTIFICATION that RFC 4271 (as revised by RFC 7606) says to send before closing the session.
public struct BGPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message or attribute at fault ("OPEN", "MP_REACH_NLRI attribute").
    public var object: String
    /// What is wrong with it.
    public var problem: String
    /// The NOTIFICATION to send.
    public var notification: BGPNotification

    /// An error from its parts.
    public init(object: String, problem: String, notification: BGPNotification) {
        self.object = object
        self.problem = problem
        self.notification = notification
    }

    /// "BGP OPEN: hold time 2 is below 3 seconds (sending OPEN Message Error / ...)".
    public var description: String {
        "BGP \(object): \(problem) (sending \(notification))"
    }
}
