package dev.kiln.api.internal.sbom;

import dev.kiln.oci.OciJson;
import dev.kiln.oci.Platform;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SPDX 2.3 JSON document for one architecture's image: the image as a package (by its manifest
 * digest) that CONTAINS every locked package of that architecture, each with its version, supplier,
 * sha256 and purl. The bytes depend only on the lock, the image and kiln's version: {@code created}
 * is the image epoch, never the wall clock, and the namespace is derived from the image digest.
 *
 * <pre>{@code
 * byte[] sbom = SpdxSbom.of(lock, new SpdxSbom.Image("static", manifestDigest, "amd64", epoch), "0.1.0")
 *         .withMaintainers(maintainersBySha256).json();
 * }</pre>
 *
 * @param maintainers a package's {@code Maintainer} field by the package's sha256 (the lock does
 *     not record it; the .deb control files do); a package without one has supplier NOASSERTION
 */
public record SpdxSbom(Lock lock, Image image, String kilnVersion, Map<Digest, String> maintainers) {
    public static final String SPDX_VERSION = "SPDX-2.3";
    /** Where kiln's SBOM namespaces live; the image digest makes each document's namespace unique. */
    public static final String NAMESPACE_BASE = "https://kiln.dev/spdx/";
    public static final String NOASSERTION = "NOASSERTION";
    static final String IMAGE_ID = "SPDXRef-Image";

    private static final Pattern NAME_EMAIL = Pattern.compile("\\s*(.*?)\\s*<([^<>]*)>\\s*");
    private static final Pattern TEAM = Pattern.compile("(?i).*\\b(team|maintainers|developers|group|project|packagers)\\b.*");

    /**
     * The image the SBOM describes.
     *
     * @param name what people call it (the title annotation, a repository name)
     * @param digest its manifest's digest for this architecture
     * @param arch the Debian architecture whose packages it holds
     * @param epoch the image epoch, seconds: the document's {@code created}
     */
    public record Image(String name, Digest digest, String arch, long epoch) {
        public Image {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(arch, "arch");
            if (name.isBlank()) {
                throw new IllegalArgumentException("an image name is needed for the SBOM");
            }
        }
    }

    public SpdxSbom {
        Objects.requireNonNull(lock, "lock");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(kilnVersion, "kilnVersion");
        maintainers = Map.copyOf(maintainers);
    }

    public static SpdxSbom of(Lock lock, Image image, String kilnVersion) {
        if (!lock.archs().containsKey(image.arch())) {
            throw new IllegalArgumentException("the lock has no packages for " + image.arch() + "; it has " + lock.archs().keySet());
        }
        return new SpdxSbom(lock, image, kilnVersion, Map.of());
    }

    public SpdxSbom withMaintainers(Map<Digest, String> bySha256) {
        return new SpdxSbom(lock, image, kilnVersion, bySha256);
    }

    /** The document in kiln's canonical JSON (sorted keys, no whitespace). */
    public byte[] json() {
        return OciJson.canonical(document());
    }

    /** The document as maps and lists, in SPDX 2.3's JSON shape. */
    public Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("spdxVersion", SPDX_VERSION);
        doc.put("dataLicense", "CC0-1.0");
        doc.put("SPDXID", "SPDXRef-DOCUMENT");
        doc.put("name", image.name() + " " + platform());
        doc.put("documentNamespace", NAMESPACE_BASE + image.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-")
                + "/" + image.digest().hex());
        doc.put("creationInfo", Map.of(
                "created", OciJson.time(Instant.ofEpochSecond(image.epoch())),
                "creators", List.of("Tool: kiln-" + kilnVersion)));
        doc.put("documentDescribes", List.of(IMAGE_ID));

        List<Object> packages = new ArrayList<>();
        List<Object> relationships = new ArrayList<>();
        packages.add(imagePackage());
        relationships.add(relationship("SPDXRef-DOCUMENT", "DESCRIBES", IMAGE_ID));
        List<Lock.Package> locked = new ArrayList<>(lock.packages(image.arch()));
        locked.sort(Comparator.comparing(Lock.Package::name).thenComparing(Lock.Package::architecture)
                .thenComparing(Lock.Package::version).thenComparing(Lock.Package::sha256));
        for (Lock.Package p : locked) {
            String id = id(p);
            packages.add(debPackage(p, id));
            relationships.add(relationship(IMAGE_ID, "CONTAINS", id));
        }
        doc.put("packages", packages);
        doc.put("relationships", relationships);
        return doc;
    }

    private String platform() {
        return Platform.ofDebian(image.arch()).toString();
    }

    private Map<String, Object> imagePackage() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("SPDXID", IMAGE_ID);
        p.put("name", image.name());
        p.put("versionInfo", image.digest().toString());
        p.put("downloadLocation", NOASSERTION);
        p.put("filesAnalyzed", Boolean.FALSE);
        p.put("primaryPackagePurpose", "CONTAINER");
        p.put("supplier", NOASSERTION);
        p.put("checksums", List.of(sha256(image.digest())));
        p.put("externalRefs", List.of(purl(Purl.oci(image.name(), image.digest(),
                Optional.of(Platform.ofDebian(image.arch()).architecture())))));
        p.put("licenseConcluded", NOASSERTION);
        p.put("licenseDeclared", NOASSERTION);
        p.put("copyrightText", NOASSERTION);
        return p;
    }

    private Map<String, Object> debPackage(Lock.Package pkg, String id) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("SPDXID", id);
        p.put("name", pkg.name());
        p.put("versionInfo", pkg.version());
        p.put("downloadLocation", NOASSERTION);
        p.put("filesAnalyzed", Boolean.FALSE);
        p.put("primaryPackagePurpose", "INSTALL");
        p.put("supplier", supplier(maintainers.get(pkg.sha256())));
        p.put("checksums", List.of(sha256(pkg.sha256())));
        p.put("externalRefs", List.of(purl(Purl.deb(lock, pkg))));
        if (pkg.source() != null && !pkg.source().isEmpty() && !pkg.source().equals(pkg.name())) {
            p.put("sourceInfo", "built from the Debian source package " + pkg.source());
        }
        p.put("licenseConcluded", NOASSERTION);
        p.put("licenseDeclared", NOASSERTION);
        p.put("copyrightText", NOASSERTION);
        return p;
    }

    /**
     * SPDX's agent syntax for a Debian {@code Maintainer} field: {@code Organization: NAME (EMAIL)}
     * for a team or list, else {@code Person: NAME (EMAIL)}; NOASSERTION when unknown.
     */
    static String supplier(String maintainer) {
        if (maintainer == null || maintainer.isBlank()) {
            return NOASSERTION;
        }
        String text = maintainer.replaceAll("[\\r\\n]+", " ").strip();
        Matcher m = NAME_EMAIL.matcher(text);
        String name = m.matches() ? m.group(1) : text;
        String email = m.matches() ? " (" + m.group(2).strip() + ")" : "";
        if (name.isEmpty()) {
            name = m.matches() ? m.group(2).strip() : text;
            email = "";
        }
        return (TEAM.matcher(name).matches() ? "Organization: " : "Person: ") + name + email;
    }

    /** {@code SPDXRef-Package-deb-NAME-ARCH-<16 hex of the sha256>}: unique per file, letters, digits, '.' and '-' only. */
    static String id(Lock.Package p) {
        return "SPDXRef-Package-deb-" + (p.name() + "-" + p.architecture()).replaceAll("[^A-Za-z0-9.-]", "-") + "-"
                + p.sha256().hex().substring(0, 16);
    }

    private static Map<String, Object> sha256(Digest d) {
        return Map.of("algorithm", "SHA256", "checksumValue", d.hex());
    }

    private static Map<String, Object> purl(String purl) {
        return Map.of("referenceCategory", "PACKAGE-MANAGER", "referenceType", "purl", "referenceLocator", purl);
    }

    private static Map<String, Object> relationship(String from, String type, String to) {
        return Map.of("spdxElementId", from, "relationshipType", type, "relatedSpdxElement", to);
    }
}
