package dev.kiln.assembler.deb;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the single deb822 paragraph of a binary package's {@code control} file into an ordered
 * map. A continuation line is kept as written, after a newline, so that {@code Description}
 * survives intact; the raw bytes stay with the package for the dpkg status record.
 */
public final class ControlParagraph {
    private ControlParagraph() {
    }

    /** @throws IllegalArgumentException naming the line and what is wrong with it */
    public static Map<String, String> parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        String field = null;
        StringBuilder value = null;
        boolean ended = false;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            int number = i + 1;
            if (line.isBlank()) {
                if (field != null) {
                    ended = true;
                }
                continue;
            }
            if (ended) {
                throw new IllegalArgumentException("line " + number + ": expected one paragraph, found a second");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (field == null) {
                    throw new IllegalArgumentException("line " + number + ": a continuation line before any field");
                }
                value.append('\n').append(line);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + number + ": expected 'Field: value', found '" + line + "'");
            }
            String name = line.substring(0, colon);
            for (int k = 0; k < name.length(); k++) {
                char c = name.charAt(k);
                if (c <= ' ' || c > '~') {
                    throw new IllegalArgumentException("line " + number + ": a field name must be printable ASCII, found '" + name + "'");
                }
            }
            if (field != null) {
                fields.put(field, value.toString());
            }
            String previous = seen.put(name.toLowerCase(Locale.ROOT), name);
            if (previous != null) {
                throw new IllegalArgumentException("line " + number + ": field '" + name + "' appears twice");
            }
            field = name;
            value = new StringBuilder(line.substring(colon + 1).strip());
        }
        if (field != null) {
            fields.put(field, value.toString());
        }
        return Collections.unmodifiableMap(fields);
    }
}
