import NIOCore
import Testing

@testable import BGP
@testable import BGPSpeaker

/// The parts of the speaker that need no network: the MD5 option's layout, secrets kept out of
/// descriptions, dynamic ranges, socket addresses.
@Suite struct SpeakerConfigurationTests {
    @Test func theMD5OptionHasTheKernelsLayout() {
        // struct tcp_md5sig: sockaddr_storage (128), flags, prefixlen, keylen (2), ifindex (4), key[80].
        #expect(MemoryLayout<TCPMD5Signature>.size == 216)
        #expect(MemoryLayout<TCPMD5Signature>.offset(of: \.flags) == 128)
        #expect(MemoryLayout<TCPMD5Signature>.offset(of: \.prefixLength) == 129)
        #expect(MemoryLayout<TCPMD5Signature>.offset(of: \.keyLength) == 130)
        #expect(MemoryLayout<TCPMD5Signature>.offset(of: \.interfaceIndex) == 132)
        #expect(MemoryLayout<TCPMD5Signature>.offset(of: \.key) == 136)

        let single = TCPMD5Signature(address: BGPAddress("10.0.0.2")!, password: BGPPassword("abc"))
        #expect(single.optionName == TCPMD5Signature.option)
        #expect(single.keyLength == 3)
        #expect(single.key[0] == UInt8(ascii: "a") && single.key[2] == UInt8(ascii: "c") && single.key[3] == 0)
        let bytes = withUnsafeBytes(of: single.address) { Array($0) }
        #expect(bytes[0..<2] == [2, 0])  // AF_INET, little-endian
        #expect(bytes[4..<8] == [10, 0, 0, 2])

        let range = TCPMD5Signature(address: BGPAddress("fd00::")!, prefixLength: 64, password: BGPPassword("abc"))
        #expect(range.optionName == TCPMD5Signature.extendedOption)
        #expect(range.flags == TCPMD5Signature.prefixFlag && range.prefixLength == 64)
        let removal = TCPMD5Signature(address: BGPAddress("10.0.0.2")!, password: nil)
        #expect(removal.keyLength == 0)
    }

    @Test func passwordsNeverReachADescription() throws {
        let password = try #require(BGPPassword("hunter2-secret"))
        let peer = BGPSpeakerPeer(
            configuration: BGPPeerConfiguration(
                peerAddress: BGPAddress("10.0.0.2")!, remoteAS: .fixed(65002), localAS: 65001, routerID: 1),
            password: password)
        let range = BGPDynamicNeighborRange(
            prefix: BGPPrefix("10.0.0.0/24")!, remoteAS: 65000...65100, password: password)
        for text in ["\(password)", String(reflecting: password), "\(peer)", "\(range)", String(reflecting: peer)] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(peer.configuration.hasPassword)
        #expect(BGPPassword("") == nil)
        #expect(BGPPassword(String(repeating: "x", count: 81)) == nil)
    }

    @Test func dynamicRangesMatchTheirPrefixAndMakePassivePeers() {
        let range = BGPDynamicNeighborRange(prefix: BGPPrefix("10.255.0.0/16")!, remoteAS: 64512...64520)
        #expect(range.contains(BGPAddress("10.255.3.2")!))
        #expect(!range.contains(BGPAddress("10.254.0.1")!))
        #expect(!range.contains(BGPAddress("fd00::1")!))
        let configuration = range.configuration(for: BGPAddress("10.255.3.2")!, localAS: 65000, routerID: 7)
        #expect(configuration.passive)
        #expect(configuration.remoteAS == .dynamic(64512...64520))
        #expect(configuration.peerAddress == BGPAddress("10.255.3.2"))
    }

    @Test func socketAddressesBecomeBGPAddressesAndMappedOnesIPv4() throws {
        #expect(
            BGPAddress(socketAddress: try SocketAddress(ipAddress: "10.0.0.1", port: 179)) == BGPAddress("10.0.0.1"))
        #expect(BGPAddress(socketAddress: try SocketAddress(ipAddress: "fd00::2", port: 179)) == BGPAddress("fd00::2"))
        #expect(
            BGPAddress(socketAddress: try SocketAddress(ipAddress: "::ffff:10.0.0.3", port: 179))
                == BGPAddress("10.0.0.3"))
    }
}
