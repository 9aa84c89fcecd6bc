extension RudderConfiguration {
    /// The `metrics` section: what `/metrics` serves beside the agent's own series.
    public struct Metrics: Sendable, Equatable, Section {
        /// Whether container memory and JVM series are computed at each scrape.
        public var containers: Bool
        /// Where the host's filesystem is seen: `/proc/self/mountinfo` and the cgroup mounts
        /// are read under it (`/host` when a DaemonSet mounts the host's root there).
        public var hostRoot: String
        /// The host's `/proc` (for processes' NSpid, command lines and hsperfdata files).
        public var procRoot: String
        /// Cgroup paths where kubelet's `kubepods` (or `kubepods.slice`) cgroup is looked for, at
        /// each path and one level below it.
        public var cgroupSearchPaths: [String]
        /// Cgroups that are not Kubernetes containers: every leaf below this cgroup path is
        /// reported as a container named by its path (nil: kubelet's layouts only).
        public var plainParent: String?
        /// The margin a JVM container's limit must keep above its heap ceiling, in percent.
        public var jvmMarginPercent: Int

        /// The section; every argument defaults to what an empty section gives.
        public init(
            containers: Bool = true, hostRoot: String = "/", procRoot: String = "/proc",
            cgroupSearchPaths: [String] = ["/"],
            plainParent: String? = nil, jvmMarginPercent: Int = 20
        ) {
            self.cgroupSearchPaths = cgroupSearchPaths
            self.containers = containers
            self.hostRoot = hostRoot
            self.procRoot = procRoot
            self.plainParent = plainParent
            self.jvmMarginPercent = jvmMarginPercent
        }

        static let key = "metrics"
        static let keys = [
            "containers", "hostRoot", "procRoot", "cgroupSearchPaths", "plainParent", "jvmMarginPercent",
        ]

        init(reading mapping: YAMLReader.Mapping, over defaults: Metrics, with reader: inout YAMLReader) {
            self = defaults
            containers = reader.bool("containers", in: mapping) ?? containers
            hostRoot = reader.string("hostRoot", in: mapping) ?? hostRoot
            procRoot = reader.string("procRoot", in: mapping) ?? procRoot
            plainParent = reader.string("plainParent", in: mapping) ?? plainParent
            if let node = mapping["cgroupSearchPaths"],
                let items = reader.sequence(
                    node, path: "metrics.cgroupSearchPaths", expected: "a list of cgroup paths"),
                let paths = reader.uniqueItems(
                    items, path: "metrics.cgroupSearchPaths", expected: "a cgroup path such as /",
                    parse: { path in
                        path.hasPrefix("/")
                            ? .success(path)
                            : .failure(.init(message: "'\(path)' is not a cgroup path (it must start with /)"))
                    }, duplicate: { "'\($0)' is listed twice" })
            {
                cgroupSearchPaths = paths
            }
            jvmMarginPercent = reader.integer("jvmMarginPercent", in: mapping, range: 0...1_000) ?? jvmMarginPercent
        }
    }
}
