import Addresses
import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

extension Rtnetlink {
    /// Lists addresses of every link, or of one family.
    public func addresses(family: AddressFamily? = nil) throws -> [InterfaceAddress] {
        try socket.withHandle { handle in
            var cache: OpaquePointer?
            try NetlinkError.check(rtnl_addr_alloc_cache(handle, &cache), "list addresses")
            defer { nl_cache_free(cache) }
            var result: [InterfaceAddress] = []
            var object = nl_cache_get_first(cache)
            while let current = object {
                if let address = Self.address(from: current), family == nil || address.address.family == family {
                    result.append(address)
                }
                object = nl_cache_get_next(current)
            }
            return result
        }
    }

    /// Adds an address to a link; IPv6 addresses skip duplicate address detection when asked.
    public func addAddress(_ address: InterfaceAddress, skipDAD: Bool = false) throws {
        try changeAddress(address, adding: true, skipDAD: skipDAD)
    }

    /// Deletes an address from a link.
    public func deleteAddress(_ address: InterfaceAddress) throws {
        try changeAddress(address, adding: false, skipDAD: false)
    }

    private func changeAddress(_ address: InterfaceAddress, adding: Bool, skipDAD: Bool) throws {
        let operation = "\(adding ? "add" : "delete") address \(address)"
        try socket.withHandle { handle in
            guard let object = rtnl_addr_alloc() else { throw NetlinkError(operation: operation, errno: ENOMEM) }
            defer { rtnl_addr_put(object) }
            rtnl_addr_set_ifindex(object, address.linkIndex)
            rtnl_addr_set_family(object, address.address.family.kernelValue)
            let local = NLAddress.make(address.address.address, prefixLength: address.address.length)
            defer { nl_addr_put(local) }
            try NetlinkError.check(rtnl_addr_set_local(object, local), operation)
            rtnl_addr_set_prefixlen(object, Int32(address.address.length))
            rtnl_addr_set_scope(object, Int32(address.scope))
            if skipDAD { rtnl_addr_set_flags(object, UInt32(IFA_F_NODAD)) }
            socket.countWrite()
            let code = adding ? rtnl_addr_add(handle, object, 0) : rtnl_addr_delete(handle, object, 0)
            try NetlinkError.check(code, operation)
        }
    }

    static func address(from object: OpaquePointer) -> InterfaceAddress? {
        guard let local = NLAddress.address(rtnl_addr_get_local(object)) else { return nil }
        return InterfaceAddress(
            linkIndex: rtnl_addr_get_ifindex(object),
            address: IPPrefix(address: local, length: Int(rtnl_addr_get_prefixlen(object))),
            scope: UInt8(truncatingIfNeeded: rtnl_addr_get_scope(object)))
    }
}
