package io.kezdesu.common.http;

import io.kezdesu.common.lazy.Lazy;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A {@link HttpClient} made on first use. Each one builds the default TLS context (reading the trust store) and
 * starts a selector thread: signaling holds several (webhooks, sign-in, the identity provider's keys, the cluster's
 * forwarding), most of which a given deployment never uses, and making them all at start cost about a tenth of a
 * second of every start and three idle threads. Redirects are never followed.
 */
public final class LazyHttpClient {

    private final Lazy<HttpClient> client;

    public LazyHttpClient(Duration connectTimeout) {
        this.client = new Lazy<>(() -> HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    public HttpClient get() {
        return client.get();
    }
}
