import Agent
import Foundation
import Logging
import Synchronization
import Testing

/// `logging.format: json`: one JSON object per line, whatever the message and metadata hold.
@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func eachEventIsOneParseableLineWithItsFieldsAndMetadata() throws {
        let captured = Lines()
        var handler = JSONLogHandler(label: "rudder.serviceproxy", level: .info) { captured.append($0) }
        handler[metadataKey: "node"] = "node-a"
        let logger = Logger(label: "rudder.serviceproxy", factory: { _ in handler })
        logger.info(
            "service rejected\nsecond line \"quoted\" \u{1}",
            metadata: [
                "service": "default/web", "level": "spoofed", "ports": ["80", "443"],
                "problem": ["field": "spec.ports[0].port", "value": .stringConvertible(70000)],
            ])
        logger.debug("below the level")
        let lines = captured.all
        #expect(lines.count == 1, "\(lines)")
        let line = try #require(lines.first)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "rudder.serviceproxy")
        #expect(object["message"] as? String == "service rejected\nsecond line \"quoted\" \u{1}")
        #expect(object["service"] as? String == "default/web" && object["node"] as? String == "node-a")
        #expect(object["level_"] as? String == "spoofed", "a metadata key never overwrites a field")
        #expect(object["ports"] as? [String] == ["80", "443"])
        #expect((object["problem"] as? [String: String])?["value"] == "70000")
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).first == "T", "\(time)")
    }
}
