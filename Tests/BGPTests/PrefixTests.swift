import RudderLab
import Testing

@testable import BGP

/// Addresses and prefixes: text both ways, host-bit masking, and the NLRI encoding.
@Suite struct PrefixTests {
    @Test(arguments: [
        "10.1.0.0/24", "0.0.0.0/0", "192.0.2.1/32", "2001:db8::/64", "::/0", "fe80::1:2/128",
        "2001:db8:0:1:1:1:1:1/128", "2001:0:0:1::/64",
    ])
    func prefixTextRoundTrips(text: String) throws {
        let prefix = try #require(BGPPrefix(text))
        #expect(prefix.description == text)
    }

    @Test func ipv6TextFollowsRFC5952() throws {
        #expect(try #require(BGPAddress("2001:DB8:0:0:1:0:0:1")).description == "2001:db8::1:0:0:1")
        #expect(try #require(BGPAddress("::ffff:10.1.2.3")).description == "::ffff:a01:203")
        #expect(try #require(BGPAddress("1:0:0:2:0:0:0:3")).description == "1:0:0:2::3")
    }

    @Test func malformedTextIsRefused() {
        for text in [
            "10.1.0.0", "10.1.0/24", "10.1.0.0/33", "2001:db8::/129", "1::2::3/64", "10.1.0.0/-1", "/8", "x/8",
        ] {
            #expect(BGPPrefix(text) == nil, "\(text)")
        }
        #expect(BGPAddress("256.0.0.1") == nil)
        #expect(BGPAddress("1:2:3:4:5:6:7:8:9") == nil)
    }

    @Test func textWithHostBitsIsRefusedButAddressesAreMasked() throws {
        #expect(BGPPrefix("10.1.0.5/24") == nil)
        let address = try #require(BGPAddress("10.1.0.5"))
        let prefix = try #require(BGPPrefix(address: address, length: 24))
        #expect(prefix == BGPPrefix("10.1.0.0/24"))
        #expect(BGPPrefix(address: address, length: 33) == nil)
    }

    @Test func nlriUsesTheFewestOctetsAndIgnoresTrailingBits() throws {
        var writer = ByteWriter()
        for text in ["10.1.0.0/24", "10.0.0.0/9", "0.0.0.0/0", "2001:db8::/33"] {
            try #require(BGPPrefix(text)).writeNLRI(into: &writer)
        }
        #expect(writer.bytes == WireBytes.hex("18 0a0100  09 0a00  00  21 20010db8 00"))
        // Trailing bits of the last octet are irrelevant (RFC 4271 §4.3): 10.1.1.0/23 is 10.1.0.0/23.
        let decoded = try BGPPrefix.readNLRI(WireBytes.hex("17 0a 01 01")[...], family: .ipv4)
        #expect(decoded == [try #require(BGPPrefix("10.1.0.0/23"))])
    }

    @Test func badNLRIIsAnErrorNotACrash() {
        #expect(throws: BGPPrefix.NLRIProblem.self) { try BGPPrefix.readNLRI([33, 1, 2, 3, 4, 5][...], family: .ipv4) }
        #expect(throws: BGPPrefix.NLRIProblem.self) { try BGPPrefix.readNLRI([24, 10, 1][...], family: .ipv4) }
        #expect(throws: BGPPrefix.NLRIProblem.self) { try BGPPrefix.readNLRI([129][...], family: .ipv6) }
    }

    @Test func nextHopUsability() throws {
        for text in [
            "0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.5", "239.1.1.1", "240.0.0.1", "255.255.255.255", "::", "::1",
            "ff02::2",
        ] {
            #expect(try #require(BGPAddress(text)).isUsableNextHop == false, "\(text)")
        }
        for text in ["10.0.0.1", "192.0.2.1", "2001:db8::1", "fe80::1"] {
            #expect(try #require(BGPAddress(text)).isUsableNextHop, "\(text)")
        }
    }
}

/// The sizes that full-table change lists multiply by a million.
@Suite struct RouteLayoutTests {
    @Test func aChangeOfBestRouteTakesSixtyFourBytes() {
        #expect(MemoryLayout<BGPPrefix>.stride == 24)
        #expect(MemoryLayout<BGPRoute>.stride == 64)
        #expect(MemoryLayout<LocRIBChange>.stride == 64)
    }
}
