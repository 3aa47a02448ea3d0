# shellcheck shell=bash
# The kernel versions xenlint is measured on: Debian's linux-source-<v> packages, read by
# scripts/kernel-refs.sh and scripts/conformance.sh (tests/common/mod.rs keeps the same
# lists as VERSIONS and CI_VERSIONS; a test checks they agree). A new version is one more
# word here; scripts/kernel-refs.sh takes its tarball from /usr/src or from the cache
# scripts/fetch-kernel-source.sh fills.
kernel_versions="5.10 6.1 6.12 7.2"
# The versions the CI machine's own apt sources carry (bookworm and bookworm-security:
# linux-source-6.1 and -6.12): what scripts/test.sh and .ci/run provision and require.
ci_kernel_versions="6.1 6.12"
