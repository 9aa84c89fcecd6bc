#ifndef RUDDER_CIPSET_SHIM_H
#define RUDDER_CIPSET_SHIM_H

#include <libipset/ipset.h>

#endif
