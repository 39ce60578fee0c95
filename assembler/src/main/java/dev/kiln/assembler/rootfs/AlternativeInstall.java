package dev.kiln.assembler.rootfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code update-alternatives --install LINK NAME PATH PRIORITY [--slave LINK NAME PATH]...}
 * call: a package offering {@code path} as the alternative {@code name}, reached through
 * {@code link}.
 *
 * @param pkg the package whose script (or table entry) registers it
 */
record AlternativeInstall(String pkg, String link, String name, String path, int priority, List<Slave> slaves) {
    /** A {@code --slave LINK NAME PATH}: a link that follows the master's choice. */
    record Slave(String link, String name, String path) {
        Slave {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
        }
    }

    AlternativeInstall {
        Objects.requireNonNull(pkg, "pkg");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        slaves = List.copyOf(slaves);
    }

    /**
     * The arguments after {@code update-alternatives}, as words: options dpkg's tool takes that
     * change nothing here ({@code --quiet}, {@code --verbose}, {@code --force}, {@code --log FILE})
     * are passed over. Empty when the words are not one {@code --install} with its slaves (another
     * action, another admin or alternatives directory, a missing argument or a priority that is
     * not a number): the caller decides whether that matters.
     */
    static Optional<AlternativeInstall> parse(String pkg, List<String> words) {
        String link = null;
        String name = null;
        String path = null;
        int priority = 0;
        List<Slave> slaves = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            switch (w) {
                case "--quiet", "--verbose", "--force", "--debug" -> {
                }
                case "--log" -> i++;
                case "--install" -> {
                    if (link != null || i + 4 > words.size() - 1) {
                        return Optional.empty();
                    }
                    link = words.get(i + 1);
                    name = words.get(i + 2);
                    path = words.get(i + 3);
                    try {
                        priority = Integer.parseInt(words.get(i + 4));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                    i += 4;
                }
                case "--slave" -> {
                    if (i + 3 > words.size() - 1) {
                        return Optional.empty();
                    }
                    slaves.add(new Slave(words.get(i + 1), words.get(i + 2), words.get(i + 3)));
                    i += 3;
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        if (link == null || !link.startsWith("/") || !path.startsWith("/") || name.contains("/")
                || slaves.stream().anyMatch(s -> !s.link().startsWith("/") || !s.path().startsWith("/") || s.name().contains("/"))) {
            return Optional.empty();
        }
        return Optional.of(new AlternativeInstall(pkg, link, name, path, priority, slaves));
    }
}
