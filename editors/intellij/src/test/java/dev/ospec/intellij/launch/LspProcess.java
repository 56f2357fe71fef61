package dev.ospec.intellij.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A bare LSP client over a child process's stdio, like LSP4IJ's ProcessStreamConnectionProvider:
 * Content-Length framing, answers to the server's own requests, a log of notifications.
 */
final class LspProcess implements AutoCloseable {
    /** Guards against a hung server only; not a performance budget. */
    static final long WAIT_SECONDS = 60;

    private final Process process;
    private final OutputStream out;
    private final BlockingQueue<Map<String, Object>> inbox = new LinkedBlockingQueue<>();
    private final List<Map<String, Object>> seen = new ArrayList<>();
    private final Map<String, Object> settings;
    private int nextId = 1;

    LspProcess(ServerLaunch launch, Map<String, String> env, Map<String, Object> settings)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launch.command());
        builder.environment().putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        this.process = builder.start();
        this.out = process.getOutputStream();
        this.settings = settings;
        Thread reader = new Thread(this::readLoop, "lsp-reader");
        reader.setDaemon(true);
        reader.start();
    }

    Object request(String method, Object params) throws IOException, InterruptedException {
        int id = nextId++;
        send(Map.of("jsonrpc", "2.0", "id", id, "method", method), params);
        Map<String, Object> reply = await(m -> Long.valueOf(id).equals(m.get("id")) && !m.containsKey("method"));
        if (reply.containsKey("error")) {
            throw new IllegalStateException(method + " failed: " + Json.write(reply.get("error")));
        }
        return reply.get("result");
    }

    void notify(String method, Object params) throws IOException {
        send(Map.of("jsonrpc", "2.0", "method", method), params);
    }

    /** The first notification (already seen or still to come) that matches. */
    Map<String, Object> awaitNotification(String method, Predicate<Map<String, Object>> params)
            throws InterruptedException, IOException {
        return await(m -> method.equals(m.get("method")) && !m.containsKey("id")
                && params.test(asMap(m.get("params"))));
    }

    /** Notifications of this method received so far. */
    List<Map<String, Object>> seen(String method) {
        return seen.stream().filter(m -> method.equals(m.get("method"))).toList();
    }

    int shutdown() throws IOException, InterruptedException {
        request("shutdown", null);
        notify("exit", null);
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server did not exit after shutdown/exit");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
    }

    private Map<String, Object> await(Predicate<Map<String, Object>> match)
            throws InterruptedException, IOException {
        for (Map<String, Object> m : seen) {
            if (match.test(m)) {
                return m;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            long left = deadline - System.nanoTime();
            Map<String, Object> m = inbox.poll(Math.max(left, 0), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new IllegalStateException("no matching message from the server; alive="
                        + process.isAlive() + ", seen=" + seen.size());
            }
            if (m.containsKey("method") && m.containsKey("id")) {
                answer(m);
                continue;
            }
            seen.add(m);
            if (match.test(m)) {
                return m;
            }
        }
    }

    /** What LSP4IJ's LanguageClientImpl answers for the requests this server sends. */
    private void answer(Map<String, Object> request) throws IOException {
        Object result = null;
        if ("workspace/configuration".equals(request.get("method"))) {
            List<Object> items = new ArrayList<>();
            for (Object item : (List<?>) asMap(request.get("params")).get("items")) {
                items.add(ServerSettings.SECTION.equals(asMap(item).get("section")) ? settings : null);
            }
            result = items;
        }
        Map<String, Object> reply = new java.util.LinkedHashMap<>();
        reply.put("jsonrpc", "2.0");
        reply.put("id", request.get("id"));
        reply.put("result", result);
        write(Json.write(reply));
    }

    private void send(Map<String, Object> head, Object params) throws IOException {
        Map<String, Object> message = new java.util.LinkedHashMap<>(head);
        if (params != null) {
            message.put("params", params);
        }
        write(Json.write(message));
    }

    private synchronized void write(String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private void readLoop() {
        try (InputStream in = process.getInputStream()) {
            while (true) {
                int length = -1;
                String line;
                while (!(line = readLine(in)).isEmpty()) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                byte[] body = in.readNBytes(length);
                if (body.length < length) {
                    return;
                }
                inbox.add(asMap(Json.parse(new String(body, StandardCharsets.UTF_8))));
            }
        } catch (IOException | RuntimeException e) {
            // The process ended; waiting callers time out with a clear message.
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("stream closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
