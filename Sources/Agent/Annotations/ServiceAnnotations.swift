import ServiceProxy

/// The kube-router service annotations Rudder honours, read from a Service's annotations.
///
/// As kube-router does, a bad value is reported and ignored (the default applies) rather than
/// keeping the whole Service off the node: the annotation only tunes how traffic is spread.
/// The problems still name the annotation and the value, and the agent logs them.
public struct ServiceAnnotations: Sendable, Equatable {
    /// The scheduler and its flags.
    public var scheduling = SchedulingPolicy()
    /// Whether `kube-router.io/service.local` makes both traffic policies Local.
    public var local = false
    /// One line for each annotation whose value was not understood and was ignored.
    public var warnings: [String] = []

    /// Reads the annotations; unrelated ones are ignored.
    public init(_ annotations: [String: String]) {
        if let value = annotations[SchedulingPolicy.schedulerAnnotation] {
            if let scheduler = SchedulingPolicy.Scheduler(rawValue: value.trimmingSpaces()) {
                scheduling.scheduler = scheduler
            } else {
                let choices = SchedulingPolicy.Scheduler.allCases.map(\.rawValue).joined(separator: ", ")
                warnings.append(
                    "annotation \(SchedulingPolicy.schedulerAnnotation): unknown scheduler '\(value)' "
                        + "(expected \(choices)); using rr")
            }
        }
        if let value = annotations[SchedulingPolicy.flagsAnnotation] {
            for entry in value.split(separator: ",").map({ $0.trimmingSpaces() }) where !entry.isEmpty {
                if let flag = SchedulingPolicy.Flag(rawValue: entry) {
                    scheduling.flags.insert(flag)
                } else {
                    let choices = SchedulingPolicy.Flag.allCases.map(\.rawValue).joined(separator: ", ")
                    warnings.append(
                        "annotation \(SchedulingPolicy.flagsAnnotation): unknown flag '\(entry)' "
                            + "(expected \(choices)); ignored")
                }
            }
        }
        if let value = annotations[ProxiedService.localAnnotation] {
            local = value.trimmingSpaces().lowercased() == "true"
        }
    }
}
