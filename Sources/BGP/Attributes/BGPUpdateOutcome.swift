/// What a received UPDATE amounts to under RFC 7606's revised error handling.
public enum BGPUpdateOutcome: Hashable, Sendable {
    /// Nothing was wrong.
    case clean(BGPUpdate)
    /// Some attributes were dropped (each listed with why); the routes stand with the rest.
    case attributesDiscarded(BGPUpdate, [BGPAttributeProblem])
    /// The routes in the message, including MP_REACH_NLRI's, are to be withdrawn: the update holds
    /// only withdrawals (IPv4 in the Withdrawn Routes field, IPv6 in MP_UNREACH_NLRI).
    case treatAsWithdraw(BGPUpdate, [BGPAttributeProblem])
    /// The message cannot be parsed safely: send the error's NOTIFICATION and close the session.
    case sessionReset(BGPError)

    /// The update to apply, or nil when the session must be reset.
    public var update: BGPUpdate? {
        switch self {
        case .clean(let update), .attributesDiscarded(let update, _), .treatAsWithdraw(let update, _): update
        case .sessionReset: nil
        }
    }

    /// The problems found (empty when clean or when the session must be reset).
    public var problems: [BGPAttributeProblem] {
        switch self {
        case .attributesDiscarded(_, let problems), .treatAsWithdraw(_, let problems): problems
        case .clean, .sessionReset: []
        }
    }
}
