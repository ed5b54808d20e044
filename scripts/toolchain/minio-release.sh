# shellcheck shell=bash
# minio_ldflags: the version stamp MinIO's and mc's Makefiles set (buildscripts/gen-ldflags.go),
# for a build from a module pseudo-version. Sourced after common.sh, not run.
#
# gen-ldflags.go stamps a build that is not a release as Version=<commit time, RFC 3339> and
# ReleaseTag=DEVELOPMENT.<that time with dashes>; a pseudo-version carries that time. It also
# carries the commit's first 12 hex digits, and that is all the commit there is: the proxy's
# .info for these versions has no Origin. mc's ShortCommitID is CommitID[:12], evaluated at start
# (an empty CommitID panics), so both are those 12 digits.

# minio_ldflags PACKAGE PSEUDO_VERSION -> linker flags for release_build.
minio_ldflags() {
    local pkg=$1 version=$2 stamp
    stamp=$(sed -n 's/^v0\.0\.0-\([0-9]\{14\}\)-[0-9a-f]\{12\}$/\1/p' <<< "$version")
    [ -n "$stamp" ] || { log "minio_ldflags: $version is not a pseudo-version"; return 1; }
    local day="${stamp:0:4}-${stamp:4:2}-${stamp:6:2}" hh=${stamp:8:2} mm=${stamp:10:2} ss=${stamp:12:2}
    printf '%s\n' "-X $pkg.Version=${day}T$hh:$mm:${ss}Z -X $pkg.ReleaseTag=DEVELOPMENT.${day}T$hh-$mm-${ss}Z" \
        "-X $pkg.CopyrightYear=${stamp:0:4} -X $pkg.CommitID=${version: -12} -X $pkg.ShortCommitID=${version: -12}" | tr '\n' ' '
}
