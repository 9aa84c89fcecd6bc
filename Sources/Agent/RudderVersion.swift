import CBuildInfo

/// The version of this build of Rudder.
public enum RudderVersion {
    /// The release number.
    public static let current = "0.1.0"

    /// The git commit the binary was built from; nil when the build did not record it (only
    /// `make image` does).
    public static var revision: String? {
        let text = String(cString: rudder_build_revision())
        return text.isEmpty ? nil : text
    }

    /// When the binary was built (RFC 3339, UTC); nil when the build did not record it.
    public static var buildDate: String? {
        let text = String(cString: rudder_build_date())
        return text.isEmpty ? nil : text
    }

    /// "rudder 0.1.0 (revision 74c9303ab1c2, built 2026-12-07T17:00:00Z)", or "rudder 0.1.0
    /// (development build: no revision recorded)".
    public static var description: String {
        guard let revision, let buildDate else { return "rudder \(current) (development build: no revision recorded)" }
        return "rudder \(current) (revision \(revision.prefix(12)), built \(buildDate))"
    }
}
