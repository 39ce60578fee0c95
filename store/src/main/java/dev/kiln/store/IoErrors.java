package dev.kiln.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Says what went wrong with a file in words: the JDK's file-system exceptions often carry only the
 * path (an {@link AccessDeniedException}'s message is the file name and nothing else).
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** What {@code e} means, with the file it happened to: {@code permission denied: /x/y}. */
    public static String why(IOException e) {
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile());
            String what;
            if (e instanceof AccessDeniedException) {
                what = "permission denied";
            } else if (e instanceof NoSuchFileException) {
                what = "no such file or directory";
            } else if (e instanceof NotDirectoryException) {
                what = "not a directory";
            } else if (e instanceof FileAlreadyExistsException) {
                what = "already exists";
            } else if (e instanceof DirectoryNotEmptyException) {
                what = "directory not empty";
            } else if (f.getReason() != null) {
                what = f.getReason().substring(0, 1).toLowerCase(java.util.Locale.ROOT) + f.getReason().substring(1);
            } else {
                what = e.getClass().getSimpleName();
            }
            return file.isEmpty() ? what : what + ": " + file;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Why nothing could be created in {@code dir}, as a phrase naming it: a read-only file system and
     * a permission kiln lacks are said as such (the JDK gives the first only as a reason string).
     */
    public static String unwritable(Path dir, IOException e) {
        if (isReadOnlyFileSystem(e) || isOnReadOnlyStore(dir)) {
            return dir + " is on a read-only file system";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: this user cannot create files in " + dir;
        }
        return why(e);
    }

    /** EROFS, which the JDK reports as a plain {@link FileSystemException} with this reason. */
    static boolean isReadOnlyFileSystem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t instanceof FileSystemException f && f.getReason() != null ? f.getReason() : t.getMessage();
            if (m != null && m.contains("Read-only file system")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOnReadOnlyStore(Path dir) {
        try {
            return Files.getFileStore(dir).isReadOnly();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
