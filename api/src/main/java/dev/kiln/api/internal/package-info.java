/**
 * kiln's api module, inside: what the {@link dev.kiln.api.Kiln} façade delegates to and does not
 * export. Nothing here is API: it may change in any release. The SBOM ({@code sbom}) and
 * provenance ({@code attest}) documents a build writes, and how a build check's second build varies.
 */
package dev.kiln.api.internal;
