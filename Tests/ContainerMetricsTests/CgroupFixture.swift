import Foundation

/// A directory tree under /tmp that stands in for a cgroup hierarchy or a /proc; removed by `remove()`.
final class CgroupFixture {
    /// The tree's root directory.
    let root: String

    /// A fresh, empty tree.
    init() throws {
        var template = Array("/tmp/rudder-cgroup-fixture-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else { throw FixtureError("mkdtemp: \(String(cString: strerror(errno)))") }
        root = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// `path` (relative to the root) as an absolute path.
    func path(_ path: String) -> String {
        root + "/" + path.drop { $0 == "/" }
    }

    /// Creates the directory `path` and its parents.
    func directory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: self.path(path), withIntermediateDirectories: true)
    }

    /// Writes `contents` to the file `path`, creating its directory.
    func file(_ path: String, _ contents: String) throws {
        let full = self.path(path)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Writes every file of `files` (name → contents) into the directory `path`.
    func files(in path: String, _ files: [String: String]) throws {
        for (name, contents) in files { try file(path + "/" + name, contents) }
    }

    /// Removes the file or tree at `path`.
    func removeItem(_ path: String) throws {
        try FileManager.default.removeItem(atPath: self.path(path))
    }

    /// Removes the whole tree.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// A fixture that could not be built.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
