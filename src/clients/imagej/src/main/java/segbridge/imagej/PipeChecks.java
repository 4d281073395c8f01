package segbridge.imagej;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * The checks made before anything is sent on a pipe: the path must be a socket owned by this user, and the
 * process serving it must run as this user, so that a socket another user bound first under the pipe's name
 * (a squatter) never receives an image. Linux attributes ({@code unix:uid}, {@code unix:mode}) and, on Java 16+,
 * {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED}, both reached without compiling against them (Java 8 target).
 */
final class PipeChecks {
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFDIR = 0040000;

    private PipeChecks() {}

    /** This process's user id, as the owner of /proc/self (Linux). */
    static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Paths.get("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new SegBridgeException("cannot tell this process's user id (pipes need Linux)", e);
        }
    }

    static boolean isDirectoryOwnedBy(String path, long uid) {
        try {
            Map<String, Object> a = Files.readAttributes(Paths.get(path), "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            return (((Number) a.get("mode")).intValue() & S_IFMT) == S_IFDIR && ((Number) a.get("uid")).longValue() == uid;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Refuses {@code path} unless it is a socket owned by this user. */
    static void checkSocket(String path) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(Paths.get(path), "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new SegBridgeException("cannot connect to pipe " + path + ": no socket there (is `segbridge serve --pipe` running as you?)", null);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new SegBridgeException("cannot check the pipe " + path, e);
        }
        int mode = ((Number) a.get("mode")).intValue();
        if ((mode & S_IFMT) != S_IFSOCK)
            throw new SegBridgeException("refusing to connect to " + path + ": it is not a socket", null);
        long owner = ((Number) a.get("uid")).longValue(), me = currentUid();
        if (owner != me)
            throw new SegBridgeException("refusing to connect to " + path + ": the socket belongs to user id " + owner
                    + ", not to you (user id " + me + "); another user may have taken the pipe name first, so nothing was sent", null);
    }

    /** Refuses (and closes) a connection whose serving process runs as another user; skipped where SO_PEERCRED is missing. */
    static void checkPeer(SocketChannel ch, String path) {
        String peer;
        try {
            Class<?> options = Class.forName("jdk.net.ExtendedSocketOptions");
            SocketOption<?> peerCred = (SocketOption<?>) options.getField("SO_PEERCRED").get(null);
            if (!ch.supportedOptions().contains(peerCred)) return;
            Object principal = ch.getOption(peerCred); // a jdk.net.UnixDomainPrincipal
            Method user = principal.getClass().getMethod("user");
            peer = ((UserPrincipal) user.invoke(principal)).getName();
        } catch (ClassNotFoundException | NoSuchFieldException e) {
            return; // a JDK without the option: the owner check above stands alone
        } catch (Exception e) {
            close(ch);
            throw new SegBridgeException("cannot read who serves the pipe " + path, e);
        }
        String me = System.getProperty("user.name");
        if (!peer.equals(me)) {
            close(ch);
            throw new SegBridgeException("refusing the connection to " + path + ": the process serving it runs as "
                    + peer + ", not as you (" + me + "); nothing was sent", null);
        }
    }

    private static void close(SocketChannel ch) {
        try { ch.close(); } catch (IOException ignored) { }
    }
}
