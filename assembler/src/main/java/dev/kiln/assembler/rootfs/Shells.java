package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /etc/shells} and {@code /var/lib/shells.state} as debianutils' postinst and its
 * {@code update-shells} trigger make them on a fresh install: the login shells listed in
 * {@code /usr/share/debianutils/shells} and in the {@code shells.d} files the shells' packages ship
 * (bash, dash, ...; read in C order), each followed by its path with the directory resolved
 * through the image's links ({@code /bin/sh} then {@code /usr/bin/sh} on a merged /usr).
 * {@code /etc/shells} is the template (comments kept, its mode) with the listed shells not yet in
 * it appended; the state file (0644) lists them all. Runs only when debianutils is in the closure
 * and ships the template, and leaves an {@code /etc/shells} a package ships.
 */
final class Shells {
    static final String PACKAGE = "debianutils";
    static final String TEMPLATE = "/usr/share/debianutils/shells";
    static final String SHELLS_D = "/usr/share/debianutils/shells.d";
    static final String ETC_SHELLS = "/etc/shells";
    static final String STATE = "/var/lib/shells.state";

    private Shells() {
    }

    static void write(Draft draft, List<DebPackage> packages) {
        var template = draft.resolve(TEMPLATE).flatMap(draft::get).filter(e -> e.type() == Entry.Type.FILE);
        if (packages.stream().noneMatch(p -> p.packageName().equals(PACKAGE)) || template.isEmpty()
                || draft.get(ETC_SHELLS).isPresent()) {
            return;
        }
        List<String> packaged = new ArrayList<>();
        List<String> sources = new ArrayList<>(List.of(TEMPLATE));
        draft.below(SHELLS_D).stream().filter(e -> e.type() == Entry.Type.FILE && TreePath.parent(e.path()).equals(SHELLS_D))
                .map(Entry::path).sorted().forEach(sources::add); // C order: Java compares chars, alike for ASCII names
        for (String source : sources) {
            for (String line : lines(draft, source)) {
                String shell = line.split("#", -1)[0];
                if (shell.isEmpty()) {
                    continue;
                }
                packaged.add(shell);
                String real = realPath(draft, shell);
                if (!real.equals(shell)) {
                    packaged.add(real);
                }
            }
        }
        StringBuilder etc = new StringBuilder();
        Set<String> listed = new LinkedHashSet<>();
        for (String line : lines(draft, TEMPLATE)) {
            String shell = line.split("#", -1)[0];
            if (shell.isEmpty() || listed.add(shell)) {
                etc.append(line).append('\n');
            }
        }
        StringBuilder state = new StringBuilder();
        for (String shell : packaged) {
            state.append(shell).append('\n');
            if (!listed.contains(shell)) {
                etc.append(shell).append('\n');
            }
        }
        put(draft, ETC_SHELLS, etc.toString(), template.get().mode());
        put(draft, STATE, state.toString(), 0644);
    }

    /** {@code dpkg-realpath} of the directory, then the name. */
    private static String realPath(Draft draft, String shell) {
        int slash = shell.lastIndexOf('/');
        if (slash <= 0) {
            return shell;
        }
        return draft.resolve(shell.substring(0, slash)).map(d -> d + shell.substring(slash)).orElse(shell);
    }

    private static List<String> lines(Draft draft, String path) {
        String text = draft.content(path).map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8)).orElse("");
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static void put(Draft draft, String path, String text, int mode) {
        draft.ensureParents(path);
        draft.put(Entry.file(path, mode, 0, 0, draft.epoch(), Content.of(text.getBytes(StandardCharsets.UTF_8))), Draft.GENERATED);
    }
}
