package dev.kiln.builder.repo;

import dev.kiln.assembler.deb.ControlParagraph;
import dev.kiln.assembler.deb.DebReader;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.assembler.layer.GzipWriter;
import dev.kiln.builder.RecipeException;
import dev.kiln.resolver.debian.DebianVersion;
import dev.kiln.resolver.debian.Release;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.KilnException;
import dev.kiln.store.ProcessFileLock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A pooled, signed Debian repository that kiln writes and adds to, in the layout apt and kiln's own
 * {@code RepositoryReader} read:
 *
 * <pre>
 * pool/main/h/hello/hello_2.10-0kiln1_amd64.deb      (prefix: lib + 1 letter for lib*, else the first letter)
 * dists/SUITE/main/binary-ARCH/Packages, Packages.gz  (gzip by kiln's own GzipWriter)
 * dists/SUITE/main/binary-ARCH/by-hash/SHA256/HEX     (each index also under its hash; earlier ones stay)
 * dists/SUITE/Release                                 (Origin/Label kiln, Suite = Codename, Date, SHA256 of every index)
 * dists/SUITE/Release.gpg                             (detached signature, for older apt)
 * dists/SUITE/InRelease                               (the Release clearsigned)
 * </pre>
 *
 * <p>One (name, version, architecture), one set of bytes: publishing other bytes under a key the
 * repository already holds is refused ({@code recipe.version-taken}); the same bytes again change
 * nothing. The Release {@code Date} never moves back: it is the previous Date, or, when packages are
 * added, the later of it and the packages' date the caller gives; the signatures are dated the same
 * (or the key's creation, if later: no signature may predate its key). Ed25519 signatures being
 * deterministic, a repository whose packages did not change gets the same bytes, and no file is
 * written at all when none would change. Each file is replaced atomically ({@link AtomicFile}), pool
 * files first, the indexes under their hashes next (new names: the previous Release's stay), then the
 * plain indexes, the Release and {@code InRelease} last; the Release says {@code Acquire-By-Hash: yes},
 * so a reader holding the previous InRelease (apt, kiln) still finds the indexes it lists, during a
 * publish and after one that failed halfway. A publish holds the repository's lock file
 * ({@value #LOCK_FILE}) throughout: publishers into one directory, threads or processes, take turns.
 */
public final class DebRepository {
    /** The lock file a publish holds, at the repository's root (never listed by any index). */
    public static final String LOCK_FILE = ".kiln-publish.lock";
    /** The one component kiln writes. */
    public static final String COMPONENT = "main";
    /** The Release's {@code Origin} and {@code Label}. */
    public static final String ORIGIN = "kiln";
    private static final Pattern SUITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final DateTimeFormatter RFC2822 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private DebRepository() {
    }

    /**
     * What a publish did.
     *
     * @param added the pool paths of packages new to the repository
     * @param unchanged the pool paths of packages it already held with the same bytes
     * @param written every file written, in the order written; empty when nothing changed
     * @param date the Release's Date
     */
    public record Published(List<String> added, List<String> unchanged, List<Path> written, Instant date) {
        /** Whether any file of the repository was written. */
        public boolean changed() {
            return !written.isEmpty();
        }
    }

    /** One package stanza: its key and its text (without the blank line after it). */
    private record Stanza(String name, String version, String arch, String sha256, String filename, String text) {
        String key() {
            return name + " " + version + " " + arch;
        }
    }

    /** Where a package goes in the pool, relative to the repository: {@code pool/main/h/hello/hello_2.10-0kiln1_amd64.deb}. */
    public static String poolPath(String name, String version, String arch) {
        String fileVersion = version.contains(":") ? version.substring(version.indexOf(':') + 1) : version;
        String prefix = name.startsWith("lib") && name.length() > 3 ? name.substring(0, 4) : name.substring(0, 1);
        return "pool/" + COMPONENT + "/" + prefix + "/" + name + "/" + name + "_" + fileVersion + "_" + arch + ".deb";
    }

    /**
     * Adds {@code debs} to the repository at {@code repoDir} (created if missing) for {@code suite}.
     *
     * @param packagesDate the newest epoch of the packages given (the build's {@code SOURCE_DATE_EPOCH}):
     *     the Release Date when packages are added and it is later than the previous Date
     * @throws RecipeException {@code recipe.version-taken} for other bytes under a (name, version,
     *     architecture) the repository holds; {@code recipe.repository} for a directory that is not a
     *     readable repository, a package that cannot be read, or a failed write
     */
    public static Published publish(Path repoDir, String suite, List<Path> debs, PgpSigningKey key, Instant packagesDate) {
        return publish(repoDir, suite, debs, key, packagesDate, () -> { });
    }

    /**
     * {@link #publish(Path, String, List, PgpSigningKey, Instant)}, holding the repository's lock
     * ({@value #LOCK_FILE} at its root) from reading what it holds to the last write, so that two
     * publishers (threads or processes) into one directory add to each other rather than one losing
     * the other's packages; {@code waiting} is told once when another holds it.
     */
    public static Published publish(Path repoDir, String suite, List<Path> debs, PgpSigningKey key, Instant packagesDate,
            Runnable waiting) {
        Objects.requireNonNull(key, "key");
        if (!SUITE.matcher(suite).matches()) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot publish into the suite '" + suite + "'"
                    + "\n  expected: letters, digits, '.', '_' or '-'\n  fix: choose another suite name");
        }
        Path root = repoDir.toAbsolutePath().normalize();
        ProcessFileLock lock;
        try {
            AtomicFile.createDirectories(root);
            lock = ProcessFileLock.lock(root.resolve(LOCK_FILE), waiting);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot lock the repository " + root + ": " + IoErrors.why(e)
                    + "\n  fix: check that the directory is writable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "interrupted waiting for the repository " + root
                    + " (another publish held it)\n  fix: publish again", e);
        }
        try (lock) {
            return publishLocked(root, suite, debs, key, packagesDate);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot unlock the repository " + root + ": " + IoErrors.why(e), e);
        }
    }

    private static Published publishLocked(Path root, String suite, List<Path> debs, PgpSigningKey key, Instant packagesDate) {
        Path dists = root.resolve("dists").resolve(suite);
        TreeMap<String, Stanza> stanzas = new TreeMap<>();
        for (Stanza s : existing(dists)) {
            stanzas.put(s.key(), s);
        }
        Optional<Instant> previousDate = previousDate(dists);

        List<String> added = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        Map<String, Path> poolFiles = new LinkedHashMap<>();
        for (Path deb : debs) {
            Stanza s = stanza(deb);
            Stanza there = stanzas.get(s.key());
            if (there != null) {
                if (!there.sha256().equals(s.sha256())) {
                    throw new RecipeException(RecipeException.Kind.VERSION_TAKEN, "the repository " + root + " already holds "
                            + s.name() + " " + s.version() + " (" + s.arch() + ") with other bytes"
                            + "\n  expected: sha256 " + there.sha256() + " (" + there.filename() + ")"
                            + "\n  found:    sha256 " + s.sha256() + " (" + deb + ")"
                            + "\n  one version has one set of bytes, or apt and every lock that pinned it break"
                            + "\n  fix: bump `epoch` in the recipe to publish a new version");
                }
                if (!poolFiles.containsKey(s.filename())) {
                    unchanged.add(s.filename());
                }
                if (!Files.isRegularFile(root.resolve(there.filename()))) {
                    poolFiles.put(s.filename(), deb); // listed, but its file was lost: put it back
                }
                continue;
            }
            stanzas.put(s.key(), s);
            poolFiles.put(s.filename(), deb);
            added.add(s.filename());
        }
        Instant date = previousDate.orElse(Instant.EPOCH);
        if (!added.isEmpty() || previousDate.isEmpty()) {
            Instant given = packagesDate.truncatedTo(ChronoUnit.SECONDS);
            date = given.isAfter(date) ? given : date;
        }
        if (stanzas.isEmpty()) {
            return new Published(List.of(), List.of(), List.of(), date);
        }

        // every file's new bytes, in the order they are written: pool, indexes, Release, InRelease last
        Map<Path, byte[]> byHash = new LinkedHashMap<>();
        Map<Path, byte[]> indexes = new LinkedHashMap<>();
        StringBuilder sums = new StringBuilder();
        SortedSet<String> arches = architectures(stanzas.values());
        for (String arch : arches) {
            byte[] plain = packages(stanzas.values(), arch);
            byte[] gz = gzip(plain);
            String dir = COMPONENT + "/binary-" + arch + "/";
            byHash.put(dists.resolve(dir + "by-hash/SHA256/" + Digest.of(plain).hex()), plain);
            byHash.put(dists.resolve(dir + "by-hash/SHA256/" + Digest.of(gz).hex()), gz);
            indexes.put(dists.resolve(dir + "Packages"), plain);
            indexes.put(dists.resolve(dir + "Packages.gz"), gz);
            sums.append(' ').append(Digest.of(plain).hex()).append(' ').append(plain.length).append(' ').append(dir).append("Packages\n");
            sums.append(' ').append(Digest.of(gz).hex()).append(' ').append(gz.length).append(' ').append(dir).append("Packages.gz\n");
        }
        String release = "Origin: " + ORIGIN + "\nLabel: " + ORIGIN + "\nSuite: " + suite + "\nCodename: " + suite
                + "\nDate: " + RFC2822.format(date) + "\nArchitectures: " + String.join(" ", arches)
                + "\nComponents: " + COMPONENT + "\nAcquire-By-Hash: yes\nDescription: packages built by kiln from recipes\nSHA256:\n" + sums;
        byte[] releaseBytes = release.getBytes(StandardCharsets.UTF_8);
        Instant signedAt = key.created().isAfter(date) ? key.created() : date;
        indexes.put(dists.resolve("Release"), releaseBytes);
        indexes.put(dists.resolve("Release.gpg"), key.detachSign(releaseBytes, signedAt));
        indexes.put(dists.resolve("InRelease"), key.clearsign(releaseBytes, signedAt));

        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<String, Path> pool : poolFiles.entrySet()) {
                Path target = root.resolve(pool.getKey());
                AtomicFile.createDirectories(target.getParent());
                Path from = pool.getValue();
                AtomicFile.write(target, AtomicFile.PUBLIC, out -> {
                    try (InputStream in = Files.newInputStream(from)) {
                        in.transferTo(out);
                    }
                });
                written.add(target);
            }
            Map<Path, byte[]> files = new LinkedHashMap<>(byHash);
            files.putAll(indexes);
            for (Map.Entry<Path, byte[]> file : files.entrySet()) {
                Path target = file.getKey();
                if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), file.getValue())) {
                    continue;
                }
                AtomicFile.createDirectories(target.getParent());
                AtomicFile.write(target, file.getValue(), AtomicFile.PUBLIC);
                written.add(target);
            }
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot write the repository " + root + ": "
                    + IoErrors.why(e) + "\n  the repository is as it was before, or holds new pool files no index lists yet", e);
        }
        for (String path : poolFiles.keySet()) {
            Stanza s = stanzas.values().stream().filter(x -> x.filename().equals(path)).findFirst().orElseThrow();
            checkPoolFile(root.resolve(path), s);
        }
        return new Published(List.copyOf(added), List.copyOf(unchanged), List.copyOf(written), date);
    }

    /** The pool file as copied must still be what was hashed (a .deb changed meanwhile is not published silently). */
    private static void checkPoolFile(Path file, Stanza s) {
        try (InputStream in = Files.newInputStream(file)) {
            if (!Digest.of(in).hex().equals(s.sha256())) {
                throw new RecipeException(RecipeException.Kind.REPOSITORY, file + " changed while it was published"
                        + "\n  expected: sha256 " + s.sha256() + "\n  fix: publish again");
            }
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot read " + file + ": " + IoErrors.why(e), e);
        }
    }

    /** The Packages stanza for a .deb: its control paragraph, then Filename, Size and SHA256. */
    private static Stanza stanza(Path deb) {
        byte[] control;
        Map<String, String> fields;
        Digest sha;
        long size;
        try {
            control = new DebReader(UnpackLimits.DEFAULT).readControlFile(deb, deb.getFileName().toString());
            fields = ControlParagraph.parse(control);
            try (InputStream in = Files.newInputStream(deb)) {
                sha = Digest.of(in);
            }
            size = Files.size(deb);
        } catch (IOException | IllegalArgumentException | KilnException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot publish " + deb + ": not a readable package: "
                    + (e instanceof IOException io ? IoErrors.why(io) : e.getMessage()), e);
        }
        String name = fields.get("Package");
        String version = fields.get("Version");
        String arch = fields.get("Architecture");
        if (name == null || version == null || arch == null || !name.matches("[a-z0-9][a-z0-9+.-]+")
                || !arch.matches("[a-z0-9][a-z0-9-]*") || !version.matches("[A-Za-z0-9.+~:-]+")) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot publish " + deb
                    + ": its control file needs a valid Package, Version and Architecture"
                    + "\n  found: Package '" + name + "', Version '" + version + "', Architecture '" + arch + "'");
        }
        String filename = poolPath(name, version, arch);
        String text = new String(control, StandardCharsets.UTF_8).strip() + "\nFilename: " + filename + "\nSize: " + size
                + "\nSHA256: " + sha.hex() + "\n";
        return new Stanza(name, version, arch, sha.hex(), filename, text);
    }

    /** The stanzas of every {@code binary-*} index already there. */
    private static List<Stanza> existing(Path dists) {
        Path component = dists.resolve(COMPONENT);
        List<Stanza> out = new ArrayList<>();
        if (!Files.isDirectory(component)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(component, "binary-*")) {
            for (Path dir : dirs) {
                Path packages = dir.resolve("Packages");
                if (Files.isRegularFile(packages)) {
                    out.addAll(parse(Files.readString(packages, StandardCharsets.UTF_8), packages));
                }
            }
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot read the repository's indexes under " + component
                    + ": " + IoErrors.why(e), e);
        }
        return out;
    }

    private static List<Stanza> parse(String text, Path file) {
        List<Stanza> out = new ArrayList<>();
        for (String paragraph : text.split("\n\n")) {
            if (paragraph.isBlank()) {
                continue;
            }
            Map<String, String> f;
            try {
                f = ControlParagraph.parse(paragraph.getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw malformed(file, e.getMessage());
            }
            for (String required : List.of("Package", "Version", "Architecture", "Filename", "SHA256")) {
                if (!f.containsKey(required)) {
                    throw malformed(file, "a stanza without " + required);
                }
            }
            out.add(new Stanza(f.get("Package"), f.get("Version"), f.get("Architecture"), f.get("SHA256"), f.get("Filename"),
                    paragraph.strip() + "\n"));
        }
        return out;
    }

    private static RecipeException malformed(Path file, String why) {
        return new RecipeException(RecipeException.Kind.REPOSITORY, file + " is not a Packages index kiln can add to: " + why
                + "\n  fix: publish into an empty directory, or one kiln wrote");
    }

    private static Optional<Instant> previousDate(Path dists) {
        Path release = dists.resolve("Release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Release.parse(Files.readAllBytes(release), release.toString()).date());
        } catch (IOException | RuntimeException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, release + " cannot be read: " + e.getMessage()
                    + "\n  fix: publish into an empty directory, or one kiln wrote", e);
        }
    }

    /** The indexes' architectures: every one but {@code all} (whose packages go into each), or {@code all} alone. */
    private static SortedSet<String> architectures(Iterable<Stanza> stanzas) {
        SortedSet<String> arches = new TreeSet<>();
        for (Stanza s : stanzas) {
            if (!s.arch().equals("all")) {
                arches.add(s.arch());
            }
        }
        if (arches.isEmpty()) {
            arches.add("all");
        }
        return arches;
    }

    /** One index: the stanzas for {@code arch} (and {@code all}), by name, version order, architecture. */
    private static byte[] packages(Iterable<Stanza> stanzas, String arch) {
        List<Stanza> chosen = new ArrayList<>();
        for (Stanza s : stanzas) {
            if (s.arch().equals(arch) || s.arch().equals("all")) {
                chosen.add(s);
            }
        }
        chosen.sort(Comparator.comparing(Stanza::name)
                .thenComparing((a, b) -> DebianVersion.compare(a.version(), b.version()))
                .thenComparing(Stanza::arch));
        StringBuilder out = new StringBuilder();
        for (Stanza s : chosen) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(s.text());
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipWriter gz = new GzipWriter(out, 1)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
        return out.toByteArray();
    }
}
