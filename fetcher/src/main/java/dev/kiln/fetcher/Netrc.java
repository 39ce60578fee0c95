package dev.kiln.fetcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Credentials from a netrc file: {@code machine HOST login USER password PASS} entries and an optional
 * {@code default} entry. {@code account} is ignored and {@code macdef} bodies are skipped; a token may
 * be double-quoted (with backslash escapes) to hold spaces. The first entry for a host wins.
 */
final class Netrc {
    static final Netrc EMPTY = new Netrc(List.of(), null);

    record Login(String user, String password) {
        @Override
        public String toString() {
            return "Login[" + user + ", password hidden]";
        }
    }

    private record Machine(String host, Login login) {
    }

    private final List<Machine> machines;
    private final Login fallback;

    private Netrc(List<Machine> machines, Login fallback) {
        this.machines = List.copyOf(machines);
        this.fallback = fallback;
    }

    /** Reads {@code file}; a missing file has no credentials. */
    static Netrc load(Path file) {
        if (file == null) {
            return EMPTY;
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            throw new FetchException(FetchException.Kind.NETRC, "cannot read " + file + ": " + dev.kiln.store.IoErrors.why(e)
                    + "\n  fix: make it readable, or remove it if it holds no credentials for kiln's mirrors", e);
        }
    }

    static Netrc parse(String text, String source) {
        List<String> tokens = tokens(text);
        List<Machine> machines = new ArrayList<>();
        Login fallback = null;
        String host = null;
        boolean isDefault = false;
        String user = null;
        String password = null;
        boolean inEntry = false;
        for (int i = 0; i <= tokens.size(); i++) {
            String t = i < tokens.size() ? tokens.get(i) : null;
            if (t == null || t.equals("machine") || t.equals("default")) {
                if (inEntry && user != null) {
                    Login login = new Login(user, password == null ? "" : password);
                    if (isDefault) {
                        fallback = fallback == null ? login : fallback;
                    } else {
                        machines.add(new Machine(host, login));
                    }
                }
                if (t == null) {
                    break;
                }
                inEntry = true;
                isDefault = t.equals("default");
                user = null;
                password = null;
                host = null;
                if (!isDefault) {
                    host = value(tokens, ++i, t, source).toLowerCase(Locale.ROOT);
                }
                continue;
            }
            switch (t) {
                case "login" -> user = value(tokens, ++i, t, source);
                case "password" -> password = value(tokens, ++i, t, source);
                case "account" -> value(tokens, ++i, t, source);
                default -> {
                    // unknown words are skipped, as curl does
                }
            }
        }
        return new Netrc(machines, fallback);
    }

    /** The entry written for {@code host} itself; sent without waiting to be asked. */
    Optional<Login> machine(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return machines.stream().filter(m -> m.host().equals(h)).map(Machine::login).findFirst();
    }

    /** The entry for {@code host}, else the {@code default} entry. */
    Optional<Login> forHost(String host) {
        return machine(host).or(() -> Optional.ofNullable(fallback));
    }

    private static String value(List<String> tokens, int i, String keyword, String source) {
        if (i >= tokens.size()) {
            throw new FetchException(FetchException.Kind.NETRC, source + ": '" + keyword + "' at the end of the file has no value"
                    + "\n  expected: machine HOST login USER password PASS");
        }
        return tokens.get(i);
    }

    /** Splits into tokens, dropping comment lines and macdef bodies (which run to the next blank line). */
    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        boolean inMacro = false;
        for (String line : text.split("\r?\n", -1)) {
            if (inMacro) {
                inMacro = !line.isBlank();
                continue;
            }
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            List<String> lineTokens = lineTokens(line);
            for (int i = 0; i < lineTokens.size(); i++) {
                if (lineTokens.get(i).equals("macdef")) {
                    // the rest of this line names the macro; its body follows
                    inMacro = true;
                    break;
                }
                out.add(lineTokens.get(i));
            }
        }
        return out;
    }

    private static List<String> lineTokens(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            StringBuilder t = new StringBuilder();
            if (c == '"') {
                i++;
                while (i < n && line.charAt(i) != '"') {
                    char q = line.charAt(i++);
                    if (q == '\\' && i < n) {
                        q = line.charAt(i++);
                    }
                    t.append(q);
                }
                i++;
            } else {
                while (i < n && !Character.isWhitespace(line.charAt(i))) {
                    t.append(line.charAt(i++));
                }
            }
            out.add(t.toString());
        }
        return out;
    }
}
