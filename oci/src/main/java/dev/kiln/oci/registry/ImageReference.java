package dev.kiln.oci.registry;

import dev.kiln.store.Digest;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an image lives in a registry: {@code HOST[:PORT]/REPO[:TAG]}, {@code HOST[:PORT]/REPO@sha256:<hex>}
 * or both ({@code HOST/REPO:TAG@sha256:<hex>}, the tag then only a label the digest must match).
 *
 * <p>The grammar is Docker's: the host is a DNS name, an IPv4 address or a bracketed IPv6 address,
 * the repository is lowercase path components joined by {@code /}, the tag is up to 128 word
 * characters, dots and dashes. Unlike Docker, the registry host is required, so that an image is never
 * sent to Docker Hub by accident: Docker Hub is {@code docker.io/NAME} ({@code docker.io/library/NAME}
 * for official images; a one-part name there gets {@code library/} as Docker does).
 *
 * @param registry the host as written, with its port ({@code index.docker.io} is written {@code docker.io})
 * @param repository the repository path inside the registry
 */
public record ImageReference(String registry, String repository, Optional<String> tag, Optional<Digest> digest) {
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final int MAX_NAME = 255;
    private static final String FORMS = "HOST[:PORT]/REPO[:TAG] or HOST[:PORT]/REPO@sha256:<64 hex digits>";

    /** The tag used when a reference names neither a tag nor a digest. */
    public static final String DEFAULT_TAG = "latest";

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
    }

    /** Parses a reference; a bad one is a {@link RegistryException} saying what is wrong with it. */
    public static ImageReference parse(String text) {
        Objects.requireNonNull(text, "text");
        String rest = text.trim();
        if (rest.isEmpty()) {
            throw bad(text, "it is empty");
        }
        Optional<Digest> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            String d = rest.substring(at + 1);
            if (!d.startsWith("sha256:")) {
                throw bad(text, "the digest '" + d + "' is not sha256:<64 hex digits> (kiln knows only sha256)");
            }
            try {
                digest = Optional.of(Digest.parse(d));
            } catch (IllegalArgumentException e) {
                throw bad(text, "the digest '" + d + "' is not sha256:<64 lowercase hex digits>");
            }
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/') && colon > rest.lastIndexOf(']')) {
            String t = rest.substring(colon + 1);
            if (!TAG.matcher(t).matches()) {
                throw bad(text, "the tag '" + t + "' is not 1 to 128 letters, digits, '_', '.' or '-' (not starting with '.' or '-')");
            }
            tag = Optional.of(t);
            rest = rest.substring(0, colon);
        }
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash < 0 || !looksLikeHost(first)) {
            throw new RegistryException(RegistryException.Kind.INVALID_REFERENCE,
                    "'" + text + "' names no registry: expected " + FORMS
                    + "\n  fix: put the registry host first, e.g. 'registry.example.com/" + rest + "' or, for Docker Hub, 'docker.io/"
                    + (rest.contains("/") ? rest : "library/" + rest) + "'");
        }
        String host = first.equalsIgnoreCase("index.docker.io") ? "docker.io" : first;
        checkHost(text, host);
        String repository = rest.substring(slash + 1);
        if (host.equals("docker.io") && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        checkRepository(text, repository);
        if (host.length() + 1 + repository.length() > MAX_NAME) {
            throw bad(text, "the name is longer than " + MAX_NAME + " characters");
        }
        return new ImageReference(host, repository, tag, digest);
    }

    /** A registry host is recognised as Docker does: it has a dot, a port, is bracketed, or is localhost. */
    private static boolean looksLikeHost(String first) {
        return first.contains(".") || first.contains(":") || first.startsWith("[") || first.equals("localhost")
                || !first.equals(first.toLowerCase(Locale.ROOT));
    }

    private static void checkHost(String text, String host) {
        String name = host;
        int portColon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
        if (portColon > 0) {
            String port = host.substring(portColon + 1);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535) {
                throw bad(text, "the port '" + port + "' is not a number from 1 to 65535");
            }
            name = host.substring(0, portColon);
        }
        if (name.startsWith("[")) {
            if (!IPV6.matcher(name).matches()) {
                throw bad(text, "the host '" + name + "' is not a bracketed IPv6 address");
            }
            return;
        }
        for (String c : name.split("\\.", -1)) {
            if (!DOMAIN_COMPONENT.matcher(c).matches()) {
                throw bad(text, "the host '" + name + "' is not a DNS name or IP address (letters, digits, '-' and '.')");
            }
        }
    }

    private static void checkRepository(String text, String repository) {
        if (repository.isEmpty()) {
            throw bad(text, "the repository is empty");
        }
        for (String c : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(c).matches()) {
                throw bad(text, "the repository part '" + c + "' is not lowercase letters and digits separated by"
                        + " '.', '_', '__' or '-'");
            }
        }
    }

    private static RegistryException bad(String text, String why) {
        return new RegistryException(RegistryException.Kind.INVALID_REFERENCE,
                "'" + text + "' is not an image reference: " + why + "\n  expected: " + FORMS);
    }

    /** What the manifest endpoint is asked for: the digest if there is one, else the tag, else {@code latest}. */
    public String reference() {
        return digest.map(Digest::toString).orElse(tag.orElse(DEFAULT_TAG));
    }

    /** The tag, or {@code latest} when neither tag nor digest is given; empty for a digest-only reference. */
    public Optional<String> tagOrDefault() {
        return tag.isPresent() || digest.isPresent() ? tag : Optional.of(DEFAULT_TAG);
    }

    /** {@code HOST/REPO}. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The same image pinned to {@code d} (the tag kept as a label). */
    public ImageReference withDigest(Digest d) {
        return new ImageReference(registry, repository, tag, Optional.of(d));
    }

    /** The same repository under another tag, without a digest. */
    public ImageReference withTag(String t) {
        if (!TAG.matcher(t).matches()) {
            throw bad(name() + ":" + t, "the tag '" + t + "' is not valid");
        }
        return new ImageReference(registry, repository, Optional.of(t), Optional.empty());
    }

    /** The repository alone, for calls that name a blob or a manifest by digest. */
    public ImageReference repositoryOnly() {
        return new ImageReference(registry, repository, Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return name() + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
