package dev.hearth.http;

import io.helidon.webserver.WebServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The address a server listens on, checked before anything else starts. Helidon logs a failed bind as a long
 * stack trace and returns a server that listens nowhere (port -1); a second {@code hearth serve} on a busy port
 * would then keep running, and would even recover the first one's jobs from the shared data folder. Checking
 * first turns that into one sentence and a non-zero exit.
 */
public final class ListenAddress {

    private ListenAddress() {
    }

    /** Throws {@link PortUnavailable} when {@code host:port} cannot be bound now (port 0 always can). */
    public static void requireFree(String host, int port) {
        if (port == 0) return;
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new PortUnavailable(host, port, e);
        }
    }

    /** The port a started server listens on; throws if it does not listen (the port was taken in between). */
    public static int boundPort(WebServer server, String host, int port) {
        if (!server.isRunning() || server.port() < 0) {
            server.stop();
            throw new PortUnavailable(host, port, null);
        }
        return server.port();
    }

    /** The one line an operator reads when the port is taken or not allowed. */
    public static final class PortUnavailable extends RuntimeException {
        PortUnavailable(String host, int port, IOException cause) {
            super("cannot listen on " + host + ":" + port + (cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")")
                    + ": another program (perhaps another Hearth) is using the port; stop it, or choose another with --port", cause);
        }
    }
}
