package dev.kiln.resolver.debian;

/**
 * One stanza of a {@code Packages} index, reduced to the fields kiln uses. Relation fields stay as
 * text and are parsed only for the packages the solver visits: an index has ~60k stanzas and a
 * closure touches a few hundred.
 *
 * @param priority apt's numbering: 1 required, 2 important, 3 standard, 4 optional, 5 extra, 0 absent
 * @param important {@code Important: yes} or {@code Protected: yes}
 */
public record PackageRecord(
        String name,
        String version,
        String architecture,
        String multiArch,
        boolean essential,
        boolean important,
        int priority,
        String source,
        String preDepends,
        String depends,
        String recommends,
        String conflicts,
        String breaks,
        String provides,
        String replaces,
        String filename,
        long size,
        String sha256) {

    public static int priorityNumber(String priority) {
        if (priority == null) {
            return 0;
        }
        switch (priority) {
            case "required": return 1;
            case "important": return 2;
            case "standard": return 3;
            case "optional": return 4;
            case "extra": return 5;
            default: return 5;
        }
    }

    /** The source package name, without a version in parentheses; the binary name when absent. */
    public String sourceName() {
        if (source == null || source.isEmpty()) {
            return name;
        }
        int sp = source.indexOf(' ');
        return sp < 0 ? source : source.substring(0, sp);
    }
}
