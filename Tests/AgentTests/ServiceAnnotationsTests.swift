import Agent
import ServiceProxy
import Testing

/// kube-router's Service annotations read the same from the cluster and from a services file:
/// one parser, one trimming convention; only what a bad value costs differs.
@Suite struct ServiceAnnotationsTests {
    static let tuned = [
        ServiceAnnotations.scheduler: " mh\t", ServiceAnnotations.schedulerFlags: "flag-1, ,flag-2,",
        ServiceAnnotations.local: " TRUE ",
    ]

    func file(_ annotations: [String: String]) throws -> ServicesFile {
        let lines = annotations.sorted { $0.key < $1.key }.map { "      \($0.key): \"\($0.value)\"" }
        return try ServicesFile.parse(
            yaml: """
                services:
                  - name: default/web
                    clusterIPs: [10.96.0.10]
                    ports: [{port: 80}]
                    annotations:
                \(lines.joined(separator: "\n"))
                """, file: "services.yaml")
    }

    @Test func bothPathsReadTheSameValuesTheSameWay() throws {
        let cluster = ServiceAnnotations(Self.tuned)
        #expect(cluster.problems.isEmpty)
        let fromFile = try #require(try file(Self.tuned).services.first)
        #expect(fromFile.scheduling == cluster.scheduling)
        #expect(cluster.scheduling == SchedulingPolicy(scheduler: .mh, flags: [.flag1, .flag2]))
        #expect(cluster.local && fromFile.externalTrafficPolicy == .local && fromFile.internalTrafficPolicy == .local)
    }

    @Test func aBadValueIsAWarningOnALiveServiceAndAProblemInAFile() throws {
        let bad = [ServiceAnnotations.scheduler: "wrr", ServiceAnnotations.schedulerFlags: "flag-1,flag-9"]
        let cluster = ServiceAnnotations(bad)
        #expect(cluster.scheduling == SchedulingPolicy(scheduler: .rr, flags: [.flag1]))
        #expect(
            cluster.warnings == [
                "annotation kube-router.io/service.scheduler: unknown scheduler 'wrr' (expected rr, lc, dh, sh, mh); "
                    + "using rr",
                "annotation kube-router.io/service.schedflags: unknown scheduler flag 'flag-9' "
                    + "(expected flag-1, flag-2, flag-3); ignored",
            ])
        let fromFile = try file(bad)
        #expect(fromFile.services.isEmpty)
        #expect(
            fromFile.problems.map(\.message) == [
                "services[0] (default/web): annotations[kube-router.io/service.schedflags]: unknown scheduler flag "
                    + "'flag-9' (expected flag-1, flag-2, flag-3)",
                "services[0] (default/web): annotations[kube-router.io/service.scheduler]: unknown scheduler 'wrr' "
                    + "(expected rr, lc, dh, sh, mh)",
            ])
    }
}
