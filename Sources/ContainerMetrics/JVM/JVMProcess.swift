/// What `/proc` says about a process that runs a HotSpot JVM.
struct JVMProcess {
    /// The host PID.
    var pid: Int32
    /// The PID inside the process's own PID namespace (the last NSpid field).
    var namespacePid: Int32
    /// Native threads.
    var threads: Int
    /// CPUs the process may run on.
    var allowedCPUs: Int
    /// The executable's file name.
    var launcher: String
    /// The command line.
    var arguments: [String]
    /// The environment the process started with.
    var environment: [String: String]
    /// The hsperfdata file the JVM maps for writing, as a path inside the process's root.
    var perfDataPath: String?
    /// Whether that file has been deleted since.
    var perfDataDeleted: Bool

    /// Why a process could not be read.
    enum ReadError: Error {
        /// The process exited (or is exiting); skip it quietly.
        case gone
        /// A file could not be read for another reason.
        case unreadable(file: String, errno: Int32)
    }

    /// Reads process `pid` under `procRoot`; nil when it is not a JVM's main thread.
    static func read(pid: Int32, procRoot: String) throws(ReadError) -> JVMProcess? {
        let directory = "\(procRoot)/\(pid)"
        func read(_ name: String) throws(ReadError) -> [UInt8] {
            do {
                return try JVMProcFile.read(directory + "/" + name)
            } catch {
                throw error.processGone ? .gone : .unreadable(file: directory + "/" + name, errno: error.errno)
            }
        }
        let status = parseStatus(String(decoding: try read("status"), as: UTF8.self))
        // A thread ID in the list reaches its process through its thread-group leader.
        guard let tgid = status["Tgid"].flatMap({ Int32($0) }), tgid == pid else { return nil }
        let namespacePid = status["NSpid"]?.split(separator: "\t").last.flatMap { Int32($0) } ?? pid
        // A JVM is any process that maps libjvm.so, whatever its launcher is called; a zombie
        // or kernel thread has no mappings at all.
        let maps = String(decoding: try read("maps"), as: UTF8.self)
        guard maps.contains("/libjvm.so") else { return nil }
        let mapping = perfDataMapping(maps: maps, namespacePid: namespacePid)
        let launcher: String
        do {
            launcher = String(try JVMProcFile.readLink(directory + "/exe").split(separator: "/").last ?? "")
        } catch {
            throw error.processGone ? .gone : .unreadable(file: directory + "/exe", errno: error.errno)
        }
        return JVMProcess(
            pid: pid, namespacePid: namespacePid, threads: status["Threads"].flatMap { Int($0) } ?? 1,
            allowedCPUs: cpuCount(status["Cpus_allowed_list"] ?? ""), launcher: launcher,
            arguments: JVMCommandLine.nulSeparated(try read("cmdline")),
            environment: JVMCommandLine.environment(try read("environ")),
            perfDataPath: mapping?.path, perfDataDeleted: mapping?.deleted ?? false)
    }

    /// The `Name:\tvalue` lines of `/proc/PID/status`.
    static func parseStatus(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingPrefix(while: { $0 == "\t" || $0 == " " })
            fields[String(line[..<colon])] = String(value)
        }
        return fields
    }

    /// The JVM's own hsperfdata mapping: shared, writable, named after its namespace PID in an
    /// `hsperfdata_USER` folder. Tools such as jstat map other JVMs' files too, but read-only.
    static func perfDataMapping(maps: String, namespacePid: Int32) -> (path: String, deleted: Bool)? {
        let suffix = "/\(namespacePid)"
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1].hasPrefix("rw"), fields[1].hasSuffix("s") else { continue }
            var path = fields[5].trimmingPrefix(while: { $0 == " " })
            let deleted = path.hasSuffix(" (deleted)")
            if deleted { path = path.dropLast(" (deleted)".count) }
            guard path.hasSuffix(suffix) else { continue }
            let folder = path.dropLast(suffix.count)
            guard folder.split(separator: "/").last?.hasPrefix("hsperfdata_") == true else { continue }
            return (String(path), deleted)
        }
        return nil
    }

    /// The number of CPUs in a list such as "0-3,8,10-11".
    static func cpuCount(_ list: String) -> Int {
        var count = 0
        for range in list.split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0.trimmingPrefix(while: { $0 == " " })) }
            if bounds.count == 2, bounds[1] >= bounds[0] {
                count += min(bounds[1] - bounds[0] + 1, 1 << 16)
            } else if bounds.count == 1 {
                count += 1
            }
        }
        return max(count, 1)
    }
}
