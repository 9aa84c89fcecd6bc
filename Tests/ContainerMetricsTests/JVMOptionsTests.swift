import ContainerMetrics
import Testing

@Suite("JVM options, command lines and HotSpot's heap sizing rule")
struct JVMOptionsTests {
    static let mebibyte: UInt64 = 1 << 20

    @Test("HotSpot memory sizes: suffixes in either case, hexadecimal, and rejects")
    func sizes() {
        #expect(JVMOptions.size("1024") == 1024)
        #expect(JVMOptions.size("512k") == 512 << 10)
        #expect(JVMOptions.size("512K") == 512 << 10)
        #expect(JVMOptions.size("256m") == 256 << 20)
        #expect(JVMOptions.size("2G") == 2 << 30)
        #expect(JVMOptions.size("1t") == 1 << 40)
        #expect(JVMOptions.size("0x10") == 16)
        #expect(JVMOptions.size("0x1fm") == 31 << 20)
        for bad in ["", "m", "12x", "1.5g", "-1", "1a", "99999999999999999999", "16777216t", "0x", "1 g"] {
            #expect(JVMOptions.size(bad) == nil, "\(bad)")
        }
    }

    @Test("the last heap flag wins, whichever spelling; units of ThreadStackSize are KiB")
    func lastWins() {
        let options = JVMOptions([
            "-Xmx1g", "-XX:MaxHeapSize=512m", "-Xmx300m", "-Xmxjunk", "-XX:+UseG1GC", "-XX:+UseSerialGC",
            "-Xss256k", "-XX:ThreadStackSize=512", "-XX:MaxRAMFraction=4", "-XX:MaxRAMPercentage=60",
            "-XX:ReservedCodeCacheSize=64m", "-XX:MaxMetaspaceSize=128m", "-XX:MaxDirectMemorySize=1g",
            "-XX:-UsePerfData", "-Xms64m",
        ])
        #expect(options.maxHeapSize == 300 * Self.mebibyte)
        #expect(options.collector == .serial)
        #expect(options.threadStackSize == 512 << 10)
        #expect(options.maxRAMPercentage == 60)
        #expect(options.reservedCodeCacheSize == 64 * Self.mebibyte)
        #expect(options.maxMetaspaceSize == 128 * Self.mebibyte)
        #expect(options.maxDirectMemorySize == 1 << 30)
        #expect(options.usePerfData == false)
        #expect(options.initialHeapSize == 64 * Self.mebibyte)
        #expect(options.minHeapSize == 64 * Self.mebibyte)
        #expect(JVMOptions(["-XX:MaxRAMFraction=2"]).maxRAMPercentage == 50)
        #expect(JVMOptions(["-Xss1000"]).threadStackSize == 4096)
        #expect(JVMOptions([]) == JVMOptions())
    }

    @Test("order: JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS (java only), command line, _JAVA_OPTIONS")
    func commandLineOrder() {
        let environment = [
            "JAVA_TOOL_OPTIONS": "-Xmx1m -Dtool='a b'", "JDK_JAVA_OPTIONS": "-Xmx2m", "_JAVA_OPTIONS": "-Xmx4m",
        ]
        let arguments = ["/usr/bin/java", "-Xmx3m", "-cp", "/app", "Main", "-Xmx99m"]
        #expect(
            JVMCommandLine.options(launcher: "java", arguments: arguments, environment: environment) == [
                "-Xmx1m", "-Dtool=a b", "-Xmx2m", "-Xmx3m", "-cp", "/app", "-Xmx4m",
            ])
        // Only the java launcher reads JDK_JAVA_OPTIONS; a program embedding the JVM does not.
        #expect(
            JVMCommandLine.options(launcher: "myserver", arguments: arguments, environment: environment) == [
                "-Xmx1m", "-Dtool=a b", "-Xmx3m", "-cp", "/app", "-Xmx4m",
            ])
        let noUnderscore = environment.filter { $0.key != "_JAVA_OPTIONS" }
        let options = JVMOptions(
            JVMCommandLine.options(launcher: "java", arguments: arguments, environment: noUnderscore))
        #expect(options.maxHeapSize == 3 * Self.mebibyte)
    }

    @Test("the program's own arguments after the main class, -jar or -m are not JVM options")
    func programArguments() {
        #expect(JVMCommandLine.launcherOptions(["java", "-Xmx1g", "-jar", "app.jar", "-Xmx2g"]) == ["-Xmx1g", "-jar"])
        #expect(JVMCommandLine.launcherOptions(["java", "-m", "mod/Main", "-Xmx2g"]) == ["-m"])
        #expect(
            JVMCommandLine.launcherOptions(["java", "--class-path", "-Xmx5g", "Main"]) == ["--class-path", "-Xmx5g"])
        #expect(JVMCommandLine.launcherOptions(["java", "Main.java", "-Xmx2g"]) == [])
        #expect(JVMCommandLine.launcherOptions(["java"]) == [])
        #expect(JVMCommandLine.launcherOptions([]) == [])
        #expect(JVMCommandLine.split("  -Xmx1g\t\"-Dx=a b\"  'c' \"\" ") == ["-Xmx1g", "-Dx=a b", "c", ""])
        #expect(JVMCommandLine.nulSeparated(Array("java\0-Xmx1g\0".utf8)) == ["java", "-Xmx1g"])
        #expect(JVMCommandLine.environment(Array("A=1\0B=x=y\0A=2\0junk\0".utf8)) == ["A": "1", "B": "x=y"])
    }

    @Test("heap sizing rule: small limits take MinRAMPercentage, then the default floor, then MaxRAMPercentage")
    func sizingRule() {
        func sizing(_ options: [String], limit: UInt64?, cpus: Int = 2) -> JVMHeapSizing {
            JVMHeapSizing(options: JVMOptions(options), memoryLimit: limit, hostMemory: 24 << 30, processorCount: cpus)
        }
        // 200 MiB: 50% is below the default MaxHeapSize (124.8 MiB), so the heap is 100 MiB; SerialGC.
        let small = sizing([], limit: 200 * Self.mebibyte)
        #expect(small.maxHeapSize == 100 * Self.mebibyte)
        #expect(small.collector == .serial)
        #expect(small.physicalMemory == 200 * Self.mebibyte)
        // 300 MiB: 25% is 75 MiB, below the 124.8 MiB floor, which aligns up to 126 MiB.
        #expect(sizing([], limit: 300 * Self.mebibyte).maxHeapSize == 126 * Self.mebibyte)
        // 1 GiB: 25% = 256 MiB; below 1792 MiB the machine is not server class.
        #expect(sizing([], limit: 1 << 30).maxHeapSize == 256 * Self.mebibyte)
        #expect(sizing([], limit: 1 << 30).collector == .serial)
        // 4 GiB on 2 CPUs is server class: G1, 1 GiB.
        #expect(sizing([], limit: 4 << 30).maxHeapSize == 1 << 30)
        #expect(sizing([], limit: 4 << 30).collector == .g1)
        #expect(sizing([], limit: 4 << 30, cpus: 1).collector == .serial)
        // 60% of 1 GiB is 614.4 MiB, aligned up to the 2 MiB granule.
        #expect(sizing(["-XX:MaxRAMPercentage=60"], limit: 1 << 30).maxHeapSize == 616 * Self.mebibyte)
        // No limit, or a limit above the host's memory: the host's 24 GiB count.
        #expect(sizing([], limit: nil).maxHeapSize == 6 << 30)
        #expect(sizing([], limit: 64 << 30).maxHeapSize == 6 << 30)
        #expect(sizing(["-XX:-UseContainerSupport"], limit: 200 * Self.mebibyte).maxHeapSize == 6 << 30)
        // -Xmx is taken as given, aligned up; -Xms raises an ergonomic ceiling.
        #expect(sizing(["-Xmx1000k"], limit: nil).maxHeapSize == 2 * Self.mebibyte)
        #expect(sizing(["-Xms300m"], limit: 200 * Self.mebibyte).maxHeapSize == 300 * Self.mebibyte)
        #expect(sizing(["-XX:MaxRAM=1g"], limit: nil).maxHeapSize == 256 * Self.mebibyte)
    }
}
