/// Whether a Service is single- or dual-stack (`spec.ipFamilyPolicy`).
public enum IPFamilyPolicy: String, KubernetesEnum {
    /// One family.
    case singleStack = "SingleStack"
    /// Two families when the cluster has them.
    case preferDualStack = "PreferDualStack"
    /// Two families, or the Service is refused.
    case requireDualStack = "RequireDualStack"
}
