/// The `type` of a watch event.
public enum WatchEventType: String, KubernetesEnum {
    /// An object appeared.
    case added = "ADDED"
    /// An object changed.
    case modified = "MODIFIED"
    /// An object went away; the event carries its last state.
    case deleted = "DELETED"
    /// Only a resource version: everything up to it has been sent.
    case bookmark = "BOOKMARK"
    /// The watch failed; the event carries a `Status`.
    case error = "ERROR"
}
