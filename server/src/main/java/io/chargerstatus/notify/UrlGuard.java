package io.chargerstatus.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/**
 * Where a subscription may send: {@code http(s)} urls whose host resolves only to public addresses (no
 * loopback, private, link-local, carrier-grade NAT, unique-local, multicast or unspecified address: a webhook
 * must not become a way into the service's own network), unless WEBHOOK_ALLOW_PRIVATE is set; or
 * {@code mailto:} one address. Resolving blocks: call off the event loop.
 */
public final class UrlGuard {
    private UrlGuard() {}

    /** Why the url is refused, or null when it may be used. */
    public static String refusal(String url, boolean allowPrivate) {
        if (url == null || url.length() > 2000) {
            return "url must be an http(s) or mailto: url of at most 2000 characters";
        }
        if (url.startsWith("mailto:")) {
            String to = url.substring("mailto:".length());
            return to.matches("[^@\\s,;<>]+@[^@\\s,;<>]+\\.[^@\\s,;<>]+")
                    ? null
                    : "mailto: must name one e-mail address";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "url is not a valid URI: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "url must use http, https or mailto";
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return "url must name a host (and no user or password)";
        }
        if (allowPrivate) {
            return null;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return "host " + uri.getHost() + " does not resolve";
        }
        for (InetAddress a : addresses) {
            if (internal(a)) {
                return "host " + uri.getHost() + " resolves to " + a.getHostAddress()
                        + ", an address inside the network (WEBHOOK_ALLOW_PRIVATE=true allows it)";
            }
        }
        return null;
    }

    static boolean internal(InetAddress a) {
        if (a.isLoopbackAddress()
                || a.isSiteLocalAddress()
                || a.isLinkLocalAddress()
                || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) || first >= 240;
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // fc00::/7, unique local
        }
        return false;
    }
}
