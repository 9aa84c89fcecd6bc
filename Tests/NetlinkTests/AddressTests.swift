import Addresses
import Testing

/// Parsing and formatting of addresses and prefixes.
@Suite struct AddressTests {
    @Test(arguments: ["10.0.0.1", "255.255.255.255", "::", "fd00::1", "2001:db8:0:1::ff"])
    func addressesRoundTrip(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == text)
        #expect(IPAddress(bytes: address.bytes) == address)
    }

    @Test func rejectsGarbage() {
        #expect(IPAddress("10.0.0") == nil)
        #expect(IPAddress("fd00::1::2") == nil)
        #expect(IPAddress("") == nil)
    }

    @Test func prefixesRefuseHostBitsAndBadLengths() throws {
        #expect(try IPPrefix(parsing: "10.244.1.0/24").length == 24)
        #expect(try IPPrefix(parsing: "fd00:10:244::/48").family == .ipv6)
        #expect(throws: IPPrefix.ParseError.hostBitsSet("10.244.1.1/24", expected: "10.244.1.0/24")) {
            try IPPrefix(parsing: "10.244.1.1/24")
        }
        #expect(throws: IPPrefix.ParseError.lengthOutOfRange("10.0.0.0/33", max: 32)) {
            try IPPrefix(parsing: "10.0.0.0/33")
        }
        #expect(throws: IPPrefix.ParseError.malformed("10.0.0.0/x")) { try IPPrefix(parsing: "10.0.0.0/x") }
    }

    @Test func containment() throws {
        let prefix = try IPPrefix(parsing: "fd00:1::/64")
        #expect(prefix.contains(IPAddress("fd00:1::99")!))
        #expect(!prefix.contains(IPAddress("fd00:2::1")!))
        #expect(!prefix.contains(IPAddress("10.0.0.1")!))
    }
}
