// What a release build records about itself. `make image` writes build_info_values.h (ignored
// by git) with RUDDER_REVISION and RUDDER_BUILD_DATE before it builds, and removes it after; a
// build without it, such as the test suite's, records nothing. A header, not -Xcc defines: a
// define on the command line changes every target's flags and rebuilds them all, the header
// rebuilds this one file.
#include "CBuildInfo.h"

#if __has_include("build_info_values.h")
#include "build_info_values.h"
#endif

#ifndef RUDDER_REVISION
#define RUDDER_REVISION ""
#endif
#ifndef RUDDER_BUILD_DATE
#define RUDDER_BUILD_DATE ""
#endif

const char *rudder_build_revision(void) { return RUDDER_REVISION; }
const char *rudder_build_date(void) { return RUDDER_BUILD_DATE; }
