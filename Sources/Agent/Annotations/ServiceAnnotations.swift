import ServiceProxy

/// The kube-router Service annotations Rudder honours, and how their values read: one place for
/// the cluster (`rudder run`) and the services file alike.
///
/// Values are trimmed of spaces and tabs, as kube-router trims them. The two paths differ only
/// in what a bad value costs: on a live Service it is reported and ignored (the default applies),
/// as kube-router does, since the annotation only tunes how traffic is spread; in a services file,
/// applied by hand, it leaves that service out.
public struct ServiceAnnotations: Sendable, Equatable {
    /// kube-router's annotation naming the IPVS scheduler.
    public static let scheduler = "kube-router.io/service.scheduler"
    /// kube-router's annotation naming the scheduler flags, comma-separated.
    public static let schedulerFlags = "kube-router.io/service.schedflags"
    /// kube-router's annotation that makes both traffic policies Local.
    public static let local = "kube-router.io/service.local"

    /// The scheduler and its flags.
    public var scheduling = SchedulingPolicy()
    /// Whether `kube-router.io/service.local` makes both traffic policies Local.
    public var local = false
    /// Each value that was not understood.
    public var problems: [Problem] = []

    /// Reads the annotations; unrelated ones are ignored.
    public init(_ annotations: [String: String]) {
        if let value = annotations[Self.scheduler] {
            switch Self.scheduler(value) {
            case .success(let scheduler): scheduling.scheduler = scheduler
            case .failure(let problem): problems.append(problem)
            }
        }
        if let value = annotations[Self.schedulerFlags] {
            let (flags, unknown) = Self.flags(value)
            scheduling.flags = flags
            problems += unknown
        }
        if let value = annotations[Self.local] { local = Self.isTrue(value) }
    }

    /// One line for each annotation whose value was ignored, as the agent logs it.
    public var warnings: [String] {
        problems.map { problem in
            "annotation \(problem.annotation): \(problem.message); "
                + (problem.annotation == Self.scheduler ? "using rr" : "ignored")
        }
    }

    /// What is wrong with one annotation value.
    public struct Problem: Error, Sendable, Equatable {
        /// The annotation.
        public var annotation: String
        /// One line, without the annotation's name: "unknown scheduler 'fair' (expected rr, ...)".
        public var message: String
    }

    /// Reads a scheduler name.
    public static func scheduler(_ value: String) -> Result<SchedulingPolicy.Scheduler, Problem> {
        guard let scheduler = SchedulingPolicy.Scheduler(rawValue: value.trimmingSpaces()) else {
            let choices = SchedulingPolicy.Scheduler.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(
                Problem(annotation: Self.scheduler, message: "unknown scheduler '\(value)' (expected \(choices))"))
        }
        return .success(scheduler)
    }

    /// Reads a comma-separated flag list: the flags understood, and a problem for each other entry.
    /// Spaces around entries and empty entries (a trailing comma) are ignored; empty means no flags.
    public static func flags(_ value: String) -> (flags: Set<SchedulingPolicy.Flag>, unknown: [Problem]) {
        var flags = Set<SchedulingPolicy.Flag>()
        var unknown: [Problem] = []
        let choices = SchedulingPolicy.Flag.allCases.map(\.rawValue).joined(separator: ", ")
        for entry in value.split(separator: ",").map({ $0.trimmingSpaces() }) where !entry.isEmpty {
            if let flag = SchedulingPolicy.Flag(rawValue: entry) {
                flags.insert(flag)
            } else {
                unknown.append(
                    Problem(
                        annotation: Self.schedulerFlags,
                        message: "unknown scheduler flag '\(entry)' (expected \(choices))"))
            }
        }
        return (flags, unknown)
    }

    /// Whether a boolean annotation is on: "true" in any case, as kube-router reads it.
    public static func isTrue(_ value: String) -> Bool {
        value.trimmingSpaces().lowercased() == "true"
    }
}
