package dev.sluice.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a database server, plain sockets, for a node lost mid-transaction:
 * {@link #cutClients()} closes the client side of every connection and keeps the server side open
 * and silent, which is what the server sees of a node that died or was cut off (no FIN, no RST,
 * until TCP keepalive gives up after hours). Forwarding runs on virtual threads. Thread-safe.
 */
public final class PgProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** Listens on a free local port and forwards every connection to {@code host:port}. */
    public PgProxy(String host, int port) throws IOException {
        this.target = new InetSocketAddress(host, port);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("pg-proxy-accept").start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** A JDBC URL of {@code database} through this proxy. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /**
     * The node is gone: every client socket is closed, nothing more is forwarded either way, and the
     * server sockets stay open without a byte or a FIN: the server keeps each session as it was.
     */
    public void cutClients() {
        for (Link link : links) {
            link.cut = true;
            closeQuietly(link.client);
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5_000);
                Link link = new Link(client, server);
                links.add(link);
                Thread.ofVirtual().name("pg-proxy-up").start(() -> pump(link, client, server));
                Thread.ofVirtual().name("pg-proxy-down").start(() -> pump(link, server, client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("pg-proxy: " + e);
                }
            }
        }
    }

    /** Copies {@code from} to {@code to}; when either ends on its own (not cut), both ends close, as the peers did. */
    private static void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (link.cut) {
                    return;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // the peer went away, or the link was cut
        } finally {
            if (!link.cut) {
                closeQuietly(link.client);
                closeQuietly(link.server);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Link link : links) {
            closeQuietly(link.client);
            closeQuietly(link.server);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }

    /** One proxied connection; the sockets stay referenced here so the server side is never closed behind our back. */
    private static final class Link {
        final Socket client;
        final Socket server;
        volatile boolean cut;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }
    }
}
