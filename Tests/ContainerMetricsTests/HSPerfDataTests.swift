import ContainerMetrics
import Foundation
import HSPerfData
import Testing

@Suite("hsperfdata decoding")
struct HSPerfDataTests {
    static let sample = HSPerfBufferBuilder(entries: [
        ("sun.gc.policy.name", .string("GarbageFirst")),
        ("java.threads.live", .long(17)),
        ("sun.gc.generation.1.maxCapacity", .long(268_435_464)),
        ("negative", .long(-5)),
        ("java.rt.vmArgs", .string("-Xmx256m -XX:+UseG1GC")),
    ])

    @Test("both byte orders decode to the same entries", arguments: [true, false])
    func byteOrders(littleEndian: Bool) throws {
        var builder = Self.sample
        builder.littleEndian = littleEndian
        let data = try HSPerfData(bytes: builder.build(size: 4096), file: "sample")
        #expect(data.littleEndian == littleEndian)
        #expect(data.majorVersion == 2)
        #expect(data.accessible)
        #expect(data.modificationTimeStamp == 12345)
        #expect(data.entries.count == 5)
        #expect(data.string("sun.gc.policy.name") == "GarbageFirst")
        #expect(data.long("java.threads.live") == 17)
        #expect(data.long("sun.gc.generation.1.maxCapacity") == 268_435_464)
        #expect(data.long("negative") == -5)
        #expect(data.string("java.rt.vmArgs") == "-Xmx256m -XX:+UseG1GC")
        #expect(data["java.threads.live"]?.units == .bytes)
        #expect(data["java.rt.vmArgs"]?.variability == .constant)
        #expect(data.long("missing") == nil)
    }

    @Test("every cut of a valid buffer is rejected with a typed error, never a crash")
    func truncations() throws {
        let full = Self.sample.build()
        _ = try HSPerfData(bytes: full, file: "full")
        for length in 0..<full.count {
            #expect(throws: HSPerfDataError.self) { try HSPerfData(bytes: Array(full[0..<length]), file: "cut") }
        }
        let error = try #require(throws: HSPerfDataError.self) {
            try HSPerfData(bytes: Array(full.prefix(40)), file: "f")
        }
        #expect(error.problem == .truncated(used: full.count, size: 40))
        let short = try #require(throws: HSPerfDataError.self) {
            try HSPerfData(bytes: Array(full.prefix(31)), file: "f")
        }
        #expect(short.problem == .truncatedPrologue(size: 31))
    }

    @Test("corrupt prologues name the file and the field")
    func corruptPrologue() throws {
        let builder = Self.sample
        let good = builder.build()
        func problem(_ mutate: (inout [UInt8]) -> Void) -> HSPerfDataError? {
            var bytes = good
            mutate(&bytes)
            do {
                _ = try HSPerfData(bytes: bytes, file: "/tmp/hsperfdata_x/42")
                return nil
            } catch {
                return error
            }
        }
        let magic = try #require(problem { $0[0] = 0x00 })
        #expect(magic.problem == .badMagic(0x00fe_c0c0))
        #expect(magic.description.contains("/tmp/hsperfdata_x/42"))
        #expect(magic.description.contains("magic"))
        #expect(problem { $0[4] = 7 }?.problem == .badByteOrder(7))
        #expect(problem { $0[5] = 1 }?.problem == .unsupportedVersion(major: 1, minor: 0))
        #expect(
            problem { builder.patch32(&$0, at: 8, 0xffff_fff0) }?.problem == .badPrologueField(name: "used", value: -16)
        )
        #expect(
            problem { builder.patch32(&$0, at: 24, 0x7fff_ffff) }?.problem
                == .badPrologueField(name: "entry_offset", value: 0x7fff_ffff))
        #expect(
            problem { builder.patch32(&$0, at: 24, 4) }?.problem == .badPrologueField(name: "entry_offset", value: 4))
        #expect(
            problem { builder.patch32(&$0, at: 28, 0xffff_ffff) }?.problem
                == .badPrologueField(name: "num_entries", value: -1))
        #expect(
            problem { builder.patch32(&$0, at: 28, 0x7fff_ffff) }?.problem
                == .entryOutOfBounds(index: 5, offset: good.count))
    }

    @Test("corrupt entries: hostile lengths and offsets are rejected")
    func corruptEntries() throws {
        let builder = Self.sample
        let good = builder.build()
        let entry = 32  // the first entry's header
        func problem(_ offset: Int, _ value: UInt32) -> HSPerfDataError.Problem? {
            var bytes = good
            builder.patch32(&bytes, at: entry + offset, value)
            do {
                _ = try HSPerfData(bytes: bytes, file: "f")
                return nil
            } catch {
                return error.problem
            }
        }
        #expect(problem(0, 0x7fff_ffff) == .badEntryField(index: 0, field: "entry_length", value: 0x7fff_ffff))
        #expect(problem(0, 0) == .badEntryField(index: 0, field: "entry_length", value: 0))
        #expect(problem(0, 0x8000_0000) == .badEntryField(index: 0, field: "entry_length", value: -0x8000_0000))
        #expect(problem(4, 0x7fff_fff0) == .badEntryField(index: 0, field: "name_offset", value: 0x7fff_fff0))
        #expect(problem(4, 3) == .badEntryField(index: 0, field: "name_offset", value: 3))
        #expect(problem(8, 0x7fff_ffff) == .badEntryField(index: 0, field: "vector_length", value: 0x7fff_ffff))
        #expect(problem(8, 0xffff_ffff) == .badEntryField(index: 0, field: "vector_length", value: -1))
        #expect(problem(16, 0x7fff_ffff) == .badEntryField(index: 0, field: "data_offset", value: 0x7fff_ffff))
        var unterminated = good
        let nameEnd = entry + 20 + "sun.gc.policy.name".utf8.count
        for index in nameEnd..<(entry + 40) { unterminated[index] = UInt8(ascii: "x") }
        builder.patch32(&unterminated, at: entry, 40)  // the name now fills the whole entry
        #expect(throws: HSPerfDataError(file: "f", problem: .unterminatedName(index: 0))) {
            try HSPerfData(bytes: unterminated, file: "f")
        }
        var badType = good
        badType[entry + 12] = UInt8(ascii: "D")
        #expect(throws: HSPerfDataError(file: "f", problem: .unknownDataType(name: "sun.gc.policy.name", code: 68))) {
            try HSPerfData(bytes: badType, file: "f")
        }
    }

    @Test("reading files: missing, a directory, a FIFO, too large")
    func files() throws {
        let folder = NSTemporaryDirectory() + "rudder-hsperf-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let good = folder + "/1"
        try Data(Self.sample.build(size: 32768)).write(to: URL(fileURLWithPath: good))
        #expect(try HSPerfFile.read(path: good).long("java.threads.live") == 17)

        #expect(throws: HSPerfDataError(file: folder + "/none", problem: .unreadable(errno: ENOENT))) {
            try HSPerfFile.read(path: folder + "/none")
        }
        #expect(throws: HSPerfDataError(file: folder, problem: .notARegularFile)) { try HSPerfFile.read(path: folder) }
        let fifo = folder + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: HSPerfDataError(file: fifo, problem: .notARegularFile)) { try HSPerfFile.read(path: fifo) }
        let huge = folder + "/huge"
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, off_t(HSPerfData.maximumFileSize + 1)) == 0)
        #expect(throws: HSPerfDataError(file: huge, problem: .tooLarge(size: HSPerfData.maximumFileSize + 1))) {
            try HSPerfFile.read(path: huge)
        }
        let error = HSPerfDataError(file: "/x", problem: .unreadable(errno: EACCES))
        #expect(error.description == "hsperfdata /x: cannot read: Permission denied")
    }
}
