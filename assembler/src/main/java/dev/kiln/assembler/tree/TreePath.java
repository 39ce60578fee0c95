package dev.kiln.assembler.tree;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Paths in a {@link FileTree}: absolute, {@code /}-separated, no trailing slash, no {@code .} or
 * {@code ..} components, no control characters; {@code /} is the root. Archive names are brought
 * to this form by {@link #normalize}, which refuses anything that would leave the root.
 */
public final class TreePath {
    public static final String ROOT = "/";

    /** Linux limits (NAME_MAX, PATH_MAX less the NUL): longer names could not be unpacked anywhere. */
    public static final int MAX_COMPONENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4095;

    /**
     * The order of paths in a tree and in every layer made from it: byte order of the UTF-8
     * encoding, which is code point order (not Java's UTF-16 order, which differs above U+FFFF).
     * A parent sorts before its children because it is their prefix.
     */
    public static final Comparator<String> ORDER = TreePath::compare;

    private TreePath() {
    }

    /**
     * The tree path for an archive member name: {@code ./usr/bin/x}, {@code usr/bin/x} and
     * {@code /usr/bin/x} all give {@code /usr/bin/x}; {@code ./} and {@code .} give the root.
     * An absolute name is taken relative to the image root, as dpkg and GNU tar do: in a tree
     * there is no host to escape to.
     *
     * @throws IllegalArgumentException naming the reason: empty, a control character, a
     *     {@code ..} component, a component or path too long
     */
    public static String normalize(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an empty name");
        }
        checkNoControl(name);
        StringBuilder out = new StringBuilder(name.length() + 1);
        int i = 0;
        int n = name.length();
        while (i <= n) {
            int slash = name.indexOf('/', i);
            int end = slash < 0 ? n : slash;
            String component = name.substring(i, end);
            if (component.equals("..")) {
                throw new IllegalArgumentException("a '..' component");
            }
            if (!component.isEmpty() && !component.equals(".")) {
                if (utf8Length(component) > MAX_COMPONENT_BYTES) {
                    throw new IllegalArgumentException("a component longer than " + MAX_COMPONENT_BYTES + " bytes");
                }
                out.append('/').append(component);
            }
            i = end + 1;
        }
        String path = out.length() == 0 ? ROOT : out.toString();
        if (utf8Length(path) > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("a path longer than " + MAX_PATH_BYTES + " bytes");
        }
        return path;
    }

    /** Whether {@code path} is already in tree form. */
    public static boolean isNormal(String path) {
        if (!path.startsWith("/")) {
            return false;
        }
        try {
            return normalize(path).equals(path);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The parent of a normal path; the root has none ({@code null}). */
    public static String parent(String path) {
        if (path.equals(ROOT)) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash == 0 ? ROOT : path.substring(0, slash);
    }

    /** Control characters (C0, DEL, C1) are refused in names: no package needs one, and they break every text format a tree feeds. */
    static void checkNoControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(String.format("a control character U+%04X", (int) c));
            }
        }
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x >= 0xD800 && y >= 0xD800) {
                    // surrogates (U+10000 and up) must sort after U+E000..U+FFFF, as in UTF-8
                    return fixup(x) - fixup(y);
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }

    private static int fixup(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    /** A name as it can be printed in a message: control characters escaped. */
    public static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
