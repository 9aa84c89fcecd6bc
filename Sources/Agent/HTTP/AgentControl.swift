import BGP
import BGPSpeaker
import Synchronization

/// What the local control socket reaches inside the running agent: its BGP speaker, once started.
public final class AgentControl: Sendable {
    private let bgpSpeaker = Mutex<BGPSpeaker?>(nil)
    private let bgpPlan = Mutex<BGPNodePlan?>(nil)
    private let cni = Mutex<String?>(nil)

    /// Nothing to control yet.
    public init() {}

    /// The running speaker, if BGP is on and started.
    public var speaker: BGPSpeaker? { bgpSpeaker.withLock { $0 } }

    /// The plan the speaker last applied.
    public var plan: BGPNodePlan? { bgpPlan.withLock { $0 } }

    /// The conflist the pod network last wanted, or nil before it had a pod CIDR (or when it is off).
    public var cniConfiguration: String? { cni.withLock { $0 } }

    /// Records the conflist the pod network wants.
    func set(cniConfiguration text: String?) {
        cni.withLock { $0 = text }
    }

    func set(speaker: BGPSpeaker?, plan: BGPNodePlan?) {
        bgpSpeaker.withLock { $0 = speaker }
        bgpPlan.withLock { $0 = plan }
    }
}
