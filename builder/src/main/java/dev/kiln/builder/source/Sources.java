package dev.kiln.builder.source;

import dev.kiln.assembler.copy.BuildContext;
import dev.kiln.assembler.copy.Copies;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.builder.RecipeException;
import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.FetchException;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.fetcher.Transport;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.KilnException;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A recipe's sources, pinned and materialized on the host, before any step runs and outside the
 * sandbox. {@link #pin} fetches and checks every source (a fetched file hashed while it streams
 * into the store, sha256 and sha512; a git ref resolved and held to {@code expected-commit}, its tree
 * exported into the store; a local source read as image specs' copies are) and returns the pins a
 * recipe lock keeps; {@link #materialize} lays them into a workspace, every pin checked and every
 * byte present before the first file is written.
 */
public final class Sources {
    /** The URL schemes a fetch takes. */
    public static final List<String> FETCH_SCHEMES = List.of("http", "https");
    /** The URL schemes a git-checkout takes: {@code file:} too, for a repository on this machine. */
    public static final List<String> GIT_SCHEMES = List.of("http", "https", "file");
    /** The modification time of every file materialized from a git tree or a local source: 1980-01-01, as zip's earliest. */
    public static final long TREE_MTIME_SECONDS = 315_532_800L;

    private final Transport transport;
    private final ContentStore store;
    private final Map<String, String> mirrors;
    private final FetchListener listener;
    private final Optional<GitTool> git;
    private final boolean offline;

    /**
     * @param mirrors the {@code *_MIRROR} variables URLs expand with
     * @param git the git to fetch git sources with; empty when none is installed (a git source is then an error)
     */
    public Sources(Transport transport, ContentStore store, Map<String, String> mirrors, FetchListener listener, Optional<GitTool> git) {
        this(transport, store, mirrors, listener, git, false);
    }

    private Sources(Transport transport, ContentStore store, Map<String, String> mirrors, FetchListener listener, Optional<GitTool> git,
                    boolean offline) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.store = Objects.requireNonNull(store, "store");
        this.mirrors = Map.copyOf(mirrors);
        this.listener = Objects.requireNonNull(listener, "listener");
        this.git = Objects.requireNonNull(git, "git");
        this.offline = offline;
    }

    /** Sources that never touch the network: what the store lacks is an error. */
    public Sources withOffline(boolean offline) {
        return new Sources(transport, store, mirrors, listener, git, offline);
    }

    /**
     * Fetches and checks every source of the recipe in {@code recipeFile}, in order, and returns
     * their pins. A pin of {@code previous} (the lock being replaced) is kept for a fetch whose URI
     * and expected hashes did not change, and a git ref that now names another commit than
     * {@code previous} pinned is refused as a moved tag. Nothing is written but into the store.
     */
    public List<SourcePin> pin(Path recipeFile, List<Source> sources, List<SourcePin> previous) {
        Map<String, SourcePin> before = new LinkedHashMap<>();
        previous.forEach(p -> before.put(p.key(), p));
        List<SourcePin> pins = new ArrayList<>();
        List<Source.Local> locals = new ArrayList<>();
        for (Source s : sources) {
            if (s instanceof Source.Local l) {
                locals.add(l);
            }
        }
        Map<String, SourcePin.Local> localPins = pinLocal(recipeFile, locals);
        for (Source s : sources) {
            SourcePin old = before.get(s.key());
            if (s instanceof Source.Fetch f) {
                pins.add(pinFetch(recipeFile, f, old instanceof SourcePin.Fetch p ? Optional.of(p) : Optional.empty()));
            } else if (s instanceof Source.Git g) {
                pins.add(pinGit(recipeFile, g, old instanceof SourcePin.Git p ? Optional.of(p) : Optional.empty()));
            } else {
                pins.add(localPins.get(s.key()));
            }
        }
        return List.copyOf(pins);
    }

    /**
     * Lays every source into {@code workspace} (absent or empty), in the recipe's order: an archive
     * unpacked (or a file put there as it is), a git tree or a local source at its destination. First
     * each pin is held to its source (a stale lock is a {@code recipe.lock} error) and every byte is
     * brought into the store and checked; only then is anything written. On a failure while
     * writing, the workspace is emptied again.
     */
    public void materialize(Path recipeFile, List<Source> sources, List<SourcePin> pins, Path workspace) {
        checkPins(recipeFile, sources, pins);
        List<Download> downloads = new ArrayList<>();
        Map<String, CopyListing> trees = new LinkedHashMap<>();
        List<Source.Local> locals = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            SourcePin p = pins.get(i);
            if (p instanceof SourcePin.Fetch f) {
                downloads.add(new Download(where(recipeFile, s), expand(recipeFile, s, f.uri(), FETCH_SCHEMES), f.size(), f.sha256()));
            } else if (p instanceof SourcePin.Git g) {
                trees.put(s.key(), gitTree(recipeFile, (Source.Git) s, g));
            } else {
                locals.add((Source.Local) s);
            }
        }
        if (!downloads.isEmpty()) {
            try {
                new Fetcher(transport, store, Fetcher.DEFAULT_CONCURRENCY, listener).withOffline(offline).fetch(downloads);
            } catch (FetchException e) {
                throw new RecipeException(RecipeException.Kind.SOURCE, e.description() + e.fix().map(x -> "\n  fix: " + x).orElse(""), e);
            }
        }
        Map<String, Copy> localCopies = loadLocal(recipeFile, locals);
        for (int i = 0; i < sources.size(); i++) {
            if (pins.get(i) instanceof SourcePin.Local l) {
                CopyListing now = localCopies.get(sources.get(i).key()).listing();
                if (!now.digest().equals(l.listing())) {
                    throw new RecipeException(RecipeException.Kind.LOCK, where(recipeFile, sources.get(i)) + ": " + l.path()
                            + " changed since the recipe was locked: " + String.join("; ", listingChanges(l.listing(), now))
                            + "\n  fix: lock the recipe again");
                }
                trees.put(sources.get(i).key(), now);
            }
        }
        try {
            prepare(workspace);
            for (int i = 0; i < sources.size(); i++) {
                Source s = sources.get(i);
                SourcePin p = pins.get(i);
                if (p instanceof SourcePin.Fetch f) {
                    layFetched(recipeFile, (Source.Fetch) s, f, workspace);
                } else if (s instanceof Source.Git g) {
                    writeTree(trees.get(s.key()), workspace, g.destination(), where(recipeFile, s));
                } else {
                    writeTree(trees.get(s.key()), workspace, ((Source.Local) s).destination(), where(recipeFile, s));
                }
            }
        } catch (IOException e) {
            clear(workspace);
            throw new RecipeException(RecipeException.Kind.SOURCE, "cannot write the sources into " + workspace + ": " + IoErrors.why(e), e);
        } catch (RuntimeException e) {
            clear(workspace);
            throw e;
        }
    }

    // ---- fetch

    private SourcePin.Fetch pinFetch(Path recipeFile, Source.Fetch f, Optional<SourcePin.Fetch> old) {
        String where = where(recipeFile, f);
        List<URI> urls = expand(recipeFile, f, f.uri(), FETCH_SCHEMES);
        Optional<SourcePin.Fetch> kept = old.filter(p -> p.uri().equals(f.uri())
                && f.sha256().map(d -> d.equals(p.sha256())).orElse(true)
                && f.sha512().map(h -> p.sha512().isPresent() && h.equals(p.sha512().get())).orElse(true));
        if (kept.isPresent()) {
            SourcePin.Fetch p = kept.get();
            try {
                new Fetcher(transport, store, 1, listener).withOffline(offline).fetch(List.of(new Download(where, urls, p.size(), p.sha256())));
            } catch (FetchException e) {
                throw new RecipeException(RecipeException.Kind.SOURCE, e.description() + e.fix().map(x -> "\n  fix: " + x).orElse(""), e);
            }
            return new SourcePin.Fetch(f.key(), f.uri(), p.sha256(), f.sha512(), p.size());
        }
        if (f.sha256().isPresent() && store.contains(f.sha256().get()) && store.recheck(f.sha256().get()).isEmpty()) {
            try (InputStream in = Files.newInputStream(store.blobPath(f.sha256().get()))) {
                return streamed(f, where, in, Optional.empty());
            } catch (IOException e) {
                throw new RecipeException(RecipeException.Kind.SOURCE, where + ": cannot read the store's copy: " + IoErrors.why(e), e);
            }
        }
        if (offline) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": " + f.uri() + " is not in the store, and kiln is offline"
                    + "\n  fix: lock the recipe once with the network");
        }
        List<String> failures = new ArrayList<>();
        for (URI url : urls) {
            Download event = new Download(where, List.of(url), 0, f.sha256().orElse(Digest.of(new byte[0])));
            listener.started(event, url);
            try (Transport.Body body = transport.get(url)) {
                SourcePin.Fetch pin = streamed(f, where + " (" + url + ")", body.stream(), Optional.of(event));
                listener.finished(event, false);
                return pin;
            } catch (FetchException e) {
                listener.failed(event, e.getMessage());
                failures.add(url + ": " + e.description());
            } catch (IOException e) {
                listener.failed(event, IoErrors.why(e));
                failures.add(url + ": " + IoErrors.why(e));
            }
        }
        throw new RecipeException(RecipeException.Kind.SOURCE, where + ": cannot fetch " + f.uri() + ":\n    " + String.join("\n    ", failures)
                + "\n  fix: check the URL and the network (or the *_MIRROR variable it uses)");
    }

    /** Streams {@code in} into the store, hashing sha256 (and sha512 when pinned) on the way; publishes only matching bytes. */
    private SourcePin.Fetch streamed(Source.Fetch f, String where, InputStream in, Optional<Download> event) throws IOException {
        MessageDigest sha512 = sha512();
        long size = 0;
        try (ContentStore.Staging staging = store.stage(f.sha256().orElse(null), -1)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                staging.write(buf, 0, n);
                sha512.update(buf, 0, n);
                size += n;
                if (event.isPresent()) {
                    listener.progress(event.get(), size);
                }
            }
            String found512 = HexFormat.of().formatHex(sha512.digest());
            if (f.sha512().isPresent() && !f.sha512().get().equals(found512)) {
                throw new RecipeException(RecipeException.Kind.SOURCE, where + ": expected sha512 " + f.sha512().get() + ", found "
                        + found512 + "\n  fix: check the URL; if the new file is right, pin it with its own hash (nothing was kept)");
            }
            Digest sha256;
            try {
                sha256 = staging.commit();
            } catch (StoreException e) {
                if (e.code().equals(StoreException.Kind.MISMATCH.code())) {
                    throw new RecipeException(RecipeException.Kind.SOURCE, where + ": expected sha256 " + f.sha256().get().hex()
                            + ", " + e.getMessage().replace("content mismatch: expected " + f.sha256().get() + ", ", "")
                            + "\n  fix: check the URL; if the new file is right, pin it with its own hash (nothing was kept)");
                }
                throw e;
            }
            return new SourcePin.Fetch(f.key(), f.uri(), sha256, f.sha512(), size);
        }
    }

    private void layFetched(Path recipeFile, Source.Fetch s, SourcePin.Fetch p, Path workspace) throws IOException {
        Path blob = store.blob(p.sha256()).orElseThrow(() -> new StoreException(StoreException.Kind.MISSING,
                "the store lost " + p.sha256() + " (" + p.uri() + ") while kiln used it"));
        try (InputStream in = checked(Files.newInputStream(blob), p.sha256(), where(recipeFile, s))) {
            if (s.extract()) {
                Archives.unpack(new java.io.FilterInputStream(in) {
                    @Override
                    public void close() {
                        // the rest is read below, so that the digest covers the whole file
                    }
                }, workspace, s.stripComponents(), where(recipeFile, s) + " (" + s.uri() + ")");
                in.transferTo(OutputStream.nullOutputStream());
            } else {
                Path target = workspace.resolve(s.fileName());
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    in.transferTo(out);
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
    }

    // ---- git

    private SourcePin.Git pinGit(Path recipeFile, Source.Git g, Optional<SourcePin.Git> old) {
        String where = where(recipeFile, g);
        Optional<SourcePin.Git> same = old.filter(p -> p.repository().equals(g.repository()) && p.ref().equals(g.ref())
                && p.commit().equals(g.expectedCommit()));
        if (offline) {
            if (same.isPresent() && treePresent(same.get().tree())) {
                return same.get();
            }
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": " + g.repository() + " " + g.ref()
                    + " is not in the store, and kiln is offline\n  fix: lock the recipe once with the network");
        }
        SourcePin.Git pin;
        try {
            pin = fetchGit(recipeFile, g);
        } catch (RecipeException e) {
            if (same.isPresent() && e.getMessage().contains("not the expected-commit")) {
                throw new RecipeException(RecipeException.Kind.SOURCE, where + ": " + g.ref() + " of " + g.repository()
                        + " moved since the recipe was locked (it was " + same.get().commit() + "): " + e.description()
                        + e.fix().map(x -> "\n  fix: " + x).orElse(""), e);
            }
            throw e;
        }
        if (same.isPresent() && !same.get().tree().equals(pin.tree())) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": commit " + pin.commit() + " exports to tree "
                    + pin.tree() + ", the lock pins " + same.get().tree() + "\n  fix: lock the recipe again with this kiln");
        }
        return pin;
    }

    private SourcePin.Git fetchGit(Path recipeFile, Source.Git g) {
        GitTool tool = git.orElseThrow(() -> new RecipeException(RecipeException.Kind.SOURCE, where(recipeFile, g)
                + ": a git-checkout needs git, and none is installed\n  fix: install git (Debian's package git)"));
        URI url = expand(recipeFile, g, g.repository(), GIT_SCHEMES).get(0);
        Path home = null;
        try {
            home = Files.createTempDirectory("kiln-git-");
            return new GitTrees(tool, store).pin(g, url, recipeFile.toString(), home);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SOURCE, "cannot make a temporary directory for git: " + IoErrors.why(e), e);
        } finally {
            if (home != null) {
                deleteTree(home);
            }
        }
    }

    private boolean treePresent(Digest tree) {
        Optional<byte[]> json = store.readChecked(tree);
        if (json.isEmpty()) {
            return false;
        }
        CopyListing listing = CopyListing.parse(json.get(), "the git tree " + tree);
        return listing.entries().stream().allMatch(i -> i.sha256() == null || store.contains(i.sha256()));
    }

    private CopyListing gitTree(Path recipeFile, Source.Git g, SourcePin.Git p) {
        if (!treePresent(p.tree())) {
            if (offline) {
                throw new RecipeException(RecipeException.Kind.SOURCE, where(recipeFile, g) + ": the tree of " + p.commit()
                        + " is not in the store, and kiln is offline\n  fix: lock or build the recipe once with the network");
            }
            SourcePin.Git again = pinGit(recipeFile, g, Optional.of(p));
            if (!again.tree().equals(p.tree())) {
                throw new RecipeException(RecipeException.Kind.SOURCE, where(recipeFile, g) + ": expected tree " + p.tree() + ", found "
                        + again.tree() + "\n  fix: lock the recipe again");
            }
        }
        return CopyListing.parse(store.readChecked(p.tree()).orElseThrow(), "the git tree " + p.tree());
    }

    // ---- local

    private Map<String, SourcePin.Local> pinLocal(Path recipeFile, List<Source.Local> locals) {
        Map<String, SourcePin.Local> out = new LinkedHashMap<>();
        Map<String, Copy> copies = loadLocal(recipeFile, locals);
        for (Source.Local l : locals) {
            CopyListing listing = copies.get(l.key()).listing();
            out.put(l.key(), new SourcePin.Local(l.key(), l.path(), listing.digest(), listing.files(), listing.size()));
        }
        return out;
    }

    /**
     * Reads each local source as an image spec's copy is read (held to the recipe's directory, every
     * file hashed and put into the store), by the key of its step.
     */
    private Map<String, Copy> loadLocal(Path recipeFile, List<Source.Local> locals) {
        Map<String, Copy> out = new LinkedHashMap<>();
        if (locals.isEmpty()) {
            return out;
        }
        List<ImageSpec.PathEntry> paths = new ArrayList<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        Path dir = recipeFile.toAbsolutePath().normalize().getParent();
        for (int i = 0; i < locals.size(); i++) {
            Source.Local l = locals.get(i);
            boolean isDir = Files.isDirectory(dir.resolve(l.path()));
            paths.add(new ImageSpec.PathEntry("/source/" + i, isDir ? ImageSpec.PathType.DIRECTORY : ImageSpec.PathType.FILE,
                    OptionalInt.empty(), 0, 0, Optional.of(l.path()), false));
            lines.put("paths[" + i + "].source", l.line());
        }
        ImageSpec spec = new ImageSpec(recipeFile, Digest.of(new byte[0]),
                new ImageSpec.Contents(List.of(), List.of(), List.of(), Map.of(), false, List.of()), List.of(),
                ImageSpec.Accounts.NONE, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), paths, Map.of(),
                Optional.empty(), List.of(), List.of(), ImageSpec.Layering.NONE, List.of(), lines);
        Map<String, Copy> loaded;
        try {
            loaded = Copies.load(spec, BuildContext.of(recipeFile, Optional.empty()), store);
        } catch (SpecException e) {
            String key = e.key();
            for (int i = 0; i < locals.size(); i++) {
                key = key.replace("paths[" + i + "].source", locals.get(i).key() + ".source");
            }
            SpecException placed = e.at(recipeFile.toString(), e.line(), key);
            throw new RecipeException(RecipeException.Kind.SOURCE, placed.description() + placed.fix().map(f -> "\n  fix: " + f).orElse(""), e);
        }
        for (int i = 0; i < locals.size(); i++) {
            out.put(locals.get(i).key(), loaded.get("/source/" + i));
        }
        return out;
    }

    // ---- writing trees

    /** Writes a listing's entries under {@code workspace/destination}, each file's bytes checked against its sha256. */
    private void writeTree(CopyListing listing, Path workspace, String destination, String where) throws IOException {
        Path root = workspace.resolve(destination).normalize();
        if (!root.startsWith(workspace)) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": destination '" + destination + "' leads outside the workspace"
                    + "\n  fix: give a path under the workspace");
        }
        FileTime time = FileTime.fromMillis(TREE_MTIME_SECONDS * 1000);
        if (listing.kind() == CopyListing.Kind.FILE) {
            Files.createDirectories(root.getParent());
            writeFile(listing.entries().get(0), root, where);
            Files.setLastModifiedTime(root, time);
            return;
        }
        Files.createDirectories(root);
        List<Path> dirs = new ArrayList<>();
        for (CopyListing.Item i : listing.entries()) {
            Path target = root.resolve(i.path());
            switch (i.type()) {
                case DIRECTORY -> {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectory(target);
                    }
                    dirs.add(target);
                }
                case SYMLINK -> {
                    Archives.checkLink(i.path(), i.target(), where);
                    try {
                        Files.createSymbolicLink(target, Path.of(i.target()));
                    } catch (FileAlreadyExistsException e) {
                        throw Archives.refused(where, i.path(), "it is already in the workspace, from an earlier source");
                    }
                }
                case FILE -> {
                    writeFile(i, target, where);
                    Files.setLastModifiedTime(target, time);
                }
            }
        }
        for (int d = dirs.size() - 1; d >= 0; d--) {
            Files.setLastModifiedTime(dirs.get(d), time);
        }
    }

    private void writeFile(CopyListing.Item item, Path target, String where) throws IOException {
        Path blob = store.blob(item.sha256()).orElseThrow(() -> new StoreException(StoreException.Kind.MISSING,
                "the store lost " + item.sha256() + " (" + where + ": " + item.path() + ") while kiln used it"));
        try (InputStream in = checked(Files.newInputStream(blob), item.sha256(), where + ": " + item.path());
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(out);
        } catch (FileAlreadyExistsException e) {
            throw Archives.refused(where, item.path(), "it is already in the workspace, from an earlier source");
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString((item.mode() & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** A stream that fails at its end if the bytes read do not hash to {@code expected}: a store's name is not a proof. */
    private static InputStream checked(InputStream in, Digest expected, String what) {
        MessageDigest md = Digest.newSha256();
        return new DigestInputStream(in, md) {
            private boolean checked;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0 && !checked) {
                    checked = true;
                    Digest found = Digest.fromRaw(md.digest());
                    if (!found.equals(expected)) {
                        throw new StoreException(StoreException.Kind.DAMAGED, what + ": the store's blob " + expected + " holds other bytes ("
                                + found + ")\n  fix: repair the store (kiln store verify --repair), then build again");
                    }
                }
                return n;
            }
        };
    }

    // ---- checks and helpers

    private static void checkPins(Path recipeFile, List<Source> sources, List<SourcePin> pins) {
        String fix = "\n  fix: lock the recipe again (it changed since it was locked)";
        if (sources.size() != pins.size()) {
            throw new RecipeException(RecipeException.Kind.LOCK, recipeFile + ": the recipe has " + sources.size()
                    + " sources, its lock pins " + pins.size() + fix);
        }
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            SourcePin p = pins.get(i);
            boolean same = s.key().equals(p.key()) && matches(s, p);
            if (!same) {
                throw new RecipeException(RecipeException.Kind.LOCK, where(recipeFile, s) + ": the lock pins " + p.describe()
                        + ", which is not what the recipe says" + fix);
            }
        }
    }

    private static boolean matches(Source s, SourcePin p) {
        if (s instanceof Source.Fetch f) {
            return p instanceof SourcePin.Fetch pf && pf.uri().equals(f.uri())
                    && f.sha256().map(d -> d.equals(pf.sha256())).orElse(true)
                    && f.sha512().map(h -> pf.sha512().equals(Optional.of(h))).orElse(true);
        }
        if (s instanceof Source.Git g) {
            return p instanceof SourcePin.Git pg && pg.repository().equals(g.repository()) && pg.ref().equals(g.ref())
                    && pg.commit().equals(g.expectedCommit());
        }
        return p instanceof SourcePin.Local pl && pl.path().equals(((Source.Local) s).path());
    }

    private List<URI> expand(Path recipeFile, Source s, String written, List<String> schemes) {
        return SourceUri.expandOrThrow(where(recipeFile, s), written, mirrors, schemes);
    }

    private static String where(Path recipeFile, Source s) {
        return recipeFile + ":" + s.line() + ": " + s.key();
    }

    private static List<String> listingChanges(Digest was, CopyListing now) {
        return List.of("its listing was " + was.shortHex() + ", now " + now.digest().shortHex());
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-512", e);
        }
    }

    private static void prepare(Path workspace) throws IOException {
        Files.createDirectories(workspace);
        try (Stream<Path> s = Files.list(workspace)) {
            if (s.findAny().isPresent()) {
                throw new RecipeException(RecipeException.Kind.SOURCE, "the workspace " + workspace + " is not empty"
                        + "\n  fix: give an empty or new directory");
            }
        }
    }

    /** Empties {@code dir} (kept itself), so that a failed materialization leaves nothing partial. */
    private static void clear(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(Sources::deleteTree);
        } catch (IOException | RuntimeException ignored) {
            // best effort: the caller reports the first failure
        }
    }

    private static void deleteTree(Path p) {
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                p.toFile().setWritable(true);
                try (Stream<Path> s = Files.list(p)) {
                    s.forEach(Sources::deleteTree);
                }
            }
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new KilnException("cannot remove " + p + ": " + IoErrors.why(e), e);
        }
    }
}
