/// One thing wrong with a configuration file, at a position when one is known.
public struct ConfigurationProblem: Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line, or nil when the problem concerns the file as a whole.
    public var line: Int?
    /// The 1-based column (in Unicode scalars), or nil when unknown.
    public var column: Int?
    /// What is wrong, naming the key or object concerned.
    public var message: String

    /// A problem at a position (or at none).
    public init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// The problem as "LINE:COLUMN: message", or just the message when it has no position.
    public var description: String {
        switch (line, column) {
        case (let line?, let column?): "\(line):\(column): \(message)"
        case (let line?, nil): "\(line): \(message)"
        default: message
        }
    }

    /// The problem prefixed with the file, the way compilers print theirs: "FILE:LINE:COLUMN: message".
    public func description(file: String) -> String {
        line == nil ? "\(file): \(message)" : "\(file):\(description)"
    }
}

/// Every problem found in one configuration file; thrown when the file cannot be used at all.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// The problems, in file order; never empty.
    public var problems: [ConfigurationProblem]

    /// An error listing `problems` found in `file`.
    public init(file: String, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    /// An error with one problem about the file as a whole, such as that it cannot be read.
    public init(file: String, message: String) {
        self.init(file: file, problems: [ConfigurationProblem(line: nil, column: nil, message: message)])
    }

    /// One line per problem, each starting with the file and position so editors can jump to it.
    public var description: String {
        problems.map { $0.description(file: file) }.joined(separator: "\n")
    }
}
