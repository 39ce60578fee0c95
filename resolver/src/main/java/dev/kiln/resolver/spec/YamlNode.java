package dev.kiln.resolver.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML document as a small tree that remembers each node's line, so that spec errors can point
 * at it (Jackson's own tree forgets locations). Scalars keep their text as written: the spec
 * decides what a scalar means (an octal mode, a name that YAML 1.1 would call a boolean).
 */
sealed interface YamlNode {
    /** 1-based line where the node starts. */
    int line();

    enum Kind { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

    record Scalar(String text, Kind kind, int line) implements YamlNode {}

    record Entry(String key, int line, YamlNode value) {}

    record Mapping(List<Entry> entries, int line) implements YamlNode {}

    record Sequence(List<YamlNode> items, int line) implements YamlNode {}

    /** Reads exactly one YAML document; errors name {@code file} and the line. */
    static YamlNode read(byte[] bytes, String file) {
        try (YAMLParser p = Reader.FACTORY.createParser(bytes)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new SpecException(file, 1, "", "the file is empty", "an image spec is a mapping with at least 'contents'");
            }
            YamlNode root = Reader.node(p, first, file, "");
            if (p.nextToken() != null) {
                throw new SpecException(file, p.currentTokenLocation().getLineNr(), "",
                        "a second YAML document starts here", "a spec file holds one document; remove the second '---'");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw Reader.syntaxError(e, file);
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from memory", e);
        }
    }

    /**
     * The kind {@code text} has when written as a plain (unquoted) scalar: a number or a boolean as
     * YAML resolves it, else a string (also for text that a plain scalar cannot hold as it is).
     */
    static Kind plainKind(String text) {
        if (!text.matches("[A-Za-z0-9_.+-]+")) {
            return Kind.STRING;
        }
        try (YAMLParser p = Reader.FACTORY.createParser(("k: " + text).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            p.nextToken();
            p.nextToken();
            JsonToken t = p.nextToken();
            return t == JsonToken.VALUE_NUMBER_INT ? Kind.INTEGER : t == JsonToken.VALUE_NUMBER_FLOAT ? Kind.FLOAT
                    : t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE ? Kind.BOOLEAN
                    : Kind.STRING;
        } catch (IOException e) {
            return Kind.STRING;
        }
    }

    final class Reader {
        static final YAMLFactory FACTORY = new YAMLFactory();
        private static final Pattern SNAKE_LINE = Pattern.compile("line (\\d+), column \\d+");

        private Reader() {}

        static YamlNode node(YAMLParser p, JsonToken t, String file, String path) throws IOException {
            int line = p.currentTokenLocation().getLineNr();
            switch (t) {
                case START_OBJECT: {
                    List<Entry> entries = new ArrayList<>();
                    for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                        String key = p.currentName();
                        int keyLine = p.currentTokenLocation().getLineNr();
                        String childPath = path.isEmpty() ? key : path + "." + key;
                        for (Entry e : entries) {
                            if (e.key().equals(key)) {
                                throw new SpecException(file, keyLine, childPath,
                                        "key given twice (first at line " + e.line() + ")", "keep one of them");
                            }
                        }
                        entries.add(new Entry(key, keyLine, node(p, p.nextToken(), file, childPath)));
                    }
                    return new Mapping(List.copyOf(entries), line);
                }
                case START_ARRAY: {
                    List<YamlNode> items = new ArrayList<>();
                    for (JsonToken i = p.nextToken(); i != JsonToken.END_ARRAY; i = p.nextToken()) {
                        items.add(node(p, i, file, path + "[" + items.size() + "]"));
                    }
                    return new Sequence(List.copyOf(items), line);
                }
                default:
                    if (p.isCurrentAlias()) {
                        throw new SpecException(file, line, path, "YAML aliases (*" + p.getText() + ") are not supported",
                                "write the value out in full");
                    }
                    return new Scalar(p.getText(), kind(t, file, line, path), line);
            }
        }

        private static Kind kind(JsonToken t, String file, int line, String path) {
            switch (t) {
                case VALUE_STRING:
                    return Kind.STRING;
                case VALUE_NUMBER_INT:
                    return Kind.INTEGER;
                case VALUE_NUMBER_FLOAT:
                    return Kind.FLOAT;
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return Kind.BOOLEAN;
                case VALUE_NULL:
                    return Kind.NULL;
                default:
                    throw new SpecException(file, line, path, "unsupported YAML value (" + t + ")",
                            "write plain strings, numbers, lists and mappings");
            }
        }

        /** SnakeYAML's messages hold two marks; the second is where the problem is. */
        static SpecException syntaxError(JsonProcessingException e, String file) {
            String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            Matcher m = SNAKE_LINE.matcher(message);
            while (m.find()) {
                line = Integer.parseInt(m.group(1));
            }
            List<String> parts = new ArrayList<>();
            for (String l : message.split("\\R")) {
                // drop SnakeYAML's " in 'reader', line..." marks and the quoted source lines with their carets
                if (l.isBlank() || l.startsWith(" in ") || l.startsWith("    ")) {
                    continue;
                }
                parts.add(l.strip());
            }
            // the parser's own words for the end of the input, and jackson's source marks, left out
            String said = String.join(": ", parts).replace("<stream end>", "the end of the file")
                    .replace("unexpected end of stream", "the end of the file").replaceAll("\\s*\\[Source:.*?\\]", "")
                    .replaceAll("\\s*\\(from `[^`]*`\\)", "");
            return new SpecException(file, Math.max(line, 0), "", "invalid YAML: " + said,
                    "check the indentation and quoting near this line");
        }
    }
}
