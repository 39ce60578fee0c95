package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code pam-auth-update --package --force} (libpam-runtime's postinst, then each PAM module
 * package's) leaves on a fresh install: {@code /etc/pam.d/common-{auth,account,password,session,
 * session-noninteractive}} from the templates in {@code /usr/share/pam}, with the lines of every
 * profile in {@code /usr/share/pam-configs} whose {@code Default} is {@code yes} (by
 * {@code Priority}, highest first, then name, last first) in the "Primary" and "Additional"
 * blocks, {@code end} in a jump replaced by the count of lines after it; and its state in
 * {@code /var/lib/pam}: {@code seen} (every profile) and one file per type (the profiles' lines as
 * read). A profile naming {@code pam_tally} is ignored, as the tool does; {@code Conflicts} is not
 * read (no two defaults conflict in Debian's profiles).
 */
final class PamAuthUpdate {
    static final String PACKAGE = "libpam-runtime";
    static final String PROFILES = "/usr/share/pam-configs";
    static final String TEMPLATES = "/usr/share/pam";
    static final String CONFDIR = "/etc/pam.d";
    static final String SAVEDIR = "/var/lib/pam";
    static final List<String> TYPES = List.of("auth", "account", "password", "session", "session-noninteractive");
    private static final Pattern FIELD = Pattern.compile("^(\\S+):\\s+(.*)\\s*$");
    private static final String PRIMARY_MARK = "# here are the per-package modules (the \"Primary\" block)";
    private static final String ADDITIONAL_MARK = "# and here are more per-package modules (the \"Additional\" block)";
    private static final Pattern MODULE_LINE = Pattern.compile("^((\\[[^]]+\\]|\\w+)\\s+\\S+)\\s*(.*)");

    private PamAuthUpdate() {
    }

    static boolean wanted(List<DebPackage> packages) {
        return packages.stream().anyMatch(p -> p.packageName().equals(PACKAGE));
    }

    record Profile(String name, Map<String, String> fields) {
        int priority() {
            try {
                return Integer.parseInt(fields.getOrDefault("Priority", "0").strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /** The lines for {@code type} at position {@code pos} of its block. */
        String lines(String type, int pos) {
            String initial = fields.get(type + "-Initial");
            return pos == 0 && initial != null && !initial.isEmpty() ? initial : fields.getOrDefault(type, "");
        }
    }

    static void write(Draft draft) {
        if (!isDir(draft, SAVEDIR) || !isDir(draft, PROFILES)) {
            return;
        }
        List<Profile> sorted = new ArrayList<>();
        for (Entry e : draft.below(PROFILES)) {
            String name = e.path().substring(PROFILES.length() + 1);
            if (name.contains("/") || name.endsWith("~") || name.matches("#.+#")) {
                continue;
            }
            Optional<String> text = draft.content(e.path()).map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8));
            if (text.isPresent()) {
                Map<String, String> fields = parse(text.get());
                if (!fields.containsKey("disabled")) {
                    sorted.add(new Profile(name, fields));
                }
            }
        }
        sorted.sort(Comparator.comparingInt(Profile::priority).reversed().thenComparing(Profile::name, Comparator.reverseOrder()));
        StringBuilder seen = new StringBuilder();
        sorted.forEach(p -> seen.append(p.name()).append('\n'));
        putFile(draft, SAVEDIR + "/seen", seen.toString());
        if (!isDir(draft, CONFDIR)) {
            return;
        }
        List<Profile> enabled = sorted.stream().filter(p -> "yes".equals(p.fields().get("Default"))).toList();
        for (String type : TYPES) {
            Optional<String> template = draft.content(TEMPLATES + "/common-" + type)
                    .map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8));
            Optional<String> config = template.flatMap(t -> fromTemplate(t, enabled, type));
            if (config.isEmpty()) {
                return; // the tool stops at the first type it cannot write
            }
            putFile(draft, CONFDIR + "/common-" + type, config.get());
            putFile(draft, SAVEDIR + "/" + type, saved(enabled, type));
        }
    }

    /** parse_pam_profile: "Field: value" lines, continuation lines stripped and joined by newlines. */
    static Map<String, String> parse(String text) {
        Map<String, String> fields = new HashMap<>();
        String field = null;
        for (String line : text.split("\n", -1)) {
            Matcher m = FIELD.matcher(line + "\n"); // perl matches the line with its newline: "Auth:" is a field
            if (m.matches()) {
                field = m.group(1).replaceAll("-Final$", "");
                fields.put(field, m.group(2));
            } else if (field != null) {
                String value = line.strip();
                String joined = fields.getOrDefault(field, "") + (value.isEmpty() ? "" : "\n" + value);
                if (joined.contains("pam_tally")) {
                    fields.put("disabled", "1");
                }
                fields.put(field, joined.replaceAll("^\\s+", ""));
            }
        }
        if (!fields.containsKey("Session-Interactive-Only")) {
            copy(fields, "Session-Type", "Session-noninteractive-Type");
            copy(fields, "Session", "Session-noninteractive");
            copy(fields, "Session-Initial", "Session-noninteractive-Initial");
        }
        return fields;
    }

    private static void copy(Map<String, String> fields, String from, String to) {
        if (fields.containsKey(from)) {
            fields.put(to, fields.get(from));
        }
    }

    /** The profiles of {@code block} ("Primary" or "Additional") that have lines for {@code ucType}. */
    private static List<Profile> inBlock(List<Profile> enabled, String ucType, String block) {
        return enabled.stream().filter(p -> block.equals(p.fields().get(ucType + "-Type"))).toList();
    }

    /** create_from_template, or empty when a marker is missing. */
    static Optional<String> fromTemplate(String template, List<Profile> enabled, String type) {
        String ucType = Character.toUpperCase(type.charAt(0)) + type.substring(1);
        String lineType = type.replace("-noninteractive", "");
        StringBuilder out = new StringBuilder();
        int state = 0;
        for (String line : template.split("(?<=\n)")) {
            if (state == 1 || state == 3) {
                if (line.startsWith(state == 1 ? "# here's the fallback if no module succeeds" : "# end of pam-auth-update config")) {
                    out.append(line);
                    state++;
                }
                continue;
            }
            out.append(line);
            String block = state == 0 ? "Primary" : state == 2 ? "Additional" : null;
            if (block != null && line.startsWith(state == 0 ? PRIMARY_MARK : ADDITIONAL_MARK)) {
                List<Profile> mods = inBlock(enabled, ucType, block);
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < mods.size(); i++) {
                    for (String l : mods.get(i).lines(ucType, i).split("\n")) {
                        if (!l.isEmpty()) {
                            lines.add(l);
                        }
                    }
                }
                int count = lines.size();
                if (block.equals("Additional")) {
                    count--;
                }
                if (block.equals("Primary") && count == 0) {
                    out.append(lineType).append("\t[default=1]\t\t\tpam_permit.so\n");
                }
                for (String l : lines) {
                    out.append(lineType).append('\t').append(mergeOneLine(l, count));
                    count--;
                }
                state++;
            }
        }
        return state < 4 ? Optional.empty() : Optional.of(out.toString());
    }

    /** merge_one_line without local edits: the control and module, {@code end} made {@code count}, then the options. */
    static String mergeOneLine(String line, int count) {
        Matcher m = MODULE_LINE.matcher(line);
        if (!m.find()) {
            return " \n";
        }
        List<String> opts = new ArrayList<>(List.of(m.group(3).split("\\s+")));
        opts.removeIf(String::isEmpty);
        return m.group(1).replace("end", Integer.toString(count)) + " " + String.join(" ", opts) + "\n";
    }

    /** The state file: each profile's lines as read, primary ones first. */
    static String saved(List<Profile> enabled, String type) {
        String ucType = Character.toUpperCase(type.charAt(0)) + type.substring(1);
        StringBuilder out = new StringBuilder();
        List<Profile> primary = enabled.stream().filter(p -> p.fields().containsKey(ucType + "-Type")
                && !p.fields().get(ucType + "-Type").isEmpty() && !"Additional".equals(p.fields().get(ucType + "-Type"))).toList();
        appendSaved(out, primary, ucType);
        if (primary.isEmpty()) {
            out.append("Module: null\n[default=1]\t\t\tpam_permit.so\n");
        }
        appendSaved(out, enabled.stream().filter(p -> p.fields().containsKey(ucType + "-Type")
                && !p.fields().get(ucType + "-Type").isEmpty() && !"Primary".equals(p.fields().get(ucType + "-Type"))).toList(), ucType);
        return out.toString();
    }

    private static void appendSaved(StringBuilder out, List<Profile> mods, String ucType) {
        for (int i = 0; i < mods.size(); i++) {
            String lines = mods.get(i).lines(ucType, i);
            if (!lines.isEmpty()) {
                out.append("Module: ").append(mods.get(i).name()).append('\n').append(lines).append('\n');
            }
        }
    }

    private static void putFile(Draft draft, String path, String text) {
        draft.put(Entry.file(path, 0644, 0, 0, draft.epoch(), dev.kiln.assembler.tree.Content.of(text.getBytes(StandardCharsets.UTF_8))),
                Draft.GENERATED);
    }

    private static boolean isDir(Draft draft, String path) {
        return draft.get(path).map(e -> e.type() == Entry.Type.DIR).orElse(false);
    }
}
