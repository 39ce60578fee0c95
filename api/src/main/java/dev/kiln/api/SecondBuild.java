package dev.kiln.api;

import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The second build of a {@link BuildCheck}, in the child JVM: {@code SETTINGS ERROR}. It builds
 * frozen, as the settings file says (the parent session's store, keys, mirrors and proxies, the
 * spec, lock, output and epoch), and exits 0; on a kiln error it writes the message to the file
 * {@code ERROR} and exits 3. It prints nothing.
 */
final class SecondBuild {
    private SecondBuild() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SecondBuild SETTINGS ERROR (the second build of a build check)");
        }
        Map<String, String> s = BuildCheck.read(Path.of(args[0]));
        Map<String, String> mirrors = new LinkedHashMap<>();
        Map<String, String> proxies = new LinkedHashMap<>();
        s.forEach((k, v) -> {
            if (k.startsWith("mirror.")) {
                mirrors.put(k.substring("mirror.".length()), v);
            } else if (k.startsWith("proxy.")) {
                proxies.put(k.substring("proxy.".length()), v);
            }
        });
        Kiln.Builder b = Kiln.builder().store(Path.of(s.get("store"))).mirrors(mirrors).proxies(Proxies.fromVariables(proxies));
        if (s.containsKey("keys")) {
            b.keys(Path.of(s.get("keys")));
        }
        if (s.containsKey("home")) {
            b.home(Path.of(s.get("home")));
        }
        if (s.containsKey("context")) {
            b.context(Path.of(s.get("context")));
        }
        if (s.containsKey("netrc")) {
            b.netrc(Path.of(s.get("netrc")));
        }
        try (Kiln kiln = b.open()) {
            Spec spec = s.containsKey("spec") ? Spec.load(Path.of(s.get("spec")))
                    : Spec.of(Files.readAllBytes(Path.of(s.get("spec.yaml"))), s.get("spec.name"));
            kiln.build(BuildRequest.of(spec).withLockFile(Path.of(s.get("lock"))).withMode(LockMode.FROZEN)
                    .withEpoch(Epoch.of(Long.parseLong(s.get("epoch")))).to(Target.layout(Path.of(s.get("out")))));
        } catch (KilnException e) {
            Files.writeString(Path.of(args[1]), "kiln: " + e.getMessage(), StandardCharsets.UTF_8);
            System.exit(3);
        }
    }
}
