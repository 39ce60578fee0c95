package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Holds {@link DebianVersion} against the real {@code dpkg --compare-versions}. dpkg is part of
 * every Debian host, so a missing dpkg fails the test rather than skipping it.
 *
 * <p>All questions go to one {@code sh} process that loops over a file, because a JVM process
 * spawn per pair would cost more than the whole comparison.
 */
class DebianVersionDpkgPeerTest {
    private static final Path DPKG = Path.of("/usr/bin/dpkg");
    private static final long SEED = 0x6b696c6eL;
    private static final int RANDOM_PAIRS = 6000;
    private static final int REPORTED_DISAGREEMENTS = 20;

    /** Per pair "LT EQ": the exit codes of {@code dpkg --compare-versions a lt b} and {@code a eq b} (skipped when lt holds). */
    private static final String COMPARE_SCRIPT = """
            while read -r a b; do
              /usr/bin/dpkg --compare-versions -- "$a" lt "$b"; lt=$?
              if [ "$lt" = 0 ]; then eq=1; else /usr/bin/dpkg --compare-versions -- "$a" eq "$b"; eq=$?; fi
              echo "$lt $eq"
            done < "$1"
            """;

    /** Per version "RC MESSAGE": dpkg's exit code and its warning or error, if any, when parsing it. */
    private static final String PARSE_SCRIPT = """
            while IFS= read -r v; do
              msg=$(/usr/bin/dpkg --compare-versions -- "$v" eq 0 2>&1 >/dev/null); rc=$?
              printf '%s %s\\n' "$rc" "$msg"
            done < "$1"
            """;

    @Test
    void ordersRandomVersionPairsExactlyAsDpkg(@TempDir Path dir) throws Exception {
        List<String[]> pairs = new ArrayList<>();
        for (String[] row : DebianVersionTest.tableRows()) {
            pairs.add(new String[] {row[0], row[2]});
        }
        VersionGenerator generator = new VersionGenerator(new Random(SEED));
        for (int i = 0; i < RANDOM_PAIRS; i++) {
            pairs.add(generator.pair());
        }
        StringBuilder input = new StringBuilder();
        for (String[] pair : pairs) {
            input.append(pair[0]).append(' ').append(pair[1]).append('\n');
        }

        DpkgRun run = runDpkg(dir, COMPARE_SCRIPT, input.toString());
        assertEquals(pairs.size(), run.lines.size(), "one answer per pair from dpkg; stderr:\n" + run.stderr);
        assertOnlyNonDigitStartWarnings(run.stderr);

        List<String> disagreements = new ArrayList<>();
        int disagreementCount = 0;
        int[] outcomes = new int[3];
        for (int i = 0; i < pairs.size(); i++) {
            String a = pairs.get(i)[0];
            String b = pairs.get(i)[1];
            int dpkg = dpkgOrder(run.lines.get(i), a, b);
            outcomes[dpkg + 1]++;
            DebianVersion va = DebianVersion.parse(a);
            DebianVersion vb = DebianVersion.parse(b);
            int kiln = va.compareTo(vb);
            int kilnReversed = vb.compareTo(va);
            boolean hashesAgree = kiln != 0 || va.hashCode() == vb.hashCode();
            if (kiln != dpkg || kilnReversed != -dpkg || va.equals(vb) != (dpkg == 0) || !hashesAgree) {
                if (++disagreementCount <= REPORTED_DISAGREEMENTS) {
                    disagreements.add(String.format("%s vs %s: dpkg says %s, kiln says %s (reversed %s, equals %s, hashes %s)",
                            a, b, name(dpkg), name(kiln), name(kilnReversed), va.equals(vb),
                            hashesAgree ? "consistent" : va.hashCode() + " != " + vb.hashCode()));
                }
            }
        }
        if (disagreementCount > 0) {
            fail(disagreementCount + " of " + pairs.size() + " pairs disagree with dpkg; the first:\n  "
                    + String.join("\n  ", disagreements));
        }
        // The generator must keep pairs close enough that every outcome is common, or the test proves little.
        for (int o = 0; o < 3; o++) {
            assertTrue(outcomes[o] > pairs.size() / 10,
                    "too few pairs where a " + name(o - 1) + " b: " + outcomes[o] + " of " + pairs.size());
        }
    }

    @Test
    void refusesWhatDpkgRefusesAndAcceptsWhatItAcceptsWithoutWarning(@TempDir Path dir) throws Exception {
        Random random = new Random(SEED + 1);
        String alphabet = "0000111223456789::--..++~~aZ_$!/";
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(8);
            for (int k = 0; k < length; k++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(sb.toString());
        }
        DpkgRun run = runDpkg(dir, PARSE_SCRIPT, String.join("\n", texts) + "\n");
        assertEquals(texts.size(), run.lines.size(), "one answer per version from dpkg; stderr:\n" + run.stderr);

        DebianVersion zero = DebianVersion.parse("0");
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String line = run.lines.get(i);
            int rc = Integer.parseInt(line.substring(0, line.indexOf(' ')));
            String message = line.substring(line.indexOf(' ') + 1);
            DebianVersion parsed;
            try {
                parsed = DebianVersion.parse(text);
            } catch (IllegalArgumentException e) {
                parsed = null;
            }
            if (message.contains("does not start with digit")) {
                // dpkg stops checking the characters at this warning, so it says nothing about them.
                continue;
            }
            checked++;
            boolean dpkgAccepts = rc != 2 && message.isEmpty();
            if (dpkgAccepts && parsed == null && hasSignedEpoch(text)) {
                continue; // dpkg's strtol takes a sign on the epoch; kiln wants digits only
            }
            if (dpkgAccepts != (parsed != null)) {
                disagreements.add(text + ": dpkg " + (message.isEmpty() ? "accepts it" : "says " + message)
                        + ", kiln " + (parsed == null ? "refuses it" : "accepts it"));
            } else if (parsed != null && (parsed.compareTo(zero) == 0) != (rc == 0)) {
                disagreements.add(text + ": dpkg says it " + (rc == 0 ? "equals" : "differs from") + " 0, kiln does not");
            }
        }
        if (!disagreements.isEmpty()) {
            fail(disagreements.size() + " versions parsed unlike dpkg; the first:\n  "
                    + String.join("\n  ", disagreements.subList(0, Math.min(REPORTED_DISAGREEMENTS, disagreements.size()))));
        }
        assertTrue(checked > texts.size() / 2, "too few versions dpkg judged: " + checked);
    }

    private static boolean hasSignedEpoch(String text) {
        int colon = text.indexOf(':');
        if (colon < 2 || (text.charAt(0) != '+' && text.charAt(0) != '-')) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static int dpkgOrder(String line, String a, String b) {
        return switch (line) {
            case "0 1" -> -1;
            case "1 0" -> 0;
            case "1 1" -> 1;
            default -> throw new AssertionError("dpkg could not compare " + a + " with " + b + ": exit codes " + line);
        };
    }

    private static String name(int order) {
        return order < 0 ? "<" : order == 0 ? "=" : ">";
    }

    /** dpkg warns, but still compares, when an upstream version does not start with a digit; nothing else is expected. */
    private static void assertOnlyNonDigitStartWarnings(String stderr) {
        for (String line : stderr.split("\n")) {
            if (!line.isEmpty() && !line.contains("version number does not start with digit")) {
                fail("unexpected dpkg message, the generator made a version dpkg does not take cleanly: " + line);
            }
        }
    }

    private record DpkgRun(List<String> lines, String stderr) {}

    private static DpkgRun runDpkg(Path dir, String script, String input) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(DPKG), DPKG + " is missing; this test compares kiln's version order with dpkg's");
        Path in = dir.resolve("input");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Files.writeString(in, input, StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script, "sh", in.toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("dpkg did not answer within 120 seconds");
        }
        assertEquals(0, process.exitValue(), "the sh loop around dpkg failed: " + Files.readString(err));
        return new DpkgRun(Files.readAllLines(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * Random valid versions, heavy in the characters whose order is subtle, and pairs of them that
     * are usually close: a shared prefix with different tails, or one version mutated into another.
     */
    private static final class VersionGenerator {
        private static final String LETTERS = "abzAZ";
        private final Random random;

        VersionGenerator(Random random) {
            this.random = random;
        }

        String[] pair() {
            int kind = random.nextInt(10);
            if (kind == 0) {
                return new String[] {version().text(), version().text()};
            }
            if (kind < 4) {
                Parts prefix = version();
                Parts a = new Parts(prefix.epoch, prefix.upstream + tail(prefix, false), prefix.revision);
                Parts b = random.nextBoolean()
                        ? new Parts(prefix.epoch, prefix.upstream + tail(prefix, false), prefix.revision)
                        : new Parts(prefix.epoch, prefix.upstream, prefix.revision == null ? "0" : prefix.revision + tail(prefix, true));
                return shuffled(a.normalized().text(), b.normalized().text());
            }
            Parts a = version();
            Parts b = a;
            int mutations = 1 + random.nextInt(2);
            for (int i = 0; i < mutations; i++) {
                b = mutate(b);
            }
            return shuffled(a.text(), b.text());
        }

        private String[] shuffled(String a, String b) {
            return random.nextBoolean() ? new String[] {a, b} : new String[] {b, a};
        }

        Parts version() {
            String epoch = random.nextInt(5) == 0 ? epoch() : null;
            String revision = random.nextInt(5) < 3 ? "" : null;
            Parts skeleton = new Parts(epoch, "", revision);
            StringBuilder upstream = new StringBuilder();
            // Mostly a digit first, as policy wants; sometimes not, which dpkg accepts with a warning.
            if (random.nextInt(10) != 0) {
                upstream.append(digits());
            }
            upstream.append(tail(skeleton, false));
            String rev = null;
            if (revision != null) {
                rev = digits() + (random.nextBoolean() ? tail(skeleton, true) : "");
            }
            return new Parts(epoch, upstream.toString(), rev).normalized();
        }

        private String epoch() {
            return switch (random.nextInt(4)) {
                case 0 -> "0";
                case 1 -> "1";
                case 2 -> "0" + random.nextInt(3);
                default -> Integer.toString(random.nextInt(4));
            };
        }

        /** A run of tokens; in an upstream version '-' and ':' only where the parts allow them. */
        private String tail(Parts parts, boolean revision) {
            StringBuilder sb = new StringBuilder();
            int tokens = random.nextInt(5);
            for (int i = 0; i < tokens; i++) {
                sb.append(token(parts, revision));
            }
            return sb.toString();
        }

        private String token(Parts parts, boolean revision) {
            int pick = random.nextInt(20);
            if (pick < 7) {
                return digits();
            }
            if (pick < 10) {
                return ".";
            }
            if (pick < 12) {
                return "~";
            }
            if (pick < 13) {
                return "~~";
            }
            if (pick < 15) {
                return "+";
            }
            if (pick < 18) {
                StringBuilder letters = new StringBuilder();
                int n = 1 + random.nextInt(3);
                for (int k = 0; k < n; k++) {
                    letters.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
                }
                return letters.toString();
            }
            if (!revision && pick == 18 && parts.revision != null) {
                return "-";
            }
            if (!revision && pick == 19 && parts.epoch != null) {
                return ":";
            }
            return ".";
        }

        private String digits() {
            int pick = random.nextInt(20);
            if (pick == 0) {
                // Beyond the range of a long, often equal in length and prefix to its partner.
                StringBuilder sb = new StringBuilder("1844674407370955161");
                int n = random.nextInt(6);
                for (int k = 0; k < n; k++) {
                    sb.append(random.nextInt(10));
                }
                return sb.toString();
            }
            if (pick < 4) {
                return "0" + random.nextInt(10); // a leading zero
            }
            if (pick < 7) {
                return "0";
            }
            return Integer.toString(random.nextInt(pick < 15 ? 10 : 200));
        }

        private Parts mutate(Parts v) {
            return switch (random.nextInt(12)) {
                case 0 -> new Parts(v.epoch == null ? "0" : null, v.upstream, v.revision);
                case 1 -> new Parts(epoch(), v.upstream, v.revision);
                case 2 -> new Parts(v.epoch, v.upstream, v.revision == null ? "0" : null);
                case 3 -> new Parts(v.epoch, v.upstream + pickOf("~", "0", ".0", "~~", "a", "+b1", ".", "00"), v.revision);
                case 4 -> v.revision == null
                        ? new Parts(v.epoch, v.upstream, pickOf("0", "1", "0~", "~"))
                        : new Parts(v.epoch, v.upstream, v.revision + pickOf("~", "0", ".0", "+b1", "a", "~~"));
                case 5, 6 -> new Parts(v.epoch, edit(v.upstream, v, false), v.revision);
                case 7 -> v.revision == null ? new Parts(v.epoch, edit(v.upstream, v, false), null)
                        : new Parts(v.epoch, v.upstream, edit(v.revision, v, true));
                case 8 -> new Parts(v.epoch, chop(v.upstream), v.revision);
                case 9 -> v.revision == null ? v : new Parts(v.epoch, v.upstream, chop(v.revision));
                case 10 -> new Parts(v.epoch, padZero(v.upstream), v.revision);
                default -> v.revision == null ? new Parts(v.epoch, v.upstream, "0") : new Parts(v.epoch, v.upstream, padZero(v.revision));
            };
        }

        /** Replaces, inserts or deletes one token at a random place. */
        private String edit(String s, Parts parts, boolean revision) {
            int at = random.nextInt(s.length() + 1);
            return switch (random.nextInt(3)) {
                case 0 -> s.substring(0, at) + token(parts, revision) + s.substring(at);
                case 1 -> at < s.length() ? s.substring(0, at) + token(parts, revision) + s.substring(at + 1) : s + token(parts, revision);
                default -> at < s.length() ? s.substring(0, at) + s.substring(at + 1) : s;
            };
        }

        private String chop(String s) {
            return s.isEmpty() ? s : s.substring(0, s.length() - 1);
        }

        /** Adds a leading zero to a random run of digits, which dpkg ignores. */
        private String padZero(String s) {
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < s.length(); i++) {
                if (Character.isDigit(s.charAt(i)) && (i == 0 || !Character.isDigit(s.charAt(i - 1)))) {
                    starts.add(i);
                }
            }
            if (starts.isEmpty()) {
                return s + "0";
            }
            int at = starts.get(random.nextInt(starts.size()));
            return s.substring(0, at) + "0" + s.substring(at);
        }

        private String pickOf(String... choices) {
            return choices[random.nextInt(choices.length)];
        }
    }

    /** A version as its parts; {@link #normalized()} makes any combination one that dpkg parses cleanly. */
    private record Parts(String epoch, String upstream, String revision) {
        Parts normalized() {
            String up = upstream;
            String rev = revision == null || revision.isEmpty() ? null : revision;
            if (rev == null) {
                up = up.replace('-', '.');
            }
            if (epoch == null) {
                up = up.replace(':', '.');
            }
            if (up.isEmpty()) {
                up = "0";
            }
            return new Parts(epoch, up, rev);
        }

        String text() {
            Parts n = normalized();
            return (n.epoch == null ? "" : n.epoch + ":") + n.upstream + (n.rev() == null ? "" : "-" + n.rev());
        }

        private String rev() {
            return revision == null || revision.isEmpty() ? null : revision;
        }
    }
}
