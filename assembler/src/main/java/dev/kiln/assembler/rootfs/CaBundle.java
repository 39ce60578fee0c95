package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /etc/ssl/certs/ca-certificates.crt} as {@code update-ca-certificates} writes it, without
 * running it.
 *
 * <p>The certificates, in order: if {@code /etc/ca-certificates.conf} is in the tree, its lines
 * that are not empty, comments or {@code !}-disabled, in file order, each relative to
 * {@code /usr/share/ca-certificates} (a listed file that is missing is skipped, as the script
 * only warns). Otherwise every {@code *.crt} under {@code /usr/share/ca-certificates}, sorted by
 * path in byte order: that is what the package's postinst writes into the conf on a fresh
 * install (debconf's default enables every certificate it finds, sorted), with the C locale's
 * {@code sort}. Then every {@code *.crt} under {@code /usr/local/share/ca-certificates}, sorted,
 * as the script adds local certificates last. Each certificate gets a trailing newline if it lacks
 * one ({@code sed '$a\'}). With no certificate no bundle is written, as the script does.
 *
 * <p>The per-certificate {@code .pem} links, {@code openssl rehash}'s links and the conf are made
 * after the path filter, by {@link CaCertificates}.
 */
final class CaBundle {
    static final String PACKAGE = "ca-certificates";
    static final String BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
    static final String CONF = "/etc/ca-certificates.conf";
    static final String CERTS_DIR = "/usr/share/ca-certificates";
    static final String LOCAL_CERTS_DIR = "/usr/local/share/ca-certificates";

    private CaBundle() {
    }

    /** The certificate paths in bundle order. */
    static List<String> certificates(Draft draft) {
        List<String> paths = new ArrayList<>();
        Optional<Content> conf = draft.get(CONF).isPresent() ? draft.content(CONF) : Optional.empty();
        if (conf.isPresent()) {
            for (String line : new String(conf.get().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#") || name.startsWith("!")) {
                    continue;
                }
                String path = CERTS_DIR + "/" + name;
                if (draft.content(path).isPresent()) {
                    paths.add(path);
                }
            }
        } else {
            paths.addAll(crtFilesBelow(draft, CERTS_DIR));
        }
        paths.addAll(crtFilesBelow(draft, LOCAL_CERTS_DIR));
        return paths;
    }

    static void write(Draft draft) {
        List<String> certs = certificates(draft);
        if (certs.isEmpty()) {
            return;
        }
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        for (String path : certs) {
            byte[] bytes = draft.content(path).orElseThrow().readAllBytes();
            bundle.writeBytes(bytes);
            if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
                bundle.write('\n');
            }
        }
        draft.putGenerated(BUNDLE, bundle.toByteArray());
    }

    /** {@code find -L dir -type f -name '*.crt' | LC_ALL=C sort}, inside the tree. */
    private static List<String> crtFilesBelow(Draft draft, String dir) {
        List<String> out = new ArrayList<>();
        Optional<String> real = draft.resolve(dir);
        if (real.isEmpty()) {
            return out;
        }
        for (Entry e : draft.below(real.get())) {
            if (e.path().endsWith(".crt") && e.type() != Entry.Type.DIR && draft.content(e.path()).isPresent()) {
                out.add(e.path());
            }
        }
        out.sort(TreePath.ORDER);
        return out;
    }
}
