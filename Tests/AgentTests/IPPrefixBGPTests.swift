import BGP
import Netlink
import Testing

@testable import Agent

/// Prefixes and addresses from the speaker become the route controller's without going through text.
@Suite struct IPPrefixBGPTests {
    @Test(arguments: ["10.244.1.0/24", "0.0.0.0/0", "192.0.2.7/32", "2001:db8:1::/48", "::/0", "fe80::1/128"])
    func aPrefixConvertsAsItsTextWouldParse(_ text: String) throws {
        let prefix = try #require(BGPPrefix(text))
        #expect(IPPrefix(prefix) == (try IPPrefix(parsing: text)))
        #expect(IPAddress(prefix.address) == IPAddress(text.split(separator: "/")[0]))
    }
}
