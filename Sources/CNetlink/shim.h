#ifndef RUDDER_CNETLINK_SHIM_H
#define RUDDER_CNETLINK_SHIM_H

#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/ipip.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/rtnl.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <linux/rtnetlink.h>
#include <linux/netlink.h>
#include <linux/if_link.h>
#include <sys/syscall.h>
#include <unistd.h>

/* setns(2) is declared only under _GNU_SOURCE, which Swift's Glibc module does not set. */
static inline int rudder_setns_net(int fd) {
    return (int)syscall(SYS_setns, fd, 0x40000000 /* CLONE_NEWNET */);
}

#endif
