import Agent
import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// Sends one request line to the agent's control socket and prints the answer.
func ask(_ request: String, socket path: String) throws {
    print(try answer(to: request, socket: path), terminator: "")
}

/// Sends one request line to the agent's control socket and returns the answer; an error answer
/// or an unreachable agent is printed and exits 1.
func answer(to request: String, socket path: String) throws -> String {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw failure("cannot make a socket", errno) }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw failure("socket path too long", 0) }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes) }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard connected == 0 else {
        let code = errno
        switch code {
        case EACCES: throw failure("\(path): permission denied (the control socket is root's)", 0)
        case ENOENT, ECONNREFUSED: throw failure("\(path): no agent is running (start it with rudder run)", 0)
        default: throw failure("cannot reach \(path)", code)
        }
    }
    let line = Array((request + "\n").utf8)
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        answer += chunk[0..<count]
    }
    let text = String(decoding: answer, as: UTF8.self)
    if text.hasPrefix("error: ") {
        printError(String(text.dropFirst("error: ".count)).trimmingCharacters(in: .newlines))
        throw ExitCode(1)
    }
    return text
}

private func failure(_ what: String, _ code: Int32) -> ExitCode {
    printError(code == 0 ? what : "\(what): \(String(cString: strerror(code)))")
    return ExitCode(1)
}
