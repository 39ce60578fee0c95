package dev.kiln.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.resolver.debian.DebianChangelog;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What kiln learnt of one .deb's changelog, as a memo record ({@code debian-changelog-v1}, keyed by
 * the .deb's sha256): the entries (version, suites, urgency, CVE ids, whether they speak of
 * security), or the package whose doc directory holds the changelog, or that there is none. The
 * bodies are not kept: a second run needs only what it reports.
 *
 * @param deb the .deb's sha256, which the record is held to when read back
 * @param elsewhere the package whose doc directory holds the changelog; null when this one does (or none does)
 * @param entries null when the package ships no changelog of its own
 */
record ChangelogRecord(Digest deb, String elsewhere, List<Entry> entries) {
    static final String FORMAT = "kiln-changelog-1";

    /** One entry, as much of it as is reported. */
    record Entry(String version, List<String> distributions, String urgency, List<String> cves, boolean mentionsSecurity) {
        Entry {
            distributions = List.copyOf(distributions);
            cves = List.copyOf(cves);
            Objects.requireNonNull(urgency, "urgency");
        }

        static Entry of(DebianChangelog.Entry e) {
            return new Entry(e.version(), e.distributions(), e.urgency(), e.cves(), e.mentionsSecurity());
        }
    }

    static ChangelogRecord of(Digest deb, DebianChangelog changelog) {
        return new ChangelogRecord(deb, null, changelog.entries().stream().map(Entry::of).toList());
    }

    byte[] json() {
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        root.put("record", FORMAT);
        root.put("deb", deb.toString());
        root.put("elsewhere", elsewhere);
        if (entries == null) {
            root.putNull("entries");
        } else {
            ArrayNode list = root.putArray("entries");
            for (Entry e : entries) {
                ObjectNode o = list.addObject();
                o.put("version", e.version());
                ArrayNode d = o.putArray("distributions");
                e.distributions().forEach(d::add);
                o.put("urgency", e.urgency());
                ArrayNode c = o.putArray("cves");
                e.cves().forEach(c::add);
                o.put("mentionsSecurity", e.mentionsSecurity());
            }
        }
        return StrictJson.write(root);
    }

    /**
     * Reads a record back, held to the .deb it must be about.
     *
     * @throws IllegalStateException when it is not such a record (the caller reads the .deb again)
     */
    static ChangelogRecord read(byte[] json, Digest deb) {
        JsonNode root = StrictJson.parse(json);
        if (!FORMAT.equals(root.path("record").asText()) || !deb.toString().equals(root.path("deb").asText())) {
            throw new IllegalStateException("not the changelog record of " + deb);
        }
        JsonNode elsewhere = root.path("elsewhere");
        JsonNode list = root.path("entries");
        List<Entry> entries = null;
        if (list.isArray()) {
            entries = new ArrayList<>();
            for (JsonNode o : list) {
                entries.add(new Entry(o.get("version").asText(), strings(o.get("distributions")), o.get("urgency").asText(),
                        strings(o.get("cves")), o.get("mentionsSecurity").asBoolean()));
            }
        }
        return new ChangelogRecord(deb, elsewhere.isTextual() ? elsewhere.asText() : null, entries);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
