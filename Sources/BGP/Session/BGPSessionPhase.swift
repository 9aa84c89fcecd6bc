/// What the session state machine holds in each state: every fact lives in the case of the states
/// it belongs to, so no state can carry one it cannot have (End-of-RIB is awaited only while
/// Established; this speaker's own restart is over once a session is).
enum BGPSessionPhase: Sendable {
    /// Idle, Connect, Active or OpenSent, which share their facts.
    case early(BGPSessionPhase.Early, BGPSessionPhase.Unestablished)
    case openConfirm(BGPSessionPhase.OpenConfirm)
    case established(BGPSessionPhase.Established)

    /// The states before the peer's OPEN is accepted.
    enum Early: Sendable {
        case idle, connect, active, openSent
    }

    /// The facts of the states before Established.
    struct Unestablished: Sendable {
        /// Families whose routes from the peer graceful restart keeps stale while it is away.
        var staleFamilies: [AFISAFI]
        /// This speaker restarted with its forwarding state and has not been Established since:
        /// its OPENs set graceful restart's R bit (RFC 4724 §3).
        var restarting: Bool
    }

    /// OPENs exchanged: what they settled, and what the states before carried.
    struct OpenConfirm: Sendable {
        let session: BGPNegotiatedSession
        var previous: Unestablished

        init(_ previous: Unestablished, session: BGPNegotiatedSession) {
            self.session = session
            self.previous = previous
        }
    }

    /// Routes flow: the families whose End-of-RIB is awaited, and those still stale from before.
    struct Established: Sendable {
        let session: BGPNegotiatedSession
        var staleFamilies: [AFISAFI]
        var awaitingEndOfRIB: [AFISAFI]

        /// The KEEPALIVE in OpenConfirm: the peer owes an End-of-RIB for every family, and this
        /// speaker's restart, if any, is over.
        init(_ previous: OpenConfirm) {
            session = previous.session
            staleFamilies = previous.previous.staleFamilies
            awaitingEndOfRIB = previous.session.families
        }
    }

    /// The public view: the RFC 4271 state and what was negotiated.
    var state: BGPSessionState {
        switch self {
        case .early(.idle, _): .idle
        case .early(.connect, _): .connect
        case .early(.active, _): .active
        case .early(.openSent, _): .openSent
        case .openConfirm(let confirm): .openConfirm(confirm.session)
        case .established(let established): .established(established.session)
        }
    }

    /// The families kept stale, in whichever state.
    var staleFamilies: [AFISAFI] {
        get {
            switch self {
            case .early(_, let facts): facts.staleFamilies
            case .openConfirm(let confirm): confirm.previous.staleFamilies
            case .established(let established): established.staleFamilies
            }
        }
        set {
            switch self {
            case .early(let stage, var facts):
                facts.staleFamilies = newValue
                self = .early(stage, facts)
            case .openConfirm(var confirm):
                confirm.previous.staleFamilies = newValue
                self = .openConfirm(confirm)
            case .established(var established):
                established.staleFamilies = newValue
                self = .established(established)
            }
        }
    }

    /// The facts a state before Established carries over to the next; an Established session
    /// leaves nothing stale and no restart behind it.
    var unestablished: Unestablished {
        switch self {
        case .early(_, let facts): facts
        case .openConfirm(let confirm): confirm.previous
        case .established: Unestablished(staleFamilies: [], restarting: false)
        }
    }
}
