/// Which endpoints serve traffic arriving at a node (`externalTrafficPolicy`, `internalTrafficPolicy`).
public enum TrafficPolicy: String, KubernetesEnum {
    /// Every endpoint in the cluster (the source address is masqueraded).
    case cluster = "Cluster"
    /// Only endpoints on the receiving node (the source address is kept).
    case local = "Local"
}
