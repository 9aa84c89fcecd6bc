import Foundation

/// One open connection to BIRD's control socket, for polling a router every few milliseconds:
/// each `birdc` run costs a process start, which made the wait for BIRD coarser than what was
/// being timed.
///
/// BIRD's control protocol: a greeting line, then for each command reply lines "NNNN-text" or
/// " text", ended by a line "NNNN text" (a code and a space).
final class BirdControlConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects and reads the greeting; replies that take over 5 s fail.
    init(socket path: String) throws {
        descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BGPBenchProbe.Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw BGPBenchProbe.Failure(description: "\(path): path too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            close(descriptor)
            throw BGPBenchProbe.Failure(description: "connect to \(path): errno \(error)")
        }
        _ = try readReply()
    }

    deinit { close(descriptor) }

    /// Sends a command ("show protocols all peer0") and returns its reply lines as sent.
    func command(_ text: String) throws -> [String] {
        let bytes = Array((text + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw BGPBenchProbe.Failure(description: "write to BIRD: errno \(errno)") }
            sent += count
        }
        return try readReply()
    }

    private func readReply() throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try readLine()
            lines.append(line)
            let scalars = Array(line.utf8.prefix(5))
            if scalars.count == 5, scalars[..<4].allSatisfy({ (48...57).contains($0) }), scalars[4] == 32 {
                return lines
            }
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                throw BGPBenchProbe.Failure(description: "read from BIRD: \(count == 0 ? "closed" : "errno \(errno)")")
            }
            buffer += chunk[..<count]
        }
    }
}
