/**
 * What an image holds, for scanners and auditors: an SPDX 2.3 JSON document per architecture from
 * the lock, and package URLs (purl-spec) for Debian packages and OCI images. Deterministic: the
 * same lock and image give the same bytes.
 */
package dev.kiln.api.internal.sbom;
