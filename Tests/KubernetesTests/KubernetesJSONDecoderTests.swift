import Foundation
import Testing

@testable import Kubernetes
@testable import KubernetesModel

/// The fast decoder against Foundation's: the same values, and the same errors, for the same input.
@Suite struct KubernetesJSONDecoderTests {
    /// Decodes with both decoders: both succeed with equal values, or both fail with the same problem.
    ///
    /// One difference is by design: Foundation validates only the strings it decodes (and accepts trailing commas),
    /// while the fast decoder checks the whole document first, so it may call a document invalid that Foundation
    /// half-reads. The reverse — the fast decoder accepting what Foundation calls invalid — is a failure.
    func compare<T: Decodable & Equatable>(
        _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let bytes = Array(json.utf8)
        let fast = Result { try KubernetesJSONDecoder.decode(T.self, from: bytes) }
        let foundation = Result { try JSONDecoder().decode(T.self, from: Data(bytes)) }
        func isSyntax(_ error: any Error) -> Bool {
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.hasPrefix("The given data was not valid JSON")
        }
        switch (fast, foundation) {
        case (.success(let mine), .success(let theirs)):
            #expect(mine == theirs, "\(json)", sourceLocation: sourceLocation)
        case (.failure(let mine), _) where isSyntax(mine):
            break
        case (.failure(DecodingError.dataCorrupted), .failure(DecodingError.dataCorrupted)):
            break  // a number that does not fit: Foundation says only "not valid JSON", the fast decoder says where
        case (.failure(let mine as DecodingError), .failure(let theirs as DecodingError)):
            #expect(
                DecodingProblem(mine).description == DecodingProblem(theirs).description, "\(json)",
                sourceLocation: sourceLocation)
        default:
            Issue.record("fast: \(fast), Foundation: \(foundation) for \(json)", sourceLocation: sourceLocation)
        }
    }

    @Test func realisticObjectsDecodeAlike() {
        compare(Service.self, Fixtures.service(name: "web"))
        compare(EndpointSlice.self, Fixtures.endpointSlice(name: "web-1", service: "web", endpoints: 4))
        compare(Node.self, Fixtures.node)
        compare(Pod.self, Fixtures.pod)
        compare(
            KubernetesStatus.self,
            #"{"kind":"Status","status":"Failure","message":"gone","reason":"Expired","code":410}"#)
    }

    @Test func stringsWithEscapesAndUnicode() {
        struct Text: Decodable, Equatable {
            var value: String
        }
        for literal in [
            #""plain""#, #""""#, #""quote \" slash \/ backslash \\""#, #""\b\f\n\r\t""#, #""\u00e9t\u00E9""#,
            #""emoji \ud83d\ude80 and é directly""#, #""\u0000 nul""#,
            "\"caf\u{e9} \u{4e2d}\u{6587}\"",
        ] {
            compare(Text.self, #"{"value":\#(literal)}"#)
        }
        compare([String: String].self, #"{"k\"ey":"v\nalue","":"empty","\u0041":"A"}"#)
        // Go's encoder (and decoder) turn a lone surrogate into U+FFFD; Foundation refuses the document.
        let lone = try? KubernetesJSONDecoder.decode(Text.self, from: Array(#"{"value":"a\ud800b"}"#.utf8))
        #expect(lone?.value == "a\u{FFFD}b")
    }

    @Test func numbers() {
        struct Numbers: Decodable, Equatable {
            var int: Int
            var small: Int32?
            var unsigned: UInt16?
            var double: Double?
        }
        for json in [
            #"{"int":0}"#, #"{"int":-0}"#, #"{"int":9223372036854775807}"#, #"{"int":-9223372036854775808}"#,
            #"{"int":9223372036854775808}"#, #"{"int":1.0}"#, #"{"int":1e3}"#, #"{"int":1.5}"#, #"{"int":-1E-2}"#,
            #"{"int":1,"small":2147483648}"#, #"{"int":1,"unsigned":-1}"#, #"{"int":1,"unsigned":65535}"#,
            #"{"int":1,"double":3.25}"#, #"{"int":1,"double":-2.5e-3}"#, #"{"int":1,"double":1e400}"#,
            #"{"int":"1"}"#, #"{"int":true}"#, #"{"int":null}"#, #"{"int":[1]}"#, #"{}"#,
        ] {
            compare(Numbers.self, json)
        }
    }

    @Test func shapesAndNulls() {
        struct Shapes: Decodable, Equatable {
            var list: [Int]?
            var map: [String: Int]?
            var nested: [[String]]?
            var flag: Bool?
            var optional: String?
        }
        for json in [
            #"{"list":[1,2,3],"map":{"a":1},"nested":[["x"],[]],"flag":false,"optional":null}"#,
            #"{"list":[1,null]}"#, #"{"list":{"a":1}}"#, #"{"map":[1]}"#, #"{"nested":[["x",2]]}"#,
            #"{"flag":"true"}"#, #"{"optional":5}"#, #"{"list":null,"map":null}"#, #"  {  "list" : [ ] }  "#,
            #"[]"#, #""text""#, #"null"#,
        ] {
            compare(Shapes.self, json)
        }
        compare([String].self, #"["a",null]"#)
        compare([String].self, #"["a",1]"#)
        compare([String: String].self, #"{"a":null}"#)
        compare([String: String].self, #"{"a":{"b":"c"}}"#)
    }

    @Test func malformedDocumentsAreRejected() {
        for json in [
            "", " ", "{", "}", #"{"a":}"#, #"{"a" 1}"#, "[1 2]", #"{"a":1}}"#, #"{"a":1} x"#,
            "01", "-", "1.", ".5", "1e", "+1", "tru", "nul", "[\"unterminated]", "[\"bad \\x escape\"]",
            "[\"\\u12G4\"]", "[\"tab\there\"]", #"{a:1}"#, "{'a':1}", "[NaN]", "[Infinity]",
        ] {
            let fast = Result { try KubernetesJSONDecoder.decode([String: Int].self, from: Array(json.utf8)) }
            let foundation = Result { try JSONDecoder().decode([String: Int].self, from: Data(json.utf8)) }
            #expect((try? fast.get()) == nil, "\(json) must be rejected")
            #expect((try? foundation.get()) == nil, "Foundation rejects \(json) as well")
        }
        // RFC 8259 has no trailing commas; Foundation lets them through, Go's decoder (the API server's) does not.
        for json in [#"{"a":1,}"#, "[1,]"] {
            #expect((try? KubernetesJSONDecoder.decode([String: Int].self, from: Array(json.utf8))) == nil)
        }
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: DecodingError.self) { try KubernetesJSONDecoder.decode([String].self, from: Array(deep.utf8)) }
    }

    @Test func mutatedDocumentsDecodeAsFoundationDecodesThem() {
        // Random single-byte damage to real objects: whatever Foundation makes of it, so must the fast decoder.
        var generator = SplitMix64(seed: 0x5eed)
        let documents = [
            Fixtures.service(name: "web"), Fixtures.endpointSlice(name: "s", service: "web", endpoints: 2),
            Fixtures.node, Fixtures.pod,
        ]
        let alphabet = Array(#"{}[]":,0123456789-.eEtruefalsn \"x\\"#.utf8)
        for round in 0..<2_000 {
            var bytes = Array(documents[round % documents.count].utf8)
            for _ in 0..<(1 + round % 3) {
                let position = Int(generator.next() % UInt64(bytes.count))
                bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            let json = String(decoding: bytes, as: UTF8.self)
            switch round % 4 {
            case 0: compare(Service.self, json)
            case 1: compare(EndpointSlice.self, json)
            case 2: compare(Node.self, json)
            default: compare(Pod.self, json)
            }
        }
    }
}

/// A small deterministic generator, so that a failure can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
