package io.github.resilientjcache.drill;

import io.github.resilientjcache.drill.RunResult.ClientResult;
import io.github.resilientjcache.drill.RunResult.Second;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** One run of one scenario: start Redis, open the clients, load them, fail the primary over, measure. */
final class Run {

  private static final long STOP_GRACE_MS = 3_000;
  private static final long CLOSE_GRACE_MS = 10_000;

  private final Options options;
  private final Scenario scenario;
  private final int run;
  private final PrintStream out;
  private final Consumer<AutoCloseable> onOpen;

  /** {@code onOpen} hears of every resource the run opens, for a Ctrl-C to stop. */
  Run(Options options, Scenario scenario, int run, PrintStream out, Consumer<AutoCloseable> onOpen) {
    this.options = options;
    this.scenario = scenario;
    this.run = run;
    this.out = out;
    this.onOpen = onOpen;
  }

  RunResult execute() {
    out.printf("%n== %s, run %d of %d: a primary and a replica behind %s on local redis-server processes%n",
        scenario.label(), run, options.runs(), PrimaryEndpointRedis.HOSTNAME);
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica(
        scenario.proxied() ? RedisOptions.defaults().proxied() : RedisOptions.defaults())) {
      onOpen.accept(redis);
      List<DrillClient> clients = new ArrayList<>();
      List<DrillClient> peers = new ArrayList<>();
      try {
        for (String name : options.clients()) {
          long start = System.nanoTime();
          clients.add(Clients.open(name, redis));
          peers.add(Clients.open(name, redis));
          out.printf("   opened %-22s %5d ms (and its peer)%n", name,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        return load(redis, clients, peers);
      } finally {
        List<DrillClient> all = new ArrayList<>(clients);
        all.addAll(peers);
        closeAll(all);
      }
    }
  }

  private RunResult load(PrimaryEndpointRedis redis, List<DrillClient> clients, List<DrillClient> peers) {
    List<ClientLoad> loads = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      DrillClient c = clients.get(i);
      ClientLoad load = new ClientLoad(c, peers.get(i), options.threads(), options.keys(), options.rate());
      load.prefill();
      loads.add(load);
    }
    redis.awaitReplicaInSync();
    out.printf("   %d keys written and read on each client; %d ops/s each (90%% reads), %d threads each;%n"
        + "   each client's peer writes %d keys of its own, %d a second, and the client reads them too%n",
        options.keys(), options.rate(), options.threads(), ClientLoad.PEER_KEYS, ClientLoad.PEER_WRITES_PER_SECOND);

    Map<String, List<Second>> series = new LinkedHashMap<>();
    Map<String, long[]> previous = new LinkedHashMap<>();
    for (ClientLoad l : loads) {
      series.put(l.client.name(), new ArrayList<>());
      previous.put(l.client.name(), new long[4]);
    }
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "drill-progress");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    long faultAtMs;
    long flipAtMs;
    try {
      loads.forEach(l -> l.start(start));
      sampler.scheduleAtFixedRate(() -> sample(loads, series, previous, start), 1, 1, TimeUnit.SECONDS);

      sleepUntil(start, options.faultAt().toMillis());
      long faultNanos = System.nanoTime();
      loads.forEach(l -> l.faultInjected(faultNanos));
      scenario.fault(redis);
      long faultDone = System.nanoTime();
      loads.forEach(l -> l.faultDone(faultDone));
      faultAtMs = sinceMillis(start, faultNanos);
      out.printf("%6.1fs  >> %s%n", faultAtMs / 1000.0, scenario.faultDescription());
      for (ClientLoad l : loads) {
        if (l.client.hasNearCache()) {
          out.printf("          %s: its near cache held %d of the %d keys%n", l.client.name(), l.heldAtFault(),
              options.keys());
        }
      }

      sleepUntil(start, options.faultAt().plus(options.flipAfter()).toMillis());
      scenario.flip(redis);
      long flipNanos = System.nanoTime();
      loads.forEach(l -> l.flipped(flipNanos));
      flipAtMs = sinceMillis(start, flipNanos);
      out.printf("%6.1fs  >> %s%n", flipAtMs / 1000.0, scenario.flipDescription());

      sleepUntil(start, options.duration().toMillis());
    } finally {
      sampler.shutdownNow(); // first: the series ends with the run, not with the last client to stop
      try {
        sampler.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      loads.forEach(ClientLoad::requestStop);
      loads.forEach(l -> l.awaitStop(STOP_GRACE_MS));
    }

    List<ClientResult> results = new ArrayList<>();
    for (ClientLoad l : loads) {
      results.add(l.result(series.get(l.client.name())));
      for (String stale : l.staleReads()) {
        out.printf("   %s: a stale read of %s%n", l.client.name(), stale);
      }
      for (String failure : l.warmFailures()) {
        out.printf("   %s: a read of a warm key failed: %s%n", l.client.name(), shorten(failure));
      }
      if (l.hungCalls() > 0) {
        out.printf("   %s: %d call(s) still unanswered %d ms or more after the run ended%n", l.client.name(),
            l.hungCalls(), STOP_GRACE_MS);
      }
    }
    return new RunResult(scenario.label(), run, options.duration().toMillis(), faultAtMs, flipAtMs,
        scenario.faultDescription(), scenario.flipDescription(), List.copyOf(results));
  }

  private void sample(List<ClientLoad> loads, Map<String, List<Second>> series, Map<String, long[]> previous,
      long start) {
    long atMs = sinceMillis(start, System.nanoTime());
    for (ClientLoad l : loads) {
      DrillClient c = l.client;
      long[] prev = previous.get(c.name());
      long ok = l.okOps();
      long errors = l.errors();
      long stale = c.staleReadsServed();
      long gap = Math.max(1, atMs - prev[3]); // a starved sampler runs late: per second of what really passed
      Second s = new Second(atMs, perSecond(ok - prev[0], gap), perSecond(errors - prev[1], gap),
          perSecond(stale - prev[2], gap), c.generation(), c.state());
      prev[0] = ok;
      prev[1] = errors;
      prev[2] = stale;
      prev[3] = atMs;
      synchronized (series) {
        series.get(c.name()).add(s);
      }
      out.printf(Locale.ROOT, "%6.1fs  %-22s ok/s %5d  failed/s %5d  stale reads/s %5d  gen %2d  %s%n",
          atMs / 1000.0, c.name(), s.ok(), s.errors(), s.staleServed(), s.generation(), s.state());
    }
  }

  private static long perSecond(long count, long overMillis) {
    return Math.round(count * 1000.0 / overMillis);
  }

  private static String shorten(String s) {
    return s.length() <= 240 ? s : s.substring(0, 240) + " ...";
  }

  private static long sinceMillis(long start, long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos - start);
  }

  private static void sleepUntil(long start, long atMs) {
    long until = start + TimeUnit.MILLISECONDS.toNanos(atMs);
    long left;
    while ((left = until - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("the drill was interrupted", e);
      }
    }
  }

  /** Closes every client at once, waiting at most {@link #CLOSE_GRACE_MS} (a frozen node can hold a close). */
  private void closeAll(List<DrillClient> clients) {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (DrillClient c : clients) {
      closing.add(CompletableFuture.runAsync(c::close, r -> {
        Thread t = new Thread(r, "drill-close-" + c.name());
        t.setDaemon(true);
        t.start();
      }));
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      out.println("   (a client took over " + CLOSE_GRACE_MS / 1000 + " s to close; left to finish in the background)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      out.println("   (a client failed to close: " + e.getCause() + ")");
    }
  }
}
