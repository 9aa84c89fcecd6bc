import ContainerMetrics
import Testing

@Suite("Headroom between a container's limit and its JVMs' heaps")
struct HeadroomTests {
    static let mebibyte: UInt64 = 1 << 20

    @Test("ratio, bytes left, margin as a parameter, and the non-heap worst case")
    func figures() {
        let headroom = Headroom(
            limit: 1200 * Self.mebibyte, heapCeiling: 1000 * Self.mebibyte, jvmCount: 1, requiredMargin: 0.2,
            nonHeapWorstCase: 300 * Self.mebibyte)
        #expect(headroom.ratio == 1.2)
        #expect(headroom.bytesLeftForNonHeap == Int64(200 * Self.mebibyte))
        #expect(headroom.keepsMargin)
        #expect(!headroom.worstCaseFits)
        var stricter = headroom
        stricter.requiredMargin = 0.25
        #expect(!stricter.keepsMargin)
        var over = headroom
        over.limit = 900 * Self.mebibyte
        #expect(over.bytesLeftForNonHeap == -Int64(100 * Self.mebibyte))
        #expect(!over.keepsMargin)
        let huge = Headroom(limit: .max, heapCeiling: .max, jvmCount: 1, requiredMargin: 0, nonHeapWorstCase: .max)
        #expect(!huge.worstCaseFits)
        #expect(huge.bytesLeftForNonHeap == 0)
        let empty = Headroom(limit: 1, heapCeiling: 0, jvmCount: 1, requiredMargin: 0.2, nonHeapWorstCase: 0)
        #expect(empty.ratio == .infinity)
    }

    @Test("several JVMs share one limit: their ceilings and worst cases add up; no limit, no headroom")
    func sums() {
        let options = JVMOptions(["-XX:MaxMetaspaceSize=64m", "-XX:ReservedCodeCacheSize=48m", "-Xss1m"])
        func jvm(_ pid: Int32, ceiling: UInt64) -> JVMReport {
            JVMReport(
                pid: pid, namespacePid: pid, launcher: "java", javaCommand: nil, vmArguments: [], perfDataPath: nil,
                collector: .serial, heapCeiling: ceiling, heapCeilingSource: .options, heap: nil, metaspace: nil,
                compressedClassSpace: nil, liveThreads: nil, nativeThreads: 10, collectors: [], options: options,
                nonHeapWorstCase: JVMNonHeapEstimate(
                    options: options, heapCeiling: ceiling, threads: 10, metaspaceCommitted: nil))
        }
        let jvms = [jvm(1, ceiling: 100 * Self.mebibyte), jvm(2, ceiling: 60 * Self.mebibyte)]
        #expect(jvms[0].nonHeapWorstCase.total == (64 + 48 + 10 + 100) * Self.mebibyte)
        let headroom = Headroom(limit: 200 * Self.mebibyte, jvms: jvms)
        #expect(headroom?.heapCeiling == 160 * Self.mebibyte)
        #expect(headroom?.jvmCount == 2)
        #expect(headroom?.ratio == 1.25)
        #expect(headroom?.keepsMargin == true)
        #expect(headroom?.nonHeapWorstCase == (64 + 48 + 10) * 2 * Self.mebibyte + 160 * Self.mebibyte)
        #expect(Headroom(limit: 200 * Self.mebibyte, jvms: jvms, requiredMargin: 0.3)?.keepsMargin == false)
        #expect(Headroom(limit: nil, jvms: jvms) == nil)
        #expect(Headroom(limit: 200 * Self.mebibyte, jvms: []) == nil)
    }
}
