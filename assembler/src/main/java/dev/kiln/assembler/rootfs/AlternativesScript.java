package dev.kiln.assembler.rootfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code update-alternatives --install} calls of a maintainer script, read without running it.
 *
 * <p>The script is read as the shell would split it: a backslash before a newline joins the lines,
 * a {@code #} that starts a word starts a comment (so gcc's {@code \} followed by a commented
 * {@code #--slave} line ends the call there, as it does for {@code sh}), quotes group words, and
 * {@code ;}, {@code &&}, {@code ||}, {@code |}, {@code &} and parentheses end a command. A call is
 * taken when {@code update-alternatives} is a command word and its words hold {@code --install}
 * and no expansion; conditions around it are not evaluated (the registrations of a default
 * install sit in the {@code configure} branch, and the tests around them hold on a fresh
 * install). A call that holds an expansion ({@code $var}, {@code $(...)}, a backquote) or that
 * this reader cannot take apart is returned as unreadable, for a table or a report: OpenJDK's
 * loop over its tools, xz-utils' generated slaves and procps' function are such calls. Calls
 * without {@code --install} ({@code --remove}, {@code --query}) change nothing in a fresh image.
 */
final class AlternativesScript {
    static final String TOOL = "update-alternatives";

    /**
     * What a script registers.
     *
     * @param installs the calls read, in script order
     * @param unreadable each call that could not be read, as written (one line, shortened)
     */
    record Reading(List<AlternativeInstall> installs, List<String> unreadable) {
        Reading {
            installs = List.copyOf(installs);
            unreadable = List.copyOf(unreadable);
        }
    }

    private AlternativesScript() {
    }

    static Reading read(String pkg, String script) {
        List<AlternativeInstall> installs = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (List<Word> command : commands(script)) {
            int at = commandWordAt(command);
            if (at < 0) {
                continue;
            }
            List<Word> args = command.subList(at + 1, command.size());
            if (args.stream().noneMatch(w -> w.text().equals("--install"))) {
                continue;
            }
            Optional<AlternativeInstall> install = args.stream().anyMatch(Word::expands) ? Optional.empty()
                    : AlternativeInstall.parse(pkg, args.stream().map(Word::text).toList());
            if (install.isPresent()) {
                installs.add(install.get());
            } else {
                unreadable.add(shortened(command.subList(at, command.size())));
            }
        }
        return new Reading(installs, unreadable);
    }

    /** Where {@code update-alternatives} stands as the command, after assignments and a {@code then} or {@code do}; -1 if nowhere. */
    private static int commandWordAt(List<Word> command) {
        for (int i = 0; i < command.size(); i++) {
            Word w = command.get(i);
            String t = w.text();
            if (!w.quoted() && (t.equals(TOOL) || t.equals("/usr/bin/" + TOOL) || t.equals("/usr/sbin/" + TOOL))) {
                return i;
            }
            boolean prefix = !w.quoted() && (t.equals("then") || t.equals("do") || t.equals("else") || t.equals("{")
                    || t.equals("!") || t.matches("[A-Za-z_][A-Za-z0-9_]*=.*"));
            if (!prefix) {
                return -1;
            }
        }
        return -1;
    }

    private static String shortened(List<Word> command) {
        StringBuilder b = new StringBuilder();
        for (Word w : command) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(w.raw());
        }
        return b.length() > 160 ? b.substring(0, 157) + "..." : b.toString();
    }

    /** A shell word: its text with quotes removed, as written, whether it was quoted and whether it expands. */
    record Word(String text, String raw, boolean quoted, boolean expands) {
    }

    /** The script's simple commands, each as its words. */
    static List<List<Word>> commands(String script) {
        List<List<Word>> out = new ArrayList<>();
        List<Word> current = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        boolean expands = false;
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char next = script.charAt(i + 1);
                i++;
                if (next == '\n') {
                    continue; // a line continuation
                }
                text.append(next);
                raw.append(c).append(next);
                inWord = true;
                continue;
            }
            if (c == '\'' || c == '"') {
                int end = script.indexOf(c, i + 1);
                if (end < 0) {
                    end = n;
                }
                String inside = script.substring(i + 1, end);
                if (c == '"' && (inside.contains("$") || inside.contains("`") || inside.contains("\\"))) {
                    expands = true;
                }
                text.append(inside);
                raw.append(script, i, Math.min(end + 1, n));
                inWord = true;
                quoted = true;
                i = end;
                continue;
            }
            if (c == '$' || c == '`') {
                expands = true;
            }
            if (c == '#' && !inWord) {
                int end = script.indexOf('\n', i);
                i = (end < 0 ? n : end) - 1;
                continue;
            }
            boolean blank = c == ' ' || c == '\t';
            boolean separator = c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')';
            if (c == '(' && i > 0 && script.charAt(i - 1) == '$') {
                // "$(": a command substitution is part of the word that expands
                text.append(c);
                raw.append(c);
                continue;
            }
            if (blank || separator) {
                if (inWord) {
                    current.add(new Word(text.toString(), raw.toString(), quoted, expands));
                    text.setLength(0);
                    raw.setLength(0);
                    inWord = false;
                    quoted = false;
                    expands = false;
                }
                if (separator && !current.isEmpty()) {
                    out.add(current);
                    current = new ArrayList<>();
                }
                continue;
            }
            text.append(c);
            raw.append(c);
            inWord = true;
        }
        if (inWord) {
            current.add(new Word(text.toString(), raw.toString(), quoted, expands));
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }
}
