import Addresses
import BGP
import Testing

/// BGP's packed addresses and prefixes and the shared vocabulary's convert without going through text.
@Suite struct AddressConversionTests {
    @Test(arguments: ["10.244.1.0/24", "0.0.0.0/0", "192.0.2.7/32", "2001:db8:1::/48", "::/0", "fe80::1/128"])
    func aPrefixConvertsAsItsTextWouldParse(_ text: String) throws {
        let prefix = try #require(BGPPrefix(text))
        let parsed = try IPPrefix(parsing: text)
        #expect(IPPrefix(prefix) == parsed)
        #expect(BGPPrefix(parsed) == prefix)
        let address = try #require(IPAddress(text.split(separator: "/")[0]))
        #expect(IPAddress(prefix.address) == address)
        #expect(BGPAddress(address) == prefix.address)
        #expect(BGPAddress(address).description == address.description)
    }

    @Test func hostPrefixesAndHostBits() throws {
        #expect(BGPPrefix(host: IPAddress("10.96.0.10")!) == BGPPrefix("10.96.0.10/32"))
        #expect(BGPPrefix(host: IPAddress("fd00::10")!) == BGPPrefix("fd00::10/128"))
        // The vocabulary's prefix may carry host bits; BGP's never does.
        #expect(BGPPrefix(IPPrefix(address: IPAddress("10.1.2.3")!, length: 8)) == BGPPrefix("10.0.0.0/8"))
    }
}
