import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

@Suite struct IntOrStringTests {
    struct Holder: Codable, Equatable {
        var value: IntOrString
    }

    @Test func decodesNumbersAndNames() throws {
        let number = try JSONDecoder().decode(Holder.self, from: Data(#"{"value":8080}"#.utf8))
        let name = try JSONDecoder().decode(Holder.self, from: Data(#"{"value":"http-metrics"}"#.utf8))
        #expect(number.value == .int(8080))
        #expect(number.value.intValue == 8080 && number.value.stringValue == nil)
        #expect(name.value == .string("http-metrics"))
        #expect(name.value.stringValue == "http-metrics" && name.value.intValue == nil)
    }

    @Test func encodesBackToTheSameJSON() throws {
        let encoder = JSONEncoder()
        #expect(String(decoding: try encoder.encode(Holder(value: 53)), as: UTF8.self) == #"{"value":53}"#)
        #expect(String(decoding: try encoder.encode(Holder(value: "dns")), as: UTF8.self) == #"{"value":"dns"}"#)
        #expect("\(IntOrString.int(53))" == "53" && "\(IntOrString.string("dns"))" == "dns")
    }

    @Test func rejectsOtherTypesSayingWhatIsAccepted() throws {
        for json in [#"{"value":true}"#, #"{"value":{"port":1}}"#, #"{"value":8080.5}"#] {
            let error = #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(Holder.self, from: Data(json.utf8))
            }
            let problem = DecodingProblem(try #require(error))
            #expect(problem.description == "value: expected a number or a string", "\(json)")
        }
    }
}
