package io.cdcflow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of an HTTP server that can lose one answer: the request whose first bytes hold every marker
 * given to {@link #loseAnswerTo} reaches the server whole, and once the server starts answering (it has done the work:
 * ClickHouse answers an INSERT after the rows landed) the connection to the client is cut without a byte of the answer.
 * What a client sees when a network fails between a server's commit and its reply.
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final AtomicReference<List<String>> armed = new AtomicReference<>();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile boolean closed;

    private CuttingProxy(String upstreamUrl) throws IOException {
        URI uri = URI.create(upstreamUrl);
        this.upstreamHost = uri.getHost();
        this.upstreamPort = uri.getPort();
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "cutting-proxy-" + listener.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy to the HTTP server at {@code url} ({@code http://host:port}). */
    public static CuttingProxy to(String url) {
        try {
            return new CuttingProxy(url);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** The next request whose first bytes hold all of {@code markers} (e.g. "INSERT" and a table name) loses its answer. */
    public void loseAnswerTo(String... markers) {
        armed.set(List.of(markers));
    }

    /** How many answers were lost so far. */
    public int answersLost() {
        return lost.get();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5000);
                Connection connection = new Connection(client, server);
                start(connection::requests, "requests");
                start(connection::answers, "answers");
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("cutting proxy: " + e);
                }
            }
        }
    }

    private static void start(Runnable pump, String name) {
        Thread thread = new Thread(pump, "cutting-proxy-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** One client connection and its own connection to the server. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        /** Set while the request whose answer is to be lost is in flight. */
        private volatile boolean loseAnswer;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void requests() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    List<String> markers = armed.get();
                    if (markers != null) {
                        String head = new String(buffer, 0, Math.min(n, 8192), StandardCharsets.ISO_8859_1);
                        if (markers.stream().allMatch(head::contains) && armed.compareAndSet(markers, null)) {
                            loseAnswer = true;
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                closeBoth();
            }
        }

        void answers() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (loseAnswer) {
                        lost.incrementAndGet();
                        client.setSoLinger(true, 0); // a reset, as a failed network shows it
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                closeBoth();
            }
        }

        private void closeBoth() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
