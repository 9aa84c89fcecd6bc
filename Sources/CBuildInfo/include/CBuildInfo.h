#ifndef RUDDER_BUILD_INFO_H
#define RUDDER_BUILD_INFO_H

/// The git commit this binary was built from, or "" when the build did not record one.
const char *rudder_build_revision(void);
/// When this binary was built (RFC 3339, UTC), or "" when the build did not record it.
const char *rudder_build_date(void);

#endif
