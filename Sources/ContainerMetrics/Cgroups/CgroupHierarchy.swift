#if canImport(Glibc)
    import Glibc
#endif

/// Where this host's memory controller is mounted and which cgroup version it speaks.
///
/// Found from the mount table (/proc/self/mountinfo), never assumed: a cgroup v1 mount whose
/// super options list `memory` wins (legacy and hybrid hosts); otherwise a cgroup2 mount whose
/// root cgroup.controllers lists `memory` (unified hosts). Every path is prefixed with `root`,
/// so tests can point the whole detection at a fixture tree.
public struct CgroupHierarchy: Sendable, Equatable {
    /// Legacy, hybrid or unified.
    public var mode: CgroupMode
    /// The cgroup version of the memory controller's hierarchy.
    public var memoryVersion: CgroupVersion
    /// The directory of the memory hierarchy's root cgroup, prefixed with `root`.
    public var memoryMountPoint: String
    /// The cgroup that the memory mount shows at its mount point ("/" on a host; a sub-path inside a container).
    public var memoryMountRoot: String
    /// The cgroup2 mount point, prefixed with `root`, when there is one.
    public var unifiedMountPoint: String?

    /// A hierarchy described directly, for tests and callers that already know it.
    public init(
        mode: CgroupMode, memoryVersion: CgroupVersion, memoryMountPoint: String, memoryMountRoot: String = "/",
        unifiedMountPoint: String? = nil
    ) {
        self.mode = mode
        self.memoryVersion = memoryVersion
        self.memoryMountPoint = memoryMountPoint
        self.memoryMountRoot = memoryMountRoot
        self.unifiedMountPoint = unifiedMountPoint
    }

    /// Reads `root`/proc/self/mountinfo and finds the memory controller under `root`.
    public static func detect(root: String = "/") throws(CgroupHierarchyError) -> CgroupHierarchy {
        let path = join(root, "/proc/self/mountinfo")
        let reader = CgroupFileReader()
        let text: String
        do {
            text = try reader.withContents(of: path) { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw .mountTableUnreadable(path: path, reason: error.description)
        }
        return try CgroupHierarchy(mountInfo: text, root: root, source: path)
    }

    /// Finds the memory controller in the text of a mountinfo file; `source` names it in errors.
    public init(mountInfo: String, root: String = "/", source: String = "mountinfo") throws(CgroupHierarchyError) {
        var memoryV1: (point: String, root: String)?
        var unified: (point: String, root: String)?
        var anyV1 = false
        for (index, line) in mountInfo.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            let mount = try Self.parseMountLine(line, number: index + 1, source: source)
            switch mount.type {
            case "cgroup":
                anyV1 = true
                // A bind mount of a sub-cgroup also appears; the one showing the whole hierarchy is preferred.
                if mount.options.contains("memory"), memoryV1 == nil || (memoryV1?.root != "/" && mount.root == "/") {
                    memoryV1 = (mount.point, mount.root)
                }
            case "cgroup2":
                if unified == nil || (unified?.root != "/" && mount.root == "/") { unified = (mount.point, mount.root) }
            default:
                break
            }
        }
        let mode: CgroupMode = anyV1 ? (unified == nil ? .legacy : .hybrid) : .unified
        let unifiedPoint = unified.map { Self.join(root, $0.point) }
        if let memoryV1 {
            self.init(
                mode: mode, memoryVersion: .v1, memoryMountPoint: Self.join(root, memoryV1.point),
                memoryMountRoot: memoryV1.root, unifiedMountPoint: unifiedPoint)
            return
        }
        guard let unified, let unifiedPoint else {
            throw .noMemoryController(path: source, detail: "no cgroup v1 memory mount and no cgroup2 mount")
        }
        let controllersPath = Self.join(unifiedPoint, "cgroup.controllers")
        let controllers: String
        do {
            controllers = try CgroupFileReader().withContents(of: controllersPath) {
                String(decoding: $0, as: UTF8.self)
            }
        } catch {
            throw .noMemoryController(path: source, detail: "cgroup2 at \(unifiedPoint): \(error.description)")
        }
        guard controllers.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("memory") else {
            throw .noMemoryController(
                path: source, detail: "\(controllersPath) lists no memory controller (\(controllers.debugDescription))")
        }
        self.init(
            mode: mode, memoryVersion: .v2, memoryMountPoint: unifiedPoint, memoryMountRoot: unified.root,
            unifiedMountPoint: unifiedPoint)
    }

    /// The directory of the cgroup at `cgroupPath` ("/kubepods/burstable/pod…") in the memory hierarchy.
    public func directory(of cgroupPath: String) -> String {
        Self.join(memoryMountPoint, cgroupPath)
    }

    /// One mount of a mountinfo file: the fields the detection needs.
    private struct Mount {
        var root: String
        var point: String
        var type: Substring
        var options: [Substring]
    }

    /// Parses "id parent major:minor root point options [optional…] - type source superoptions".
    private static func parseMountLine(
        _ line: Substring, number: Int, source: String
    ) throws(CgroupHierarchyError)
        -> Mount
    {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 4 else {
            throw .malformedMountLine(
                path: source, line: number,
                problem: "expected 6 fields, \"-\", and 3 more: \(String(line).debugDescription)")
        }
        // Super options carry the v1 controller names ("rw,memory"), the per-mount options do not.
        let options = fields[separator + 3].split(separator: ",")
        return Mount(
            root: unescape(fields[3]), point: unescape(fields[4]), type: fields[separator + 1], options: options)
    }

    /// Undoes the octal escapes (\040 for a space, …) the kernel writes in mountinfo paths.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x5C, index + 3 < utf8.count, let value = octal(utf8[(index + 1)..<(index + 4)]) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Three octal digits as a byte, or nil.
    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= 0x30, digit <= 0x37 else { return nil }
            value = value * 8 + Int(digit - 0x30)
        }
        return value <= 255 ? UInt8(value) : nil
    }

    /// `base` and `path` joined with one slash; a `base` of "/" adds nothing.
    static func join(_ base: String, _ path: String) -> String {
        let trimmedBase = base.hasSuffix("/") ? String(base.dropLast()) : base
        let trimmedPath = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if trimmedPath.isEmpty { return trimmedBase.isEmpty ? "/" : trimmedBase }
        return trimmedBase + "/" + trimmedPath
    }
}
