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

    /// Creates a link of a kind that needs no further attributes (dummy, bridge, ...).
    public func addLink(name: String, kind: String) throws {
        try socket.withHandle { handle in
            guard let link = rtnl_link_alloc() else {
                throw NetlinkError(operation: "add \(kind) link \(name)", errno: ENOMEM)
            }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name)
            try NetlinkError.check(rtnl_link_set_type(link, kind), "add \(kind) link \(name)")
            socket.countWrite()
            try NetlinkError.check(rtnl_link_add(handle, link, NLM_F_CREATE | NLM_F_EXCL), "add \(kind) link \(name)")
        }
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
        try socket.withHandle { handle in
            var original: OpaquePointer?
            try NetlinkError.check(rtnl_link_get_kernel(handle, 0, name, &original), "find link \(name)")
            defer { rtnl_link_put(original) }
            guard let change = rtnl_link_alloc() else {
                throw NetlinkError(operation: "set link \(name)", errno: ENOMEM)
            }
            defer { rtnl_link_put(change) }
            if up {
                rtnl_link_set_flags(change, UInt32(IFF_UP))
            } else {
                rtnl_link_unset_flags(change, UInt32(IFF_UP))
            }
            socket.countWrite()
            try NetlinkError.check(
                rtnl_link_change(handle, original, change, 0), "set link \(name) \(up ? "up" : "down")")
        }
    }

    static func link(from object: OpaquePointer) -> Link {
        let kind = rtnl_link_get_type(object).map { String(cString: $0) }
        return Link(
            index: rtnl_link_get_ifindex(object),
            name: rtnl_link_get_name(object).map { String(cString: $0) } ?? "",
            kind: kind,
            isUp: rtnl_link_get_flags(object) & UInt32(IFF_UP) != 0,
            mtu: rtnl_link_get_mtu(object))
    }
}
