/// How a Service is exposed (`spec.type`).
public enum ServiceType: String, KubernetesEnum {
    /// A virtual IP inside the cluster.
    case clusterIP = "ClusterIP"
    /// A ClusterIP plus a port on every node.
    case nodePort = "NodePort"
    /// A NodePort plus an external load balancer's address.
    case loadBalancer = "LoadBalancer"
    /// A DNS alias; no proxying.
    case externalName = "ExternalName"
}
