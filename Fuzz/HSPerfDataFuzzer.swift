// libFuzzer entry point for the hsperfdata decoder (a file another process, the JVM, writes):
// the prologue, every entry, and the figures read from the decoded counters. The decoder's files
// import only the standard library and Glibc, so they build standalone:
//
//   mkdir -p .build-fuzz/hsperfdata-corpus
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -module-name ContainerMetrics \
//       Sources/ContainerMetrics/HSPerf*.swift Sources/ContainerMetrics/JVMPerfFigures.swift \
//       Sources/ContainerMetrics/JVMMemoryPool.swift Sources/ContainerMetrics/JVMCollector.swift \
//       Sources/ContainerMetrics/JVMCollectorKind.swift Fuzz/HSPerfDataFuzzer.swift -o .build-fuzz/hsperfdata-fuzzer
//   cp /tmp/hsperfdata_*/* .build-fuzz/hsperfdata-corpus/   # seeds: any running JVM's file
//   .build-fuzz/hsperfdata-fuzzer -max_total_time=120 -max_len=40000 .build-fuzz/hsperfdata-corpus

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
