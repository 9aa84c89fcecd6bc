import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Finds containers by walking the memory cgroup hierarchy.
///
/// Identity comes from the cgroup path (see `ContainerCgroupName`). A sandbox (pause) cgroup is
/// named like any container, so one whose only process is called `pause` (the command of the
/// Kubernetes pause image) is marked as the sandbox; the verdict is remembered per cgroup, so a
/// container costs two small reads once, not on every pass. CRI-O's conmon cgroups are not
/// containers and are left out, as cAdvisor leaves them out.
public final class ContainerDiscovery: Sendable {
    /// The hierarchy walked.
    public let hierarchy: CgroupHierarchy
    /// Kubernetes layouts, or plain leaves under a parent.
    public let mode: ContainerDiscoveryMode
    /// Where /proc is (prefixed for fixture trees).
    public let procRoot: String

    private let sandboxVerdicts = Mutex<[String: Bool]>([:])

    /// A discovery over `hierarchy`; `procRoot` is where process names are read for sandbox detection.
    public init(hierarchy: CgroupHierarchy, mode: ContainerDiscoveryMode = .kubelet, procRoot: String = "/proc") {
        self.hierarchy = hierarchy
        self.mode = mode
        self.procRoot = procRoot
    }

    /// Walks the hierarchy once; a cgroup that vanishes or cannot be listed is a problem, not a failure.
    public func discover() -> ContainerDiscoveryResult {
        var walk = Walk(discovery: self)
        switch mode {
        case .kubernetes(let searchPaths):
            for searchPath in searchPaths { walk.searchKubepods(at: normalized(searchPath)) }
        case .plain(let parent):
            walk.plainLeaves(under: normalized(parent), isParent: true)
        }
        // Verdicts of cgroups that no longer exist are dropped, so the cache never outgrows the node.
        sandboxVerdicts.withLock { $0 = walk.verdicts }
        return walk.result
    }

    /// A cgroup path with one leading slash and no trailing one.
    private func normalized(_ path: String) -> String {
        CgroupHierarchy.join("/", path)
    }

    /// The state of one discovery pass.
    private struct Walk {
        let discovery: ContainerDiscovery
        let known: [String: Bool]
        let reader = CgroupFileReader(initialCapacity: 4096)
        var result = ContainerDiscoveryResult()
        var verdicts: [String: Bool] = [:]

        init(discovery: ContainerDiscovery) {
            self.discovery = discovery
            known = discovery.sandboxVerdicts.withLock { $0 }
        }

        /// Looks for kubepods at `path` and among its children, then walks what it finds.
        mutating func searchKubepods(at path: String) {
            if Self.isKubepods(lastComponent(of: path)) {
                kubernetesTree(at: path)
                return
            }
            guard let children = subdirectories(of: path) else { return }
            for child in children where Self.isKubepods(child[...]) {
                kubernetesTree(at: CgroupHierarchy.join(path, child))
            }
        }

        /// Walks kubelet's levels below a kubepods cgroup, descending only into levels it recognises.
        mutating func kubernetesTree(at path: String) {
            switch ContainerCgroupName(cgroupPath: path) {
            case .kubepods, .qosClass:
                for child in subdirectories(of: path) ?? [] { kubernetesTree(at: CgroupHierarchy.join(path, child)) }
            case .pod(let uid, let qos):
                result.containers.append(
                    DiscoveredContainer(
                        cgroupPath: path, directory: discovery.hierarchy.directory(of: path), kind: .pod, podUID: uid,
                        runtime: .unknown, qos: qos))
                for child in subdirectories(of: path) ?? [] { kubernetesTree(at: CgroupHierarchy.join(path, child)) }
            case .container(let uid, let qos, let id, let runtime, let namedSandbox):
                let directory = discovery.hierarchy.directory(of: path)
                var sandbox = namedSandbox
                if !sandbox {
                    do {
                        sandbox = try isPauseOnly(directory: directory)
                    } catch {
                        result.problems.append(error)
                        return
                    }
                }
                result.containers.append(
                    DiscoveredContainer(
                        cgroupPath: path, directory: directory, kind: sandbox ? .sandbox : .container, podUID: uid,
                        containerID: id, runtime: runtime, qos: qos))
            case .runtimeMonitor, nil:
                return
            }
        }

        /// Reports every leaf below `path` as a plain container.
        mutating func plainLeaves(under path: String, isParent: Bool) {
            guard let children = subdirectories(of: path) else { return }
            if children.isEmpty && !isParent {
                result.containers.append(
                    DiscoveredContainer(
                        cgroupPath: path, directory: discovery.hierarchy.directory(of: path), kind: .plain,
                        runtime: .none))
                return
            }
            for child in children { plainLeaves(under: CgroupHierarchy.join(path, child), isParent: false) }
        }

        /// Whether the cgroup's only process is the pause binary; remembered once a process was seen.
        mutating func isPauseOnly(directory: String) throws(CgroupReadError) -> Bool {
            if let verdict = known[directory] {
                verdicts[directory] = verdict
                return verdict
            }
            let pids: [Int32]
            do {
                pids = try reader.processIDs(at: directory + "/cgroup.procs")
            } catch {
                // Only a cgroup that is gone is skipped; an unreadable process list leaves it a container.
                guard access(directory, F_OK) == 0 else { throw .vanished(path: directory) }
                return false
            }
            guard let pid = pids.first else { return false }
            let commPath = CgroupHierarchy.join(discovery.procRoot, "\(pid)/comm")
            // The process may exit between the two reads; then decide on a later pass.
            guard
                let command = try? reader.withContents(
                    of: commPath, { String(decoding: $0, as: UTF8.self) })
            else { return false }
            let verdict = pids.count == 1 && command.trimmingSuffixNewline == "pause"
            verdicts[directory] = verdict
            return verdict
        }

        /// Names of the child cgroups of `path`, or nil (with a problem recorded) when it cannot be listed.
        mutating func subdirectories(of path: String) -> [String]? {
            let directory = discovery.hierarchy.directory(of: path)
            guard let stream = opendir(directory) else {
                result.problems.append(.from(errno: errno, path: directory))
                return nil
            }
            defer { closedir(stream) }
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafePointer(to: &entry.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_DIR): names.append(name)
                case Int32(DT_UNKNOWN):
                    var info = stat()
                    if stat(directory + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { names.append(name) }
                default: break
                }
            }
            return names.sorted()
        }

        /// The last component of a cgroup path.
        private func lastComponent(of path: String) -> Substring {
            path.split(separator: "/").last ?? ""
        }

        /// Whether a component is kubelet's top-level pods cgroup.
        private static func isKubepods(_ name: Substring) -> Bool {
            name == "kubepods" || name == "kubepods.slice"
        }
    }
}

extension String {
    /// The string without one trailing newline, as /proc/PID/comm ends.
    fileprivate var trimmingSuffixNewline: Substring {
        hasSuffix("\n") ? dropLast() : self[...]
    }
}
