/// What an UPDATE's encoding depends on, fixed per session once OPENs are exchanged.
public struct BGPCodecContext: Hashable, Sendable {
    /// Both sides sent the 4-octet AS capability, so AS_PATH and AGGREGATOR carry 4-octet AS
    /// numbers; otherwise they carry 2-octet ones, with AS4_PATH and AS4_AGGREGATOR beside them (RFC 6793).
    public var fourOctetAS: Bool
    /// The peer is in another AS: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from it are discarded (RFC 7606 §7.5, §7.9, §7.10).
    public var externalPeer: Bool

    /// A context from its parts.
    public init(fourOctetAS: Bool, externalPeer: Bool) {
        self.fourOctetAS = fourOctetAS
        self.externalPeer = externalPeer
    }
}
