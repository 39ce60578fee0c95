package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Files, links and owners that packages' postinst scripts make on a fresh install and that a
 * program needs to start as Debian configures it, from a table read off the scripts (as
 * {@link ScriptAccounts}). Each effect applies as the script's own test allows: a link or file
 * only where nothing is, an owner only on what is there. Owners are looked up in the image's
 * {@code /etc/passwd} and {@code /etc/group}, so this runs after {@link AccountFiles}; an owner the
 * image lacks leaves root's, as {@code chown} would fail and the script stop there.
 */
final class ScriptFiles {
    /** What a script does to one path. */
    sealed interface Effect {
    }

    /** {@code ln -s TARGET PATH} unless PATH exists, when PATH's directory does. */
    record Link(String path, String target) implements Effect {
    }

    /** {@code mkdir -p; cp FROM PATH} (0644, root) unless PATH exists, when FROM does. */
    record Copy(String from, String path) implements Effect {
    }

    /** {@code touch; chmod; chown} of a file, when its directory exists; an existing file keeps its bytes. */
    record OwnedFile(String path, int mode, String user, String group) implements Effect {
    }

    /** {@code chown; chmod} of what exists. */
    record Owner(String path, int mode, String user, String group) implements Effect {
    }

    /** {@code [ -d PATH ] || mkdir -m MODE PATH; chown USER:GROUP PATH}, when PATH's directory exists. */
    record Dir(String path, int mode, String user, String group) implements Effect {
    }

    /** {@code [ -f PATH ] || write TEXT to PATH} (MODE, root), when PATH's directory exists. */
    record NewFile(String path, int mode, String text) implements Effect {
    }

    /** {@code cat > PATH} (0644, root) unless PATH exists, when its directory does. */
    record Write(String path, String text) implements Effect {
    }

    /** {@code mkdir -p; chmod; chown root:root} unless PATH exists. */
    record Dirs(String path, int mode) implements Effect {
    }

    private static final String MAIL_SPOOL = "/var/mail";
    private static final String BASE_FILES = "/usr/share/base-files/";

    /** By package, in script order. */
    static final Map<String, List<Effect>> TABLE = Map.ofEntries(
            // base-files' postinst on a fresh install (its runtime directories are RuntimeDirs');
            // /usr/local stays root:root 0755, as no /etc/staff-group-for-usr-local asks for staff
            Map.entry("base-files", List.of(
                    new Copy(BASE_FILES + "dot.profile", "/root/.profile"),
                    new Copy(BASE_FILES + "dot.bashrc", "/root/.bashrc"),
                    new Copy(BASE_FILES + "profile", "/etc/profile"),
                    new Copy(BASE_FILES + "motd", "/etc/motd"),
                    new Dir("/mnt", 0755, "root", "root"), new Dir("/srv", 0755, "root", "root"),
                    new Dir("/opt", 0755, "root", "root"), new Dir("/etc/opt", 0755, "root", "root"),
                    new Dir("/var/opt", 0755, "root", "root"), new Dir("/media", 0755, "root", "root"),
                    new Dir(MAIL_SPOOL, 02775, "root", "mail"),
                    new Link("/var/spool/mail", "../mail"),
                    new Dir("/usr/local", 0755, "root", "root"), new Dir("/usr/local/share", 0755, "root", "root"),
                    new Dir("/usr/local/share/man", 0755, "root", "root"), new Dir("/usr/local/bin", 0755, "root", "root"),
                    new Dir("/usr/local/games", 0755, "root", "root"), new Dir("/usr/local/lib", 0755, "root", "root"),
                    new Dir("/usr/local/include", 0755, "root", "root"), new Dir("/usr/local/sbin", 0755, "root", "root"),
                    new Dir("/usr/local/src", 0755, "root", "root"), new Dir("/usr/local/etc", 0755, "root", "root"),
                    new Link("/usr/local/man", "share/man"))),
            Map.entry("libc-bin", List.of(new Copy("/usr/share/libc-bin/nsswitch.conf", "/etc/nsswitch.conf"))),
            Map.entry("readline-common", List.of(new Copy("/usr/share/readline/inputrc", "/etc/inputrc"))),
            Map.entry("netbase", List.of(new Write("/etc/networks", "default\t\t0.0.0.0\nloopback\t127.0.0.0\nlink-local\t169.254.0.0\n\n"))),
            // tzdata's debconf default zone, Etc/UTC
            Map.entry("tzdata", List.of(new Link("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC"), new Write("/etc/timezone", "Etc/UTC\n"))),
            Map.entry("nginx-common", List.of(
                    new Owner("/var/log/nginx", 0755, "root", "adm"),
                    new OwnedFile("/var/log/nginx/access.log", 0640, "www-data", "adm"),
                    new OwnedFile("/var/log/nginx/error.log", 0640, "www-data", "adm"),
                    new Link("/etc/nginx/sites-enabled/default", "/etc/nginx/sites-available/default"),
                    new Copy("/usr/share/nginx/html/index.html", "/var/www/html/index.nginx-debian.html"))),
            // the JRE's system preferences (java.util.prefs), as its postinst makes them
            Map.entry("openjdk-17-jre-headless", List.of(
                    new Dir("/etc/.java", 0755, "root", "root"),
                    new Dir("/etc/.java/.systemPrefs", 0755, "root", "root"),
                    new NewFile("/etc/.java/.systemPrefs/.system.lock", 0644, ""),
                    new NewFile("/etc/.java/.systemPrefs/.systemRootModFile", 0644, ""))),
            // debconf's defaults on a fresh install: hinting "Native" (no link), style "hintslight",
            // sub-pixel "Automatic" (no link), bitmaps "false"
            Map.entry("fontconfig-config", List.of(
                    new Link("/etc/fonts/conf.d/10-hinting-slight.conf", "/usr/share/fontconfig/conf.avail/10-hinting-slight.conf"),
                    new Link("/etc/fonts/conf.d/70-no-bitmaps.conf", "/usr/share/fontconfig/conf.avail/70-no-bitmaps.conf"),
                    new Dir("/usr/local/share/fonts", 02775, "root", "staff"))),
            Map.entry("python3", List.of(
                    new Dir("/etc/python3", 0755, "root", "root"),
                    new NewFile("/etc/python3/debian_config", 0644,
                            "[DEFAULT]\n# how to byte-compile (comma separated: standard, optimize)\nbyte-compile = standard\n"))),
            // its postinst removes the file only for a runtime with hooks; none of Debian's has
            Map.entry("libpam-modules", List.of(
                    new NewFile("/etc/security/opasswd", 0600, ""),
                    new NewFile("/etc/environment", 0644, ""))));

    /** python3.N-minimal's preinst records a newly installed runtime. */
    private static final Pattern PYTHON_MINIMAL = Pattern.compile("python(3\\.[0-9]+)-minimal");

    /** The effects of {@code packageName}'s scripts, in script order. */
    static List<Effect> effects(String packageName) {
        Matcher python = PYTHON_MINIMAL.matcher(packageName);
        if (python.matches()) {
            // its preinst records the runtime; its postinst makes the local site directory pip installs into
            List<Effect> out = new java.util.ArrayList<>(List.of(new Dir("/var/lib/python", 0755, "root", "root"),
                    new NewFile("/var/lib/python/python" + python.group(1) + "_installed", 0644, "")));
            out.addAll(localSite(python.group(1)));
            return out;
        }
        return TABLE.getOrDefault(packageName, List.of());
    }

    private ScriptFiles() {
    }

    private static List<Effect> localSite(String version) {
        String lib = "/usr/local/lib/python" + version;
        return List.of(new Dirs(lib, 0755), new Dirs(lib + "/dist-packages", 0755));
    }

    static void apply(Draft draft, List<DebPackage> packages) {
        for (DebPackage p : packages) {
            for (Effect e : effects(p.packageName())) {
                apply(draft, e);
            }
        }
    }

    private static void apply(Draft draft, Effect effect) {
        if (effect instanceof Link l) {
            if (draft.get(l.path()).isEmpty() && isDir(draft, parent(l.path()))) {
                draft.put(Entry.symlink(l.path(), l.target(), 0777, 0, 0, draft.epoch()), Draft.GENERATED);
            }
        } else if (effect instanceof Copy c) {
            Optional<Content> from = draft.content(c.from());
            if (draft.get(c.path()).isEmpty() && from.isPresent()) {
                draft.ensureParents(c.path());
                draft.put(Entry.file(c.path(), 0644, 0, 0, draft.epoch(), from.get()), Draft.GENERATED);
            }
        } else if (effect instanceof OwnedFile f) {
            if (isDir(draft, parent(f.path()))) {
                Optional<Entry> there = draft.get(f.path());
                Entry e = there.orElse(Entry.file(f.path(), f.mode(), 0, 0, draft.epoch(), Content.of(new byte[0])));
                draft.put(e.withMode(f.mode()).withOwner(id(draft, AccountFiles.PASSWD, f.user()), id(draft, AccountFiles.GROUP, f.group())),
                        there.isPresent() ? draft.owner(f.path()) : Draft.GENERATED);
            }
        } else if (effect instanceof Dir d) {
            if (draft.get(d.path()).isEmpty() && isDir(draft, parent(d.path()))) {
                draft.put(Entry.dir(d.path(), d.mode(), id(draft, AccountFiles.PASSWD, d.user()), id(draft, AccountFiles.GROUP, d.group()),
                        draft.epoch()), Draft.GENERATED);
            }
        } else if (effect instanceof Dirs d) {
            if (draft.get(d.path()).isEmpty()) {
                draft.ensureParents(d.path());
                draft.put(Entry.dir(d.path(), d.mode(), 0, 0, draft.epoch()), Draft.GENERATED);
            }
        } else if (effect instanceof Write w) {
            if (draft.get(w.path()).isEmpty() && isDir(draft, parent(w.path()))) {
                draft.put(Entry.file(w.path(), 0644, 0, 0, draft.epoch(), Content.of(w.text().getBytes(StandardCharsets.UTF_8))),
                        Draft.GENERATED);
            }
        } else if (effect instanceof NewFile f) {
            if (draft.get(f.path()).isEmpty() && isDir(draft, parent(f.path()))) {
                draft.put(Entry.file(f.path(), f.mode(), 0, 0, draft.epoch(), Content.of(f.text().getBytes(StandardCharsets.UTF_8))),
                        Draft.GENERATED);
            }
        } else if (effect instanceof Owner o) {
            draft.get(o.path()).ifPresent(e -> draft.put(e.withMode(o.mode())
                    .withOwner(id(draft, AccountFiles.PASSWD, o.user()), id(draft, AccountFiles.GROUP, o.group())), draft.owner(o.path())));
        }
    }

    private static boolean isDir(Draft draft, String path) {
        return draft.get(path).map(e -> e.type() == Entry.Type.DIR).orElse(false);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? TreePath.ROOT : path.substring(0, slash);
    }

    /** The id of {@code name} in the image's passwd or group file (the third field), or 0. */
    static long id(Draft draft, String file, String name) {
        String text = draft.content(file).map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8)).orElse("");
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(name)) {
                return Long.parseLong(f[2]);
            }
        }
        return 0;
    }
}
