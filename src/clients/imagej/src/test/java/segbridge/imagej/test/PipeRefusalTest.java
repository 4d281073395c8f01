package segbridge.imagej.test;

import segbridge.imagej.SegBridgeClient;
import segbridge.imagej.SegBridgeException;

import java.io.File;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

import static segbridge.imagej.test.TestSupport.check;

/**
 * The client refuses what is not its user's socket before it sends anything: a regular file, and (as root,
 * which can hand a socket to another user) a socket owned by someone else, whose listener must see no connection.
 */
final class PipeRefusalTest {
    private PipeRefusalTest() {}

    static void run() throws Exception {
        Path dir = Files.createTempDirectory("sbij-refuse");
        try {
            Path file = dir.resolve("not-a-socket");
            Files.write(file, new byte[0]);
            check(refusal(file.toString()).contains("not a socket"), "a regular file is refused as a pipe");

            if (!"root".equals(System.getProperty("user.name"))) {
                System.out.println("skip foreign-socket check: needs root to give a socket to another user");
                return;
            }
            Path sock = dir.resolve("squatted");
            Class<?> udsa = Class.forName("java.net.UnixDomainSocketAddress");
            SocketAddress addr = (SocketAddress) udsa.getMethod("of", String.class).invoke(null, sock.toString());
            ProtocolFamily unix = StandardProtocolFamily.valueOf("UNIX");
            ServerSocketChannel squatter = (ServerSocketChannel) ServerSocketChannel.class.getMethod("open", ProtocolFamily.class).invoke(null, unix);
            try {
                squatter.bind(addr);
                squatter.configureBlocking(false);
                UserPrincipal nobody = sock.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
                Files.setOwner(sock, nobody);
                String why = refusal(sock.toString());
                check(why.contains("belongs to user id"), "a socket owned by another user is refused: " + why);
                SocketChannel accepted = squatter.accept();
                check(accepted == null, "the squatter saw no connection");
            } finally {
                squatter.close();
            }
        } finally {
            for (File f : dir.toFile().listFiles()) f.delete();
            dir.toFile().delete();
        }
    }

    private static String refusal(String path) {
        try {
            SegBridgeClient.connectPipe(path).close();
        } catch (SegBridgeException e) {
            return e.getMessage();
        }
        throw new AssertionError("connectPipe(" + path + ") was not refused");
    }
}
