package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The dpkg database as distroless lays it out and image scanners (trivy, grype, syft) read it:
 * one file per package under {@code /var/lib/dpkg/status.d/} holding its control paragraph with
 * {@code Status: install ok installed} after {@code Package:}, where dpkg puts it, and the
 * package's md5sums beside it as {@code <package>.md5sums}.
 */
final class DpkgStatus {
    static final String DIR = "/var/lib/dpkg/status.d";
    static final String STATUS_LINE = "Status: install ok installed";

    private DpkgStatus() {
    }

    static void write(Draft draft, List<DebPackage> ordered) {
        for (DebPackage p : ordered) {
            draft.putGenerated(DIR + "/" + p.packageName(), record(p).getBytes(StandardCharsets.UTF_8));
            p.md5sums().ifPresent(sums -> draft.putGenerated(DIR + "/" + p.packageName() + ".md5sums",
                    sums.getBytes(StandardCharsets.UTF_8)));
        }
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
            throw new AssembleException(p.name() + ": control file has no Package field");
        }
        return out.toString();
    }
}
