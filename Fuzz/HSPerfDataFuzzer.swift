// libFuzzer entry point for the hsperfdata decoder (a file another process, the JVM, writes):
// the prologue, every entry, and the figures read from the decoded counters. The decoder's files are
// the HSPerfData target, which imports only the standard library and Glibc; scripts/fuzz.sh
// builds it and this fuzzer, and seeds it from real JVMs' files.

@testable import HSPerfData

@_cdecl("LLVMFuzzerTestOneInput")
public func hsperfDataFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let decoded = try? HSPerfData(bytes: bytes, file: "fuzz") else { return 0 }
    for entry in decoded.entries {
        _ = decoded[entry.name]
        _ = decoded.long(entry.name)
        _ = decoded.string(entry.name)
    }
    if let figures = JVMPerfFigures(decoded) {
        _ = figures.heap.max
        _ = figures.collectors.count
    }
    return 0
}
