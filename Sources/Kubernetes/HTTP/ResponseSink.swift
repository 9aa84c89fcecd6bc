import CCurl
import KubernetesModel

/// Collects what libcurl delivers for one transfer: the whole body, or, for a 2xx stream, one line at a time.
///
/// Lives on the transfer's thread only. Error bodies of streams are collected whole (they are a `Status`), with a
/// cap, and so is anything else that is not a successful stream.
final class ResponseSink {
    /// What to do with the body of a successful response.
    enum Mode {
        /// Keep the whole body.
        case buffer
        /// Hand over each line without its newline; return false to stop the transfer.
        case lines((_ line: [UInt8]) -> Bool)
    }

    /// The longest body or line accepted: the API server's own limit on a request is far below this, so more means
    /// a broken peer, not a big object.
    static let maximumSize = 256 * 1024 * 1024

    private let easy: UnsafeMutableRawPointer
    private let mode: Mode
    private(set) var status = 0
    private(set) var body: [UInt8] = []
    private var pending: [UInt8] = []
    /// Why the sink stopped the transfer, if it did.
    private(set) var stopReason: StopReason?

    /// Why the sink refused more data.
    enum StopReason {
        case consumerGone
        case tooLarge
    }

    init(easy: UnsafeMutableRawPointer, mode: Mode) {
        self.easy = easy
        self.mode = mode
    }

    /// Takes one chunk from libcurl's write callback; false stops the transfer.
    func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if status == 0 {
            var code = 0
            _ = rudder_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        guard case .lines(let deliver) = mode, (200..<300).contains(status) else {
            guard body.count + chunk.count <= Self.maximumSize else { return stop(.tooLarge) }
            body.append(contentsOf: chunk)
            return true
        }
        var start = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                guard pending.count + bytes.count - start <= Self.maximumSize else { return stop(.tooLarge) }
                pending.append(contentsOf: bytes[start...])
                break
            }
            var line: [UInt8]
            if pending.isEmpty {
                line = Array(bytes[start..<newline])
            } else {
                line = pending
                line.append(contentsOf: bytes[start..<newline])
                pending.removeAll(keepingCapacity: true)
            }
            start = newline + 1
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty, !deliver(line) { return stop(.consumerGone) }
        }
        return true
    }

    /// Delivers a last line that had no newline, after a clean end of the stream.
    func finish() {
        guard case .lines(let deliver) = mode, !pending.isEmpty, (200..<300).contains(status) else { return }
        let line = pending
        pending = []
        _ = deliver(line)
    }

    /// The response code, asking libcurl if no body arrived to tell it.
    func finalStatus() -> Int {
        if status == 0 {
            var code = 0
            _ = rudder_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        return status
    }

    private func stop(_ reason: StopReason) -> Bool {
        stopReason = reason
        return false
    }
}
