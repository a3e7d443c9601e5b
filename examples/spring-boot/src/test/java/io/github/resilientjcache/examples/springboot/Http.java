package io.github.resilientjcache.examples.springboot;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** The tests' HTTP client: what a caller of the application sees, with a timeout so no request hangs unseen. */
final class Http {

  static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {};

  private Http() {}

  static RestClient client(int port) {
    JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
    requests.setReadTimeout(Duration.ofSeconds(5));
    return RestClient.builder().baseUrl("http://127.0.0.1:" + port).requestFactory(requests).build();
  }

  /** {@code /actuator/health}'s {@code resilientJcache} component. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> health(RestClient http) {
    Map<String, Object> health = http.get().uri("/actuator/health").retrieve().body(JSON);
    Map<String, Object> components = (Map<String, Object>) health.get("components");
    return (Map<String, Object>) components.get("resilientJcache");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> details(Map<String, Object> component) {
    return (Map<String, Object>) component.get("details");
  }

  /** The value of meter {@code name} with {@code tags} ("key:value"), summed as Actuator does. */
  @SuppressWarnings("unchecked")
  static double meter(RestClient http, String name, String... tags) {
    StringBuilder uri = new StringBuilder("/actuator/metrics/").append(name);
    for (int i = 0; i < tags.length; i++) {
      uri.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
    }
    Map<String, Object> meter = http.get().uri(uri.toString()).retrieve().body(JSON);
    List<Map<String, Object>> measurements = (List<Map<String, Object>>) meter.get("measurements");
    return ((Number) measurements.get(0).get("value")).doubleValue();
  }
}
