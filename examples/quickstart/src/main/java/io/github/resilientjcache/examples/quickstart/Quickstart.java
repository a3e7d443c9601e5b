package io.github.resilientjcache.examples.quickstart;

import io.github.resilientjcache.jcache.ResilientCache;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.PrintStream;
import java.net.URI;
import javax.cache.management.CacheStatisticsMXBean;
import org.jspecify.annotations.Nullable;

/**
 * The quickstart: {@code REDIS_ADDRESS=redis://host:6379} (environment or {@code -D}) names a Redis; without
 * it, a local redis-server is started for the run.
 */
public final class Quickstart {

  private Quickstart() {}

  public static void main(String[] args) {
    String address = System.getenv("REDIS_ADDRESS") != null ? System.getenv("REDIS_ADDRESS")
        : System.getProperty("REDIS_ADDRESS");
    run(address, System.out);
  }

  /** The quickstart against {@code address}, or a local redis-server started for the run when it is null. */
  static void run(@Nullable String address, PrintStream out) {
    StandaloneRedis local = null;
    if (address == null) {
      local = RedisTopology.standalone();
      System.setProperty("REDIS_ADDRESS", local.uri()); // what quickstart.yaml's ${REDIS_ADDRESS} reads
      out.println("No REDIS_ADDRESS: started a local redis-server at " + local.uri());
    }
    try (Catalog catalog = Catalog.open(URI.create("classpath:quickstart.yaml"))) {
      catalog.add(new Product("tea-01", "Green tea", 450, 10));
      catalog.add(new Product("cof-01", "Espresso beans", 1290, 3));
      out.println("find tea-01      -> " + catalog.find("tea-01"));
      out.println("reserve 2 cof-01 -> " + catalog.reserve("cof-01", 2) + ", left: "
          + catalog.find("cof-01").stock());
      out.println("reserve 2 cof-01 -> " + catalog.reserve("cof-01", 2) + " (only 1 left)");
      out.println("listener saw     -> " + Catalog.changesSeen() + " creations and updates");
      ResilientCache<?, ?> ours = catalog.products().unwrap(ResilientCache.class); // our extras, if wanted
      CacheStatisticsMXBean stats = ours.statistics();
      out.println("statistics       -> " + stats.getCacheHits() + " hits, " + stats.getCacheMisses()
          + " misses");
      ours.nearCache().ifPresent(near -> out.println("near cache       -> " + near.statistics()));
    } finally {
      if (local != null) {
        local.close();
        System.clearProperty("REDIS_ADDRESS");
      }
    }
  }
}
