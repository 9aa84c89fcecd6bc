import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

extension Rtnetlink {
    /// Lists every link.
    public func links() throws -> [Link] {
        try socket.withHandle { handle in
            var cache: OpaquePointer?
            try NetlinkError.check(rtnl_link_alloc_cache(handle, AF_UNSPEC, &cache), "list links")
            defer { nl_cache_free(cache) }
            var result: [Link] = []
            var object = nl_cache_get_first(cache)
            while let current = object {
                result.append(Self.link(from: current))
                object = nl_cache_get_next(current)
            }
            return result
        }
    }

    /// The link with this name, or nil.
    public func link(named name: String) throws -> Link? {
        try socket.withHandle { handle in
            var object: OpaquePointer?
            let code = rtnl_link_get_kernel(handle, 0, name, &object)
            if code == -NLE_OBJ_NOTFOUND || code == -NLE_NODEV { return nil }
            try NetlinkError.check(code, "find link \(name)")
            defer { rtnl_link_put(object) }
            return Self.link(from: object!)
        }
    }

    /// The link with this index, or nil.
    public func link(index: Int32) throws -> Link? {
        try socket.withHandle { handle in
            var object: OpaquePointer?
            let code = rtnl_link_get_kernel(handle, index, nil, &object)
            if code == -NLE_OBJ_NOTFOUND || code == -NLE_NODEV { return nil }
            try NetlinkError.check(code, "find link #\(index)")
            defer { rtnl_link_put(object) }
            return Self.link(from: object!)
        }
    }

    /// Creates a veth pair; the peer may be placed in another namespace.
    public func addVeth(name: String, peerName: String, peerNamespace: NetworkNamespace = .current) throws {
        try socket.withHandle { handle in
            guard let link = rtnl_link_veth_alloc() else {
                throw NetlinkError(operation: "add veth \(name)", errno: ENOMEM)
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name)
            let peer = rtnl_link_veth_get_peer(link)
            defer { rtnl_link_put(peer) }
            rtnl_link_set_name(peer, peerName)
            var namespaceFD: Int32 = -1
            if let path = peerNamespace.filePath {
                namespaceFD = open(path, O_RDONLY | O_CLOEXEC)
                guard namespaceFD >= 0 else { throw NetlinkError(operation: "open namespace \(path)", errno: errno) }
                rtnl_link_set_ns_fd(peer, namespaceFD)
            }
            defer { if namespaceFD >= 0 { close(namespaceFD) } }
            socket.countWrite()
            try NetlinkError.check(
                rtnl_link_add(handle, link, NLM_F_CREATE | NLM_F_EXCL), "add veth \(name) peer \(peerName)")
        }
    }

    /// Creates a dummy link.
    public func addDummy(name: String) throws {
        try addLink(name: name, kind: "dummy")
    }

    /// Creates a link of a kind that needs no further attributes (dummy, bridge, ...), with an MTU
    /// and a hardware address when given.
    public func addLink(name: String, kind: String, mtu: UInt32? = nil, hardwareAddress: [UInt8]? = nil) throws {
        try socket.withHandle { handle in
            guard let link = rtnl_link_alloc() else {
                throw NetlinkError(operation: "add \(kind) link \(name)", errno: ENOMEM)
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name)
            if let mtu { rtnl_link_set_mtu(link, mtu) }
            if var bytes = hardwareAddress {
                let address = nl_addr_build(AF_LLC, &bytes, bytes.count)
                defer { nl_addr_put(address) }
                rtnl_link_set_addr(link, address)
            }
            try NetlinkError.check(rtnl_link_set_type(link, kind), "add \(kind) link \(name)")
            socket.countWrite()
            try NetlinkError.check(rtnl_link_add(handle, link, NLM_F_CREATE | NLM_F_EXCL), "add \(kind) link \(name)")
        }
    }

    /// Sets a link's MTU.
    public func setLink(named name: String, mtu: UInt32) throws {
        try changeLink(named: name, "set link \(name) mtu \(mtu)") { rtnl_link_set_mtu($0, mtu) }
    }

    /// Deletes a link by name.
    public func deleteLink(named name: String) throws {
        try socket.withHandle { handle in
            guard let link = rtnl_link_alloc() else {
                throw NetlinkError(operation: "delete link \(name)", errno: ENOMEM)
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name)
            socket.countWrite()
            try NetlinkError.check(rtnl_link_delete(handle, link), "delete link \(name)")
        }
    }

    /// Sets a link administratively up or down.
    public func setLink(named name: String, up: Bool) throws {
        try changeLink(named: name, "set link \(name) \(up ? "up" : "down")") { change in
            if up {
                rtnl_link_set_flags(change, UInt32(IFF_UP))
            } else {
                rtnl_link_unset_flags(change, UInt32(IFF_UP))
            }
        }
    }

    /// Sends one change of the link called `name`, described by what `edit` sets on an empty link.
    private func changeLink(named name: String, _ operation: String, _ edit: (OpaquePointer) -> Void) throws {
        try socket.withHandle { handle in
            var original: OpaquePointer?
            try NetlinkError.check(rtnl_link_get_kernel(handle, 0, name, &original), "find link \(name)")
            defer { rtnl_link_put(original) }
            guard let change = rtnl_link_alloc() else { throw NetlinkError(operation: operation, errno: ENOMEM) }
            defer { rtnl_link_put(change) }
            edit(change)
            socket.countWrite()
            try NetlinkError.check(rtnl_link_change(handle, original, change, 0), operation)
        }
    }

    static func link(from object: OpaquePointer) -> Link {
        let kind = rtnl_link_get_type(object).map { String(cString: $0) }
        var tunnel: IPIPTunnel?
        if kind == "ipip" {
            tunnel = IPIPTunnel(
                local: .v4(UInt32(bigEndian: rtnl_link_ipip_get_local(object))),
                remote: .v4(UInt32(bigEndian: rtnl_link_ipip_get_remote(object))))
        }
        return Link(
            index: rtnl_link_get_ifindex(object),
            name: rtnl_link_get_name(object).map { String(cString: $0) } ?? "",
            kind: kind,
            isUp: rtnl_link_get_flags(object) & UInt32(IFF_UP) != 0,
            mtu: rtnl_link_get_mtu(object),
            tunnel: tunnel)
    }
}
