import BGP
import Kubernetes
import KubernetesModel

extension BGPNodePlan {
    /// Originates this node's pod CIDRs (when advertised) and the VIPs it serves, with the
    /// configured and annotated communities.
    mutating func originate(
        node: Node, name: String, annotations: NodeBGPAnnotations, configuration: RudderConfiguration.BGP,
        vips: Set<BGPPrefix>
    ) {
        var attributes = PathAttributes()
        attributes.communities = annotations.communities
        attributes.largeCommunities = annotations.largeCommunities
        for text in configuration.communities {
            switch NodeBGPAnnotations.community(text) {
            case .standard(let community): attributes.communities.append(community)
            case .large(let community): attributes.largeCommunities.append(community)
            case nil: break  // The configuration was validated when it was read.
            }
        }
        if configuration.advertisePodCIDRs {
            for text in NodeRoutes.podCIDRs(of: node) where !text.isEmpty {
                guard let prefix = BGPPrefix(text) else {
                    problems.append("node \(name): podCIDR '\(text)' is not a prefix; not advertised")
                    continue
                }
                originated[prefix] = attributes
            }
        }
        for vip in vips { originated[vip] = attributes }
    }
}
