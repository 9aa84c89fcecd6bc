/// Rebuilds the list of options a JVM applied from its command line and environment, for a JVM
/// that publishes no perf data (whose `java.rt.vmArgs` would otherwise say it).
public enum JVMCommandLine {
    /// Launcher options that take the next argument as their value.
    static let optionsWithValue: Set<String> = [
        "-cp", "-classpath", "--class-path", "-p", "--module-path", "--upgrade-module-path", "--add-modules",
        "--limit-modules", "--add-reads", "--add-exports", "--add-opens", "--patch-module", "--source",
        "--enable-native-access",
    ]

    /// The options in the order HotSpot applies them: `JAVA_TOOL_OPTIONS`, then `JDK_JAVA_OPTIONS`
    /// (only when the launcher is `java`: the `java` launcher alone reads it, not `javac`,
    /// `jshell` or a program that embeds the JVM), then the launcher's own options, then
    /// `_JAVA_OPTIONS`.
    ///
    /// `launcher` is the executable's file name (from `/proc/PID/exe`), `arguments` the full
    /// command line with the program's own arguments, which are left out.
    public static func options(launcher: String, arguments: [String], environment: [String: String]) -> [String] {
        var options = split(environment["JAVA_TOOL_OPTIONS"] ?? "")
        if launcher == "java" { options += split(environment["JDK_JAVA_OPTIONS"] ?? "") }
        options += launcherOptions(arguments)
        options += split(environment["_JAVA_OPTIONS"] ?? "")
        return options
    }

    /// The options of a launcher command line: everything after `argv[0]` up to the main class,
    /// source file, `-jar FILE` or `-m MODULE`; what follows belongs to the program.
    public static func launcherOptions(_ arguments: [String]) -> [String] {
        var options: [String] = []
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("-") else { break }
            if argument == "-jar" || argument == "-m" || argument == "--module" || argument.hasPrefix("--module=") {
                options.append(argument)
                break
            }
            options.append(argument)
            if optionsWithValue.contains(argument), index + 1 < arguments.count {
                options.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        return options
    }

    /// Splits an options variable at white space, keeping quoted runs together as HotSpot does.
    public static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Splits a NUL-separated `/proc/PID/cmdline` or `environ` into its strings.
    public static func nulSeparated(_ bytes: [UInt8]) -> [String] {
        var strings = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if strings.last == "" { strings.removeLast() }
        return strings
    }

    /// An environment as a dictionary, from `/proc/PID/environ`; the first of a repeated name wins,
    /// as `getenv` finds it.
    public static func environment(_ bytes: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in nulSeparated(bytes) {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            if result[name] == nil { result[name] = String(entry[entry.index(after: equals)...]) }
        }
        return result
    }
}
