import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct TokenSourceTests {
    @Test func staticTokenIsTrimmedAndNeverPrinted() throws {
        let source = TokenSource.token("  abc.def\n")
        #expect(try source.currentToken() == "abc.def")
        #expect(!"\(source)".contains("abc"))
    }

    @Test func fileIsReadAgainWhenItChanges() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("token", "first\n")
        let source = TokenSource.file(path)
        #expect(try source.currentToken() == "first")
        #expect(try source.currentToken() == "first")
        // Same size, rewritten in place: the modification time (nanoseconds) tells.
        try directory.write("token", "secnd\n")
        #expect(try source.currentToken() == "secnd")
        #expect("\(source)" == "token file \(path)")
    }

    @Test func projectedTokenSwapIsSeen() throws {
        // The kubelet writes a new ..data directory and swaps a symbolic link; the token path is a link into it.
        let directory = try TemporaryDirectory()
        try directory.write("..2024_01/token", "old")
        try directory.write("..2024_02/token", "new")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/..data", withDestinationPath: "..2024_01")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path + "/token", withDestinationPath: "..data/token")
        let source = TokenSource.file(directory.path + "/token")
        #expect(try source.currentToken() == "old")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/..tmp", withDestinationPath: "..2024_02")
        #expect(rename(directory.path + "/..tmp", directory.path + "/..data") == 0)
        #expect(try source.currentToken() == "new")
    }

    @Test func keepsTheLastTokenWhenTheFileBrieflyDisappears() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("token", "kept")
        let source = TokenSource.file(path)
        #expect(try source.currentToken() == "kept")
        try FileManager.default.removeItem(atPath: path)
        #expect(try source.currentToken() == "kept")
    }

    @Test func missingOrEmptyFileWithoutAnEarlierToken() throws {
        let directory = try TemporaryDirectory()
        #expect(
            throws: KubernetesConfigurationError.missingFile(
                role: "bearer token", path: directory.path + "/none", source: "token file",
                reason: "No such file or directory")
        ) {
            try TokenSource.file(directory.path + "/none").currentToken()
        }
        let empty = try directory.write("empty", "\n")
        #expect(throws: KubernetesConfigurationError.emptyTokenFile(path: empty)) {
            try TokenSource.file(empty).currentToken()
        }
    }
}
