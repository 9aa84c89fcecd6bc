import Addresses
import PodNetwork

/// What `rudder cni show` prints: the conflist Rudder would write beside the one on disk.
public enum CNIShow {
    /// The conflist for `podCIDRs` under the configuration's `podNetwork` settings, rendered offline.
    public static func rendered(configuration: RudderConfiguration, podCIDRs: [IPPrefix], mtu: UInt32?) -> String {
        let settings = configuration.podNetwork.settings
        let state = PodNetworkState(podCIDRs: podCIDRs, mtu: mtu ?? settings.mtu ?? 1500)
        return CNIConfiguration(settings: settings, state: state).rendered
    }

    /// The report: the wanted text, the file's, and whether they are equal; `source` says where the wanted text came from.
    public static func report(wanted: String, source: String, configuration: RudderConfiguration) -> String {
        let settings = configuration.podNetwork.settings
        let directory = CNIConfigDirectory(path: settings.configDirectory, fileName: settings.configFileName)
        var lines = ["# would write (\(source)): \(directory.filePath)", wanted]
        do {
            if let current = try directory.current() {
                lines += ["# on disk: \(directory.filePath)", current]
                lines.append(current == wanted ? "# the same: nothing to write" : "# differs: the agent rewrites it")
            } else {
                lines.append("# on disk: \(directory.filePath) does not exist")
            }
            let earlier = try directory.earlierConfigurations()
            if !earlier.isEmpty {
                lines.append(
                    "# warning: \(earlier.joined(separator: ", ")) sort(s) before \(settings.configFileName); "
                        + "container runtimes use the first")
            }
        } catch {
            lines.append("# on disk: \(error)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
