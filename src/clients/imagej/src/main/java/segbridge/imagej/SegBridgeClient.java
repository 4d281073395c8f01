package segbridge.imagej;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON-RPC 2.0 client for the SegBridge engine with LSP-style {@code Content-Length} framing.
 *
 * <p>Two transports: {@link #launch} starts {@code segbridge serve --stdio} as a child process (works on
 * every Java from 8); {@link #connectPipe} connects to a running {@code segbridge serve --pipe NAME}
 * through a Unix domain socket, which needs Java 16+ ({@code java.net.UnixDomainSocketAddress}, reached
 * by reflection because this code is compiled for Java 8).
 *
 * <p>Calls are synchronous and serialised: one request is written, then frames are read until the
 * response with its id arrives (notifications in between are skipped). That keeps a single thread on
 * the stream, which a blocking {@code SocketChannel} needs (its streams share one lock).
 */
public class SegBridgeClient implements Closeable {
    public static final String PROTOCOL_VERSION = "1.1";
    public static final String CLIENT_NAME = "segbridge-imagej";
    public static final String CLIENT_VERSION = "0.1.0";

    private final InputStream in;
    private final OutputStream out;
    private final Process process;
    private final Closeable channel;
    private final String description;
    private long nextId = 1;
    private boolean closed;
    private Map<String, Object> initializeResult;

    private SegBridgeClient(InputStream in, OutputStream out, Process process, Closeable channel, String description) {
        this.in = new BufferedInputStream(in);
        this.out = out;
        this.process = process;
        this.channel = channel;
        this.description = description;
    }

    // ------------------------------------------------------------------ locating and starting the engine

    /**
     * The engine executable: system property {@code segbridge.exe}, else the ImageJ preference
     * {@code segbridge.exe} (passed in as {@code preference}, may be null), else env {@code SEGBRIDGE_EXE},
     * else {@code segbridge} found on PATH.
     */
    public static String findExecutable(String preference) {
        String[] candidates = { System.getProperty("segbridge.exe"), preference, System.getenv("SEGBRIDGE_EXE") };
        for (String c : candidates) {
            if (c != null && c.trim().length() > 0) {
                c = c.trim();
                if (c.indexOf(File.separatorChar) < 0) {
                    String found = onPath(c);
                    if (found != null) return found;
                }
                File f = new File(c);
                if (!f.isFile()) throw new SegBridgeException("engine executable not found: " + c, null);
                return f.getAbsolutePath();
            }
        }
        String found = onPath("segbridge");
        if (found == null)
            throw new SegBridgeException("no engine executable: set the segbridge.exe preference or system property, "
                    + "SEGBRIDGE_EXE, or put segbridge on PATH", null);
        return found;
    }

    private static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.isFile() && f.canExecute()) return f.getAbsolutePath();
        }
        return null;
    }

    /** Starts {@code exe serve --stdio [extraArgs]}, sends {@code initialize}. The engine's stderr goes to ours. */
    public static SegBridgeClient launch(String executable, String... extraArgs) {
        List<String> cmd = new ArrayList<String>();
        cmd.add(executable);
        cmd.add("serve");
        cmd.add("--stdio");
        for (String a : extraArgs) cmd.add(a);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        final Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SegBridgeException("cannot start " + executable, e);
        }
        SegBridgeClient c = new SegBridgeClient(p.getInputStream(), p.getOutputStream(), p, null, "stdio:" + executable);
        try {
            c.initialize();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Whether this JVM can reach Unix domain sockets (Java 16+). */
    public static boolean pipeSupported() {
        try {
            Class.forName("java.net.UnixDomainSocketAddress");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The owner-only folder {@code segbridge serve --pipe NAME} puts its socket in, by the engine's rule:
     * {@code $XDG_RUNTIME_DIR/segbridge} when XDG_RUNTIME_DIR is a folder of this user's, else
     * {@code $TMPDIR/segbridge-UID} ({@code /tmp} without TMPDIR).
     */
    public static String pipeFolder() {
        long uid = PipeChecks.currentUid();
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && runtime.startsWith("/") && PipeChecks.isDirectoryOwnedBy(runtime, uid))
            return (runtime.endsWith("/") ? runtime : runtime + "/") + "segbridge";
        String tmp = System.getenv("TMPDIR");
        if (tmp == null || tmp.length() == 0) tmp = "/tmp/";
        if (!tmp.endsWith("/")) tmp += "/";
        return tmp + "segbridge-" + uid;
    }

    /** Socket path of {@code serve --pipe NAME}: a name starting with '/' is the path, else NAME in {@link #pipeFolder()}. */
    public static String pipePath(String nameOrPath) {
        if (nameOrPath.startsWith("/")) return nameOrPath;
        return pipeFolder() + "/" + nameOrPath;
    }

    /**
     * Connects to {@code segbridge serve --pipe NAME} (Java 16+ only, via reflection on
     * {@code UnixDomainSocketAddress}) and sends {@code initialize}. Nothing is sent unless the path is a
     * socket owned by this user and the process serving it runs as this user (see {@link PipeChecks}).
     */
    public static SegBridgeClient connectPipe(String nameOrPath) {
        if (!pipeSupported())
            throw new SegBridgeException("connecting to a pipe needs Java 16 or newer (this is Java "
                    + System.getProperty("java.version") + "); use the stdio launch instead", null);
        String path = pipePath(nameOrPath);
        PipeChecks.checkSocket(path);
        final SocketChannel ch;
        try {
            Class<?> udsa = Class.forName("java.net.UnixDomainSocketAddress");
            SocketAddress addr = (SocketAddress) udsa.getMethod("of", String.class).invoke(null, path);
            ProtocolFamily unix = StandardProtocolFamily.valueOf("UNIX");
            Method open = SocketChannel.class.getMethod("open", ProtocolFamily.class);
            ch = (SocketChannel) open.invoke(null, unix);
            ch.connect(addr);
            PipeChecks.checkPeer(ch, path);
        } catch (SegBridgeException e) {
            throw e;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new SegBridgeException("cannot connect to pipe " + path, e.getCause());
        } catch (Exception e) {
            throw new SegBridgeException("cannot connect to pipe " + path, e);
        }
        InputStream is = new InputStream() {
            private final ByteBuffer one = ByteBuffer.allocate(1);
            @Override public int read() throws IOException {
                one.clear();
                int n = read(one.array(), 0, 1);
                return n <= 0 ? -1 : one.array()[0] & 0xff;
            }
            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
        OutputStream os = new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[] { (byte) b }, 0, 1); }
            @Override public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) ch.write(buf);
            }
        };
        SegBridgeClient c = new SegBridgeClient(is, os, null, ch, "pipe:" + path);
        try {
            c.initialize();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    static Long currentPid() {
        String n = ManagementFactory.getRuntimeMXBean().getName(); // "pid@host" on HotSpot/OpenJ9
        int at = n.indexOf('@');
        try {
            return at > 0 ? Long.valueOf(n.substring(0, at)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void initialize() {
        Map<String, Object> params = Json.obj("clientName", CLIENT_NAME, "clientVersion", CLIENT_VERSION,
                "protocolVersion", PROTOCOL_VERSION);
        // With processId the stdio engine exits when ImageJ dies; a shared pipe engine must not.
        if (process != null) {
            Long pid = currentPid();
            if (pid != null) params.put("processId", pid);
        }
        initializeResult = Json.map(request("initialize", params));
    }

    // ------------------------------------------------------------------ requests

    public Map<String, Object> initializeResult() { return initializeResult; }

    public String description() { return description; }

    public boolean isAlive() { return !closed && (process == null || isRunning(process)); }

    private static boolean isRunning(Process p) {
        try { p.exitValue(); return false; } catch (IllegalThreadStateException e) { return true; }
    }

    /** Sends one request and waits for its response; an error response throws {@link SegBridgeException}. */
    public synchronized Object request(String method, Map<String, Object> params) {
        if (closed) throw new SegBridgeException("connection closed", null);
        long id = nextId++;
        Map<String, Object> msg = Json.obj("jsonrpc", "2.0", "id", id, "method", method,
                "params", params == null ? Json.obj() : params);
        try {
            writeFrame(Json.write(msg));
            while (true) {
                String frame = readFrame();
                if (frame == null) throw new SegBridgeException("engine closed the connection" + exitInfo(), null);
                Object parsed = Json.parse(frame);
                if (!(parsed instanceof Map)) continue;
                Map<String, Object> m = Json.map(parsed);
                Object rid = m.get("id");
                if (rid == null && m.containsKey("method")) continue; // notification
                if (!(rid instanceof Number) || ((Number) rid).longValue() != id) continue; // stale
                if (m.containsKey("error") && m.get("error") != null) {
                    Map<String, Object> e = Json.map(m.get("error"));
                    Object data = e.get("data");
                    throw new SegBridgeException((int) Json.num(e, "code", 0), Json.str(e, "message"),
                            data instanceof Map ? Json.map(data) : null);
                }
                return m.get("result");
            }
        } catch (IOException e) {
            throw new SegBridgeException(method + " failed: I/O error" + exitInfo(), e);
        }
    }

    /** Request whose result is an object. */
    public Map<String, Object> call(String method, Object... kv) {
        return Json.map(request(method, Json.obj(kv)));
    }

    private String exitInfo() {
        if (process == null) return "";
        try {
            if (process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) return " (engine exit code " + process.exitValue() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private void writeFrame(String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        out.write(all);
        out.flush();
    }

    /** Reads one frame: header lines up to an empty line, then Content-Length bytes. Null at EOF. */
    private String readFrame() throws IOException {
        int length = -1;
        while (true) {
            String line = readLine();
            if (line == null) return null;
            if (line.length() == 0) {
                if (length >= 0) break;
                continue; // stray blank line
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length"))
                length = Integer.parseInt(line.substring(colon + 1).trim());
        }
        byte[] body = new byte[length];
        int off = 0;
        while (off < length) {
            int n = in.read(body, off, length - off);
            if (n < 0) throw new IOException("EOF inside a frame");
            off += n;
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) return b.size() == 0 ? null : b.toString("US-ASCII");
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        return b.toString("US-ASCII");
    }

    // ------------------------------------------------------------------ convenience

    /** Model entries from models/list (each a map with id, name, status, interactions, ...). */
    public List<Map<String, Object>> models() {
        List<Map<String, Object>> r = new ArrayList<Map<String, Object>>();
        for (Object o : Json.list(call("models/list").get("models"))) r.add(Json.map(o));
        return r;
    }

    /** Ids of models whose status is "ready". */
    public List<String> readyModelIds() {
        List<String> ids = new ArrayList<String>();
        for (Map<String, Object> m : models()) if ("ready".equals(m.get("status"))) ids.add(Json.str(m, "id"));
        return ids;
    }

    /** Sends shutdown (stdio engines exit), closes the streams and waits briefly for the child. */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            if (process != null && isRunning(process)) request("shutdown", null);
        } catch (RuntimeException ignored) {
            // engine already gone
        }
        closed = true;
        try { out.close(); } catch (IOException ignored) { }
        try { in.close(); } catch (IOException ignored) { }
        if (channel != null) try { channel.close(); } catch (IOException ignored) { }
        if (process != null) {
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroy();
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }
}
