/// `status` of a Pod.
public struct PodStatus: Codable, Sendable, Hashable {
    /// The lifecycle phase.
    public var phase: PodPhase?
    /// The primary address.
    public var podIP: String?
    /// All addresses (one per family).
    public var podIPs: [PodIP]
    /// `Guaranteed`, `Burstable` or `BestEffort` (which cgroup subtree the pod is in).
    public var qosClass: String?
    /// The containers' states.
    public var containerStatuses: [ContainerStatus]

    /// A pod status.
    public init(
        phase: PodPhase? = nil, podIP: String? = nil, podIPs: [PodIP] = [], qosClass: String? = nil,
        containerStatuses: [ContainerStatus] = []
    ) {
        self.phase = phase
        self.podIP = podIP
        self.podIPs = podIPs
        self.qosClass = qosClass
        self.containerStatuses = containerStatuses
    }

    private enum CodingKeys: String, CodingKey {
        case phase, podIP, podIPs, qosClass, containerStatuses
    }

    /// Decodes a status; absent lists are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phase = try container.decodeIfPresent(PodPhase.self, forKey: .phase)
        podIP = try container.decodeIfPresent(String.self, forKey: .podIP)
        podIPs = try container.decodeIfPresent([PodIP].self, forKey: .podIPs) ?? []
        qosClass = try container.decodeIfPresent(String.self, forKey: .qosClass)
        containerStatuses = try container.decodeIfPresent([ContainerStatus].self, forKey: .containerStatuses) ?? []
    }
}
