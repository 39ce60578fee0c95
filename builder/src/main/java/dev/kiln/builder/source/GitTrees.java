package dev.kiln.builder.source;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.builder.RecipeException;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A git source pinned: the ref resolved on the remote ({@code ls-remote}, a tag peeled to its
 * commit) and held to {@code expected-commit}, the commit fetched into a bare repository in a
 * temporary directory, and its tree exported by kiln's own walk, not by a checkout: each path, its
 * mode (0755 for git's executable files, 0644 for the others), a symlink's target, a file's size
 * and sha256, as a {@code kiln-source-1} listing whose sha256 the lock pins. The listing and every
 * file go into the store, so materializing needs no git. Submodules are refused, as are symlinks
 * that are absolute or lead outside the tree.
 */
final class GitTrees {
    private final GitTool git;
    private final ContentStore store;

    GitTrees(GitTool git, ContentStore store) {
        this.git = git;
        this.store = store;
    }

    /** The commit and tree of {@code source}, its listing and files put into the store. */
    SourcePin.Git pin(Source.Git source, URI url, String file, Path home) {
        String where = file + ":" + source.line() + ": " + source.key();
        String commit = resolve(source, url, where, home);
        if (!commit.equals(source.expectedCommit())) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": " + source.ref() + " of " + source.repository()
                    + " is commit " + commit + ", not the expected-commit " + source.expectedCommit()
                    + "\n  fix: check the commit (a tag that moved is a different release); if the new one is right, set expected-commit: "
                    + commit);
        }
        Path repo = home.resolve("repo.git");
        git.run(home, List.of("init", "-q", "--bare", repo.toString()));
        git.run(home, List.of("--git-dir=" + repo, "fetch", "-q", "--no-tags", "--no-recurse-submodules", url.toString(),
                "+" + source.ref() + ":refs/kiln/source"));
        String type = new String(git.run(home, List.of("--git-dir=" + repo, "cat-file", "-t", commit)), UTF_8).strip();
        if (!type.equals("commit")) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": " + commit + " is a " + type + " in " + source.repository()
                    + ", not a commit\n  fix: give the commit's full id as expected-commit");
        }
        CopyListing listing = export(repo, commit, where, home);
        store.put(listing.json());
        return new SourcePin.Git(source.key(), source.repository(), source.ref(), commit, listing.digest());
    }

    /** The commit {@code source.ref()} names on the remote now. */
    private String resolve(Source.Git source, URI url, String where, Path home) {
        String out = new String(git.run(home, List.of("ls-remote", url.toString(), source.ref(), source.ref() + "^{}")), UTF_8);
        String direct = null;
        String peeled = null;
        for (String line : out.split("\n")) {
            String[] parts = line.split("\t");
            if (parts.length != 2) {
                continue;
            }
            if (parts[1].equals(source.ref())) {
                direct = parts[0];
            } else if (parts[1].equals(source.ref() + "^{}")) {
                peeled = parts[0];
            }
        }
        if (direct == null) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": " + source.repository() + " has no "
                    + source.ref() + "\n  fix: check the tag or branch name");
        }
        return peeled != null ? peeled : direct;
    }

    private CopyListing export(Path repo, String commit, String where, Path home) {
        byte[] tree = git.run(home, List.of("--git-dir=" + repo, "ls-tree", "-r", "-t", "-z", "--full-tree", commit));
        List<CopyListing.Item> items = new ArrayList<>();
        Map<String, String> blobs = new LinkedHashMap<>(); // path -> object id, files and symlinks
        Map<String, String> modes = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i < tree.length; i++) {
            if (tree[i] != 0) {
                continue;
            }
            String entry = new String(tree, start, i - start, UTF_8);
            start = i + 1;
            int tab = entry.indexOf('\t');
            String[] meta = entry.substring(0, tab).split(" ");
            String path = entry.substring(tab + 1);
            switch (meta[0]) {
                case "040000" -> items.add(CopyListing.Item.directory(path));
                case "100644", "100755", "120000" -> {
                    blobs.put(path, meta[2]);
                    modes.put(path, meta[0]);
                }
                case "160000" -> throw new RecipeException(RecipeException.Kind.SOURCE, where + ": the tree holds a submodule at '" + path
                        + "', which kiln does not fetch\n  fix: add the submodule's repository as a git-checkout of its own, with its destination");
                default -> throw new RecipeException(RecipeException.Kind.SOURCE, where + ": '" + path + "' has git mode " + meta[0]
                        + ", which kiln does not export");
            }
        }
        StringBuilder request = new StringBuilder();
        blobs.values().forEach(id -> request.append(id).append('\n'));
        byte[] batch = git.run(home, List.of("--git-dir=" + repo, "cat-file", "--batch"), out -> {
            try {
                out.write(request.toString().getBytes(UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(batch))) {
            for (Map.Entry<String, String> b : blobs.entrySet()) {
                String header = readLine(in);
                String[] h = header.split(" ");
                if (h.length != 3 || !h[0].equals(b.getValue()) || !h[1].equals("blob")) {
                    throw new RecipeException(RecipeException.Kind.SOURCE, where + ": git cat-file answered '" + header + "' for " + b.getKey());
                }
                byte[] content = new byte[Integer.parseInt(h[2])];
                in.readFully(content);
                in.readByte(); // the newline after each object
                String path = b.getKey();
                if (modes.get(path).equals("120000")) {
                    String target = new String(content, UTF_8);
                    Archives.checkLink(path, target, where);
                    items.add(CopyListing.Item.symlink(path, target));
                } else {
                    Digest d = store.put(content);
                    items.add(CopyListing.Item.file(path, modes.get(path).equals("100755") ? 0755 : 0644, content.length, d));
                }
            }
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": reading git cat-file's output: " + e.getMessage(), e);
        }
        try {
            return new CopyListing(CopyListing.Kind.DIRECTORY, items);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(RecipeException.Kind.SOURCE, where + ": the tree cannot be exported: " + e.getMessage(), e);
        }
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("git's output ended early");
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
