package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.FetchException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * The public keys kiln trusts to sign repository metadata: the files in {@code keys/}, or the
 * file a repository names with {@code signed-by=}. Immutable; {@link #union} makes a new one.
 *
 * <p>Reading a keyring checks each key's self-signatures once (user ID certifications, subkey
 * bindings and back-signatures, revocations), so that verifying a signature is a lookup.
 */
public final class Keyring {
    private static final String BEGIN = "-----BEGIN PGP ";

    /** Certificates by primary fingerprint, sorted. */
    private final Map<String, Certificate> certificates;
    private final Map<Long, List<PgpKeyFacts>> byKeyId;

    /** A key with its subkeys, the files it came from, and its evaluated keys (computed once). */
    private record Certificate(PGPPublicKeyRing ring, Set<String> sources, List<PgpKeyFacts> keys) {
        static Certificate of(PGPPublicKeyRing ring, Set<String> sources) {
            return new Certificate(ring, Collections.unmodifiableSet(new LinkedHashSet<>(sources)), PgpKeyFacts.evaluate(ring, String.join(", ", sources)));
        }
    }

    private Keyring(Map<String, Certificate> certificates) {
        this.certificates = Collections.unmodifiableMap(certificates);
        Map<Long, List<PgpKeyFacts>> index = new HashMap<>();
        for (Certificate certificate : certificates.values()) {
            for (PgpKeyFacts key : certificate.keys()) {
                index.computeIfAbsent(key.key().getKeyID(), id -> new ArrayList<>()).add(key);
            }
        }
        this.byKeyId = index;
    }

    /**
     * Reads a key file, or every {@code *.asc} (armored) and {@code *.gpg} / {@code *.pgp}
     * (binary) file in a directory, in file-name order.
     *
     * @throws FetchException if the path is missing, a directory holds no key files, or a file is
     *     not a public key file (the message names the file)
     */
    public static Keyring load(Path fileOrDirectory) {
        Objects.requireNonNull(fileOrDirectory, "fileOrDirectory");
        if (Files.isDirectory(fileOrDirectory)) {
            List<Path> files;
            try (Stream<Path> entries = Files.list(fileOrDirectory)) {
                files = entries.filter(Keyring::isKeyFileName)
                        .filter(Files::isRegularFile)
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new FetchException(FetchException.Kind.KEYS,
                        "Cannot list key directory " + fileOrDirectory + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
            if (files.isEmpty()) {
                throw new FetchException(FetchException.Kind.KEYS,
                        "Key directory " + fileOrDirectory + " holds no key files; expected public keys "
                        + "as *.asc (armored) or *.gpg / *.pgp (binary) files.");
            }
            Map<String, Certificate> certificates = new TreeMap<>();
            for (Path file : files) {
                for (PGPPublicKeyRing ring : readFile(file)) {
                    add(certificates, ring, Set.of(file.toString()));
                }
            }
            return new Keyring(certificates);
        }
        if (!Files.exists(fileOrDirectory)) {
            throw new FetchException(FetchException.Kind.KEYS,
                    "Key file " + fileOrDirectory + " does not exist; expected a public key file "
                    + "(*.asc, *.gpg) or a directory of them.");
        }
        return of(readFile(fileOrDirectory), fileOrDirectory.toString());
    }

    private static boolean isKeyFileName(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".asc") || name.endsWith(".gpg") || name.endsWith(".pgp");
    }

    private static List<PGPPublicKeyRing> readFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FetchException(FetchException.Kind.KEYS,
                    "Cannot read key file " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
        return rings(bytes, file.toString());
    }

    /**
     * Reads public keys from armored ({@code -----BEGIN PGP PUBLIC KEY BLOCK-----}) or binary
     * OpenPGP data.
     *
     * @param sourceName names the data in messages, usually the file name
     * @throws FetchException if the data holds no public keys, holds secret keys, is a GnuPG
     *     keybox, or is damaged
     */
    public static Keyring parse(byte[] armoredOrBinary, String sourceName) {
        Objects.requireNonNull(armoredOrBinary, "armoredOrBinary");
        Objects.requireNonNull(sourceName, "sourceName");
        return of(rings(armoredOrBinary, sourceName), sourceName);
    }

    private static Keyring of(List<PGPPublicKeyRing> rings, String sourceName) {
        Map<String, Certificate> certificates = new TreeMap<>();
        for (PGPPublicKeyRing ring : rings) {
            add(certificates, ring, Set.of(sourceName));
        }
        return new Keyring(certificates);
    }

    private static List<PGPPublicKeyRing> rings(byte[] armoredOrBinary, String sourceName) {
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        if (isKeybox(armoredOrBinary)) {
            throw new FetchException(FetchException.Kind.KEYS,
                    sourceName + " is a GnuPG keybox (the pubring.kbx format), not an OpenPGP key file. "
                    + "Export the keys instead: gpg --export KEYID > key.gpg");
        }
        if (isArmored(armoredOrBinary)) {
            for (byte[] block : armorBlocks(armoredOrBinary, sourceName)) {
                readPackets(unarmor(block, sourceName), sourceName, rings);
            }
        } else {
            readPackets(armoredOrBinary, sourceName, rings);
        }
        if (rings.isEmpty()) {
            throw new FetchException(FetchException.Kind.KEYS,
                    sourceName + " holds no OpenPGP public keys; expected an armored public key block "
                    + "or a binary key file as exported by 'gpg --export'.");
        }
        return rings;
    }

    /** A keyring trusting the keys of both; a key in both is merged (signatures of either count). */
    public Keyring union(Keyring other) {
        Map<String, Certificate> merged = new TreeMap<>(certificates);
        for (Map.Entry<String, Certificate> theirs : other.certificates.entrySet()) {
            if (merged.containsKey(theirs.getKey())) {
                add(merged, theirs.getValue().ring(), theirs.getValue().sources());
            } else {
                merged.put(theirs.getKey(), theirs.getValue());
            }
        }
        return new Keyring(merged);
    }

    /** Primary-key fingerprints, 40 uppercase hex digits each, sorted. */
    public List<String> fingerprints() {
        return List.copyOf(certificates.keySet());
    }

    @Override
    public String toString() {
        return "Keyring" + describeKeys();
    }

    /** For messages: each primary fingerprint with its user ID and file. */
    String describeKeys() {
        // evaluate() lists the primary key first
        return certificates.values().stream()
                .map(certificate -> certificate.keys().get(0).describe())
                .collect(Collectors.joining("; ", "[", "]"));
    }

    /** Keys with this key ID, narrowed to the fingerprint when the signature names one. */
    List<PgpKeyFacts> keysFor(long keyId, String fingerprintOrNull) {
        List<PgpKeyFacts> keys = byKeyId.getOrDefault(keyId, List.of());
        if (fingerprintOrNull == null) {
            return keys;
        }
        return keys.stream().filter(key -> key.fingerprint().equals(fingerprintOrNull)).toList();
    }

    /** Keys with this fingerprint (signatures without an issuer key ID but with a fingerprint). */
    List<PgpKeyFacts> keysFor(String fingerprint) {
        return byKeyId.values().stream().flatMap(List::stream).filter(key -> key.fingerprint().equals(fingerprint)).toList();
    }

    private static void add(Map<String, Certificate> certificates, PGPPublicKeyRing ring, Set<String> sources) {
        String fingerprint = PgpKeyFacts.hex(ring.getPublicKey().getFingerprint());
        Certificate existing = certificates.get(fingerprint);
        if (existing == null) {
            certificates.put(fingerprint, Certificate.of(ring, sources));
            return;
        }
        PGPPublicKeyRing joined;
        try {
            joined = PGPPublicKeyRing.join(existing.ring(), ring);
        } catch (PGPException | RuntimeException e) {
            throw new FetchException(FetchException.Kind.KEYS,
                    String.join(", ", sources) + ": key " + fingerprint + " cannot be merged with the "
                    + "copy from " + String.join(", ", existing.sources()) + ": " + e.getMessage(), e);
        }
        Set<String> allSources = new LinkedHashSet<>(existing.sources());
        allSources.addAll(sources);
        certificates.put(fingerprint, Certificate.of(joined, allSources));
    }

    private static void readPackets(byte[] binary, String sourceName, List<PGPPublicKeyRing> rings) {
        PGPObjectFactory objects = new PGPObjectFactory(binary, new BcKeyFingerprintCalculator());
        try {
            Object object;
            while ((object = objects.nextObject()) != null) {
                if (object instanceof PGPPublicKeyRing ring) {
                    rings.add(ring);
                } else if (object instanceof PGPSecretKeyRing) {
                    throw new FetchException(FetchException.Kind.KEYS,
                            sourceName + " holds a SECRET key. kiln needs only public keys, and a secret "
                            + "key does not belong in keys/ or a repository line: export the public part "
                            + "(gpg --export --armor KEYID) and keep the secret key elsewhere.");
                } else if (!(object instanceof PGPMarker)) {
                    throw new FetchException(FetchException.Kind.KEYS, sourceName + " is not a public key file: found "
                            + object.getClass().getSimpleName().replace("PGP", "an OpenPGP ")
                            + " where public keys were expected.");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof FetchException fetch) {
                throw fetch;
            }
            throw new FetchException(FetchException.Kind.KEYS,
                    sourceName + " is not a valid OpenPGP public key file (" + e.getMessage()
                    + "). Expected an armored public key block or a binary key file as exported by 'gpg --export'.", e);
        }
    }

    private static boolean isKeybox(byte[] data) {
        // keybox header blob: 4-byte length, type 1, version 1, 2 flag bytes, then "KBXf"
        return data.length >= 12 && data[8] == 'K' && data[9] == 'B' && data[10] == 'X' && data[11] == 'f';
    }

    private static boolean isArmored(byte[] data) {
        String start = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.ISO_8859_1);
        return start.contains(BEGIN);
    }

    /** Each {@code -----BEGIN PGP PUBLIC KEY BLOCK-----} ... END block; text between blocks is ignored. */
    private static List<byte[]> armorBlocks(byte[] data, String sourceName) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int begin = text.indexOf(BEGIN, from);
            if (begin < 0) {
                break;
            }
            int headerEnd = text.indexOf("-----", begin + BEGIN.length());
            if (headerEnd < 0) {
                throw new FetchException(FetchException.Kind.KEYS,
                        sourceName + ": armor header line is not terminated with '-----'.");
            }
            String type = text.substring(begin + BEGIN.length(), headerEnd);
            if (type.equals("PRIVATE KEY BLOCK") || type.equals("SECRET KEY BLOCK")) {
                throw new FetchException(FetchException.Kind.KEYS,
                        sourceName + " holds a SECRET key block. kiln needs only public keys: export the "
                        + "public part (gpg --export --armor KEYID) and keep the secret key elsewhere.");
            }
            if (!type.equals("PUBLIC KEY BLOCK")) {
                throw new FetchException(FetchException.Kind.KEYS,
                        sourceName + " holds a 'PGP " + type + "' block where a 'PGP PUBLIC KEY BLOCK' "
                        + "was expected.");
            }
            String end = "-----END PGP " + type + "-----";
            int endAt = text.indexOf(end, headerEnd);
            if (endAt < 0) {
                throw new FetchException(FetchException.Kind.KEYS,
                        sourceName + ": the public key block is not closed with '" + end
                        + "'; the file is truncated.");
            }
            int blockEnd = endAt + end.length();
            blocks.add(text.substring(begin, blockEnd).concat("\n").getBytes(StandardCharsets.ISO_8859_1));
            from = blockEnd;
        }
        return blocks;
    }

    private static byte[] unarmor(byte[] block, String sourceName) {
        try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(block))) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new FetchException(FetchException.Kind.KEYS,
                    sourceName + ": the armored public key block is damaged (" + e.getMessage()
                    + "); fetch the key file again.", e);
        }
    }
}
