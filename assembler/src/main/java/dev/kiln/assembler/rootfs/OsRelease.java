package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.resolver.lock.Lock;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /etc/os-release}, which scanners read to learn the distribution. base-files ships
 * {@code /usr/lib/os-release} and the {@code /etc/os-release -> ../usr/lib/os-release} link; a
 * shipped link is kept, a missing one is created when {@code /usr/lib/os-release} exists, and a
 * link that leads nowhere is an error rather than an image scanners misread.
 *
 * <p>Without base-files, kiln writes {@code /usr/lib/os-release} itself, from the distribution the
 * lock recorded from the signed Release (its Origin, Codename and Version), with base-files'
 * fields but no web addresses; an image built from a lock that recorded none (made before kiln
 * recorded them) gets no os-release, as before.
 */
final class OsRelease {
    static final String ETC = "/etc/os-release";
    static final String USR_LIB = "/usr/lib/os-release";

    private OsRelease() {
    }

    static void ensure(Draft draft, Optional<Lock.Distribution> distribution) {
        if (draft.get(ETC).isEmpty()) {
            if (draft.content(USR_LIB).isEmpty()) {
                if (distribution.isEmpty() || draft.get(USR_LIB).isPresent()) {
                    return; // no base-files and nothing known: nothing to point at
                }
                draft.putGenerated(USR_LIB, text(distribution.get()).getBytes(StandardCharsets.UTF_8));
            }
            draft.ensureParents(ETC);
            draft.put(Entry.symlink(ETC, "../usr/lib/os-release", 0777, 0, 0, draft.epoch()), Draft.GENERATED);
        }
        if (draft.content(ETC).isEmpty()) {
            throw new AssembleException(ETC + " (" + draft.get(ETC).orElseThrow() + ", from " + draft.owner(ETC)
                    + ") does not lead to a regular file in the image");
        }
    }

    /**
     * The file as base-files writes it for a release (Debian: {@code NAME="Debian GNU/Linux"},
     * {@code ID=debian}; another origin: its name), the codename without a suite's suffix
     * ({@code bookworm-security} is bookworm), {@code VERSION_ID} the major version ({@code 12.8} is
     * 12), no version lines for testing and unstable, whose Releases carry none.
     */
    static String text(Lock.Distribution d) {
        String name = d.origin().equals("Debian") ? "Debian GNU/Linux" : d.origin().isEmpty() ? "Linux" : d.origin();
        String id = d.origin().isEmpty() ? "linux" : d.origin().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        int dash = d.codename().indexOf('-');
        String codename = dash < 0 ? d.codename() : d.codename().substring(0, dash);
        int dot = d.version().indexOf('.');
        String major = dot < 0 ? d.version() : d.version().substring(0, dot);
        StringBuilder s = new StringBuilder();
        if (major.isEmpty()) {
            s.append("PRETTY_NAME=").append(quoted(codename.isEmpty() ? name : name + " " + codename)).append('\n');
            s.append("NAME=").append(quoted(name)).append('\n');
        } else {
            String version = codename.isEmpty() ? major : major + " (" + codename + ")";
            s.append("PRETTY_NAME=").append(quoted(name + " " + version)).append('\n');
            s.append("NAME=").append(quoted(name)).append('\n');
            s.append("VERSION_ID=").append(quoted(major)).append('\n');
            s.append("VERSION=").append(quoted(version)).append('\n');
        }
        if (!codename.isEmpty()) {
            s.append("VERSION_CODENAME=").append(codename.matches("[A-Za-z0-9._-]+") ? codename : quoted(codename)).append('\n');
        }
        s.append("ID=").append(id).append('\n');
        return s.toString();
    }

    /** A shell-quoted value, as os-release(5) asks: {@code "}, {@code \}, {@code $} and {@code `} escaped. */
    private static String quoted(String value) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\' || c == '$' || c == '`') {
                s.append('\\');
            }
            if (c >= ' ' && c != 0x7f) {
                s.append(c);
            }
        }
        return s.append('"').toString();
    }
}
