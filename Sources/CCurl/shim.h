#ifndef RUDDER_CCURL_SHIM_H
#define RUDDER_CCURL_SHIM_H

#include <curl/curl.h>

#endif
