package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.TreePath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The dpkg database as distroless lays it out and image scanners (trivy, grype, syft) read it:
 * one file per package under {@code /var/lib/dpkg/status.d/} holding its control paragraph with
 * {@code Status: install ok installed} after {@code Package:}, where dpkg puts it, and the
 * package's md5sums beside it as {@code <package>.md5sums}, less the lines of files the spec's
 * path filter left out ({@link PathFilter}), so that nothing reads as installed that is not there.
 */
final class DpkgStatus {
    static final String DIR = "/var/lib/dpkg/status.d";
    static final String STATUS_LINE = "Status: install ok installed";

    private DpkgStatus() {
    }

    /**
     * @param removed image paths the path filter took out
     * @param mergedUsr whether an md5sums path under {@code bin/}, {@code lib/}, ... is in the image under /usr
     */
    static void write(Draft draft, List<DebPackage> ordered, Set<String> removed, boolean mergedUsr) {
        for (DebPackage p : ordered) {
            draft.putGenerated(DIR + "/" + p.packageName(), record(p).getBytes(StandardCharsets.UTF_8));
            p.md5sums().ifPresent(sums -> draft.putGenerated(DIR + "/" + p.packageName() + ".md5sums",
                    withoutRemoved(sums, removed, mergedUsr).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The md5sums lines ({@code <md5>  <path relative to />}) whose file is still in the image. */
    static String withoutRemoved(String md5sums, Set<String> removed, boolean mergedUsr) {
        if (removed.isEmpty()) {
            return md5sums;
        }
        StringBuilder out = new StringBuilder(md5sums.length());
        for (String line : md5sums.split("(?<=\n)")) {
            int sep = line.indexOf("  ");
            String name = sep < 0 ? "" : line.substring(sep + 2).stripTrailing();
            String path;
            try {
                path = name.isEmpty() ? null : TreePath.normalize(name);
            } catch (IllegalArgumentException notAPath) {
                path = null; // kept as shipped; it names nothing in the tree either way
            }
            if (path != null && mergedUsr && MergedUsr.aliasOf(path) != null) {
                path = "/usr" + path;
            }
            if (path == null || !removed.contains(path)) {
                out.append(line);
            }
        }
        return out.toString();
    }

    /** The status record: the control file as packaged, the Status line added, one final newline. */
    static String record(DebPackage p) {
        String control = new String(p.controlFile(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        String[] lines = control.split("\n", -1);
        StringBuilder out = new StringBuilder(control.length() + STATUS_LINE.length() + 1);
        boolean added = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue; // the trailing newline, or blank lines dpkg would not keep
            }
            out.append(line).append('\n');
            boolean continued = i + 1 < lines.length && (lines[i + 1].startsWith(" ") || lines[i + 1].startsWith("\t"));
            if (!added && !continued && line.regionMatches(true, 0, "Package:", 0, 8)) {
                out.append(STATUS_LINE).append('\n');
                added = true;
            }
        }
        if (!added) {
            throw new AssembleException(AssembleException.Kind.MALFORMED_PACKAGE,
                    p.name() + ": control file has no Package field");
        }
        return out.toString();
    }
}
