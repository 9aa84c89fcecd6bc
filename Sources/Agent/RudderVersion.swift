/// The version of this build of Rudder.
public enum RudderVersion {
    /// The release number.
    public static let current = "0.1.0"
}
