package io.github.resilientjcache.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisBackend;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

/** The catalogue through its REST endpoint, on a real Redis: what the cache annotations do, and Actuator. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, classes = {Application.class, TestRedis.Standalone.class})
@DirtiesContext
class CatalogueTest {

  @LocalServerPort
  int port;
  @Autowired
  ProductRepository repository;
  @Autowired
  CacheManager caches;
  @Autowired
  StandaloneRedis redis;
  RestClient http;

  @BeforeAll
  static void engine() {
    RedisBackend.requireAvailable(); // with RJC_TESTKIT_BACKEND=containers and no engine: skipped, not in CI
  }

  @BeforeEach
  void client() {
    http = Http.client(port);
  }

  private Product get(long id) {
    return http.get().uri("/products/{id}", id).retrieve().body(Product.class);
  }

  private Product put(long id, String name, long priceCents) {
    return http.put().uri("/products/{id}", id).body(new ProductController.ProductBody(name, priceCents))
        .retrieve().body(Product.class);
  }

  @Test
  void cacheable_readsTheRepositoryOnce_thenAnswersFromTheCache() {
    repository.save(new Product(101, "kettle", 2999));
    long reads = repository.reads();
    assertThat(get(101)).isEqualTo(new Product(101, "kettle", 2999));
    assertThat(get(101)).isEqualTo(new Product(101, "kettle", 2999));
    assertThat(get(101)).isEqualTo(new Product(101, "kettle", 2999));
    assertThat(repository.reads() - reads).as("repository reads for three GETs").isEqualTo(1);
    assertThat(redis.node().call("KEYS", "rjc:products:*:b:*").toString())
        .as("the entry lives in Redis, a key of its own (docs/storage-layout.md)").contains("rjc:products:");
  }

  @Test
  void cachePutAndCacheEvict_keepTheCacheInStepWithTheRepository() {
    repository.save(new Product(201, "toaster", 3999));
    get(201);
    long reads = repository.reads();
    assertThat(put(201, "toaster", 3499)).isEqualTo(new Product(201, "toaster", 3499));
    assertThat(get(201)).as("the PUT's result, cached by @CachePut").isEqualTo(new Product(201, "toaster", 3499));
    assertThat(repository.reads()).as("no repository read after the PUT").isEqualTo(reads);

    http.delete().uri("/products/{id}", 201).retrieve().toBodilessEntity();
    assertThatThrownBy(() -> get(201)).as("evicted, then not found in the repository")
        .isInstanceOf(HttpClientErrorException.NotFound.class);
    assertThat(repository.reads()).isEqualTo(reads + 1);
    assertThatThrownBy(() -> get(201)).as("a 404 is not cached").isInstanceOf(HttpClientErrorException.NotFound.class);
    assertThat(repository.reads()).isEqualTo(reads + 2);
  }

  @Test
  void syncCacheable_computesAQuoteOnce() {
    repository.save(new Product(301, "mixer", 10000));
    long reads = repository.reads();
    assertThat(http.get().uri("/products/301/quote").retrieve().body(Long.class)).isEqualTo(12000L);
    assertThat(http.get().uri("/products/301/quote").retrieve().body(Long.class)).isEqualTo(12000L);
    assertThat(repository.reads() - reads).as("one computation (it reads the product once)").isEqualTo(1);
  }

  @Test
  void springsPutIfAbsentAndValueLoader_goThroughEntryProcessors() throws Exception {
    Cache products = caches.getCache("products");
    Product first = new Product(901, "first", 1);
    assertThat(products.putIfAbsent(901L, first)).as("absent: put, nothing returned").isNull();
    Cache.ValueWrapper existing = products.putIfAbsent(901L, new Product(901, "second", 2));
    assertThat(existing).isNotNull();
    assertThat(existing.get()).as("present: kept, and returned").isEqualTo(first);

    AtomicInteger loads = new AtomicInteger();
    Product loaded = products.get(902L, () -> {
      loads.incrementAndGet();
      return new Product(902, "loaded", 3);
    });
    Product again = products.get(902L, () -> {
      loads.incrementAndGet();
      return new Product(902, "loaded twice", 4);
    });
    assertThat(loaded).isEqualTo(new Product(902, "loaded", 3));
    assertThat(again).isEqualTo(loaded);
    assertThat(loads).hasValue(1);
    Product none = products.get(903L, () -> null);
    assertThat(none).as("a loader's null, cached as Spring's NullValue").isNull();
    assertThat(products.get(903L)).as("the null was cached").isNotNull();
    assertThat(products.get(903L).get()).isNull();
  }

  @Test
  void actuator_showsTheSupervisorAndTheNearCache() {
    repository.save(new Product(501, "grinder", 5999));
    get(501);
    get(501);
    Map<String, Object> health = Http.health(http);
    assertThat(health.get("status")).isEqualTo("UP");
    Map<String, Object> details = Http.details(health);
    assertThat(details).containsEntry("state", "AVAILABLE").containsEntry("generation", 1)
        .containsKey("caches");
    assertThat(details.get("endpoint").toString()).contains(redis.host() + ":" + redis.port());
    assertThat(details.get("caches").toString()).contains("products").contains("nearCacheInSync=true");

    assertThat(Http.meter(http, "resilientjcache.redis.available")).isEqualTo(1.0);
    assertThat(Http.meter(http, "resilientjcache.redis.calls", "outcome:succeeded")).isPositive();
    assertThat(Http.meter(http, "resilientjcache.nearcache.gets", "cache:products", "result:hit"))
        .as("near cache hits").isPositive();
    assertThat(Http.meter(http, "cache.gets", "cache:products", "result:hit"))
        .as("Spring Boot's own cache meter, from the cache's JCache statistics").isPositive();
  }

  @Test
  void anotherInstance_seesAnUpdateMadeThroughThisOne() throws Exception {
    repository.save(new Product(401, "lamp", 1999));
    assertThat(get(401).priceCents()).isEqualTo(1999);
    try (SecondInstance other = SecondInstance.start(redis.uri())) {
      RestClient b = other.http();
      // Its repository is empty: it can answer only from the cache the two instances share.
      assertThat(b.get().uri("/products/401").retrieve().body(Product.class).priceCents()).isEqualTo(1999);
      put(401, "lamp", 2499);
      await("the other instance's near cache told of the change").atMost(Duration.ofSeconds(10))
          .until(() -> b.get().uri("/products/401").retrieve().body(Product.class).priceCents() == 2499);
      http.delete().uri("/products/{id}", 401).retrieve().toBodilessEntity();
      await("the other instance's near cache told of the eviction").atMost(Duration.ofSeconds(10))
          .until(() -> {
            try {
              b.get().uri("/products/401").retrieve().toBodilessEntity();
              return false;
            } catch (HttpClientErrorException.NotFound e) {
              return true;
            }
          });
    }
  }
}
