import Netlink
import Testing

/// Generic netlink on the host: the controller family always exists.
@Suite struct GenericNetlinkTests {
    @Test func resolvesTheControllerAndListsFamilies() throws {
        let genl = try GenericNetlink()
        let controller = try genl.resolveFamily("nlctrl")
        #expect(controller.id == GenericNetlink.controllerID)
        #expect(controller.multicastGroups["notify"] != nil)
        let families = try genl.families()
        #expect(families.contains { $0.name == "nlctrl" })
    }

    @Test func anUnknownFamilyIsAClearError() throws {
        let error = #expect(throws: NetlinkError.self) { try GenericNetlink().resolveFamily("NO_SUCH_FAMILY") }
        #expect(error?.errno == ENOENT)
        #expect(error?.description.contains("NO_SUCH_FAMILY") == true)
    }

    @Test func messagesEncodeTheGenericHeader() {
        let message = GenericNetlinkMessage(command: 3, version: 1, attributes: [.string(2, "IPVS")])
        let encoded = message.encode(familyID: 0x10, flags: 1)
        #expect(encoded.type == 0x10)
        #expect(Array(encoded.payload.prefix(4)) == [3, 1, 0, 0])
        #expect(GenericNetlinkMessage(decoding: encoded) == message)
    }
}

#if canImport(Glibc)
    import Glibc
#endif
