package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.FetchException;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A set of trusted key files, named by the digest of their bytes, whose parsed {@link Keyring} is
 * built only when a signature really has to be checked. A verdict on the same signed bytes under
 * the same keys can then be remembered, and a warm run needs no cryptography at all.
 */
public final class TrustedKeys {
    private final Digest id;
    private final Supplier<Keyring> load;
    private Keyring keyring;

    private TrustedKeys(Digest id, Supplier<Keyring> load) {
        this.id = id;
        this.load = load;
    }

    /** The key file, or every {@code *.asc}/{@code *.gpg}/{@code *.pgp} in the directory. */
    public static TrustedKeys of(Path fileOrDirectory) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(fileOrDirectory)) {
            try (Stream<Path> s = Files.list(fileOrDirectory)) {
                s.filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return n.endsWith(".asc") || n.endsWith(".gpg") || n.endsWith(".pgp");
                }).filter(Files::isRegularFile).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new FetchException(FetchException.Kind.KEYS,
                        "Cannot list key directory " + fileOrDirectory + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
        } else {
            files.add(fileOrDirectory);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path f : files) {
            try {
                all.write(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                all.write(0);
                all.write(Files.readAllBytes(f));
                all.write(0);
            } catch (IOException e) {
                throw new FetchException(FetchException.Kind.KEYS,
                        "Cannot read key file " + f + ": " + dev.kiln.store.IoErrors.why(e)
                        + "; expected a readable public key file (*.asc, *.gpg)", e);
            }
        }
        return new TrustedKeys(Digest.of(all.toByteArray()), () -> Keyring.load(fileOrDirectory));
    }

    /** Keys already parsed (tests, and keys that came from elsewhere). */
    public static TrustedKeys of(Keyring keyring) {
        // no bytes to name them by: an identity of their own, so no verdict is shared with other keys
        TrustedKeys k = new TrustedKeys(Digest.of("in-memory " + System.identityHashCode(keyring) + " " + System.nanoTime()), () -> keyring);
        k.keyring = keyring;
        return k;
    }

    public TrustedKeys union(TrustedKeys other) {
        return new TrustedKeys(Digest.of(id + " " + other.id), () -> keyring().union(other.keyring()));
    }

    /** Names exactly these key bytes. */
    public Digest id() {
        return id;
    }

    public synchronized Keyring keyring() {
        if (keyring == null) {
            keyring = load.get();
        }
        return keyring;
    }
}
