package dev.kiln.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SPDX JSON SBOM as an in-toto Statement, the shape {@code cosign attest --type spdxjson} gives
 * it: {@code _type} {@value #STATEMENT_TYPE}, {@code predicateType} {@value #PREDICATE_TYPE},
 * {@code predicate} the SPDX document itself, {@code subject} the image it describes.
 *
 * <p>Which image an SPDX document describes is read from the packages its {@code documentDescribes}
 * (or a {@code DESCRIBES} relationship of the document) names: a {@code SHA256} checksum, a
 * {@code versionInfo} {@code sha256:<hex>} or a {@code pkg:oci/...@sha256:<hex>} purl. kiln's own
 * SBOMs ({@code kiln build}'s {@code DIR.ARCH.spdx.json}) carry all three for the architecture's
 * manifest digest; syft's name the image by {@code versionInfo} and purl.
 */
public final class SbomStatement {
    /** in-toto Statement v1. */
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    /** The predicate type of an SPDX document (cosign's {@code --type spdxjson}). */
    public static final String PREDICATE_TYPE = "https://spdx.dev/Document";

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PINNED = Pattern.compile("sha256:([0-9a-f]{64})");
    private static final Pattern OCI_PURL = Pattern.compile("pkg:oci/[^@?#]*@([^?#]+).*");

    private SbomStatement() {}

    /**
     * The digests of the images {@code spdx} says it describes, in the order it names them; empty
     * when it names none. Throws {@link IllegalArgumentException} saying why it is no SPDX JSON document.
     */
    public static Set<Digest> describedImages(byte[] spdx) {
        JsonNode doc = StrictJson.parse(spdx);
        if (!doc.isObject() || !doc.path("spdxVersion").asText("").startsWith("SPDX-")) {
            throw new IllegalArgumentException("expected an SPDX JSON document (\"spdxVersion\": \"SPDX-2.3\"), found "
                    + (doc.isObject() ? "spdxVersion " + doc.path("spdxVersion") : "a JSON " + doc.getNodeType()));
        }
        List<String> described = new ArrayList<>();
        doc.path("documentDescribes").forEach(id -> described.add(id.asText("")));
        String self = doc.path("SPDXID").asText("SPDXRef-DOCUMENT");
        for (JsonNode r : doc.path("relationships")) {
            if (r.path("spdxElementId").asText("").equals(self) && r.path("relationshipType").asText("").equals("DESCRIBES")) {
                described.add(r.path("relatedSpdxElement").asText(""));
            }
        }
        Set<Digest> digests = new LinkedHashSet<>();
        for (JsonNode p : doc.path("packages")) {
            if (described.contains(p.path("SPDXID").asText(null))) {
                digests.addAll(digests(p));
            }
        }
        return digests;
    }

    private static Set<Digest> digests(JsonNode pkg) {
        Set<Digest> out = new LinkedHashSet<>();
        for (JsonNode c : pkg.path("checksums")) {
            String hex = c.path("checksumValue").asText("");
            if (c.path("algorithm").asText("").equals("SHA256") && SHA256_HEX.matcher(hex).matches()) {
                out.add(Digest.parse("sha256:" + hex));
            }
        }
        Matcher version = PINNED.matcher(pkg.path("versionInfo").asText(""));
        if (version.matches()) {
            out.add(Digest.parse(version.group()));
        }
        for (JsonNode ref : pkg.path("externalRefs")) {
            Matcher purl = OCI_PURL.matcher(ref.path("referenceLocator").asText(""));
            if (ref.path("referenceType").asText("").equals("purl") && purl.matches()) {
                // the purl spec percent-encodes the version's ':'; kiln's purls leave it as is
                Matcher pinned = PINNED.matcher(URLDecoder.decode(purl.group(1), StandardCharsets.UTF_8));
                if (pinned.matches()) {
                    out.add(Digest.parse(pinned.group()));
                }
            }
        }
        return out;
    }

    /**
     * The statement: {@code spdx} as the predicate, each of {@code subjects} named {@code name} (the
     * repository, as cosign names subjects). Keys sorted, no whitespace, so the same inputs give the
     * same bytes and signing again attaches nothing new.
     */
    public static byte[] statement(byte[] spdx, String name, Collection<Digest> subjects) {
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("a statement needs a subject");
        }
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        root.put("_type", STATEMENT_TYPE);
        ArrayNode subject = root.putArray("subject");
        for (Digest d : subjects) {
            ObjectNode s = subject.addObject();
            s.put("name", name);
            s.putObject("digest").put("sha256", d.hex());
        }
        root.put("predicateType", PREDICATE_TYPE);
        root.set("predicate", StrictJson.parse(spdx));
        try {
            return StrictJson.write(StrictJson.MAPPER.treeToValue(root, Map.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always converts", e);
        }
    }
}
