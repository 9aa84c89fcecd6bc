import RudderLab
import Testing

/// Runs a test inside a User-Mode Linux guest, for the kernel features the host lacks.
///
/// On the host it boots a guest that runs this same test bundle filtered to this test, found by
/// the test's own identity (a rename cannot silently break the guest run), and fails with the
/// whole guest output unless exactly that test ran and passed there. Inside the guest it runs the
/// test's body. Pair it with `.userModeLinux`, which skips the test where no guest can boot.
public struct GuestTrait: TestTrait, TestScoping {
    /// Kernel modules the guest loads before the test.
    public var modules: [String]
    /// The guest's memory.
    public var memoryMiB: Int
    /// How long the guest may run.
    public var timeout: Duration

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard !UserModeLinux.isGuest else { return try await function() }
        let result = try await UserModeLinux.runTestInGuest(
            Self.filter(for: test), modules: modules, memoryMiB: memoryMiB, timeout: timeout)
        #expect(
            result.passed, "\(result.passed ? "" : "\(result)\n--- whole guest output ---\n\(result.guest.output)")")
    }

    /// The `--filter` that picks `test` alone: its suite and function names, without the argument
    /// labels (`Suite/function`), matched as `swift test --filter` matches.
    static func filter(for test: Test) -> String {
        test.id.nameComponents.map { component in
            component.prefix { $0 != "(" }
        }.joined(separator: "/")
    }
}

extension Trait where Self == GuestTrait {
    /// Runs the test in a User-Mode Linux guest with `modules` loaded.
    public static func inGuest(
        modules: [String] = [], memoryMiB: Int = 512, timeout: Duration = .seconds(300)
    ) -> Self {
        GuestTrait(modules: modules, memoryMiB: memoryMiB, timeout: timeout)
    }
}

extension Trait where Self == ConditionTrait {
    /// Skips the test where no guest can boot (not root, or no user-mode-linux package); a test
    /// already inside a guest runs.
    public static var userModeLinux: Self {
        .enabled(
            if: UserModeLinux.isAvailable || UserModeLinux.isGuest,
            "User-Mode Linux needs root and the user-mode-linux package")
    }
}
